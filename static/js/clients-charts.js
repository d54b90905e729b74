// Dashboard charts: each canvas.js-chart names the json_script element holding its data (CSP: no inline JS).
// Data: {labels, values, label?, integer?, unit?}. Counts (integer: true) get whole-number ticks only;
// every tick and tooltip is written with the page language's thousands separators, plus the unit.
(function () {
  "use strict";
  function draw() {
    if (typeof window.Chart === "undefined") { return; }
    var lang = document.documentElement.lang || "zh-CN";
    var number = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
    document.querySelectorAll("canvas.js-chart").forEach(function (canvas) {
      if (canvas.dataset.drawn) { return; }
      var source = document.getElementById(canvas.dataset.chartSource);
      if (!source) { return; }
      var data = JSON.parse(source.textContent);
      var unit = data.unit ? " " + data.unit : "";
      var format = function (value) { return number.format(value) + unit; };
      canvas.dataset.drawn = "1";
      new window.Chart(canvas, {
        type: canvas.dataset.chartType || "bar",
        data: { labels: data.labels, datasets: [{ label: data.label || "", data: data.values, backgroundColor: "rgba(13,110,253,0.5)", borderColor: "#0d6efd" }] },
        options: {
          animation: false,
          plugins: {
            legend: { display: Boolean(data.label) },
            tooltip: { callbacks: { label: function (ctx) { return format(ctx.parsed.y); } } }
          },
          scales: { y: { beginAtZero: true, ticks: { precision: data.integer ? 0 : undefined, callback: function (value) { return format(value); } } } }
        }
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
