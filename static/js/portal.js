// Behaviour shared by every page. No inline scripts: the Content-Security-Policy forbids them.
(function () {
  "use strict";
  // Forms marked data-confirm ask before they are sent (destructive or irreversible actions).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // A form that writes is sent once: a double click on Save would otherwise send a second POST that
  // finds nothing left to change. The buttons are not disabled (a disabled button's name and value,
  // such as then=next, would not be sent); the second submit is cancelled instead.
  var RELEASE_AFTER_MS = 10000; // a POST that answers with a download leaves the page: allow a new one
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || (form.method || "").toLowerCase() !== "post") { return; }
    if (form.hasAttribute("data-submitting")) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-submitting", "");
    form.setAttribute("aria-busy", "true");
    window.setTimeout(function () { release(form); }, RELEASE_AFTER_MS);
  });
  function release(form) {
    form.removeAttribute("data-submitting");
    form.removeAttribute("aria-busy");
  }
  // Text areas with a limit (data-maxlength) count their characters where the limit is said, and say
  // how many are too many instead of the browser cutting a paste without a sign. The form refuses a
  // longer text with the same words (assessments/forms/workflow.py).
  function formatNumber(n) { return n.toLocaleString("en-US"); }
  var limitStatus = null; // one polite announcement when a text crosses its limit, not on every key
  document.querySelectorAll("textarea[data-maxlength]:not([disabled])").forEach(function (area) {
    var limit = parseInt(area.getAttribute("data-maxlength"), 10);
    var counter = document.createElement("div");
    counter.className = "form-text char-count";
    counter.id = area.id + "_count";
    area.insertAdjacentElement("afterend", counter);
    var describedBy = area.getAttribute("aria-describedby");
    area.setAttribute("aria-describedby", (describedBy ? describedBy + " " : "") + counter.id);
    if (!limitStatus) {
      limitStatus = document.createElement("div");
      limitStatus.className = "visually-hidden";
      limitStatus.setAttribute("role", "status");
      document.body.appendChild(limitStatus);
    }
    var wasOver = false;
    function update() {
      var length = area.value.length;
      var over = length > limit;
      counter.textContent = over
        ? "At most " + formatNumber(limit) + " characters: this text has " + formatNumber(length) +
          " (" + formatNumber(length - limit) + " too many). Shorten it, or put the rest in a document and link to it."
        : formatNumber(length) + " of " + formatNumber(limit) + " characters";
      counter.classList.toggle("char-count-over", over);
      if (over !== wasOver) {
        limitStatus.textContent = over ? counter.textContent : "Within the limit of " + formatNumber(limit) + " characters.";
        wasOver = over;
      }
    }
    area.addEventListener("input", update);
    update();
  });

  // Back to a page from the browser's cache: its forms can be sent again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      document.querySelectorAll("form[data-submitting]").forEach(release);
    }
  });
})();
