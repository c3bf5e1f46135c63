// Registrations: one-tap check-in without a page reload (the forms still work without JavaScript).
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-checkin-form") || !window.fetch) return;
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    var action = form.querySelector("input[name=action]");
    // The words come from the page, in its language (data-label-* on the list).
    var list = form.closest("[data-label-undo]");
    var label = function (name, english) { return (list && list.getAttribute("data-label-" + name)) || english; };
    button.disabled = true;
    // form.action would be the input named "action": read the attribute.
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      button.disabled = false;
      if (!result.ok) {
        window.alert((result.data && (result.data.error && (result.data.error.message || result.data.error))) || label("failed", "Could not save the check-in."));
        return;
      }
      var isIn = !!result.data.checked_in;
      action.value = isIn ? "undo" : "in";
      button.textContent = isIn ? label("undo", "Undo") : label("check-in", "Check in");
      button.classList.toggle("btn-success", !isIn);
      button.classList.toggle("btn-outline-secondary", isIn);
      var badge = form.querySelector("[data-checked-badge]");
      if (isIn && !badge) {
        badge = document.createElement("span");
        badge.className = "badge text-bg-success ms-1";
        badge.setAttribute("data-checked-badge", "");
        badge.textContent = label("in", "In");
        form.appendChild(badge);
      } else if (!isIn && badge) {
        badge.remove();
      }
    }).catch(function () {
      button.disabled = false;
      form.submit();
    });
  });
})();
