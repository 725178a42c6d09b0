// Draws every chart of the page: an element [data-chart="ID"] gets the Plotly figure stored as JSON in the
// <script type="application/json" id="ID"> that Django's json_script wrote (data, not code: allowed by
// the Content-Security-Policy). The figures are built on the server by reports/charts.py.
//
// On a phone (a chart narrower than NARROW px) the same figure is laid out for the width: level ticks
// "1 Initial" ... "5 Learning" become "1" ... "5" (the axis title names the scale), legends go below the
// plot, and the column labels of heatmaps and box plots are turned so they do not run into each other. Each chart's data
// table below it gives the same figures in full.
(function () {
  "use strict";
  if (typeof window.Plotly === "undefined") {
    return;
  }
  var NARROW = 560;
  var config = { displayModeBar: false, responsive: true, displaylogo: false };

  function levelNumbersOnly(axis) {
    if (!axis || !axis.ticktext || !axis.tickvals) { return null; }
    if (!axis.ticktext.every(function (text) { return /^\d /.test(String(text)); })) { return null; }
    return axis.tickvals.map(String);
  }

  // "Community health center" -> "Community<br>health center": split at the space nearest the middle.
  function twoLines(label) {
    var text = String(label);
    if (text.length < 14 || text.indexOf(" ") < 0) { return text; }
    var middle = text.length / 2;
    var best = -1;
    for (var i = 0; i < text.length; i++) {
      if (text[i] === " " && (best < 0 || Math.abs(i - middle) < Math.abs(best - middle))) { best = i; }
    }
    return text.slice(0, best) + "<br>" + text.slice(best + 1);
  }

  // The layout changes for a narrow chart, as Plotly.relayout updates (and how to undo them).
  function narrowUpdates(figure, narrow) {
    var layout = figure.layout || {};
    var updates = {};
    ["xaxis", "yaxis"].forEach(function (name) {
      var numbers = levelNumbersOnly(layout[name]);
      if (numbers) {
        updates[name + ".ticktext"] = narrow ? numbers : layout[name].ticktext;
        // The axis title keeps the names: "Level (1 Initial to 5 Learning)".
        var names = layout[name].ticktext;
        updates[name + ".title.text"] = narrow
          ? "Level (" + names[0] + " to " + names[names.length - 1] + ")"
          : ((layout[name].title || {}).text || "");
      }
    });
    if (layout.showlegend !== false && (figure.data || []).length > 1) {
      // 11 px: "Peer median (All participating organizations, n=51)" fits a phone's width.
      updates.legend = narrow
        ? { orientation: "h", x: 0, xanchor: "left", y: -0.18, yanchor: "top", font: { size: 11 } }
        : layout.legend || {};
    }
    if (layout.polar) {
      // A radar drawn in a phone's width with the desktop's side margins was a 114 px circle: narrower
      // margins for the commitments' names (its height follows its width: .chart-square in portal.css).
      var desktopMargin = layout.margin || {};
      updates.margin = narrow
        ? Object.assign({}, desktopMargin, { l: 72, r: 72, t: 24, b: 110 })
        : desktopMargin;
      updates["polar.angularaxis.tickfont.size"] = narrow ? 11 : null;
    }
    if ((figure.data || []).some(function (trace) { return trace.type === "heatmap" || trace.type === "box"; })) {
      updates["xaxis.tickangle"] = narrow ? -60 : (layout.xaxis || {}).tickangle || 0;
      updates["xaxis.automargin"] = true;
    }
    var heatmap = (figure.data || []).filter(function (trace) { return trace.type === "heatmap"; })[0];
    if (heatmap) {
      // On a phone the groups' names ("Community health center") took most of the width, and plotly then
      // skipped every other commitment: names wrapped on two lines, and every column named.
      updates["yaxis.tickmode"] = narrow ? "array" : null;
      updates["yaxis.tickvals"] = narrow ? heatmap.y : null;
      updates["yaxis.ticktext"] = narrow ? heatmap.y.map(twoLines) : null;
      updates["xaxis.tickmode"] = narrow ? "array" : null;
      updates["xaxis.tickvals"] = narrow ? heatmap.x : null;
      updates["xaxis.ticktext"] = narrow ? heatmap.x : null;
    }
    return updates;
  }

  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source) {
      return;
    }
    var figure = JSON.parse(source.textContent);
    var original = JSON.parse(source.textContent);
    var layout = figure.layout || {};
    layout.autosize = true;
    delete layout.width;
    if (element.classList.contains("chart-square")) {
      delete layout.height;  // the element's own height (CSS), which plotly's autosize follows on resize
    }
    var narrow = element.clientWidth < NARROW;
    // A heatmap's cells are too narrow on a phone for their labels, which ran into each other: the
    // table under the chart gives every mean and n.
    var heatmaps = [];
    (figure.data || []).forEach(function (trace, index) { if (trace.type === "heatmap") { heatmaps.push(index); } });
    var cellText = function (isNarrow) {
      return heatmaps.map(function (index) { return isNarrow ? "" : original.data[index].texttemplate; });
    };
    if (narrow) {
      heatmaps.forEach(function (index) { figure.data[index].texttemplate = ""; });
      var updates = narrowUpdates(original, true);
      Object.keys(updates).forEach(function (path) {
        var parts = path.split(".");
        var target = layout;
        parts.slice(0, -1).forEach(function (part) { target = target[part] = target[part] || {}; });
        target[parts[parts.length - 1]] = updates[path];
      });
      if (updates.legend && !layout.polar) { layout.margin = Object.assign({}, layout.margin, { b: 120 }); }
    }
    window.Plotly.newPlot(element, figure.data || [], layout, config);
    window.addEventListener("resize", function () {
      var nowNarrow = element.clientWidth < NARROW;
      if (nowNarrow !== narrow) {
        narrow = nowNarrow;
        window.Plotly.relayout(element, narrowUpdates(original, narrow));
        if (heatmaps.length) { window.Plotly.restyle(element, { texttemplate: cellText(narrow) }, heatmaps); }
      }
    });
  });
})();
