// The landing page: the cluster (or this host) at a glance over the time range. Counts of
// what there is, what it all did, charts of everything, every node and namespace, the
// busiest workloads, pods and commands, what changed in Kubernetes, and how each source is
// doing. Each entry opens the explorer where that entity is.

import { get, type Change, type EntityRow, type KubeEvent, type Listing, type Overview, type SeriesColumns, type Status, type TopList } from "./api";
import { renderCharts, updateCharts } from "./charts";
import { bytes, esc, pct, time } from "./format";
import { changeMarkers, eventMarkers, statusText } from "./kube";
import { go, hashOf, type ViewState } from "./state";

const MEASURES: Record<TopList["by"], { title: string; tip: string; cell: (r: EntityRow) => string }> = {
  cpu_pct: { title: "CPU", tip: "CPU: average over the range, percent of one core", cell: (r) => pct(r.cpu_pct) },
  memory_bytes: { title: "Memory", tip: "Memory: resident at the end of the range, of the processes running then", cell: (r) => bytes(r.memory_bytes) },
  net_bytes: { title: "Network", tip: "Network: bytes received plus sent on sockets, total over the range", cell: (r) => bytes(r.net_bytes) },
  http_errors: { title: "HTTP errors", tip: "HTTP errors: requests served answered with 5xx, total over the range", cell: (r) => `${r.http_errors.toLocaleString("en-US")} of ${r.http_requests.toLocaleString("en-US")}` },
  request_errors: { title: "Failed requests", tip: "Failed requests: requests of every protocol served that failed (HTTP 5xx, SQL errors, DNS error codes, Redis error replies), total over the range", cell: (r) => `${r.request_errors.toLocaleString("en-US")} of ${r.requests.toLocaleString("en-US")}` },
};

const LEVELS: Record<TopList["level"], string> = { workload: "Busiest workloads", pod: "Busiest pods", command: "Busiest commands" };

/** Where an entity of the overview opens in the explorer. */
function placeOf(r: EntityRow, list: TopList, st: ViewState): string {
  const base = { ...st, tab: "table" as const, level: "", sel: "", f: "", g: "" as const, alive: "" as const };
  if (list.level === "command") return hashOf({ ...base, h: "physical", p: "", level: "process", g: "command", sort: list.by === "http_errors" ? "http_error_pct" : list.by === "request_errors" ? "request_error_pct" : list.by });
  if (list.level === "workload") return hashOf({ ...base, h: "logical", p: r.namespace ? `ns:${r.namespace}` : "", sel: r.id });
  return hashOf({ ...base, h: "physical", p: r.k8s?.node ? `node:${r.k8s.node}` : "", level: "pod", sel: r.id });
}

function card(testid: string, label: string, value: string, tip: string, sub = ""): string {
  return `<div class="card" data-testid="${testid}" title="${esc(tip)}"><div class="card-label">${esc(label)}</div><div class="card-value">${value}</div>${sub ? `<div class="card-sub">${sub}</div>` : ""}</div>`;
}

function topList(list: TopList, st: ViewState): string {
  const m = MEASURES[list.by];
  const rows = list.rows.length
    ? list.rows
        .map((r) => {
          const count = r.count !== undefined ? ` <span class="dim">×${r.count}</span>` : "";
          const ns = r.namespace && list.level !== "command" ? `<span class="ns">${esc(r.namespace)}</span>` : "";
          // Workloads are of several kinds; pods and commands all of one.
          const kind = list.level === "workload" ? `<span class="kind k-${esc(r.kind)}">${esc(r.kind)}</span>` : "";
          return `<li data-id="${esc(r.id)}"><a href="${esc(placeOf(r, list, st))}" title="${esc(`${r.kind} ${r.name}${r.namespace ? ` in ${r.namespace}` : ""}`)}">${kind}<span class="top-name">${esc(r.name)}</span>${count}${ns}</a><span class="top-value num" title="${esc(m.tip)}">${m.cell(r)}</span></li>`;
        })
        .join("")
    : `<li class="note">None in this range.</li>`;
  return `<div class="top-list" data-testid="top-${list.level}-${list.by}"><h4 title="${esc(m.tip)}">by ${esc(m.title)}</h4><ol>${rows}</ol></div>`;
}

