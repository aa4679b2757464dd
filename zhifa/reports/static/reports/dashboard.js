// The dashboard's bars (share of officers with hours met / not met per unit) and the print button.
(function () {
  "use strict";
  function draw() {
    document.querySelectorAll(".print-page").forEach(function (b) { b.addEventListener("click", function () { window.print(); }); });
    var el = document.getElementById("report-chart");
    var source = document.getElementById("report-chart-data");
    if (!el || !source || !window.echarts) { return; }
    var d = JSON.parse(source.textContent);
    el.style.height = Math.max(160, 40 * d.units.length + 80) + "px";
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return v + "%"; } },
      legend: { top: 0 },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: d.units, inverse: true },
      series: [
        { name: "学时达标", type: "bar", stack: "s", data: d.met, itemStyle: { color: "#1f7a3a" } },
        { name: "未达标", type: "bar", stack: "s", data: d.behind, itemStyle: { color: "#b3261e" } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
