// The dashboard's chart of trucks a day: the series comes in the page as
// JSON (#dash-data); the table under the chart holds the same figures for
// readers without scripts or sight. ECharts draws SVG, which prints sharp.
(function () {
  var el = document.getElementById("chart");
  var src = document.getElementById("dash-data");
  if (!el || !src || !window.echarts) return;
  var d = JSON.parse(src.textContent);
  var lines = [{ type: "average", name: d.avg, label: { formatter: d.avg + ": {c}" } }];
  if (d.ref_avg) {
    lines.push({ yAxis: d.ref_avg, name: d.ref_name, label: { formatter: d.ref_name + ": {c}" }, lineStyle: { type: "dotted" } });
    lines.push({ yAxis: d.ref_peak, name: d.ref_name, label: { formatter: d.ref_name + ": {c}" }, lineStyle: { type: "dotted" } });
  }
  var chart = echarts.init(el, null, { renderer: "svg" });
  chart.setOption({
    animation: false,
    grid: { left: 48, right: 96, top: 24, bottom: 48 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: d.days },
    // Room for the reference lines above the tallest bar.
    yAxis: { type: "value", minInterval: 1, max: function (v) { return d.ref_peak && d.ref_peak > v.max ? Math.ceil(d.ref_peak * 1.05) : null; } },
    series: [{
      name: d.label, type: "bar", data: d.trucks, itemStyle: { color: "#1f5f8b" },
      markLine: { symbol: "none", data: lines }
    }]
  });
  var charts = [chart];
  var wel = document.getElementById("waits-chart");
  if (wel && d.wait_days && d.wait_days.length) {
    var waits = echarts.init(wel, null, { renderer: "svg" });
    waits.setOption({
      animation: false,
      grid: { left: 48, right: 24, top: 32, bottom: 48 },
      tooltip: { trigger: "axis" },
      legend: { data: d.wait_labels },
      xAxis: { type: "category", data: d.wait_days },
      yAxis: { type: "value", name: "min", minInterval: 1 },
      series: [
        { name: d.wait_labels[0], type: "line", data: d.wait_p50, itemStyle: { color: "#1f5f8b" } },
        { name: d.wait_labels[1], type: "line", data: d.wait_p90, itemStyle: { color: "#a3261b" } }
      ]
    });
    charts.push(waits);
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
