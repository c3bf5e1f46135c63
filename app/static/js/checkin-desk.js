// The check-in desk: live counters ("x of y checked in", polled every few seconds and after each
// check-in) and the badge scanner (the phone's camera, decoded with the vendored jsQR). Without
// JavaScript or a camera the list and its search below do the same work.
(function () {
  "use strict";
  var POLL_MS = 5000;
  var counters = document.querySelector("[data-counts-url]");

  function refreshCounters() {
    if (!counters || !window.fetch) return;
    fetch(counters.getAttribute("data-counts-url"), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        data.counters.forEach(function (counter) {
          var element = counters.querySelector('[data-counter="' + counter.key + '"]');
          if (element && element.textContent !== counter.text) element.textContent = counter.text;
        });
      })
      .catch(function () { /* the next poll tries again */ });
  }
  if (counters) {
    window.setInterval(function () { if (!document.hidden) refreshCounters(); }, POLL_MS);
    document.addEventListener("liaison:checkin-changed", refreshCounters);
  }

  var scanner = document.getElementById("scanner");
  if (!scanner || !window.jsQR || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.fetch) return;
  scanner.hidden = false;
  var label = function (name) { return scanner.getAttribute("data-label-" + name); };
  var toggle = scanner.querySelector("[data-scan-toggle]");
  var video = scanner.querySelector("[data-scan-video]");
  var canvas = scanner.querySelector("[data-scan-canvas]");
  var form = scanner.querySelector("[data-scan-form]");
  var result = scanner.querySelector("[data-scan-result]");
  var confirmButton = scanner.querySelector("[data-scan-confirm]");
  var stream = null, busy = false, lastCode = "", lastAt = 0;

  function say(text, kind) {
    result.hidden = false;
    result.className = "alert mt-2 mb-0 alert-" + kind;
    result.textContent = text;
  }

  function stop() {
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.hidden = true;
    toggle.textContent = label("start");
  }

  function post(code, late) {
    busy = true;
    form.elements.code.value = code;
    form.elements.late_correction.value = late ? "1" : "";
    fetch(scanner.getAttribute("data-scan-url"), {
      method: "POST", body: new FormData(form), headers: { "Accept": "application/json" }, credentials: "same-origin"
    }).then(function (response) { return response.json(); }).then(function (data) {
      busy = false;
      var kind = data.status === "checked_in" ? "success" : (data.ok ? "info" : "warning");
      say(data.message, kind);
      confirmButton.hidden = data.status !== "late_correction";
      confirmButton.onclick = function () { confirmButton.hidden = true; post(code, true); };
      if (data.ok && data.registration_id) {
        document.dispatchEvent(new CustomEvent("liaison:badge-scanned", { detail: { registrationId: data.registration_id } }));
      }
      refreshCounters();
    }).catch(function () { busy = false; say(label("failed"), "danger"); });
  }

  function tick() {
    if (!stream) return;
    if (!busy && video.readyState >= 2 && video.videoWidth) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      var context = canvas.getContext("2d", { willReadFrequently: true });
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var found = window.jsQR(context.getImageData(0, 0, canvas.width, canvas.height).data, canvas.width, canvas.height,
                              { inversionAttempts: "dontInvert" });
      var now = Date.now();
      // The same badge held in front of the camera is read once every few seconds, not every frame.
      if (found && found.data && (found.data !== lastCode || now - lastAt > 4000)) {
        lastCode = found.data;
        lastAt = now;
        post(found.data, false);
      }
    }
    window.requestAnimationFrame(tick);
  }

  toggle.addEventListener("click", function () {
    if (stream) { stop(); return; }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (media) {
      stream = media;
      video.srcObject = media;
      video.hidden = false;
      toggle.textContent = label("stop");
      say(label("looking"), "secondary");
      return video.play();
    }).then(function () { window.requestAnimationFrame(tick); })
      .catch(function () { stop(); say(label("no-camera"), "warning"); });
  });
})();
