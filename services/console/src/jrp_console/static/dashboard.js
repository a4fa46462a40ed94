// The supervision dashboard's charts (Apache ECharts, vendored): each <div class="chart"
// data-chart="key"> draws the series of the same key in the page's JSON data island
// (#dashboard-data), as SVG with every bar's value written on it (the tables below each chart
// hold the same numbers). data-orientation="horizontal": one bar per row (departments' names
// are long).
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
    const horizontal = el.dataset.orientation === "horizontal";
    const legend = chart.series.length > 1;
    if (horizontal) {
      el.style.height = `${Math.max(340, 30 * chart.categories.length + (legend ? 110 : 70))}px`;
    }
    const categoryAxis = {
      type: "category",
      data: chart.labels,
      inverse: horizontal,
      axisLabel: horizontal
        ? { width: 180, overflow: "truncate" }
        : { interval: 0, rotate: chart.categories.length > 6 ? 30 : 0 },
    };
    const valueAxis = {
      type: "value",
      max: unit === "%" ? 100 : null,
      minInterval: unit === "%" ? 0 : 1,
      axisLabel: { formatter: "{value}" + unit },
    };
    const plot = window.echarts.init(el, null, { renderer: "svg" });
    plot.setOption({
      color: palette,
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { show: legend, top: 0 },
      grid: { left: 16, right: 48, top: legend ? 48 : 24, bottom: 16, containLabel: true },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: chart.series.map((s) => ({
        type: "bar",
        name: s.name,
        data: s.values,
        stack: chart.stacked ? "total" : undefined,
        label: {
          show: true,
          position: chart.stacked ? "inside" : horizontal ? "right" : "top",
          // A stacked segment of 0 has no room to write on: its 0 stays in the table.
          formatter: (p) => (chart.stacked && p.value === 0 ? "" : String(p.value) + unit),
        },
      })),
    });
    window.addEventListener("resize", () => plot.resize());
  }
});
