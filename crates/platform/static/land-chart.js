// The chart of 亩均 class changes: enterprises in each class by year (stacked bars, from the
// latest run of each year).
(function () {
  var holder = document.getElementById("land-chart");
  var source = document.getElementById("land-data");
  if (!holder || !source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var chart = window.echarts.init(holder);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { top: 0, type: "scroll" },
    grid: { left: 50, right: 20, top: 40, bottom: 30 },
    xAxis: { type: "category", data: data.years },
    yAxis: { type: "value", name: "家" },
    series: data.series.map(function (s) {
      return { name: s.name, type: "bar", stack: "classes", data: s.data, barMaxWidth: 40 };
    })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
