// The explorer: a hierarchy selector, a time range, a sysdig filter, the table (or the
// topology) of the current level, and the selected entity's charts and drill-downs.
// Everything the page shows follows the URL fragment (state.ts).

import "./style.css";
import { ApiError, get, setToken, takeTokenFromUrl, type EntitiesPage, type EntityDetail, type Hierarchies, type SeriesColumns, type Status, type Topology } from "./api";
import { destroyCharts, renderCharts, updateCharts } from "./charts";
import { DRILL_TABS, renderDrill } from "./drill";
import { eventMarkers, kubeDetails, renderChanges } from "./kube";
import { bytes, duration, esc, ms, pct, time } from "./format";
import { go, hashOf, readState, type ViewState } from "./state";
import { renderTable } from "./table";
import { destroyTopology, renderTopology } from "./topology";
import { renderOverview } from "./overview";

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

let status: Status | null = null;
/** Each render gets a number; answers for an older render are dropped. */
let generation = 0;
/** The render under way is a live refresh of what is shown, not a navigation: it updates
 *  in place (rows keep their order, charts their canvases, panels their scroll). */
let refreshing = false;
/** The reader paused the live refresh. */
let paused = false;

/** `process` → `processes`, `pod` → `pods`. */
function plural(level: string): string {
  return /(s|x|ch|sh)$/.test(level) ? `${level}es` : `${level}s`;
}

function hierarchyTitle(h: string): string {
  if (h.startsWith("label:")) return `label ${h.slice(6)}`;
  return h;
}

async function loadHierarchies(): Promise<void> {
  const hs = await get<Hierarchies>("/api/hierarchies");
  const sel = $<HTMLSelectElement>("hierarchy");
  const opts = hs.hierarchies.map((h) => `<option value="${esc(h.id)}" title="${esc(h.title)}">${esc(h.id)}</option>`);
  for (const k of hs.label_keys) opts.push(`<option value="label:${esc(k)}">label: ${esc(k)}</option>`);
  sel.innerHTML = opts.join("");
}

function sourceText(s: Status): string {
  if (s.mode.kind === "replay") {
    const src = s.sources.find((x) => x.kind === "replay");
    const file = (s.mode.file ?? "").split("/").pop();
    const state = src?.state === "running" ? `reading… ${src.events.toLocaleString()} events` : src?.state === "failed" ? "stopped at damage" : `${src?.events.toLocaleString() ?? 0} events`;
    return `replay of ${file}: ${state}`;
  }
  const parts = s.sources
    .filter((x) => x.state === "running" || x.state === "starting")
    .map((x) => (x.kind === "live-host" ? `this host, ${x.events.toLocaleString()} events` : x.kind === "kubernetes" ? `kubernetes${x.state === "starting" ? " (listing…)" : ""}` : x.kind));
  return parts.length ? `live: ${parts.join(" + ")}` : "live: nothing watched";
}

async function refreshStatus(): Promise<void> {
  status = await get<Status>("/api/status");
  $("source").textContent = sourceText(status);
  $("source").title = status.sources.map((s) => `${s.kind}: ${s.state} — ${s.detail}${s.error ? ` (${s.error})` : ""}`).join("\n");
  const banner = $("banner");
  const messages: string[] = [];
  if (status.live_message) messages.push(status.live_message);
  for (const s of status.sources) {
    if (s.error) messages.push(`${s.kind}: ${s.error}`);
    else if (s.state === "unavailable" && s.kind !== "live-host") messages.push(`${s.kind}: ${s.detail}`);
  }
  banner.hidden = messages.length === 0;
  banner.innerHTML = messages.map((m) => `<p>${esc(m)}</p>`).join("");
}

function showFilterError(e: unknown, expr: string): boolean {
  const box = $("filter-error");
  if (e instanceof ApiError && e.code === "bad_filter") {
    const col = Number(e.details.column ?? 1);
    box.textContent = `Filter error at column ${col}: ${e.message}\n  ${expr}\n  ${" ".repeat(Math.max(0, col - 1))}^`;
    box.hidden = false;
    return true;
  }
  box.hidden = true;
  return false;
}

function showError(el: HTMLElement, e: unknown): void {
  const msg = e instanceof ApiError ? `${e.message} (${e.code})` : String(e);
  el.innerHTML = `<p class="error" data-testid="error">${esc(msg)}</p>`;
  if (e instanceof ApiError && e.status === 401) {
    const t = prompt("This kinsight server needs a token:");
    if (t) {
      setToken(t);
      void render();
    }
  }
}

function rangeParams(st: ViewState): { from?: string; to?: string } {
  return { from: st.from || undefined, to: st.to || undefined };
}

