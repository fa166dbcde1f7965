// Motley's web dashboard: plain JavaScript, no libraries. Reads the REST API (/slurm/v0.0.40/)
// and the dashboard's own answers (/dashboard/v1/) with the token the user logged in with, which
// is kept in sessionStorage only (gone when the tab closes).
"use strict";

const TOKEN_KEY = "motley.token";
const REST = "/slurm/v0.0.40/";
const API = "/dashboard/v1/";
const REFRESH_MS = 3000;
const MAX_ROWS = 500;

let me = null;        // {user, uid, admin} once logged in
let timer = null;     // the current page's refresh
let page = 0;         // bumped on every route change: a late answer for an old page is dropped

// ---- small helpers --------------------------------------------------------------------------

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else if (k.startsWith("on")) el.addEventListener(k.substring(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const SVG = "http://www.w3.org/2000/svg";
function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "text") el.textContent = v;
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat(Infinity)) if (c) el.append(c);
  return el;
}

/** A v0.0.40 number ({set, infinite, number}) or a plain one. */
function num(v) {
  if (v === null || v === undefined) return null;
  if (typeof v === "object") return v.set && !v.infinite ? v.number : null;
  return v;
}

function when(epoch) {
  if (!epoch) return "–";
  const d = new Date(epoch * 1000);
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function mib(v) {
  if (v >= 1024 * 1024) return (v / 1024 / 1024).toFixed(1) + " TiB";
  if (v >= 1024) return (v / 1024).toFixed(1) + " GiB";
  return v + " MiB";
}

function duration(seconds) {
  if (seconds === null || seconds < 0) return "–";
  const d = Math.floor(seconds / 86400), hh = Math.floor(seconds % 86400 / 3600);
  const mm = Math.floor(seconds % 3600 / 60), ss = Math.floor(seconds % 60);
  const p = (n) => String(n).padStart(2, "0");
  return (d ? d + "-" : "") + p(hh) + ":" + p(mm) + ":" + p(ss);
}

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

class HttpError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function call(method, path, body) {
  const headers = { "X-SLURM-USER-TOKEN": token() || "" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let doc = null;
  try { doc = await r.json(); } catch (e) { doc = null; }
  if (!r.ok) {
    let msg = r.status + " " + r.statusText;
    if (doc && doc.error) msg = doc.error;
    else if (doc && doc.errors && doc.errors.length) msg = doc.errors[0].description || doc.errors[0].error;
    if (r.status === 401) { logout(msg); }
    throw new HttpError(r.status, msg);
  }
  return doc;
}

function main() { return document.getElementById("main"); }

function show(...nodes) {
  const m = main();
  m.replaceChildren(...nodes);
}

function schedule(fn, ms) {
  const mine = page;
  clearTimeout(timer);
  timer = setTimeout(() => { if (mine === page) fn(); }, ms === undefined ? REFRESH_MS : ms);
}

function problem(e) {
  return h("p", { class: "error", id: "page-error", text: e.message });
}

// ---- login --------------------------------------------------------------------------------

function loginPage(message) {
  const area = h("textarea", { id: "token", placeholder: "SLURM_JWT=eyJ...", spellcheck: "false" });
  const err = h("p", { class: "error", id: "login-error", text: message || "" });
  const go = async () => {
    let t = area.value.trim();
    if (t.startsWith("SLURM_JWT=")) t = t.substring("SLURM_JWT=".length);
    if (!t) { err.textContent = "Paste a token first."; return; }
    sessionStorage.setItem(TOKEN_KEY, t);
    try {
      await whoami();
      if (!location.hash || location.hash === "#/login") location.hash = "#/cluster";
      else route();
    } catch (e) {
      sessionStorage.removeItem(TOKEN_KEY);
      err.textContent = e.message;
    }
  };
  show(h("div", { class: "card login" },
    h("h1", { text: "Log in" }),
    h("p", {}, "Paste a token made for you by ", h("code", { text: "scontrol token" }),
      " (for a longer one: ", h("code", { text: "scontrol token lifespan=86400" }), ")."),
    area,
    h("div", { class: "actions" }, h("button", { class: "primary", id: "login-button", type: "button", onclick: go }, "Log in")),
    err,
    h("p", { class: "muted", text: "The token stays in this tab only (sessionStorage) and is sent to this controller alone." })));
  area.focus();
}

async function whoami() {
  me = await call("GET", API + "me");
  document.getElementById("whoami").textContent = me.user + (me.admin ? " (admin)" : me.admin_level === "Operator" ? " (operator)" : "");
  document.getElementById("nav").hidden = false;
  document.getElementById("logout").hidden = false;
  document.getElementById("nav-admin").hidden = !me.admin;
}

function logout(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  me = null;
  page++;
  clearTimeout(timer);
  document.getElementById("whoami").textContent = "";
  document.getElementById("nav").hidden = true;
  document.getElementById("logout").hidden = true;
  loginPage(message);
}

// ---- cluster ------------------------------------------------------------------------------

function bar(kind, label, used, total, text) {
  const pct = total > 0 ? Math.min(100, Math.round(used * 100 / total)) : 0;
  const fill = h("div", { class: "fill" });
  fill.style.width = pct + "%";
  return h("div", { class: "bar " + kind },
    h("div", { class: "label" }, h("span", { text: label }), h("span", { text: text })),
    h("div", { class: "track" }, fill));
}

function tile(n) {
  const state = n.state + (n.not_responding ? "*" : "");
  const gpu = n.gpus > 0
    ? bar("gpu", "GPU" + (n.gpu_models.length ? " · " + n.gpu_models.join(", ") : ""), n.gpus_allocated, n.gpus, n.gpus_allocated + " / " + n.gpus)
    : h("div", { class: "bar gpu muted" }, h("div", { class: "label" }, h("span", { text: "GPU" }), h("span", { text: "none" })));
  return h("div", { class: "node-tile " + n.state, "data-node": n.name },
    h("div", { class: "head" }, h("span", { class: "name", text: n.name }), h("span", { class: "badge node-state " + n.state, text: state })),
    h("div", { class: "meta" }, [n.os || "unknown OS", n.arch, "containment: " + (n.containment || "none"), "load " + n.cpu_load].filter(Boolean).join(" · ")),
    bar("cpu", "CPU", n.cpus_allocated, n.cpus, n.cpus_allocated + " / " + n.cpus),
    bar("mem", "Memory", n.memory_allocated_mib, n.memory_mib, mib(n.memory_allocated_mib) + " / " + mib(n.memory_mib)),
    gpu,
    n.reason ? h("div", { class: "node-reason", title: "since " + when(n.reason_time) }, "Reason: " + n.reason) : null);
}

async function clusterPage() {
  try {
    const doc = await call("GET", API + "nodes");
    const nodes = doc.nodes;
    const sum = (k) => nodes.reduce((a, n) => a + n[k], 0);
    const count = (pred) => nodes.filter(pred).length;
    show(
      h("h1", { text: "Cluster" }),
      h("div", { class: "summary" },
        h("div", { class: "card" }, h("div", { class: "muted", text: "Nodes" }), h("div", { class: "big", text: nodes.length })),
        h("div", { class: "card" }, h("div", { class: "muted", text: "CPUs in use" }), h("div", { class: "big", text: sum("cpus_allocated") + " / " + sum("cpus") })),
        h("div", { class: "card" }, h("div", { class: "muted", text: "GPUs in use" }), h("div", { class: "big", text: sum("gpus_allocated") + " / " + sum("gpus") })),
        h("div", { class: "card" }, h("div", { class: "muted", text: "Drained or down" }), h("div", { class: "big", text: count((n) => ["down", "drained", "draining", "inval"].includes(n.state)) }))),
      nodes.length ? h("div", { class: "tiles", id: "tiles" }, nodes.map(tile)) : h("p", { class: "muted", text: "No node has registered yet." }));
  } catch (e) {
    show(h("h1", { text: "Cluster" }), problem(e));
  }
  schedule(clusterPage);
}

// ---- queue --------------------------------------------------------------------------------

const queueFilters = { user: "", state: "", partition: "" };

function jobState(j) {
  return (j.job_state && j.job_state[0]) || "UNKNOWN";
}

function select(id, label, options, key, onchange) {
  const el = h("select", { id, onchange: (ev) => { queueFilters[key] = ev.target.value; onchange(); } },
    h("option", { value: "", text: "all " + label }),
    options.map((o) => h("option", { value: o, selected: o === queueFilters[key], text: o })));
  return h("label", {}, label + " ", el);
}

async function queuePage() {
  try {
    const doc = await call("GET", REST + "jobs");
    const jobs = doc.jobs.slice().sort((a, b) => b.job_id - a.job_id);
    const users = [...new Set(jobs.map((j) => j.user_name))].sort();
    const states = [...new Set(jobs.map(jobState))].sort();
    const parts = [...new Set(jobs.map((j) => j.partition).filter(Boolean))].sort();
    const shown = jobs.filter((j) =>
      (!queueFilters.user || j.user_name === queueFilters.user) &&
      (!queueFilters.state || jobState(j) === queueFilters.state) &&
      (!queueFilters.partition || j.partition === queueFilters.partition));
    const now = Date.now() / 1000;
    // a big queue is drawn in part: redrawing thousands of rows every few seconds stalls the tab
    const drawn = shown.slice(0, MAX_ROWS);
    const rows = drawn.map((j) => {
      const st = jobState(j);
      const start = num(j.start_time);
      const reason = st === "PENDING" ? j.state_reason : (j.state_description || "");
      return h("tr", { "data-job": j.job_id },
        h("td", {}, h("a", { href: "#/job/" + j.job_id, text: j.job_id })),
        h("td", { text: j.name }),
        h("td", { text: j.user_name }),
        h("td", { text: j.partition }),
        h("td", {}, h("span", { class: "badge " + st, text: st })),
        h("td", { text: st === "RUNNING" && start ? duration(now - start) : "–" }),
        h("td", { text: num(j.cpus) }),
        h("td", { text: j.nodes || "" }),
        h("td", { class: "wrap reason", text: reason === "None" ? "" : reason }));
    });
    show(
      h("h1", { text: "Queue" }),
      h("div", { class: "filters" },
        select("filter-user", "users", users, "user", queuePage),
        select("filter-state", "states", states, "state", queuePage),
        select("filter-partition", "partitions", parts, "partition", queuePage),
        h("span", { class: "muted", id: "queue-count", text: shown.length + " of " + jobs.length + " jobs"
          + (drawn.length < shown.length ? " (the newest " + drawn.length + " shown: filter to see others)" : "") })),
      h("table", { id: "queue-table" },
        h("thead", {}, h("tr", {}, ["Job", "Name", "User", "Partition", "State", "Time", "CPUs", "Nodes", "Reason"].map((t) => h("th", { text: t })))),
        h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: 9, class: "muted", text: "No jobs." })))));
  } catch (e) {
    show(h("h1", { text: "Queue" }), problem(e));
  }
  schedule(queuePage);
}

