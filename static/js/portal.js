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

  // A wide table scrolls sideways inside its .table-responsive box on small screens and at high zoom
  // (WCAG 1.4.10): the box is a named region that the keyboard can reach and scroll (WCAG 2.1.1). It is a
  // tab stop only while it actually scrolls, so a desktop keyboard user meets no extra stop.
  function regionName(box) {
    var caption = box.querySelector("caption");
    if (caption && caption.textContent.trim()) {
      return caption.textContent.trim().replace(/\s+/g, " ");
    }
    var table = box.querySelector("table[aria-label]");
    if (table) {
      return table.getAttribute("aria-label");
    }
    var heading = box.closest("section, .card, main");
    heading = heading && heading.querySelector("h1, h2, h3, h4");
    return heading ? heading.textContent.trim().replace(/\s+/g, " ") : "Table";
  }
  function syncScrollable(box) {
    if (box.scrollWidth > box.clientWidth + 1) {
      box.setAttribute("tabindex", "0");
    } else if (!box.hasAttribute("data-always-focusable")) {
      box.removeAttribute("tabindex");
    }
  }
  var boxes = document.querySelectorAll(".table-responsive");
  boxes.forEach(function (box) {
    if (!box.hasAttribute("role")) {
      box.setAttribute("role", "region");
    }
    if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
      box.setAttribute("aria-label", regionName(box));
    }
    syncScrollable(box);
  });
  if (boxes.length && "ResizeObserver" in window) {
    var observer = new window.ResizeObserver(function (entries) {
      entries.forEach(function (entry) { syncScrollable(entry.target); });
    });
    boxes.forEach(function (box) { observer.observe(box); });
  }

  // The sticky save bar covers the bottom of the window: whatever takes the focus behind it is scrolled
  // above it (WCAG 2.4.11). CSS keeps scroll-padding for the browser's own scrolling; this catches the rest.
  var bar = document.querySelector(".save-bar");
  if (bar) {
    var root = document.documentElement;
    var isSticky = function () { return window.getComputedStyle(bar).position === "sticky"; };
    var syncHeight = function () {
      root.style.setProperty("--save-bar-height", isSticky() ? bar.offsetHeight + "px" : "0px");
    };
    syncHeight();
    window.addEventListener("resize", syncHeight);
    document.addEventListener("focusin", function (event) {
      var target = event.target;
      if (bar.contains(target) || !target.getBoundingClientRect) { return; }
      // After the browser's own scrolling to the focused element, in the next frame.
      window.requestAnimationFrame(function () {
        if (!isSticky()) { return; }
        var box = target.getBoundingClientRect();
        var barBox = bar.getBoundingClientRect();
        var covered = box.bottom - barBox.top;
        if (covered > -8 && box.top < barBox.bottom) {
          window.scrollBy({ top: covered + 16, behavior: "instant" });
        }
      });
    });
  }

  // A form's error summary (bootstrap5/errors.html, the commitment page) takes the focus when the page opens,
  // and each of its links moves the focus to the field it names (a link to a group of radios: the first).
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-field-name]");
      if (!link) { return; }
      var field = document.querySelector("[name='" + link.getAttribute("data-field-name") + "']:not([type=hidden])") ||
        document.getElementById(link.getAttribute("href").slice(1));
      if (field) {
        event.preventDefault();
        field.focus();
        field.scrollIntoView({ block: "center" });
      }
    });
  }
})();
