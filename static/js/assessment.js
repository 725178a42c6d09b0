// The assessment pages: show the N/A justification only when "Not applicable" is chosen, and warn before
// leaving a form with unsaved changes. No inline scripts: the Content-Security-Policy forbids them.
(function () {
  "use strict";

  function syncNotApplicable(group) {
    var card = group.closest(".indicator-card");
    if (!card) { return; }
    var panel = card.querySelector("[data-na-justification]");
    var na = group.querySelector("[data-na-option]");
    if (!panel || !na) { return; }
    var textarea = panel.querySelector("textarea");
    panel.hidden = !na.checked;
    if (textarea) {
      textarea.required = na.checked;
      textarea.setAttribute("aria-required", na.checked ? "true" : "false");
    }
  }

  document.querySelectorAll("[data-na-group]").forEach(function (group) {
    syncNotApplicable(group);
    group.addEventListener("change", function () { syncNotApplicable(group); });
  });

  document.querySelectorAll("form[data-dirty-warning]").forEach(function (form) {
    var dirty = false;
    var status = form.querySelector("[data-dirty-status]");
    function markDirty(event) {
      // A control of another form placed in this one (a reply to a review comment, an evidence file to
      // upload) is not an unsaved answer.
      if (event && event.target && event.target.form && event.target.form !== form) { return; }
      if (!dirty) {
        dirty = true;
        if (status) { status.textContent = "Unsaved changes"; }
      }
    }
    form.addEventListener("input", markDirty);
    form.addEventListener("change", markDirty);
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (event) {
      // Not when the idle-timeout dialog sends the person to sign in: session.js keeps the input.
      if (dirty && !document.documentElement.hasAttribute("data-leaving-to-sign-in")) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  });
})();
