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
  title: string;
  cell: (r: EntityRow) => string;
  /** Text columns are left-aligned. */
  text?: boolean;
}

const COLUMNS: Column[] = [
  { sort: "processes", label: "Procs", title: "Processes seen in the range", cell: (r) => String(r.processes) },
  { sort: "cpu_pct", label: "CPU", title: "CPU time over the range, percent of one core", cell: (r) => pct(r.cpu_pct) },
  { sort: "memory_bytes", label: "Memory", title: "Resident memory at the end of the range", cell: (r) => bytes(r.memory_bytes) },
  { sort: "file_bytes", label: "File I/O", title: "Bytes read and written on files", cell: (r) => bytes(r.file_bytes) },
  { sort: "net_bytes", label: "Net I/O", title: "Bytes read and written on IP sockets", cell: (r) => bytes(r.net_bytes) },
  { sort: "http_rps", label: "HTTP req/s", title: "HTTP requests served per second", cell: (r) => (r.http_requests ? rate(r.http_rps, "") : "–") },
  { sort: "http_error_pct", label: "Errors", title: "Share of served requests answered with 5xx", cell: (r) => pct(r.http_error_pct) },
  { sort: "http_latency_ms", label: "Latency", title: "Mean latency of served requests", cell: (r) => ms(r.http_latency_ms) },
];

/** The Kubernetes state columns that apply to the page's rows, then the activity columns. */
function columnsOf(page: EntitiesPage): Column[] {
  const now = page.range.to;
  const state = stateColumns(page.rows).map((c) => ({
    sort: c.sort,
    label: c.label,
    title: c.title,
    text: c.label === "Status" || c.label === "Node",
    cell: (r: EntityRow) => (r.k8s && c.applies(r.k8s) ? c.cell(r.k8s, now) : ""),
  }));
  return [...state, ...COLUMNS];
}

function rowHtml(r: EntityRow, columns: Column[], drillHash: (id: string) => string, selected: string): string {
  const name = r.has_children
    ? `<a class="drill" href="${esc(drillHash(r.id))}" data-testid="drill">${esc(r.name)}</a>`
    : `<span class="leaf">${esc(r.name)}</span>`;
  const ns = r.namespace ? `<span class="ns">${esc(r.namespace)}</span>` : "";
  const cells = columns.map((c) => `<td class="${c.text ? "" : "num"}" data-col="${esc(c.sort || c.label.toLowerCase())}">${c.cell(r)}</td>`).join("");
  const title = `${r.kind} ${r.name}: net in ${bytes(r.net_in_bytes)}, out ${bytes(r.net_out_bytes)}; file read ${bytes(r.file_read_bytes)}, written ${bytes(r.file_write_bytes)}`;
  const classes = [r.id === selected ? "selected" : "", r.k8s?.deleted_ns !== undefined ? "gone" : ""].filter(Boolean).join(" ");
  return `<tr data-id="${esc(r.id)}"${classes ? ` class="${classes}"` : ""} title="${esc(title)}"><td class="name" data-col="name"><span class="kind k-${esc(r.kind)}">${esc(r.kind)}</span>${name}${ns}</td>${cells}</tr>`;
}

/** Every row has this height (CSS holds it), so row positions are known without layout. */
const ROW_H = 22;
/** Rows rendered beyond the viewport on each side, so short scrolls need no work. */
const OVERSCAN = 40;

let detach: (() => void) | null = null;

export function renderTable(el: HTMLElement, page: EntitiesPage): void {
  detach?.();
  detach = null;
  const st = readState();
  const order = st.order || (st.sort === "name" ? "asc" : "desc");
  const columns = columnsOf(page);
  const head = [`<th data-sort="name" class="${st.sort === "name" ? `sorted ${order}` : ""}">Name</th>`]
    .concat(
      columns.map((c) => {
        const classes = [c.text ? "" : "num", c.sort ? "" : "unsorted", c.sort && st.sort === c.sort ? `sorted ${order}` : ""].filter(Boolean).join(" ");
        return `<th${c.sort ? ` data-sort="${c.sort}"` : ""} data-col="${esc(c.sort || c.label.toLowerCase())}" title="${esc(c.title)}" class="${classes}">${esc(c.label)}</th>`;
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
  };
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
    if (tr?.dataset.id) go({ sel: tr.dataset.id });
  });
}
