// Directory pickers (issue 23): a <select data-directory-picker="organisations|projects|themes"> becomes a
// Tom Select that asks the JSON search endpoint (data-search-url) as you type; one choice for a single
// select, several for a multiple one. Texts come from data- attributes, translated on the server.
// Without this script the select still works with what is already chosen.
(function () {
  "use strict";
  if (typeof window.TomSelect !== "function") return;

  function message(text, className) {
    var div = document.createElement("div");
    div.className = className;
    div.textContent = text;
    return div;
  }

  // Screen readers hear "Remove: <name>" for each chosen item's × button (Backspace removes too).
  function nameRemoveButton(item, removeText) {
    var button = item.querySelector(".remove");
    if (!button) return;
    var name = item.getAttribute("data-label") || item.firstChild.textContent;
    button.setAttribute("aria-label", removeText + ": " + name.trim());
  }

  // A single select's clear button (reached with Tab) says what it removes.
  function nameClearButton(control, removeText) {
    var button = control.parentNode.querySelector(".clear-button");
    var item = control.querySelector(".item");
    if (!button) return;
    button.setAttribute("aria-label", item ? removeText + ": " + item.textContent.trim() : removeText);
  }

  function setUp(select) {
    // Tom Select's own search box carries the field's label; the original select, hidden and out of
    // the tab order, is hidden from assistive technology too (else it is a second, unnamed control).
    select.setAttribute("aria-hidden", "true");
    var data = select.dataset;
    var limit = parseInt(data.limit || "20", 10);
    var multiple = select.multiple;
    var removeText = data.remove || "Remove";
    var failed = false;
    // A single select's "none" option (value 0) stays out of the widget: clearing it means none.
    var blank = multiple ? null : select.querySelector('option[value="0"]');
    new window.TomSelect(select, {
      plugins: multiple ? { remove_button: { title: removeText } } : { clear_button: { title: removeText } },
      maxItems: multiple ? null : 1,
      allowEmptyOption: false,
      valueField: "value",
      labelField: "text",
      searchField: [],
      maxOptions: limit,
      loadThrottle: 250,
      closeAfterSelect: true,
      placeholder: data.placeholder || "",
      shouldLoad: function (query) { return query.trim().length >= 2; },
      score: function () { return function () { return 1; }; },
      load: function (query, callback) {
        var url = data.searchUrl + "?q=" + encodeURIComponent(query) + "&limit=" + limit;
        failed = false;
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) {
            if (!response.ok) throw new Error(String(response.status));
            return response.json();
          })
          .then(function (body) {
            callback(body.results.map(function (row) { return { value: String(row.id), text: row.label }; }));
          })
          .catch(function () { failed = true; callback(); });
      },
      onInitialize: function () {
        if (blank) this.removeOption("0");
        this.control.querySelectorAll(".item").forEach(function (item) { nameRemoveButton(item, removeText); });
        if (!multiple) nameClearButton(this.control, removeText);
      },
      onItemAdd: function (value, item) {
        nameRemoveButton(item, removeText);
        if (!multiple) nameClearButton(this.control, removeText);
      },
      onItemRemove: function () { if (!multiple) nameClearButton(this.control, removeText); },
      render: {
        no_results: function () { return message(failed ? (data.error || "") : (data.noResults || ""), "no-results"); },
        loading: function () { return message(data.loading || "", "spinner-text"); },
      },
    });
  }

  document.querySelectorAll("select[data-directory-picker]").forEach(setUp);
})();
