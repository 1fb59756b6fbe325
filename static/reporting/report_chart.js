// The campaign report's chart: Chart.js (from npm, served as vendor/chart.js) draws the numbers the
// page already holds in #report-chart-data; the table beside it shows them without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  const canvas = document.getElementById("report-chart");
  const source = document.getElementById("report-chart-data");
  if (!canvas || !source || !window.Chart) return;
  const data = JSON.parse(source.textContent);
  new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        { label: "Opens", data: data.opens },
        { label: "Clicks", data: data.clicks },
      ],
    },
    options: { animation: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
});
