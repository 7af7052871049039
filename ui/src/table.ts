// The explorer table: one row per entity at the current level, sortable by any column.
// Only the rows in and near the viewport are in the page (spacer rows stand for the
// others), so a level with thousands of entities renders as fast as one with ten: laying
// out every row of a 5 000-row table costs the browser over a second.

import type { EntitiesPage, EntityRow } from "./api";
import { bytes, esc, ms, pct, rate } from "./format";
import { stateColumns } from "./kube";
import { go, hashOf, readState } from "./state";

interface Column {
  /** The API's sort key; "" for a column that does not sort. */
  sort: string;
  label: string;
  /** What the column measures, and over what: the header's tooltip and each cell's. */
  title: string;
  cell: (r: EntityRow) => string;
  /** The exact value, for the cell's tooltip (the cell shows it rounded). */
  exact?: (r: EntityRow) => string;
  /** Text columns are left-aligned. */
  text?: boolean;
  /** A data-col name when the column does not sort. */
  col?: string;
}

const n = (v: number) => v.toLocaleString("en-US");

/** The counter columns. Each title says which measure it is: a total over the range, an
 *  average over the range, or the value at the end of the range. */
export const COLUMNS: Column[] = [
  { sort: "processes", label: "Procs", title: "Processes: how many ran in the range (with activity or memory in it)", cell: (r) => String(r.processes), exact: (r) => `${n(r.processes)} processes` },
  { sort: "cpu_pct", label: "CPU", title: "CPU: average over the range, percent of one core (200% = two cores busy)", cell: (r) => pct(r.cpu_pct), exact: (r) => `${r.cpu_pct.toFixed(3)}% of one core` },
  { sort: "memory_bytes", label: "Memory", title: "Memory: resident bytes at the end of the range, of the processes still running then", cell: (r) => bytes(r.memory_bytes), exact: (r) => `${n(r.memory_bytes)} bytes` },
  { sort: "file_bytes", label: "File I/O", title: "File I/O: bytes read plus written on files, total over the range", cell: (r) => bytes(r.file_bytes), exact: (r) => `read ${n(r.file_read_bytes)} B, written ${n(r.file_write_bytes)} B` },
  { sort: "net_bytes", label: "Net I/O", title: "Net I/O: bytes received plus sent on IP sockets, total over the range", cell: (r) => bytes(r.net_bytes), exact: (r) => `in ${n(r.net_in_bytes)} B, out ${n(r.net_out_bytes)} B` },
  { sort: "http_rps", label: "HTTP", title: "HTTP: requests served per second, average over the range", cell: (r) => (r.http_requests ? rate(r.http_rps, " req/s") : "–"), exact: (r) => `${n(r.http_requests)} requests served` },
  { sort: "http_error_pct", label: "Errors", title: "Errors: share of the requests served in the range answered with 5xx", cell: (r) => pct(r.http_error_pct), exact: (r) => `${n(r.http_errors)} of ${n(r.http_requests)} requests` },
  { sort: "http_latency_ms", label: "Latency", title: "Latency: mean time to answer the requests served in the range", cell: (r) => ms(r.http_latency_ms), exact: (r) => (r.http_latency_ms === null ? "no requests" : `${r.http_latency_ms.toFixed(3)} ms`) },
  ...requestColumns("request", "Req", "served", (r) => [r.requests, r.request_rps, r.request_errors, r.request_error_pct, r.request_latency_ms]),
  ...requestColumns("sent", "Sent", "sent as a client", (r) => [r.sent_requests, r.sent_rps, r.sent_errors, r.sent_error_pct, r.sent_latency_ms]),
  { sort: "", col: "protocols", label: "Protocols", title: "Protocols: those the entity's processes served or sent requests of in the range", text: true, cell: (r) => (r.protocols.length ? esc(r.protocols.join(" ")) : "–"), exact: (r) => r.protocols.join(", ") },
];

/** Rate, failures and latency of the requests of every protocol (or of the one chosen),
 *  served (`request`) or sent (`sent`): what a RED dashboard shows. */