// ---- one job ------------------------------------------------------------------------------

let tail = null; // the output being followed: {id, stream, next, decoder, done, text, seq}
// the cancel confirmation and its outcome outlive the details' redraw every few seconds
let cancelling = { asking: false, message: "", failed: false };

async function jobPage(id) {
  const mine = page;
  cancelling = { asking: false, message: "", failed: false };
  const out = h("pre", { id: "job-output" });
  const note = h("p", { class: "muted", id: "output-note" });
  const follow = (stream) => {
    tail = { id, stream, next: 0, decoder: new TextDecoder("utf-8"), done: false, text: "", seq: (tail ? tail.seq : 0) + 1 };
    out.textContent = "";
    note.textContent = "";
    readOutput(mine, tail.seq, out, note);
  };
  const streams = h("select", { id: "output-stream", onchange: (ev) => follow(ev.target.value) },
    h("option", { value: "out", text: "stdout" }), h("option", { value: "err", text: "stderr" }));
  const details = h("div", { id: "job-details" }, h("p", { class: "muted", text: "Loading…" }));
  const steps = h("div", { id: "job-steps" });
  show(h("h1", { text: "Job " + id }),
    h("div", { class: "row" },
      h("div", { class: "card" }, h("h2", { text: "Details" }), details),
      h("div", { class: "card" }, h("h2", {}, "Output ", streams), out, note)),
    h("h2", { text: "Steps" }), steps);
  const refresh = async () => {
    if (mine !== page) return;
    try {
      const doc = await call("GET", REST + "job/" + id);
      if (mine !== page) return;
      // REST gives the -o/-e patterns as written; the controller names the files they make
      const files = await call("GET", API + "job/" + id + "/files");
      if (mine !== page) return;
      details.replaceChildren(jobDetails(doc.jobs[0], files));
      const st = await call("GET", API + "job/" + id + "/steps");
      if (mine !== page) return;
      steps.replaceChildren(stepTable(st.steps));
    } catch (e) {
      details.replaceChildren(problem(e));
    }
    schedule(refresh);
  };
  refresh();
  follow("out");
}

