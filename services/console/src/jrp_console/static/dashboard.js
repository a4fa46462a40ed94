// The supervision dashboard's charts (Apache ECharts, vendored): each <div class="chart"
// data-chart="key"> draws the series of the same key in the page's JSON data island
// (#dashboard-data), as SVG with every bar's value written on it (the tables below each chart
// hold the same numbers).
"use strict";
window.jrpConsole = window.jrpConsole || { setups: [] };
window.jrpConsole.setups.push((doc) => {
  const island = doc.getElementById("dashboard-data");
  if (!island || !window.echarts) return;
  const data = JSON.parse(island.textContent);
  const palette = ["#0b5cad", "#b42318", "#1a7f37", "#8a5a00", "#6e40c9", "#0e7c86", "#57606a"];
  for (const el of doc.querySelectorAll(".chart[data-chart]")) {
    const chart = data.charts[el.dataset.chart];
    if (!chart || chart.categories.length === 0) continue;
    const unit = chart.unit || "";
    const plot = window.echarts.init(el, null, { renderer: "svg" });
    plot.setOption({
      color: palette,
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { show: chart.series.length > 1, top: 0 },
      grid: { left: 48, right: 16, top: chart.series.length > 1 ? 48 : 24, bottom: 64 },
      xAxis: {
        type: "category",
        data: chart.labels,
        axisLabel: { interval: 0, rotate: chart.categories.length > 6 ? 30 : 0 },
      },
      yAxis: {
        type: "value",
        max: unit === "%" ? 100 : null,
        axisLabel: { formatter: "{value}" + unit },
      },
      series: chart.series.map((s) => ({
        type: "bar",
        name: s.name,
        data: s.values,
        stack: chart.stacked ? "total" : undefined,
        label: {
          show: true,
          position: chart.stacked ? "inside" : "top",
          formatter: (p) => String(p.value) + unit,
        },
      })),
    });
    window.addEventListener("resize", () => plot.resize());
  }
});
