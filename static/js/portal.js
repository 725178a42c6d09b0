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
  // Back to a page from the browser's cache: its forms can be sent again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      document.querySelectorAll("form[data-submitting]").forEach(release);
    }
  });
})();
