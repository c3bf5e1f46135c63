// People pickers (issue 23): a <select multiple data-people-picker> becomes a Tom Select that asks
// the JSON search endpoint (data-search-url) as you type. Texts come from data- attributes, translated
// on the server. Without this script the select still works with the people already chosen.
(function () {
  "use strict";
  if (typeof window.TomSelect !== "function") return;

  function message(text, className) {
    var div = document.createElement("div");
    div.className = className;
    div.textContent = text;
    return div;
  }

  // Screen readers hear "Remove: <name>" for each chosen person's × button (Backspace removes too).
  function nameRemoveButton(item, removeText) {
    var button = item.querySelector(".remove");
    if (!button) return;
    var name = item.getAttribute("data-label") || item.firstChild.textContent;
    button.setAttribute("aria-label", removeText + ": " + name.trim());
  }

  function setUp(select) {
    var data = select.dataset;
    // Tom Select's own search box carries the field's label; the original select, hidden and out of
    // the tab order, is hidden from assistive technology too (else it is a second, unnamed control).
    select.setAttribute("aria-hidden", "true");
    var limit = parseInt(data.limit || "20", 10);
    var failed = false;
    new window.TomSelect(select, {
      plugins: {
        remove_button: {
          title: data.remove || "Remove",
        },
      },
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
            callback(body.results.map(function (person) {
              return { value: String(person.id), text: person.label };
            }));
          })
          .catch(function () { failed = true; callback(); });
      },
      onInitialize: function () {
        var control = this.control;
        control.querySelectorAll(".item").forEach(function (item) { nameRemoveButton(item, data.remove || "Remove"); });
      },
      onItemAdd: function (value, item) { nameRemoveButton(item, data.remove || "Remove"); },
      render: {
        no_results: function () {
          return message(failed ? (data.error || "") : (data.noResults || ""), "no-results");
        },
        loading: function () { return message(data.loading || "", "spinner-text"); },
      },
    });
  }

  document.querySelectorAll("select[data-people-picker]").forEach(setUp);
})();