function syncControls(st: ViewState): void {
  const hsel = $<HTMLSelectElement>("hierarchy");
  if (![...hsel.options].some((o) => o.value === st.h)) hsel.add(new Option(hierarchyTitle(st.h), st.h));
  hsel.value = st.h;
  const rsel = $<HTMLSelectElement>("range");
  const preset = st.to === "" && [...rsel.options].some((o) => o.value === st.from) ? st.from : "custom";
  rsel.value = preset;
  $("custom-range").hidden = preset !== "custom";
  const f = $<HTMLInputElement>("filter");
  if (document.activeElement !== f) f.value = st.f;
  for (const b of document.querySelectorAll<HTMLButtonElement>("#tabs button")) b.classList.toggle("active", b.dataset.tab === st.tab);
  $<HTMLSelectElement>("weight").value = st.w;
  $("weight").hidden = st.tab !== "topology";
  $<HTMLSelectElement>("protocol").value = st.pr;
  $("protocol").hidden = st.tab !== "table";
  $<HTMLInputElement>("group-command").checked = st.g === "command";
  $<HTMLInputElement>("alive-only").checked = st.alive === "1";
  if (st.tab !== "table") $("proc-opts").hidden = true;
  $("level-box").hidden = st.tab === "overview" || st.tab === "changes";
}

/** The level selector offers the levels below the current position. */
function syncLevels(levels: string[], parentLevel: string | undefined, current: string): void {
  const sel = $<HTMLSelectElement>("level");
  const below = parentLevel ? levels.slice(levels.indexOf(parentLevel) + 1) : levels;
  sel.innerHTML = below.map((l) => `<option value="${esc(l)}">${esc(l)}</option>`).join("");
  sel.value = current;
}

async function renderCrumbs(st: ViewState, gen: number): Promise<void> {
  const nav = $("crumbs");
  const top = `<a href="${esc(hashOf({ ...st, p: "", level: "", sel: "" }))}" data-testid="crumb-root">${esc(hierarchyTitle(st.h))}</a>`;
  if (!st.p) {
    nav.innerHTML = top;
    return;
  }
  try {
    const d = await get<EntityDetail>("/api/entity", { id: st.p, ...rangeParams(st) });
    if (gen !== generation) return;
    const path = d.paths[st.h] ?? [{ id: d.id, kind: d.kind, name: d.name }];
    nav.innerHTML = [top, ...path.map((e) => `<a href="${esc(hashOf({ ...st, p: e.id, level: "", sel: "" }))}" data-id="${esc(e.id)}"><span class="kind k-${esc(e.kind)}">${esc(e.kind)}</span>${esc(e.name)}</a>`)].join(" › ");
  } catch (e) {
    nav.innerHTML = `${top} › <span class="error">${esc(e instanceof Error ? e.message : String(e))}</span>`;
  }
}

async function renderView(st: ViewState, gen: number): Promise<void> {
  const view = $("view");
  try {
    if (st.tab === "topology") {
      const topo = await get<Topology>("/api/topology", { hierarchy: st.h, parent: st.p || undefined, level: st.level || undefined, filter: st.f || undefined, ...rangeParams(st) });
      if (gen !== generation) return;
      showFilterError(null, "");
      syncLevels(topo.levels, topo.parent?.level, topo.level);
      await renderTopology(
        view,
        topo,
        st.w,
        (id) => go({ sel: id }),
        (id) => go({ p: id, level: "", sel: "", tab: "table" }),
      );
      $("range-label").textContent = "";
      return;
    }
    destroyTopology();
    if (st.tab === "overview") {
      const label = await renderOverview(view, st, status!, () => gen === generation, refreshing);
      if (gen !== generation) return;
      $("range-label").textContent = label;
      return;
    }
    if (st.tab === "changes") {
      // In the namespace being looked at, if any; otherwise the whole cluster.
      const ns = st.p.startsWith("ns:") ? st.p.slice(3) : st.p.startsWith("wl:") || st.p.startsWith("svc:") ? st.p.slice(st.p.indexOf(":") + 1).split("/")[0] : null;
      const label = await renderChanges(view, st, ns);
      if (gen !== generation) return;
      $("range-label").textContent = label;
      return;
    }
    const t0 = performance.now();
    const page = await get<EntitiesPage>("/api/entities", {
      hierarchy: st.h,
      parent: st.p || undefined,
      level: st.level || undefined,
      filter: st.f || undefined,
      sort: st.sort,
      order: st.order || undefined,
      group: st.g || undefined,
      alive: st.alive ? "true" : undefined,
      protocol: st.pr || undefined,
      ...rangeParams(st),
    });
    if (gen !== generation) return;
    showFilterError(null, "");
    syncLevels(page.levels, page.parent?.level, page.level);
    renderTable(view, page);
    $("proc-opts").hidden = page.level !== "process";
    const what = page.level === "process" && st.g ? "commands" : plural(page.level);
    $("range-label").textContent = `${what}: ${page.total} · ${time(page.range.from)} – ${time(page.range.to)} (${duration(page.range.seconds)})`;
    document.body.dataset.rows = String(page.rows.length);
    document.body.dataset.level = page.level;
    performance.mark("kinsight:table-rendered", { detail: { rows: page.rows.length, fetchAndRenderMs: performance.now() - t0 } });
  } catch (e) {
    if (gen !== generation) return;
    if (!showFilterError(e, st.f)) showError(view, e);
    else view.innerHTML = "";
  }
}

