// Dashboard charts: each canvas.js-chart names the json_script element holding its data (CSP: no inline JS).
// Data: {labels, values, label?, integer?, unit?, series?}. Counts (integer: true) get whole-number ticks only;
// every tick and tooltip is written with the page language's thousands separators, plus the unit.
(function () {
  "use strict";
  var COLOURS = [["rgba(13,110,253,0.5)", "#0d6efd"], ["rgba(25,135,84,0.5)", "#198754"]];
  // One dataset from {values, label}, or several from {series: [{label, values, type}]} (a line
  // next to bars: 签约投资额 and 到位资金 by month), each in its own colour, on the same axis and unit.
  function datasets(data) {
    var series = data.series || [{ label: data.label || "", values: data.values }];
    return series.map(function (s, i) {
      var colour = COLOURS[i % COLOURS.length];
      var set = { label: s.label || "", data: s.values, backgroundColor: colour[0], borderColor: colour[1] };
      if (s.type) { set.type = s.type; }
      return set;
    });
  }
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
        data: { labels: data.labels, datasets: datasets(data) },
        options: {
          animation: false,
          plugins: {
            legend: { display: Boolean(data.label || data.series) },
            tooltip: { callbacks: { label: function (ctx) { return format(ctx.parsed.y); } } }
          },
          scales: { y: { beginAtZero: true, ticks: { precision: data.integer ? 0 : undefined, callback: function (value) { return format(value); } } } }
        }
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
