// The runs list: filters in the URL, statuses refreshed every two seconds.
"use strict";

(() => {
  const { api, boot, clock, duration, el, oneAtATime, showError, statusBadge } = Devora;
  const form = document.getElementById("filters");

  function query() {
    const params = new URLSearchParams({ limit: "100" });
    const data = new FormData(form);
    for (const name of ["workflow", "status"]) {
      if (data.get(name)) params.set(name, data.get(name));
    }
    if (data.get("since")) params.set("since", String(Date.parse(data.get("since")) / 1000));
    if (data.get("children")) params.set("children", "true");
    return params;
  }

  // One read at a time: the list read before a filter changed must not answer last.
  const refresh = oneAtATime(async () => {
    try {
      const runs = await api("GET", `/api/runs?${query()}`);
      const body = document.querySelector("#runs tbody");
      body.replaceChildren(...runs.map((run) => el("tr", { "data-run": run.id },
        el("td", {}, el("a", { href: `/ui/runs/${encodeURIComponent(run.id)}`, text: run.id })),
        el("td", { text: run.workflow }),
        el("td", {}, statusBadge(run.status), run.dry_run ? " (dry-run)" : ""),
        el("td", { text: clock(run.created_at) }),
        el("td", { text: duration(run.created_at, run.finished_at) }),
        el("td", { text: Object.entries(run.summary || {}).map(([k, v]) => `${k}=${v}`).join(" ") }),
      )));
      document.getElementById("empty").hidden = runs.length > 0;
      showError(null);
    } catch (error) {
      showError(error);
    }
  });

  async function start() {
    const params = new URLSearchParams(location.search);
    const workflows = await api("GET", "/api/workflows");
    const select = form.elements.workflow;
    for (const workflow of workflows) {
      select.append(el("option", { value: workflow.name, text: workflow.name }));
    }
    for (const name of ["workflow", "status"]) {
      if (params.get(name)) form.elements[name].value = params.get(name);
    }
    form.addEventListener("change", () => {
      const shown = new URLSearchParams();
      for (const name of ["workflow", "status"]) {
        if (form.elements[name].value) shown.set(name, form.elements[name].value);
      }
      history.replaceState(null, "", `?${shown}`);
      refresh();
    });
    await refresh();
    setInterval(refresh, 2000);
  }

  boot(start);
})();