function requestColumns(key: "request" | "sent", label: string, what: string, of: (r: EntityRow) => [number, number, number, number | null, number | null]): Column[] {
  const proto = () => "every protocol (or of the protocol chosen)";
  return [
    { sort: `${key}_rps`, label: `${label}/s`, title: `${label}/s: requests of ${proto()} ${what} per second, average over the range`, cell: (r) => (of(r)[0] ? rate(of(r)[1], " req/s") : "–"), exact: (r) => `${n(of(r)[0])} requests ${what}` },
    { sort: `${key}_error_pct`, label: `${label} err`, title: `${label} err: share of the requests ${what} in the range that failed (HTTP 5xx, SQL errors, DNS error codes, Redis error replies)`, cell: (r) => pct(of(r)[3]), exact: (r) => `${n(of(r)[2])} of ${n(of(r)[0])} requests failed` },
    { sort: `${key}_latency_ms`, label: `${label} lat`, title: `${label} lat: mean latency of the requests ${what} in the range, from the request's first byte to the response's end`, cell: (r) => ms(of(r)[4]), exact: (r) => (of(r)[4] === null ? "no requests" : `${of(r)[4]!.toFixed(3)} ms`) },
  ];
}

/** What `ps` shows of a process row. */
const PROCESS_COLUMNS: Column[] = [
  { sort: "", col: "pid", label: "PID", title: "Process id (in the host's pid namespace when known)", cell: (r) => String(r.process?.pid ?? "") },
  { sort: "", col: "user", label: "User", title: "The user the process runs as", text: true, cell: (r) => esc(r.process?.user ?? "–") },
  {
    sort: "",
    col: "state",
    label: "State",
    title: "running: still running at the end of the range; exited: it ended within the range",
    text: true,
    cell: (r) => (r.process ? (r.process.alive ? `<span class="st-ok">running</span>` : `<span class="st-gone">exited</span>`) : ""),
  },
  { sort: "", col: "cmdline", label: "Command line", title: "The command line it was started with", text: true, cell: (r) => `<span class="mono">${esc(r.process?.cmdline ?? "")}</span>`, exact: (r) => r.process?.cmdline ?? "" },
];

const COUNT_COLUMN: Column = { sort: "processes", col: "count", label: "Count", title: "Processes of this command in the range", cell: (r) => String(r.count ?? r.processes), exact: (r) => `${n(r.count ?? r.processes)} processes` };

/** The Kubernetes state columns that apply to the page's rows, the process columns at the
 *  process level, then the counter columns. */
function columnsOf(page: EntitiesPage): Column[] {
  const now = page.range.to;
  const state = stateColumns(page.rows).map((c) => ({
    sort: c.sort,
    label: c.label,
    title: c.title,
    text: c.label === "Status" || c.label === "Node",
    cell: (r: EntityRow) => (r.k8s && c.applies(r.k8s) ? c.cell(r.k8s, now) : ""),
  }));
  if (page.rows.some((r) => r.count !== undefined)) return [...state, COUNT_COLUMN, ...COLUMNS.slice(1)];
  if (page.rows.some((r) => r.process)) return [...state, ...PROCESS_COLUMNS, ...COLUMNS.slice(1)];
  return [...state, ...COLUMNS];
}

const colName = (c: Column) => c.col || c.sort || c.label.toLowerCase();