async function readOutput(mine, seq, out, note) {
  // a page left, or a stream switched, ends this reader
  const stale = () => mine !== page || tail.seq !== seq;
  if (stale() || tail.done) return;
  let again = 2000;
  try {
    const r = await call("GET", API + "job/" + tail.id + "/output?stream=" + tail.stream + "&offset=" + tail.next);
    if (stale()) return;
    const bytes = Uint8Array.from(atob(r.data_base64), (c) => c.charCodeAt(0));
    if (bytes.length) {
      const atBottom = out.scrollTop + out.clientHeight >= out.scrollHeight - 4;
      tail.text += tail.decoder.decode(bytes, { stream: !r.complete });
      if (tail.text.length > 256 * 1024) tail.text = "…\n" + tail.text.slice(-200 * 1024);
      out.textContent = tail.text;
      if (atBottom) out.scrollTop = out.scrollHeight;
      tail.next = r.next;
      if (bytes.length >= 64 * 1024) again = 0;
    }
    note.textContent = r.complete ? "End of output." : (r.note || (r.source === "node" ? "Following (from the node's outbox)…" : "Following…"));
    if (r.complete) tail.done = true;
  } catch (e) {
    if (stale()) return;
    note.textContent = e.message;
    if (e.status === 403 || e.status === 404) tail.done = true;
  }
  if (!tail.done) setTimeout(() => readOutput(mine, seq, out, note), again);
}