/** The entity's totals over the range, each with what it measures. */
function factsHtml(d: EntityDetail): string {
  const t = d.totals;
  if (!t) return "";
  const fact = (label: string, tip: string, value: string) => `<dt title="${esc(tip)}">${label}</dt><dd title="${esc(tip)}">${value}</dd>`;
  return `<dl class="facts">${[
    fact("CPU", "Average over the range, percent of one core", pct(t.cpu_pct)),
    fact("Memory", "Resident at the end of the range, of the processes running then", bytes(t.memory_bytes)),
    fact("Net in/out", "Bytes received / sent on sockets, total over the range", `${bytes(t.net_in_bytes)} / ${bytes(t.net_out_bytes)}`),
    fact("File read/written", "Bytes read / written on files, total over the range", `${bytes(t.file_read_bytes)} / ${bytes(t.file_write_bytes)}`),
    fact("HTTP served", "Requests served over the range; the share answered 5xx and their mean latency", `${t.http_requests} requests (${pct(t.http_error_pct)} errors, ${ms(t.http_latency_ms)} mean)`),
    fact("HTTP sent", "Requests sent as a client over the range", `${t.http_out_requests} requests`),
    fact("Requests served", "Requests of every protocol served over the range; the share that failed and their mean latency", `${t.requests} requests (${pct(t.request_error_pct)} failed, ${ms(t.request_latency_ms)} mean)`),
    fact("Requests sent", "Requests of every protocol sent as a client over the range; the share that failed and their mean latency", `${t.sent_requests} requests (${pct(t.sent_error_pct)} failed, ${ms(t.sent_latency_ms)} mean)`),
    fact("Protocols", "The protocols the entity served or sent requests of over the range", t.protocols.length ? esc(t.protocols.join(", ")) : "none"),
  ].join("")}</dl>`;
}

