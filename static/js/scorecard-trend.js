// The scorecard's monthly trend: rows per level (green, amber, red, no data), stacked (CSP: no inline JS).
(function () {
  "use strict";
  var colours = { green: "#198754", amber: "#ffc107", red: "#dc3545", none: "#6c757d" };
  function draw() {
    var canvas = document.getElementById("scorecard-trend-chart");
    if (!canvas || typeof window.Chart === "undefined" || canvas.dataset.drawn) { return; }
    var source = document.getElementById(canvas.dataset.chartSource);
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    canvas.dataset.drawn = "1";
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (s) { return { label: s.label, data: s.values, backgroundColor: colours[s.level] }; })
      },
      options: { animation: false, aspectRatio: 3, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
  window.addEventListener("load", draw);
})();
