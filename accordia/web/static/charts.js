// Draws every plotly chart of a page. Each `.chart` element names, in `data-figure`, the id of a
// <script type="application/json"> block holding {data, layout}; the server escapes that JSON, so
// no script is ever built from data and the Content-Security-Policy can forbid inline script.
// A point whose customdata is a site-relative URL is a link: clicking it opens that page.
(function () {
  "use strict";

  function siteLink(value) {
    if (Array.isArray(value)) {
      value = value[0];
    }
    // Only paths on this site: never "//host", "javascript:" or any other scheme.
    return typeof value === "string" && value.charAt(0) === "/" && value.charAt(1) !== "/" ? value : null;
  }

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-figure"));
    if (!source || !window.Plotly) {
      return;
    }
    var figure = JSON.parse(source.textContent);
    if (!figure.data || figure.data.length === 0) {
      element.classList.add("chart-empty");
      element.textContent = "Nothing to draw for these filters.";
      return;
    }
    var config = { responsive: true, displaylogo: false, scrollZoom: true,
                   modeBarButtonsToRemove: ["select2d", "lasso2d", "toImage"] };
    window.Plotly.newPlot(element, figure.data, figure.layout || {}, config).then(function () {
      element.setAttribute("data-rendered", "true");
    });
    element.on("plotly_click", function (event) {
      var point = event && event.points && event.points[0];
      var link = point && siteLink(point.customdata);
      if (link) {
        window.location.assign(link);
      }
    });
  }

  function drawAll() {
    var charts = document.querySelectorAll(".chart[data-figure]");
    for (var i = 0; i < charts.length; i += 1) {
      draw(charts[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