function jobDetails(j, files) {
  const st = jobState(j);
  const exit = j.exit_code && j.exit_code.return_code ? num(j.exit_code.return_code) : null;
  const rows = [
    ["State", h("span", { class: "badge " + st, id: "job-state", text: st })],
    ["Reason", st === "PENDING" ? j.state_reason : (j.state_description || "–")],
    ["Name", j.name], ["User", j.user_name], ["Account", j.account || "–"],
    ["Partition", j.partition || "–"], ["Nodes", j.nodes || "–"],
    ["CPUs", num(j.cpus)], ["Memory per node", num(j.memory_per_node) ? mib(num(j.memory_per_node)) : "–"],
    ["GPUs", j.tres_per_node || "–"], ["Time limit", num(j.time_limit) ? num(j.time_limit) + " min" : "none"],
    ["Submitted", when(num(j.submit_time))], ["Started", st === "PENDING" ? (num(j.start_time) ? "expected " + when(num(j.start_time)) : "–") : when(num(j.start_time))],
    ["Ended", ["PENDING", "RUNNING", "SUSPENDED"].includes(st) ? "–" : when(num(j.end_time))],
    ["Exit code", exit === null ? "–" : exit], ["Priority", num(j.priority)],
    ["Working directory", j.current_working_directory], ["Output", h("span", { id: "job-stdout", text: files.standard_output })],
    ["Error", files.stderr_with_stdout ? "with the output" : h("span", { id: "job-stderr", text: files.standard_error })],
  ];
  // the owner cancels their job; root, Operators and Administrators (sacctmgr's AdminLevel) any job, as in Slurm
  const operates = me && (me.uid === 0 || me.admin_level === "Operator" || me.admin_level === "Administrator");
  const canCancel = ["PENDING", "RUNNING", "SUSPENDED"].includes(st) && me && (operates || me.uid === j.user_id);
  const msg = h("span", { id: "cancel-message", class: cancelling.failed ? "error" : "muted", text: cancelling.message });
  const confirm = h("span", { id: "cancel-confirm-box", hidden: !cancelling.asking }, "Cancel job " + j.job_id + "? ",
    h("button", { class: "danger", id: "cancel-confirm", type: "button", onclick: async (ev) => {
      ev.target.disabled = true;
      try {
        await call("DELETE", REST + "job/" + j.job_id);
        cancelling = { asking: false, message: "Cancel sent.", failed: false };
      } catch (e) { cancelling = { asking: false, message: e.message, failed: true }; }
      confirm.hidden = true;
      msg.className = cancelling.failed ? "error" : "muted";
      msg.textContent = cancelling.message;
    } }, "Yes, cancel"),
    " ",
    h("button", { class: "plain", type: "button", onclick: () => { cancelling.asking = false; confirm.hidden = true; } }, "No"));
  return h("div", {},
    h("dl", { class: "details" }, rows.map(([k, v]) => [h("dt", { text: k }), h("dd", {}, v === null || v === undefined ? "–" : v)])),
    canCancel ? h("div", { class: "actions" },
      h("button", { class: "danger", id: "cancel-button", type: "button", onclick: () => { cancelling.asking = true; confirm.hidden = false; } }, "Cancel job"),
      confirm, msg) : null);
}

