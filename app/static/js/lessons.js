// Lessons: show the EUCPN good-practice questions only for good practices; keep the copies of an
// entry in a summary preview (listed under each of its themes) checked or unchecked together.
(function () {
  "use strict";
  var form = document.querySelector("form[data-lesson-form]");
  var kind = form && form.querySelector("select[name='kind']");
  var practice = form && form.querySelector("[data-good-practice]");
  if (kind && practice) {
    var update = function () {
      practice.classList.toggle("d-none", kind.value !== "good_practice");
    };
    kind.addEventListener("change", update);
    update();
  }
  document.addEventListener("change", function (event) {
    var box = event.target;
    var entry = box.getAttribute && box.getAttribute("data-entry");
    if (!entry) return;
    document.querySelectorAll('input[type="checkbox"][data-entry="' + entry + '"]').forEach(function (other) {
      other.checked = box.checked;
    });
  });
})();
