// Compliance bars: per unit, the share of officers done / on track / behind (stacked to 100 %).
(function () {
  "use strict";
  function draw() {
    var el = document.getElementById("compliance-chart");
    var source = document.getElementById("compliance-chart-data");
    if (!el || !source || !window.echarts) { return; }
    var d = JSON.parse(source.textContent);
    el.style.height = Math.max(160, 40 * d.units.length + 80) + "px";
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    var series = [["已完成", d.done, "#1f7a3a"], ["进度正常", d.on_track, "#1d4f91"], ["进度落后", d.behind, "#b3261e"]]
      .map(function (s) {
        return { name: s[0], type: "bar", stack: "share", data: s[1], itemStyle: { color: s[2] },
                 label: { show: true, formatter: function (p) { return p.value >= 8 ? p.value + "%" : ""; } } };
      });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return v + "%"; } },
      legend: { top: 0 },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: d.units, inverse: true },
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
