// Draws every chart of the page: an element [data-chart="ID"] gets the Plotly figure stored as JSON in the
// <script type="application/json" id="ID"> that Django's json_script wrote (data, not code: allowed by
// the Content-Security-Policy). The figures are built on the server by reports/charts.py.
(function () {
  "use strict";
  if (typeof window.Plotly === "undefined") {
    return;
  }
  var config = { displayModeBar: false, responsive: true, displaylogo: false };
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source) {
      return;
    }
    var figure = JSON.parse(source.textContent);
    var layout = figure.layout || {};
    layout.autosize = true;
    delete layout.width;
    window.Plotly.newPlot(element, figure.data || [], layout, config);
  });
})();
