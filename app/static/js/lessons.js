// Lessons: show the EUCPN good-practice questions only when the entry is a good practice.
(function () {
  "use strict";
  var form = document.querySelector("form[data-lesson-form]");
  if (!form) return;
  var kind = form.querySelector("select[name='kind']");
  var practice = form.querySelector("[data-good-practice]");
  if (!kind || !practice) return;
  function update() {
    practice.classList.toggle("d-none", kind.value !== "good_practice");
  }
  kind.addEventListener("change", update);
  update();
})();