async function renderDetails(st: ViewState, gen: number): Promise<void> {
  const aside = $("details");
  if (!st.sel) {
    aside.hidden = true;
    const charts = aside.querySelector<HTMLElement>(".charts");
    if (charts) destroyCharts(charts);
    return;
  }
  aside.hidden = false;
  try {
    const [d, s] = await Promise.all([
      get<EntityDetail>("/api/entity", { id: st.sel, ...rangeParams(st) }),
      get<{ series: SeriesColumns }>("/api/series", { entity: st.sel, points: 300, protocol: st.pr || undefined, ...rangeParams(st) }),
    ]);
    if (gen !== generation) return;
    const drillScroll = aside.querySelector<HTMLElement>(".drill-body")?.scrollTop ?? 0;
    const oldCharts = aside.querySelector<HTMLElement>(".charts");
    if (refreshing && oldCharts && aside.dataset.sel === d.id && updateCharts(oldCharts, s.series)) {
      // The same entity: new numbers in place, the charts and the reader's place kept.
      const facts = aside.querySelector(".facts");
      const fresh = document.createElement("div");
      fresh.innerHTML = factsHtml(d);
      if (facts && fresh.firstElementChild) facts.replaceWith(fresh.firstElementChild);
      const body = aside.querySelector<HTMLElement>(".drill-body")!;
      await renderDrill(body, st.dtab, d.id, st, "");
      body.scrollTop = drillScroll;
      return;
    }
    aside.dataset.sel = d.id;
    const pivots: string[] = [];
    for (const h of ["physical", "logical", "services", ...(st.h.startsWith("label:") ? [st.h] : [])]) {
      if (h === st.h) continue;
      const path = d.paths[h];
      if (path && path.length) {
        const parent = path.length > 1 ? path[path.length - 2].id : "";
        pivots.push(`<a class="button" data-testid="pivot-${esc(h)}" href="${esc(hashOf({ ...st, h, p: parent, level: "", sel: d.id, tab: "table" }))}">Show in ${esc(hierarchyTitle(h))}</a>`);
      } else if (d.filter) {
        pivots.push(`<a class="button" data-testid="pivot-${esc(h)}" title="${esc(d.filter)}" href="${esc(hashOf({ ...st, h, p: "", level: "", sel: "", f: d.filter, tab: "table" }))}">Filter ${esc(hierarchyTitle(h))} by it</a>`);
      }
    }
    const facts = factsHtml(d);
    const attrs = d.attributes ? `<details><summary>Attributes</summary><pre>${esc(JSON.stringify(d.attributes, null, 2))}</pre></details>` : "";
    const tabs = DRILL_TABS.map((x) => `<a href="${esc(hashOf({ ...st, dtab: x.id }))}" class="${x.id === st.dtab ? "active" : ""}" data-testid="dtab-${x.id}">${x.label}</a>`).join("");
    aside.innerHTML = `
      <div class="details-head"><h2 data-testid="details-title"><span class="kind k-${esc(d.kind)}">${esc(d.kind)}</span>${esc(d.name)}</h2>
        <a class="close" href="${esc(hashOf({ ...st, sel: "" }))}" title="Close">×</a></div>
      <p class="dim mono">${esc(d.id)}</p>
      <div class="pivots">${pivots.join(" ")}</div>
      ${facts}${kubeDetails(d.k8s, d.events, d.changes, status?.now_ns ?? Date.now() * 1e6)}${attrs}
      <div class="charts" data-testid="charts"></div>
      <div class="dtabs">${tabs}</div>
      <div class="drill-body" data-testid="drill"></div>`;
    renderCharts(aside.querySelector<HTMLElement>(".charts")!, s.series, (from, to) => go({ from: String(from), to: String(to) }), eventMarkers(d.events, st));
    await renderDrill(aside.querySelector<HTMLElement>(".drill-body")!, st.dtab, d.id, st, "");
  } catch (e) {
    if (gen !== generation) return;
    showError(aside, e);
  }
}

async function render(refresh = false): Promise<void> {
  const gen = ++generation;
  const st = readState();
  refreshing = refresh;
  syncControls(st);
  if (!refresh) document.body.dataset.ready = "0";
  await Promise.all([renderCrumbs(st, gen), renderView(st, gen), renderDetails(st, gen)]);
  if (gen === generation) {
    refreshing = false;
    document.body.dataset.ready = "1";
    document.body.dataset.renders = String(Number(document.body.dataset.renders ?? 0) + 1);
    if (refresh) document.body.dataset.refreshes = String(Number(document.body.dataset.refreshes ?? 0) + 1);
    $("updated").textContent = `updated ${new Date().toLocaleTimeString(undefined, { hour12: false })}`;
    for (const tr of document.querySelectorAll<HTMLElement>("table.entities tbody tr[data-id]")) tr.classList.toggle("selected", tr.dataset.id === st.sel);
  }
}

function toLocalInput(ns: number): string {
  const d = new Date(ns / 1e6);
  const off = d.getTimezoneOffset() * 60000;
  return new Date(d.getTime() - off).toISOString().slice(0, 19);
}