function stepTable(steps) {
  if (!steps.length) return h("p", { class: "muted", text: "No steps (srun inside the job makes them)." });
  return h("table", {},
    h("thead", {}, h("tr", {}, ["Step", "Name", "State", "Nodes", "Tasks", "CPUs", "Start", "End", "Exit"].map((t) => h("th", { text: t })))),
    h("tbody", {}, steps.map((st) => h("tr", {},
      h("td", { text: st.id }), h("td", { text: st.name }), h("td", {}, h("span", { class: "badge " + st.state, text: st.state })),
      h("td", { text: st.nodes.join(",") }), h("td", { text: st.tasks }), h("td", { text: st.cpus }),
      h("td", { text: when(st.start) }), h("td", { text: st.end ? when(st.end) : "–" }),
      h("td", { text: st.end ? st.exit_code + ":" + st.signal : "–" })))));
}

// ---- admin --------------------------------------------------------------------------------

async function adminPage() {
  if (!me || !me.admin) {
    show(h("h1", { text: "Admin" }), h("p", { class: "error", text: "Only root and administrators (sacctmgr's AdminLevel=Administrator) may drain and resume nodes." }));
    return;
  }
  try {
    const doc = await call("GET", API + "nodes");
    const msg = h("p", { id: "admin-message", class: "muted" });
    const update = async (name, state, reason) => {
      try {
        await call("POST", API + "node/" + encodeURIComponent(name), reason === undefined ? { state } : { state, reason });
        msg.className = "muted";
        msg.textContent = name + ": " + state.toLowerCase() + " done.";
        adminPage();
      } catch (e) { msg.className = "error"; msg.textContent = name + ": " + e.message; }
    };
    const rows = doc.nodes.map((n) => {
      const reason = h("input", { type: "text", class: "drain-reason", placeholder: "reason (required to drain)", size: 28 });
      const drained = ["drained", "draining", "down"].includes(n.state);
      return h("tr", { "data-node": n.name },
        h("td", { text: n.name }),
        h("td", {}, h("span", { class: "badge " + n.state, text: n.state })),
        h("td", { class: "wrap", text: n.reason || "" }),
        h("td", {}, reason, " ",
          h("button", { class: "plain drain-button", type: "button", onclick: () => update(n.name, "DRAIN", reason.value) }, "Drain"),
          " ",
          h("button", { class: "plain resume-button", type: "button", disabled: !drained, onclick: () => update(n.name, "RESUME") }, "Resume")));
    });
    show(h("h1", { text: "Admin: nodes" }),
      h("p", { class: "muted", text: "Draining lets running jobs finish and takes no new ones, as scontrol update NodeName=… State=DRAIN Reason=…" }),
      h("table", { id: "admin-table" },
        h("thead", {}, h("tr", {}, ["Node", "State", "Reason", "Action"].map((t) => h("th", { text: t })))),
        h("tbody", {}, rows)),
      msg);
  } catch (e) {
    show(h("h1", { text: "Admin" }), problem(e));
  }
}

