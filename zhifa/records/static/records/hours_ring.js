// The hours ring (学时环形图): earned hours per category, with the missing part of each category in a pale shade.
(function () {
  "use strict";
  var COLORS = { "法律知识": ["#b3261e", "#f3d3d0"], "业务技能": ["#1d4f91", "#d2deef"], "职业道德": ["#1f7a3a", "#d3eadb"] };

  function draw(el) {
    var source = document.getElementById(el.dataset.source);
    if (!source || !window.echarts || el.dataset.drawn) { return; }
    el.dataset.drawn = "1";
    var lines = JSON.parse(source.textContent);
    var data = [];
    lines.forEach(function (line) {
      var shades = COLORS[line.category] || ["#5b6675", "#dde3ea"];
      data.push({ name: line.category + " 已认定", value: line.earned, itemStyle: { color: shades[0] } });
      data.push({ name: line.category + " 未完成", value: line.missing, itemStyle: { color: shades[1] } });
    });
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "item", formatter: "{b}：{c} 学时" },
      title: {
        text: el.dataset.earned.replace(/\.00$/, "") + " / " + el.dataset.required.replace(/\.00$/, ""),
        subtext: "学时", left: "center", top: "38%", textStyle: { fontSize: 18 }
      },
      series: [{ type: "pie", radius: ["58%", "80%"], avoidLabelOverlap: true, label: { show: false }, data: data }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function drawAll() { document.querySelectorAll(".hours-ring").forEach(draw); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", drawAll); } else { drawAll(); }
  document.addEventListener("htmx:afterSwap", drawAll);
})();
