/* Scorecards: follow a scorecard being produced, and refresh a batch's progress. No inline script (CSP). */
(function () {
  "use strict";

  var POLL_MS = 2000;

  function followScorecard(card) {
    var url = card.getAttribute("data-scorecard-status-url");
    var label = card.querySelector('[data-scorecard-field="label"]');
    var message = card.querySelector('[data-scorecard-field="message"]');
    var download = card.querySelector('[data-scorecard-field="download"]');
    var lastStatus = null;

    function update(data) {
      if (data.status !== lastStatus) {
        // Only a change is written to the live region, so screen readers announce it once.
        label.textContent = data.label;
        label.className = "badge scorecard-badge scorecard-badge-" + data.status;
        message.textContent = data.message;
        lastStatus = data.status;
      }
      if (data.download_url) {
        download.querySelector("a").setAttribute("href", data.download_url);
        download.hidden = false;
        card.querySelectorAll(".scorecard-progress, .scorecard-refresh-hint").forEach(function (el) { el.remove(); });
      }
      if (data.status === "failed") {
        // The page shows what went wrong and the "Try again" button.
        window.location.reload();
        return;
      }
      if (data.pending) {
        window.setTimeout(poll, POLL_MS);
      }
    }

    function poll() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        })
        .then(update)
        .catch(function () { window.setTimeout(poll, POLL_MS * 3); });
    }

    window.setTimeout(poll, POLL_MS);
  }

  document.querySelectorAll("[data-scorecard-status-url]").forEach(function (card) {
    if (card.getAttribute("data-scorecard-pending") === "true") {
      followScorecard(card);
    }
  });

  document.querySelectorAll("[data-scorecard-autorefresh]").forEach(function (el) {
    var seconds = parseInt(el.getAttribute("data-scorecard-autorefresh"), 10) || 5;
    window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
  });
})();