// ---- history ------------------------------------------------------------------------------

const COLOURS = ["#3a6ea5", "#d99a2b", "#2f7d5b", "#b5485d", "#8a5cc2", "#4aa3a2", "#7d6b2f", "#c45fa0", "#5b7d2f", "#a5623a", "#56609e", "#999"];

function chart(id, title, series, unit, fixedMax, none) {
  const W = 900, H = 220, L = 46, R = 10, T = 10, B = 26;
  const all = series.flatMap((x) => x.points);
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: "none", role: "img", "aria-label": title });
  const box = h("div", { class: "card chart", id }, h("h2", { text: title }), svg);
  if (all.length < 1) {
    box.append(h("p", { class: "muted", text: none || "No samples yet: the controller takes one every 30 s." }));
    return box;
  }
  const t0 = Math.min(...all.map((p) => p[0])), t1 = Math.max(...all.map((p) => p[0]));
  // counts get whole-number ticks: the top is a multiple of 4
  const max = fixedMax || Math.max(4, Math.ceil(Math.max(...all.map((p) => p[1])) / 4) * 4);
  const x = (t) => L + (t1 === t0 ? (W - L - R) : (t - t0) * (W - L - R) / (t1 - t0));
  const y = (v) => T + (H - T - B) * (1 - v / max);
  for (let i = 0; i <= 4; i++) {
    const v = max * i / 4;
    svg.append(s("line", { class: "grid", x1: L, x2: W - R, y1: y(v), y2: y(v) }));
    svg.append(s("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end", text: Math.round(v) + unit }));
  }
  const ticks = t1 === t0 ? [t0] : [t0, (t0 + t1) / 2, t1];
  for (const t of ticks) {
    const d = new Date(t * 1000);
    const p = (n) => String(n).padStart(2, "0");
    // seconds only matter while the history is shorter than a few minutes
    const label = p(d.getHours()) + ":" + p(d.getMinutes()) + (t1 - t0 < 600 ? ":" + p(d.getSeconds()) : "");
    svg.append(s("text", { x: x(t), y: H - 8, "text-anchor": t === t0 ? "start" : t === t1 ? "end" : "middle", text: label }));
  }
  const legend = h("div", { class: "legend" });
  series.forEach((sr, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const pts = sr.points.map((p) => x(p[0]).toFixed(1) + "," + y(p[1]).toFixed(1));
    if (pts.length === 1) svg.append(s("circle", { cx: x(sr.points[0][0]), cy: y(sr.points[0][1]), r: 3, fill: colour }));
    else svg.append(s("polyline", { class: "series", stroke: colour, points: pts.join(" ") }));
    const sw = h("span", { class: "swatch" });
    sw.style.background = colour;
    legend.append(h("span", {}, sw, sr.name));
  });
  box.append(legend);
  return box;
}

