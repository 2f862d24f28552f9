// The chart of the ladder overview: enterprises holding each tier by year (bars, from the
// latest run of each year) against the zone's targets (dashed lines).
(function () {
  var holder = document.getElementById("ladder-chart");
  var source = document.getElementById("ladder-data");
  if (!holder || !source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var chart = window.echarts.init(holder);
  var series = [];
  data.series.forEach(function (s) {
    series.push({ name: s.name, type: "bar", data: s.held, barMaxWidth: 24 });
    if (s.target.some(function (t) { return t !== null; })) {
      series.push({ name: s.name + " 目标", type: "line", data: s.target, connectNulls: true, lineStyle: { type: "dashed" } });
    }
  });
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { top: 0, type: "scroll" },
    grid: { left: 50, right: 20, top: 40, bottom: 30 },
    xAxis: { type: "category", data: data.years },
    yAxis: { type: "value", name: "家" },
    series: series
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
