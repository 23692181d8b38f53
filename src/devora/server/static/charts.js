// Figures over time: the server draws each chart as SVG (its text escaped there).
"use strict";

(() => {
  const { api, boot, el } = Devora;

  async function start() {
    const charts = await api("GET", "/ui/api/charts");
    const target = document.getElementById("charts");
    let project = null;
    for (const chart of charts) {
      if (chart.project !== project) {
        project = chart.project;
        target.append(el("h2", { text: project }));
      }
      const figure = el("figure", { class: "chart-box", "data-figure": chart.figure });
      figure.append(el("figcaption", { text: `${chart.figure} · ${chart.workflow} (${chart.points} runs)` }));
      const svg = new DOMParser().parseFromString(chart.svg, "image/svg+xml").documentElement;
      figure.append(document.importNode(svg, true));
      target.append(figure);
    }
    document.getElementById("empty").hidden = charts.length > 0;
  }

  boot(start);
})();
