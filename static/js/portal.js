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
