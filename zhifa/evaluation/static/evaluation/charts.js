// Charts of the evaluation pages: every <div data-chart="ID" data-kind="bar|pie|line"> draws the JSON in #ID.
(function () {
  "use strict";
  function draw() {
    if (!window.echarts) { return; }
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.chart);
      if (!source) { return; }
      var d = JSON.parse(source.textContent);
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      var kind = el.dataset.kind || "bar";
      var option = { animation: false, tooltip: { trigger: kind === "pie" ? "item" : "axis" } };
      if (kind === "pie") {
        option.series = [{ type: "pie", radius: "65%", data: d.labels.map(function (l, i) { return { name: l, value: d.values[i] }; }),
                           label: { formatter: "{b}: {c}" } }];
      } else {
        option.grid = { left: 8, right: 24, top: 16, bottom: 8, containLabel: true };
        option.xAxis = { type: "category", data: d.labels, axisLabel: { interval: 0, rotate: d.labels.length > 6 ? 30 : 0 } };
        option.yAxis = { type: "value" };
        option.series = [{ type: kind, data: d.values, itemStyle: { color: "#1d4f91" }, label: { show: true, position: "top" } }];
      }
      chart.setOption(option);
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
