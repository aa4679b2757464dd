// The spread of penalty decisions per unit (boxplot + points) and a histogram, with the benchmark range shaded.
(function () {
  var node = document.getElementById("discretion-data");
  if (!node || !window.echarts) return;
  var data = JSON.parse(node.textContent);
  var band = { silent: true, itemStyle: { color: "rgba(31,122,58,0.12)" },
    label: { show: true, position: "insideTopRight", formatter: "裁量基准" },
    data: [[{ yAxis: data.low }, { yAxis: data.high }]] };
  var spread = echarts.init(document.getElementById("spread-chart"));
  spread.setOption({
    title: { text: "各单位罚款金额（元）", left: "center", textStyle: { fontSize: 14 } },
    tooltip: { trigger: "item" },
    xAxis: { type: "category", data: data.units },
    yAxis: { type: "value", name: "元" },
    series: [
      { name: "分布", type: "boxplot", data: data.boxes, markArea: band },
      { name: "决定", type: "scatter", data: data.points, symbolSize: 7, itemStyle: { color: "#1d4f91", opacity: 0.6 } }
    ]
  });
  var hist = echarts.init(document.getElementById("histogram-chart"));
  hist.setOption({
    title: { text: "罚款金额直方图", left: "center", textStyle: { fontSize: 14 } },
    tooltip: {},
    xAxis: { type: "category", name: "元", data: data.histogram.map(function (b) { return Math.round(b.from) + "–" + Math.round(b.to); }) },
    yAxis: { type: "value", name: "份数", minInterval: 1 },
    series: [{ type: "bar", data: data.histogram.map(function (b) {
      var inside = b.to > data.low && b.from < data.high;
      return { value: b.count, itemStyle: { color: inside ? "#1f7a3a" : "#b3261e" } };
    }) }]
  });
  window.addEventListener("resize", function () { spread.resize(); hist.resize(); });
})();