/** A filter that selects the processes of a command group. */
export function commandFilter(name: string): string {
  return /^[\w.\-/:]+$/.test(name) ? `proc.name=${name}` : `proc.name="${name.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

function rowHtml(r: EntityRow, columns: Column[], drillHash: (id: string) => string, selected: string): string {
  const name = r.has_children
    ? `<a class="drill" href="${esc(drillHash(r.id))}" data-testid="drill">${esc(r.name)}</a>`
    : `<span class="leaf">${esc(r.name)}</span>`;
  const ns = r.namespace ? `<span class="ns">${esc(r.namespace)}</span>` : "";
  const cells = columns
    .map((c) => {
      const tip = c.exact ? `${c.title}\n${c.exact(r)}` : c.title;
      return `<td class="${c.text ? "" : "num"}" data-col="${esc(colName(c))}" title="${esc(tip)}">${c.cell(r)}</td>`;
    })
    .join("");
  const title = r.count !== undefined ? `${r.count} processes named ${r.name}: Enter or click lists them` : `${r.kind} ${r.name}${r.namespace ? ` in ${r.namespace}` : ""}`;
  const classes = [r.id === selected ? "selected" : "", r.k8s?.deleted_ns !== undefined ? "gone" : ""].filter(Boolean).join(" ");
  return `<tr data-id="${esc(r.id)}" data-name="${esc(r.name)}"${classes ? ` class="${classes}"` : ""} title="${esc(title)}"><td class="name" data-col="name"><span class="kind k-${esc(r.kind)}">${esc(r.kind)}</span>${name}${ns}</td>${cells}</tr>`;
}

/** Every row has this height (CSS holds it), so row positions are known without layout. */
const ROW_H = 22;
/** Rows rendered beyond the viewport on each side, so short scrolls need no work. */
const OVERSCAN = 40;

let detach: (() => void) | null = null;

/** Clicking a row selects its entity; a command group is no entity: it opens as the list
 *  of its processes (the grouping off, a filter on the name). */
function open(tr: HTMLElement): void {
  if (tr.dataset.id?.startsWith("cmdgroup:")) go({ g: "", f: commandFilter(tr.dataset.name ?? ""), sel: "" });
  else go({ sel: tr.dataset.id });
}

/** What the last table showed: its view (the state but the selection), its rows' order
 *  and the keyboard cursor. The same view drawn again (a refresh, another row selected)
 *  keeps the order, so that rows do not move under the reader as their numbers change; new
 *  rows come last. */
let shownView = "";
let shownOrder: string[] = [];
let cursorId = "";

function viewKey(): string {
  const st = readState();
  return hashOf({ ...st, sel: "", dtab: "processes", r: "" });
}

export function renderTable(el: HTMLElement, page: EntitiesPage): void {
  detach?.();
  detach = null;
  const st = readState();
  const key = viewKey();
  // The same view again (a refresh, another row selected): the reader stays where they are,
  // and so do the rows (numbers that changed meanwhile would reorder them, and the row
  // just clicked would move away from under the pointer).
  const sameView = key === shownView;
  const scrollY = window.scrollY;
  if (sameView) {
    const at = new Map(shownOrder.map((id, i) => [id, i]));
    page = { ...page, rows: [...page.rows].sort((a, b) => (at.get(a.id) ?? Infinity) - (at.get(b.id) ?? Infinity)) };
  } else {
    cursorId = "";
  }
  shownView = key;
  shownOrder = page.rows.map((r) => r.id);
  const order = st.order || (st.sort === "name" ? "asc" : "desc");
  const columns = columnsOf(page);
  const head = [`<th data-sort="name" class="${st.sort === "name" ? `sorted ${order}` : ""}">Name</th>`]
    .concat(
      columns.map((c) => {
        const classes = [c.text ? "" : "num", c.sort ? "" : "unsorted", c.sort && st.sort === c.sort ? `sorted ${order}` : ""].filter(Boolean).join(" ");
        return `<th${c.sort ? ` data-sort="${c.sort}"` : ""} data-col="${esc(colName(c))}" title="${esc(c.title)}" class="${classes}">${esc(c.label)}</th>`;
      }),
    )
    .join("");
  const drillHash = (id: string) => hashOf({ ...st, p: id, level: "", sel: "" });
  const more = page.total > page.rows.length ? `<p class="note">Showing ${page.rows.length} of ${page.total} rows; narrow with a filter.</p>` : "";
  const empty = page.rows.length === 0 ? `<p class="note" data-testid="empty">Nothing at this level${st.f ? " matches the filter" : ""} in this time range.</p>` : "";
  // Fixed layout takes its widths from the header: give every column room for its
  // numbers, so that the view scrolls sideways rather than cutting "Running" to "R…".
  const minWidth = 300 + columns.length * 84;
  el.innerHTML = `<table class="entities" style="min-width:${minWidth}px" data-testid="entities" data-level="${esc(page.level)}" data-rows="${page.rows.length}"><thead><tr>${head}</tr></thead><tbody></tbody></table>${empty}${more}`;
  const table = el.querySelector<HTMLTableElement>("table")!;
  const tbody = table.querySelector("tbody")!;
  const spacer = (rows: number) => (rows > 0 ? `<tr class="spacer" style="height:${rows * ROW_H}px"><td colspan="${columns.length + 1}"></td></tr>` : "");
  // Every row's height from the start (rows are drawn as they come into view), so that the
  // page keeps its length and the browser its scroll position while the rows are replaced.
  tbody.innerHTML = spacer(page.rows.length);
  if (sameView && window.scrollY !== scrollY) window.scrollTo(0, scrollY);
  let shown = [-1, -1];
  const paint = () => {
    const n = page.rows.length;
    const top = -table.getBoundingClientRect().top - (table.tHead?.offsetHeight ?? 0);
    const start = Math.max(0, Math.min(n, Math.floor(top / ROW_H) - OVERSCAN));
    const end = Math.max(start, Math.min(n, Math.ceil((top + window.innerHeight) / ROW_H) + OVERSCAN));
    if (start === shown[0] && end === shown[1]) return;
    shown = [start, end];
    const sel = readState().sel;
    tbody.innerHTML = spacer(start) + page.rows.slice(start, end).map((r) => rowHtml(r, columns, drillHash, sel)).join("") + spacer(n - end);
    tbody.querySelector(`tr[data-id="${CSS.escape(cursorId)}"]`)?.classList.add("cursor");
  };
  // Keyboard: arrows move the cursor, Enter opens the row (drills down when it has
  // children, else shows its details); Backspace and Escape go up (main.ts).
  const moveCursor = (delta: number) => {
    const n = page.rows.length;
    if (!n) return;
    const now = page.rows.findIndex((r) => r.id === cursorId);
    const next = now < 0 ? (delta > 0 ? 0 : n - 1) : Math.max(0, Math.min(n - 1, now + delta));
    cursorId = page.rows[next].id;
    document.body.dataset.cursor = cursorId;
    // Keep the cursor's row in view: rows have one height, so its place is known.
    const tableTop = table.getBoundingClientRect().top + window.scrollY + (table.tHead?.offsetHeight ?? 0);
    const rowTop = tableTop + next * ROW_H;
    const headH = table.tHead?.offsetHeight ?? 0;
    if (rowTop < window.scrollY + headH) window.scrollTo(0, rowTop - headH - ROW_H);
    else if (rowTop + ROW_H > window.scrollY + window.innerHeight) window.scrollTo(0, rowTop + 2 * ROW_H - window.innerHeight);
    shown = [-1, -1];
    paint();
  };
  const onKey = (ev: KeyboardEvent) => {
    const t = ev.target as HTMLElement;
    if (!table.isConnected || ev.altKey || ev.ctrlKey || ev.metaKey || t.closest("input, select, textarea, [contenteditable]")) return;
    const page_ = Math.max(1, Math.floor(window.innerHeight / ROW_H) - 3);
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page_, PageUp: -page_, Home: -Infinity, End: Infinity };
    if (ev.key in moves) {
      ev.preventDefault();
      const d = moves[ev.key];
      moveCursor(Number.isFinite(d) ? d : d > 0 ? page.rows.length : -page.rows.length);
    } else if (ev.key === "Enter" && cursorId) {
      const r = page.rows.find((x) => x.id === cursorId);
      if (!r) return;
      ev.preventDefault();
      if (r.has_children) go({ p: r.id, level: "", sel: "" });
      else {
        const tr = document.createElement("tr");
        tr.dataset.id = r.id;
        tr.dataset.name = r.name;
        open(tr);
      }
    }
  };
  document.addEventListener("keydown", onKey);
  paint();
  let queued = false;
  const onScroll = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      if (table.isConnected) paint();
    });
  };
  window.addEventListener("scroll", onScroll, { passive: true });
  window.addEventListener("resize", onScroll, { passive: true });
  detach = () => {
    document.removeEventListener("keydown", onKey);
    window.removeEventListener("scroll", onScroll);
    window.removeEventListener("resize", onScroll);
  };
  table.querySelector("thead")!.addEventListener("click", (ev) => {
    const th = (ev.target as HTMLElement).closest("th");
    if (!th?.dataset.sort) return;
    const key = th.dataset.sort;
    const current = readState();
    const currentOrder = current.order || (current.sort === "name" ? "asc" : "desc");
    const nextOrder = current.sort === key ? (currentOrder === "asc" ? "desc" : "asc") : key === "name" || key === "phase" ? "asc" : "desc";
    go({ sort: key, order: nextOrder });
  });
  tbody.addEventListener("click", (ev) => {
    const target = ev.target as HTMLElement;
    if (target.closest("a")) return;
    const tr = target.closest("tr");
    if (!tr?.dataset.id) return;
    cursorId = tr.dataset.id;
    open(tr);
  });
}