async function historyPage() {
  try {
    const doc = await call("GET", API + "history");
    const sm = doc.samples;
    const pct = (a, b) => (b > 0 ? a * 100 / b : 0);
    const users = [...new Set(sm.flatMap((x) => Object.keys(x.jobs_by_user)))];
    show(h("h1", { text: "History" }),
      h("p", { class: "muted", id: "history-source", text: doc.source === "prometheus"
        ? sm.length + " samples, one every " + doc.interval + " s over the last day, from Prometheus."
        : sm.length + " samples, one every " + doc.interval + " s, kept for a day in the controller's memory." }),
      h("p", { class: "error", id: "history-note", hidden: !doc.note, text: doc.note || "" }),
      chart("chart-utilisation", "Utilisation", [
        { name: "CPU %", points: sm.map((x) => [x.time, pct(x.cpus_allocated, x.cpus)]) },
        { name: "Memory %", points: sm.map((x) => [x.time, pct(x.memory_allocated_mib, x.memory_mib)]) },
        { name: "GPU %", points: sm.map((x) => [x.time, pct(x.gpus_allocated, x.gpus)]) },
      ], "%", 100),
      chart("chart-queue", "Queue", [
        { name: "running", points: sm.map((x) => [x.time, x.running]) },
        { name: "pending", points: sm.map((x) => [x.time, x.pending]) },
      ], ""),
      chart("chart-users", "Jobs per user (running and pending)",
        users.map((u) => ({ name: u, points: sm.map((x) => [x.time, x.jobs_by_user[u] || 0]) })), "", null,
        sm.length ? "No running or pending jobs in these samples." : null));
  } catch (e) {
    show(h("h1", { text: "History" }), problem(e));
  }
  schedule(historyPage, 30000);
}

// ---- fair share ---------------------------------------------------------------------------

async function sharesPage() {
  try {
    const doc = await call("GET", API + "shares");
    const rows = doc.rows.map((r) => {
      const fs = h("span", { class: "sharebar" });
      fs.style.width = Math.round(r.fair_share * 120) + "px";
      const pad = h("span", { class: "indent" });
      pad.style.width = r.depth * 14 + "px";
      return h("tr", { class: r.user ? "share-user" : "share-account" },
        h("td", {}, pad, r.user ? "" : r.account),
        h("td", { text: r.user }),
        h("td", { text: r.raw_shares < 0 ? "" : r.raw_shares }),
        h("td", { text: r.norm_shares.toFixed(6) }),
        h("td", { text: Math.round(r.raw_usage) }),
        h("td", { text: r.effective_usage.toFixed(6) }),
        h("td", {}, r.user ? [fs, " " + r.fair_share.toFixed(6)] : ""));
    });
    show(h("h1", { text: "Fair share" }),
      h("p", { class: "muted", text: "As sshare shows it (PriorityType=" + doc.priority_type + "). A higher fair-share factor means more priority." }),
      h("table", { id: "shares-table" },
        h("thead", {}, h("tr", {}, ["Account", "User", "RawShares", "NormShares", "RawUsage", "EffectvUsage", "FairShare"].map((t) => h("th", { text: t })))),
        h("tbody", {}, rows)));
  } catch (e) {
    show(h("h1", { text: "Fair share" }), problem(e));
  }
  schedule(sharesPage, 10000);
}

// ---- routing ------------------------------------------------------------------------------

async function route() {
  page++;
  clearTimeout(timer);
  if (!token()) { loginPage(); return; }
  if (!me) {
    try { await whoami(); } catch (e) { return; }
  }
  const hash = location.hash || "#/cluster";
  const [, name, arg] = hash.split("/");
  for (const a of document.querySelectorAll("#nav a")) a.classList.toggle("active", a.getAttribute("href") === "#/" + name);
  switch (name) {
    case "queue": return queuePage();
    case "job": return jobPage(Number(arg));
    case "admin": return adminPage();
    case "history": return historyPage();
    case "shares": return sharesPage();
    default: return clusterPage();
  }
}

window.addEventListener("hashchange", route);
window.addEventListener("DOMContentLoaded", () => {
  document.getElementById("logout").addEventListener("click", () => { logout(); location.hash = ""; });
  route();
});
