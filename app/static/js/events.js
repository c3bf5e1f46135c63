// Events pages: show only the series fields that belong to the chosen repeat rule.
(function () {
  "use strict";
  function applyRule(form) {
    var checked = form.querySelector('input[name="rule"]:checked');
    var rule = checked ? checked.value : "weekly";
    form.querySelectorAll("[data-series-rule]").forEach(function (block) {
      var show = block.getAttribute("data-series-rule") === rule;
      block.hidden = !show;
    });
  }
  document.querySelectorAll("form[data-series-form]").forEach(function (form) {
    applyRule(form);
    form.addEventListener("change", function (event) {
      if (event.target && event.target.name === "rule") applyRule(form);
    });
  });
})();
