// The chart of the enterprise page: revenue, tax and R&D (万元) by year, tech staff as bars.
(function () {
  var holder = document.getElementById("annual-chart");
  var source = document.getElementById("annual-data");
  if (!holder || !source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var chart = window.echarts.init(holder);
  var series = data.series.map(function (s) {
    return { name: s.name, type: "line", data: s.data, connectNulls: false };
  });
  series.push({ name: "科技人员", type: "bar", yAxisIndex: 1, data: data.staff, barMaxWidth: 24, itemStyle: { opacity: 0.35 } });
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 60, right: 50, top: 40, bottom: 30 },
    xAxis: { type: "category", data: data.years },
    yAxis: [{ type: "value", name: "万元" }, { type: "value", name: "人", splitLine: { show: false } }],
    series: series
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