function wireControls(): void {
  $<HTMLSelectElement>("hierarchy").addEventListener("change", (e) => go({ h: (e.target as HTMLSelectElement).value, p: "", level: "", sel: "" }));
  $<HTMLSelectElement>("range").addEventListener("change", (e) => {
    const v = (e.target as HTMLSelectElement).value;
    if (v === "custom") {
      $("custom-range").hidden = false;
      const data = status?.data;
      if (data) {
        $<HTMLInputElement>("from-input").value = toLocalInput(data.from);
        $<HTMLInputElement>("to-input").value = toLocalInput(data.to);
      }
      return;
    }
    go({ from: v, to: "" });
  });
  $("apply-range").addEventListener("click", () => {
    const from = new Date($<HTMLInputElement>("from-input").value).getTime();
    const to = new Date($<HTMLInputElement>("to-input").value).getTime();
    if (Number.isFinite(from) && Number.isFinite(to)) go({ from: String(from * 1e6), to: String(to * 1e6) });
  });
  $("filter-form").addEventListener("submit", (e) => {
    e.preventDefault();
    go({ f: $<HTMLInputElement>("filter").value.trim(), sel: "" });
  });
  $("clear-filter").addEventListener("click", () => {
    $<HTMLInputElement>("filter").value = "";
    go({ f: "" });
  });
  for (const b of document.querySelectorAll<HTMLButtonElement>("#tabs button")) b.addEventListener("click", () => go({ tab: b.dataset.tab as ViewState["tab"] }));
  $<HTMLSelectElement>("level").addEventListener("change", (e) => go({ level: (e.target as HTMLSelectElement).value, sel: "" }));
  $<HTMLInputElement>("group-command").addEventListener("change", (e) => go({ g: (e.target as HTMLInputElement).checked ? "command" : "", sel: "" }));
  $<HTMLInputElement>("alive-only").addEventListener("change", (e) => go({ alive: (e.target as HTMLInputElement).checked ? "1" : "" }));
  $<HTMLSelectElement>("weight").addEventListener("change", (e) => go({ w: (e.target as HTMLSelectElement).value as ViewState["w"] }));
  $<HTMLSelectElement>("protocol").addEventListener("change", (e) => go({ pr: (e.target as HTMLSelectElement).value }));
  window.addEventListener("hashchange", () => void render());
  // Backspace goes up one level, Escape closes the details first (arrows and Enter are
  // the table's own).
  document.addEventListener("keydown", (ev) => {
    if (ev.altKey || ev.ctrlKey || ev.metaKey || (ev.target as HTMLElement).closest("input, select, textarea, [contenteditable]")) return;
    if (ev.key !== "Backspace" && ev.key !== "Escape") return;
    const st = readState();
    if (st.tab === "overview") return;
    ev.preventDefault();
    if (ev.key === "Escape" && st.sel) {
      go({ sel: "" });
      return;
    }
    const crumbs = [...document.querySelectorAll<HTMLAnchorElement>("#crumbs a")];
    if (st.p && crumbs.length >= 2) location.hash = new URL(crumbs[crumbs.length - 2].href).hash || "#";
    else if (st.level) go({ level: "", sel: "" });
  });
  $("copy-link").addEventListener("click", () => void copyLink());
}

/** Copies the address of this view (the token is never in it: it lives in the session). */
async function copyLink(): Promise<void> {
  const button = $("copy-link");
  const url = location.href;
  try {
    await navigator.clipboard.writeText(url);
  } catch {
    // Without the clipboard API (plain http on another host): a selected field and copy.
    const field = document.createElement("textarea");
    field.value = url;
    document.body.appendChild(field);
    field.select();
    document.execCommand("copy");
    field.remove();
  }
  button.textContent = "Copied";
  button.dataset.copied = url;
  setTimeout(() => (button.textContent = "Copy link"), 1500);
}

async function main(): Promise<void> {
  takeTokenFromUrl();
  wireControls();
  try {
    await Promise.all([refreshStatus(), loadHierarchies()]);
  } catch (e) {
    showError($("view"), e);
    return;
  }
  // A replay still being read: follow it until it is done, then show everything (its
  // pods' label keys are known only then).
  if (status?.active && status.mode.kind === "replay") {
    while (status?.active) {
      $("view").innerHTML = `<p class="note">${esc(sourceText(status))}</p>`;
      await new Promise((r) => setTimeout(r, 500));
      await refreshStatus();
    }
    await loadHierarchies();
  }
  await render();
  startRefresh();
}

/** Seconds between live refreshes: the URL's `r`, else 5 while the data is live. 0: none. */
function refreshSeconds(st: ViewState): number {
  if (st.r !== "") return Math.max(0, Number(st.r) || 0);
  return status?.mode.kind === "live" || status?.active ? 5 : 0;
}

/** Live data moves: what is shown is refreshed in place every few seconds, unless the
 *  reader paused it, the tab is hidden, the range is fixed (an absolute end), text is
 *  being selected, or the last refresh has not finished. */
function startRefresh(): void {
  let last = Date.now();
  let busy = false;
  const button = $<HTMLButtonElement>("live-toggle");
  const sync = () => {
    const st = readState();
    const every = refreshSeconds(st);
    $("live").hidden = every === 0;
    button.textContent = paused ? "▶ Resume" : "⏸ Pause";
    button.title = paused ? "Resume the live refresh" : `The view refreshes every ${every} s; pause it`;
    document.body.dataset.paused = paused ? "1" : "0";
    return { st, every };
  };
  button.addEventListener("click", () => {
    paused = !paused;
    last = Date.now();
    sync();
  });
  window.addEventListener("hashchange", () => void sync());
  sync();
  setInterval(() => {
    const { st, every } = sync();
    if (every === 0 || paused || busy || st.to !== "" || document.visibilityState !== "visible") return;
    if (Date.now() - last < every * 1000) return;
    if (String(window.getSelection() ?? "") !== "") return;
    busy = true;
    last = Date.now();
    void refreshStatus()
      .then(() => render(true))
      .finally(() => (busy = false));
  }, 250);
}

void main();
