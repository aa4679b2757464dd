// Unit × knowledge point heatmap of expected recall (ECharts).
(function () {
  "use strict";
  const box = document.getElementById("heatmap");
  if (!box || !window.echarts) return;
  const chart = JSON.parse(box.dataset.chart);
  if (!chart.data.length) { box.hidden = true; return; }
  const heat = echarts.init(box);
  heat.setOption({
    tooltip: { position: "top", formatter: (p) => `${chart.units[p.value[1]]} · ${chart.points[p.value[0]]}：${p.value[2]}%` },
    grid: { left: 160, bottom: 90, top: 10, right: 20 },
    xAxis: { type: "category", data: chart.points, axisLabel: { rotate: 40 } },
    yAxis: { type: "category", data: chart.units },
    visualMap: { min: 0, max: 100, calculable: true, orient: "horizontal", left: "center", bottom: 0,
                 inRange: { color: ["#b3261e", "#f0b400", "#1f7a3a"] } },
    series: [{ type: "heatmap", data: chart.data, label: { show: true } }],
  });
  window.addEventListener("resize", () => heat.resize());
})();
