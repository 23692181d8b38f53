// A run: its step graph (squads as colours), statuses and log live over SSE, artifacts,
// forms for what it waits for, and the buttons to cancel or resume it.
"use strict";

(() => {
  const { api, boot, clock, el, oneAtATime, showError, statusBadge } = Devora;
  const runId = decodeURIComponent(location.pathname.split("/").pop());
  const ACTIVE = ["pending", "running", "waiting"];
  const SQUADS = ["business", "frontend", "backend", "data", "devops", "qa", "performance", "documentation"];
  let lastSeq = 0;
  let source = null;
  let refreshTimer = null;

  function squadClass(squad) {
    const index = SQUADS.indexOf(squad);
    return index >= 0 ? `squad-${squad}` : "squad-other";
  }

  // Columns by depth (a step sits right of everything it needs); SVG lines for the needs.
  function drawGraph(nodes) {
    const depth = {};
    const byId = Object.fromEntries(nodes.map((n) => [n.id, n]));
    const depthOf = (id, seen = new Set()) => {
      if (depth[id] !== undefined) return depth[id];
      if (seen.has(id) || !byId[id]) return 0;
      seen.add(id);
      depth[id] = 1 + Math.max(-1, ...byId[id].needs.map((n) => depthOf(n, seen)));
      return depth[id];
    };
    nodes.forEach((n) => depthOf(n.id));
    const columns = [];
    for (const node of nodes) (columns[depth[node.id]] ||= []).push(node);
    const W = 170, H = 46, GX = 60, GY = 18;
    const pos = {};
    columns.forEach((column, x) => column.forEach((node, y) => {
      pos[node.id] = { x: 10 + x * (W + GX), y: 10 + y * (H + GY) };
    }));
    const width = 20 + columns.length * (W + GX);
    const height = 20 + Math.max(1, ...columns.map((c) => c.length)) * (H + GY);
    const NS = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.setAttribute("width", width);
    svg.setAttribute("class", "step-graph");
    const make = (tag, attrs, text) => {
      const node = document.createElementNS(NS, tag);
      for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
      if (text !== undefined) node.textContent = text;
      return node;
    };
    for (const node of nodes) {
      for (const need of node.needs) {
        if (!pos[need]) continue;
        svg.append(make("line", { class: "edge", x1: pos[need].x + W, y1: pos[need].y + H / 2,
          x2: pos[node.id].x, y2: pos[node.id].y + H / 2 }));
      }
    }
    for (const node of nodes) {
      const group = make("g", { class: `step ${squadClass(node.squad)} step-${node.status}`,
        "data-step": node.id, "data-status": node.status, "data-squad": node.squad || "",
        transform: `translate(${pos[node.id].x},${pos[node.id].y})` });
      group.append(make("rect", { width: W, height: H, rx: 6 }));
      group.append(make("text", { x: 8, y: 18, class: "step-name" }, node.id));
      group.append(make("text", { x: 8, y: 36, class: "step-status" }, `${node.squad || "no squad"} · ${node.status}`));
      group.append(make("title", {}, `${node.id} (${node.squad || "no squad"}): ${node.status}`));
      svg.append(group);
    }
    document.getElementById("graph").replaceChildren(svg);
    const squads = [...new Set(nodes.map((n) => n.squad || "no squad"))];
    document.getElementById("legend").replaceChildren(...squads.map((s) =>
      el("span", { class: `swatch ${squadClass(s)}`, text: s })));
  }

  function setStepStatus(stepId, status) {
    const group = document.querySelector(`g.step[data-step="${CSS.escape(stepId)}"]`);
    if (!group) return;
    const squad = group.dataset.squad;
    group.setAttribute("class", `step ${squadClass(squad)} step-${status}`);
    group.dataset.status = status;
    group.querySelector(".step-status").textContent = `${squad || "no squad"} · ${status}`;
  }

  function showRun(run) {
    document.getElementById("run-id").textContent = run.id;
    document.getElementById("run-status").replaceChildren(statusBadge(run.status));
    document.title = `Devora · ${run.id} · ${run.status}`;
    document.getElementById("run-meta").textContent =
      `${run.workflow}${run.dry_run ? " (dry-run)" : ""} · started ${clock(run.created_at)}` +
      (run.finished_at ? ` · finished ${clock(run.finished_at)}` : "") +
      ` · inputs ${JSON.stringify(run.inputs)}`;
    document.getElementById("run-error").textContent = run.error ? `${run.error.step ? run.error.step + ": " : ""}${run.error.message}` : "";
    const links = [];
    if (run.parent_run_id) links.push(el("a", { href: `/ui/runs/${encodeURIComponent(run.parent_run_id)}`, text: `parent ${run.parent_run_id}` }));
    for (const child of run.children || []) {
      links.push(el("a", { href: `/ui/runs/${encodeURIComponent(child.id)}`, text: `child ${child.id} (${child.status})` }));
    }
    document.getElementById("run-links").replaceChildren(...links);
    document.getElementById("outputs").textContent = run.outputs ? JSON.stringify(run.outputs, null, 2) : "";
    document.getElementById("artifacts").replaceChildren(...run.artifacts.map((a) => el("li", {},
      el("button", { type: "button", class: "link", onclick: () => showArtifact(a), text: a.name }),
      ` ${a.media_type}, ${a.size} bytes `,
      el("button", { type: "button", class: "link", onclick: () => download(a), text: "download" }))));
    showWaiting(run);
    showActions(run);
  }

  // Cancel while the run can still stop; resume once it is cancelled (the API checks again).
  function showActions(run) {
    document.getElementById("cancel-run").hidden = !ACTIVE.includes(run.status);
    document.getElementById("resume-run").hidden = run.status !== "cancelled";
  }

  async function act(action) {
    const message = document.getElementById("action-error");
    message.textContent = "";
    try {
      const run = await api("POST", `/api/runs/${encodeURIComponent(runId)}/${action}`);
      showActions(run);
      await refresh();
      if (action === "resume" && (!source || source.readyState === EventSource.CLOSED)) await follow();
    } catch (error) {
      message.textContent = `${error.message}${error.hint ? " — " + error.hint : ""}`;
    }
  }

  function showWaiting(run) {
    const waiting = run.waiting || {};
    const target = document.getElementById("waiting");
    const shown = new Map([...target.querySelectorAll("form.answer")].map((f) => [f.dataset.step, f]));
    // The forms shown stay where they are, untouched: what the person typed, and the field
    // they type in (moving a form drops its focus). A running run says what it waits for
    // only once it waits again, so until then they all stay (an answer sent meanwhile is
    // refused, and the form keeps it); then the answered ones go and new ones come.
    if (!["pending", "running"].includes(run.status)) {
      for (const [step, form] of shown) {
        if (!Object.hasOwn(waiting, step)) { form.remove(); shown.delete(step); }
      }
    }
    for (const [step, request] of Object.entries(waiting)) {
      if (!shown.has(step)) target.append(waitingForm(step, request));
    }
    document.getElementById("waiting-section").hidden = target.querySelector("form.answer") === null;
  }

  function waitingForm(step, request) {
    const message = el("p", { class: "error", role: "alert" });
    const form = el("form", { class: "answer", "data-step": step, "data-kind": request.kind },
      el("h3", { text: `${step}: ${request.prompt}` }),
      el("p", { class: "hint", text: request.squad ? `squad ${request.squad}` : "" }));
    const send = async (path, body) => {
      message.textContent = "";
      try {
        await api("POST", `/api/runs/${encodeURIComponent(runId)}/steps/${encodeURIComponent(step)}/${path}`, body);
        form.remove();
        await refresh();
      } catch (error) {
        message.textContent = `${error.message}${error.hint ? " — " + error.hint : ""}`;
      }
    };
    if (request.kind === "approval") {
      const comment = el("textarea", { name: "comment", placeholder: "comment (why)" });
      form.append(comment,
        el("button", { type: "submit", name: "approve", text: "Approve" }),
        el("button", { type: "button", name: "reject", text: "Reject",
          onclick: () => send("reject", { comment: comment.value }) }));
      form.addEventListener("submit", (event) => { event.preventDefault(); send("approve", { comment: comment.value || null }); });
    } else if (request.kind === "input") {
      form.append(...SchemaForm.build(request.output_schema || {}), el("button", { type: "submit", text: "Complete" }));
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        let output;
        try { output = SchemaForm.read(form); } catch (error) { message.textContent = `not JSON: ${error.message}`; return; }
        send("complete", { output });
      });
    } else {
      form.append(el("a", { href: `/ui/runs/${encodeURIComponent(request.child_run_id)}`, text: `answer child run ${request.child_run_id}` }));
    }
    form.append(message);
    return form;
  }

  async function showArtifact(artifact) {
    const view = document.getElementById("artifact-view");
    const preview = await api("GET", `/ui/api/runs/${encodeURIComponent(runId)}/artifacts/${encodeURIComponent(artifact.name)}/preview`);
    const title = el("h3", { text: artifact.name });
    if (preview.kind === "markdown") {
      const body = el("div", { class: "markdown" });
      body.innerHTML = preview.html; // rendered by the server with every raw HTML tag escaped
      view.replaceChildren(title, body);
    } else if (preview.kind === "html") {
      // No allow-scripts, no allow-same-origin: the report runs nothing and reaches nothing.
      const frame = el("iframe", { sandbox: "", class: "report", title: artifact.name });
      frame.srcdoc = preview.document;
      view.replaceChildren(title, frame);
    } else if (preview.kind === "text") {
      view.replaceChildren(title, el("pre", { text: preview.text }));
    } else {
      view.replaceChildren(title, el("p", { text: "too big to show here: download it" }));
    }
  }

  async function download(artifact) {
    const response = await fetch(artifact.url, { headers: { Authorization: `Bearer ${sessionStorage.getItem("devora-token")}` } });
    const url = URL.createObjectURL(await response.blob());
    el("a", { href: url, download: artifact.name }).click();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  function logLine(event) {
    const where = event.step_id ? ` ${event.step_id}` : "";
    const text = `${new Date(event.at * 1000).toLocaleTimeString()} ${event.kind}${where}${event.message ? ": " + event.message : ""}`;
    const log = document.getElementById("log");
    log.append(el("li", { class: `event kind-${event.kind.replace(".", "-")}`, "data-seq": String(event.seq), text }));
  }

  function onEvent(message) {
    const event = JSON.parse(message.data);
    if (event.seq <= lastSeq) return; // once each, even across reconnections
    lastSeq = event.seq;
    logLine(event);
    if (event.step_id && event.kind === "step.started") setStepStatus(event.step_id, "running");
    if (event.step_id && (event.kind === "step.finished" || event.kind === "step.waiting")) {
      setStepStatus(event.step_id, event.data.status || "waiting");
    }
    if (event.kind.startsWith("run.") || event.kind === "step.waiting" || event.kind === "artifact.added") {
      scheduleRefresh();
    }
  }

  function scheduleRefresh() {
    if (refreshTimer) return;
    refreshTimer = setTimeout(() => { refreshTimer = null; refresh().catch(showError); }, 100);
  }

  // The run as the server has it now, shown; one read at a time (a form being filled in
  // must not vanish, nor a finished run show as waiting, because an older read answered last).
  const refresh = oneAtATime(async () => {
    const run = await api("GET", `/api/runs/${encodeURIComponent(runId)}`);
    showRun(run);
    return run;
  });

  async function follow() {
    const ticket = await api("POST", `/ui/api/runs/${encodeURIComponent(runId)}/ticket`);
    source = new EventSource(`${ticket.url}&after=${lastSeq}`);
    document.getElementById("live").textContent = "live";
    for (const kind of ["run.created", "run.started", "run.resumed", "run.waiting", "run.cancel_requested",
      "run.finished", "step.started", "step.log", "step.retry_scheduled", "step.waiting", "step.finished",
      "compensation.started", "compensation.finished", "artifact.added"]) {
      source.addEventListener(kind, onEvent);
    }
    source.addEventListener("error", () => {
      // The stream ends when the run stops; follow again when it is resumed.
      source.close();
      document.getElementById("live").textContent = "";
      setTimeout(async () => {
        try {
          const run = await refresh();
          if (["pending", "running", "waiting"].includes(run.status)) await follow();
        } catch (error) { showError(error); }
      }, 1000);
    });
  }

  async function start() {
    document.getElementById("cancel-run").addEventListener("click", () => act("cancel"));
    document.getElementById("resume-run").addEventListener("click", () => act("resume"));
    drawGraph(await api("GET", `/ui/api/runs/${encodeURIComponent(runId)}/graph`));
    await refresh();
    await follow();
  }

  boot(start);
})();
