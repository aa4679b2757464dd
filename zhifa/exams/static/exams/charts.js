// Charts of the console's results and item-analysis pages (ECharts, loaded before this file).
/* global echarts */
(function () {
  const scores = document.getElementById("score-chart");
  if (scores) {
    const data = JSON.parse(scores.dataset.chart);
    echarts.init(scores).setOption({
      tooltip: {}, xAxis: { type: "category", data: data.labels, name: "分数段" },
      yAxis: { type: "value", name: "人数", minInterval: 1 },
      series: [{ type: "bar", data: data.counts, name: "人数" }],
    });
  }
  const items = document.getElementById("item-chart");
  if (items) {
    const data = JSON.parse(items.dataset.chart);
    const stems = data.stems || [];
    const points = data.ids.map((id, i) => [data.p[i], data.rpb[i], id, stems[i] || ""])
      .filter((p) => p[0] !== null && p[1] !== null);
    const escape = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
    echarts.init(items).setOption({
      tooltip: { formatter: (p) => `${escape(p.value[3])}（#${p.value[2]}）<br>难度 p ${p.value[0].toFixed(2)}<br>区分度 ${p.value[1].toFixed(2)}` },
      xAxis: { type: "value", name: "难度 p", min: 0, max: 1 },
      yAxis: { type: "value", name: "点二列相关", min: -1, max: 1 },
      series: [{ type: "scatter", data: points, symbolSize: 10,
        markLine: { silent: true, data: [{ yAxis: 0.2, name: "0.2" }] } }],
    });
  }
})();
