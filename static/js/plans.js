// Improvement plan: on the action form, show only the indicators of the chosen commitment.
(function () {
  "use strict";
  var select = document.getElementById("id_commitment");
  var boxes = document.querySelectorAll("input[name='indicators'][data-commitment]");
  if (!select || !boxes.length) {
    return;
  }
  function sync() {
    boxes.forEach(function (box) {
      var wrapper = box.closest(".form-check") || box.parentElement;
      var mine = box.getAttribute("data-commitment") === select.value;
      wrapper.hidden = !mine;
      if (!mine) {
        box.checked = false;
      }
    });
  }
  select.addEventListener("change", sync);
  sync();
})();