function entityTable(testid: string, rows: EntityRow[], st: ViewState, h: string): string {
  const body = rows
    .map((r) => {
      const status = r.k8s ? statusText(r.k8s) : "";
      const href = hashOf({ ...st, tab: "table", h, p: r.has_children ? r.id : "", level: "", sel: r.has_children ? "" : r.id });
      return `<tr data-id="${esc(r.id)}"><td><a href="${esc(href)}">${esc(r.name)}</a></td><td>${esc(status)}</td><td class="num">${r.processes}</td><td class="num">${pct(r.cpu_pct)}</td><td class="num">${bytes(r.memory_bytes)}</td><td class="num">${bytes(r.net_bytes)}</td><td class="num">${r.http_requests.toLocaleString("en-US")}</td><td class="num">${r.http_errors.toLocaleString("en-US")}</td></tr>`;
    })
    .join("");
  const head = [
    ["Name", ""],
    ["Status", "As Kubernetes reports it now"],
    ["Procs", "Processes that ran in the range"],
    ["CPU", "Average over the range, percent of one core"],
    ["Memory", "Resident at the end of the range"],
    ["Net I/O", "Bytes received plus sent, total over the range"],
    ["HTTP", "Requests served, total over the range"],
    ["Errors", "Requests served answered with 5xx, total over the range"],
  ]
    .map(([l, t]) => `<th title="${esc(t)}"${l === "Name" || l === "Status" ? "" : ' class="num"'}>${l}</th>`)
    .join("");
  return rows.length ? `<table class="drill" data-testid="${testid}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>` : `<p class="note">None in this range.</p>`;
}

function warnings(events: KubeEvent[]): string {
  if (!events.length) return "";
  return `<ul class="warnings" data-testid="recent-warnings">${events.map((e) => `<li><span class="mono">${esc(time(e.last_ns))}</span> <b>${esc(e.reason ?? "")}</b> ${esc(e.object.kind)} ${esc(e.object.name)}: ${esc(e.message ?? "")}</li>`).join("")}</ul>`;
}

/** How each source is doing, from /api/status. */
export function health(s: Status): string {
  const rows = s.sources
    .map((x) => {
      const cls = x.state === "running" || x.state === "done" ? "st-ok" : x.state === "starting" ? "st-wait" : x.state === "unavailable" ? "st-gone" : "st-bad";
      return `<tr data-testid="source-${esc(x.kind)}"><td>${esc(x.kind)}</td><td><span class="${cls}">${esc(x.state)}</span></td><td class="num" title="Events read from this source">${x.events.toLocaleString("en-US")}</td><td class="wrap">${esc(x.detail)}${x.error ? ` <span class="error">${esc(x.error)}</span>` : ""}</td></tr>`;
    })
    .join("");
  const hist = s.history;
  const mem = `history: ${hist.series.toLocaleString("en-US")} series, ${bytes(hist.heap_bytes)} of ${bytes(hist.max_bytes)} in memory`;
  return `<table class="drill" data-testid="health"><thead><tr><th>Source</th><th>State</th><th class="num">Events</th><th>Detail</th></tr></thead><tbody>${rows}</tbody></table><p class="note">${esc(mem)}</p>`;
}

/** Draws the overview into `el`, or refreshes it in place when `refresh` is set and it is
 *  already drawn (the charts keep their canvases, the page keeps its scroll). */
