// Dashboard charts: each canvas.js-chart names the json_script element holding its data (CSP: no inline JS).
(function () {
  "use strict";
  function draw() {
    if (typeof window.Chart === "undefined") { return; }
    document.querySelectorAll("canvas.js-chart").forEach(function (canvas) {
      if (canvas.dataset.drawn) { return; }
      var source = document.getElementById(canvas.dataset.chartSource);
      if (!source) { return; }
      var data = JSON.parse(source.textContent);
      canvas.dataset.drawn = "1";
      new window.Chart(canvas, {
        type: canvas.dataset.chartType || "bar",
        data: { labels: data.labels, datasets: [{ label: data.label || "", data: data.values, backgroundColor: "rgba(13,110,253,0.5)", borderColor: "#0d6efd" }] },
        options: { animation: false, plugins: { legend: { display: Boolean(data.label) } }, scales: { y: { beginAtZero: true } } }
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
