// Registrations: one-tap check-in without a page reload (the forms still work without JavaScript).
// A check-in for a day already past is a late correction: the server answers 409 and the desk
// confirms before it is sent again. The state ("Checked in") stays larger than its Undo.
(function () {
  "use strict";
  function show(form, isIn, label) {
    var button = form.querySelector("button[type=submit]");
    form.querySelector("input[name=action]").value = isIn ? "undo" : "in";
    button.textContent = isIn ? label("undo", "Undo") : label("check-in", "Check in");
    button.classList.toggle("btn-success", !isIn);
    button.classList.toggle("btn-lg", !isIn);
    button.classList.toggle("btn-outline-secondary", isIn);
    button.classList.toggle("btn-sm", isIn);
    var badge = form.querySelector("[data-checked-badge]");
    if (isIn && !badge) {
      badge = document.createElement("span");
      badge.className = "badge text-bg-success fs-6";
      badge.setAttribute("data-checked-badge", "");
      badge.textContent = label("in", "Checked in");
      form.insertBefore(badge, button);
    } else if (!isIn && badge) {
      badge.remove();
    }
  }

  function send(form, label) {
    var button = form.querySelector("button[type=submit]");
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
      var late = form.querySelector("input[name=late_correction]");
      if (!result.ok && result.data && result.data.confirm && late && !late.value) {
        if (window.confirm(result.data.error + "\n\n" + label("confirm", "Record this check-in as a late correction?"))) {
          late.value = "1";
          send(form, label);
        }
        return;
      }
      if (late) late.value = "";
      if (!result.ok) {
        window.alert((result.data && (result.data.error && (result.data.error.message || result.data.error))) || label("failed", "Could not save the check-in."));
        return;
      }
      show(form, !!result.data.checked_in, label);
      document.dispatchEvent(new CustomEvent("liaison:checkin-changed"));
    }).catch(function () {
      button.disabled = false;
      form.submit();
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-checkin-form") || !window.fetch) return;
    event.preventDefault();
    // The words come from the page, in its language (data-label-* on the list).
    var list = form.closest("[data-label-undo]");
    var label = function (name, english) { return (list && list.getAttribute("data-label-" + name)) || english; };
    send(form, label);
  });

  // The desk marks a row checked in when its badge was scanned.
  document.addEventListener("liaison:badge-scanned", function (event) {
    var row = document.getElementById("registration-" + event.detail.registrationId);
    var form = row && row.querySelector("[data-checkin-form]");
    if (!form) return;
    var list = form.closest("[data-label-undo]");
    show(form, true, function (name, english) { return (list && list.getAttribute("data-label-" + name)) || english; });
  });
})();