export async function renderOverview(el: HTMLElement, st: ViewState, status: Status, isCurrent: () => boolean, refresh = false): Promise<string> {
  const range = { from: st.from || undefined, to: st.to || undefined };
  const [o, s, changes, events] = await Promise.all([
    get<Overview>("/api/overview", range),
    get<{ series: SeriesColumns }>("/api/series", { points: 300, ...range }),
    // What changed and the Events, marked on the charts at their time.
    get<Listing<Change>>("/api/changes", { ...range, limit: 1000 }),
    get<Listing<KubeEvent>>("/api/events", { ...range, limit: 1000 }),
  ]);
  if (!isCurrent()) return "";
  const marks = [...changeMarkers(changes.rows, st), ...eventMarkers(events.rows, st)];
  const axis: [number, number] = [o.range.from / 1e9, o.range.to / 1e9];
  // A mark of several things opens the Changes view of its seconds, which lists them.
  const secondHref = (a: number, b: number) => hashOf({ ...st, tab: "changes", p: "", sel: "", from: String(a * 1e9), to: String(b * 1e9) });
  const t = o.totals;
  const c = o.counts;
  const cards = [
    card("count-nodes", "Nodes", String(c.nodes), "Nodes Kubernetes lists (or this host)"),
    card("count-namespaces", "Namespaces", String(c.namespaces), "Namespaces Kubernetes lists"),
    card("count-workloads", "Workloads", String(c.workloads), "Deployments, StatefulSets, DaemonSets, Jobs, … and bare pods"),
    card("count-pods", "Pods", String(c.pods), "Pods in the range, whether busy or not"),
    card("count-containers", "Containers", String(c.containers), "Containers in the range"),
    card("count-processes", "Processes", `${c.processes_running.toLocaleString("en-US")} running`, "Processes still running at the end of the range, of those that ran in it", `${c.processes.toLocaleString("en-US")} in the range`),
    card("total-cpu", "CPU", pct(t.cpu_pct), "CPU: average over the range, percent of one core (200% = two cores busy)"),
    card("total-memory", "Memory", bytes(t.memory_bytes), "Memory: resident at the end of the range, of the processes running then"),
    card("total-net", "Network", bytes(t.net_in_bytes + t.net_out_bytes), "Network: bytes received plus sent on sockets, total over the range", `in ${bytes(t.net_in_bytes)} · out ${bytes(t.net_out_bytes)}`),
    card("total-http", "HTTP served", `${t.http_requests.toLocaleString("en-US")}`, "HTTP requests served, total over the range (and 5xx answers)", `${t.http_errors.toLocaleString("en-US")} errors · ${t.http_rps.toFixed(2)} req/s`),
    card("total-requests", "Requests served", `${t.requests.toLocaleString("en-US")}`, "Requests of every protocol (HTTP, DNS, PostgreSQL, MySQL, Redis, …) served, total over the range, and those that failed", `${t.request_errors.toLocaleString("en-US")} failed · ${t.request_rps.toFixed(2)} req/s · ${t.sent_requests.toLocaleString("en-US")} sent (${t.sent_errors.toLocaleString("en-US")} failed)`),
  ].join("");
  const kube = status.sources.find((x) => x.kind === "kubernetes");
  const noKube = !o.kubernetes
    ? `<p class="note" data-testid="no-kubernetes">No Kubernetes found${kube ? `: ${esc(kube.error ?? kube.detail)}` : status.mode.kind === "replay" ? ": the capture holds no Kubernetes objects" : ""}. Showing this host's processes and containers.</p>`
    : "";
  const lists = (level: TopList["level"]) => o.top.filter((l) => l.level === level);
  const section = (level: TopList["level"]) => `<section class="tops"><h3>${LEVELS[level]}</h3><div class="top-grid">${lists(level).map((l) => topList(l, st)).join("")}</div></section>`;
  const ch = o.changes;
  const changesHref = hashOf({ ...st, tab: "changes", p: "", sel: "" });
  const changed = o.kubernetes
    ? `<p data-testid="overview-changes"><a href="${esc(changesHref)}">${ch.created} created, ${ch.changed} changed, ${ch.deleted} deleted</a>; ${o.events.total} Events, <span class="${o.events.warnings ? "st-bad" : ""}">${o.events.warnings} Warnings</span>.</p>${warnings(o.events.recent_warnings)}`
    : `<p class="note">Nothing to say without Kubernetes.</p>`;
  const html = `<div class="overview" data-testid="overview">
    ${noKube}
    <div class="cards">${cards}</div>
    <div class="charts overview-charts" data-testid="overview-charts"></div>
    <div class="overview-grid">
      ${o.kubernetes ? section("workload") : ""}
      ${o.kubernetes ? section("pod") : ""}
      ${section("command")}
      <section><h3>Nodes</h3>${entityTable("overview-nodes", o.nodes, st, "physical")}</section>
      ${o.kubernetes ? `<section><h3>Namespaces</h3>${entityTable("overview-namespaces", o.namespaces, st, "logical")}</section>` : ""}
      <section><h3>What changed</h3>${changed}</section>
      <section><h3>Sources</h3>${health(status)}</section>
    </div></div>`;
  // A refresh rewrites the text but keeps the chart canvases (and so their size and the
  // reader's place).
  const charts = el.querySelector<HTMLElement>(".overview-charts");
  if (refresh && charts && el.querySelector(".overview")) {
    const fresh = document.createElement("div");
    fresh.innerHTML = html;
    for (const part of [".cards", ".overview-grid"]) el.querySelector(part)!.replaceWith(fresh.querySelector(part)!);
    const note = el.querySelector('[data-testid="no-kubernetes"]');
    if (note && o.kubernetes) note.remove();
    if (updateCharts(charts, s.series, marks, axis)) return summary(o);
  }
  el.innerHTML = html;
  renderCharts(el.querySelector<HTMLElement>(".overview-charts")!, s.series, (from, to) => go({ from: String(from), to: String(to) }), marks, { perRow: 3, range: axis, secondHref });
  return summary(o);
}

function summary(o: Overview): string {
  return `overview · ${time(o.range.from)} – ${time(o.range.to)}`;
}
