// Events and sessions (issue 22): choosing a facility fills the venue fields that are still empty from
// the facility's data- attributes (data-venue, data-address, data-city, data-country on its <option>).
// The server does the same on save, so this only saves typing; nothing is overwritten.
(function () {
  "use strict";
  var select = document.querySelector("select[data-facility-pick]");
  if (!select) return;
  var targets = { venue: "venue", address: "address", city: "city", country: "country", room: "room" };

  select.addEventListener("change", function () {
    var option = select.options[select.selectedIndex];
    if (!option || !option.value || option.value === "0") return;
    Object.keys(targets).forEach(function (key) {
      var field = select.form.elements.namedItem(targets[key]);
      var value = option.getAttribute("data-" + key);
      if (field && value && !field.value) {
        field.value = value;
        field.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  });
})();
