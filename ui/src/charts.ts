// Time series of the selected entity (or of everything, on the overview), one small chart
// per measure. Dragging across a chart selects that time range for the whole page.
// Kubernetes Events and changes are drawn on every chart as vertical marks at their time
// (Warnings in red, deletions dim), so that a rollout, a restart or a BackOff sits next to
// the curve it explains. Each mark is an element over the plot: hovering it says what
// happened and to which objects, clicking it opens the object (or, when several things
// happened in that second, the Changes view of that second).

import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { SeriesColumns } from "./api";
import { bytes, bytesRate, ms, pct, rate } from "./format";

interface ChartSpec {
  title: string;
  series: { label: string; values: (c: SeriesColumns) => (number | null)[]; color: string }[];
  fmt: (v: number) => string;
}

const SPECS: ChartSpec[] = [
  { title: "CPU (% of one core)", series: [{ label: "CPU", values: (c) => c.cpu_pct, color: "#d9480f" }], fmt: pct },
  { title: "Memory (resident)", series: [{ label: "resident", values: (c) => c.memory_bytes, color: "#5f3dc4" }], fmt: bytes },
  {
    title: "Network (bytes/s)",
    series: [
      { label: "in", values: (c) => c.net_in_bps, color: "#1971c2" },
      { label: "out", values: (c) => c.net_out_bps, color: "#2f9e44" },
    ],
    fmt: bytesRate,
  },
  {
    title: "Files (bytes/s)",
    series: [
      { label: "read", values: (c) => c.file_read_bps, color: "#0c8599" },
      { label: "write", values: (c) => c.file_write_bps, color: "#e8590c" },
    ],
    fmt: bytesRate,
  },
  { title: "HTTP requests (served/s)", series: [{ label: "served", values: (c) => c.http_rps, color: "#c2255c" }], fmt: (v) => rate(v) },
  { title: "HTTP latency (mean)", series: [{ label: "mean", values: (c) => c.http_latency_ms, color: "#862e9c" }], fmt: ms },
  {
    title: "Requests, every protocol (/s)",
    series: [
      { label: "served", values: (c) => c.request_rps, color: "#c2255c" },
      { label: "sent", values: (c) => c.sent_rps, color: "#1864ab" },
    ],
    fmt: (v) => rate(v),
  },
  {
    title: "Failed requests (%)",
    series: [
      { label: "served", values: (c) => c.request_error_pct, color: "#e03131" },
      { label: "sent", values: (c) => c.sent_error_pct, color: "#f08c00" },
    ],
    fmt: pct,
  },
  {
    title: "Request latency (mean)",
    series: [
      { label: "served", values: (c) => c.request_latency_ms, color: "#862e9c" },
      { label: "sent", values: (c) => c.sent_latency_ms, color: "#0b7285" },
    ],
    fmt: ms,
  },
];

/** The charts drawn in each container (the details panel, the overview). */
const plots = new Map<HTMLElement, uPlot[]>();

/** Removes the charts of `el`, or every chart. */
export function destroyCharts(el?: HTMLElement): void {
  for (const [box, list] of plots) {
    if (el && box !== el) continue;
    for (const p of list) p.destroy();
    plots.delete(box);
    overlays.delete(box);
  }
}

/** What the charts of one container mark and over which times: changed in place by a
 *  live refresh. */
interface Overlay {
  markers: Marker[];
  /** The x scale in seconds; null: the data's own extent. */
  range: [number, number] | null;
  /** Where a mark of several things opens: the Changes view of the seconds it covers. */
  secondHref?: (fromSecond: number, toSecond: number) => string;
}
const overlays = new Map<HTMLElement, Overlay>();

/** Gives the charts of `el` new data (and marks, and range) in place (a live refresh): no
 *  redraw from scratch, no jump. False when `el` has no charts of that shape. */
export function updateCharts(el: HTMLElement, cols: SeriesColumns, markers?: Marker[], range?: [number, number] | null): boolean {
  const list = plots.get(el);
  if (!list || list.length !== SPECS.length || !el.isConnected) return false;
  const o = overlays.get(el);
  if (o && markers) o.markers = markers;
  if (o && range !== undefined) o.range = range;
  list.forEach((p, i) => p.setData([cols.t, ...SPECS[i].series.map((s) => s.values(cols))]));
  return true;
}

export interface Marker {
  /** Seconds since the epoch, as the series' times. */
  t: number;
  warning: boolean;
  /** What happened, in a line. */
  text: string;
  /** `event`, `created`, `changed` or `deleted`: how the mark is drawn. */
  what?: string;
  /** The explorer's address of the object it is about, when it is an entity. */
  href?: string;
  /** The object, as `Kind namespace/name`. */
  object?: string;
}


const MARK_COLOURS: Record<string, string> = { warning: "#c92a2a", created: "#2f9e44", deleted: "#868e96", changed: "#e8590c", event: "#495057" };

function markColour(m: Marker): string {
  return MARK_COLOURS[m.warning ? "warning" : (m.what ?? "event")] ?? MARK_COLOURS.event;
}

/** The hover tip of the marks, one for the page. */
function markTip(): HTMLElement {
  let tip = document.querySelector<HTMLElement>(".mark-tip");
  if (!tip) {
    tip = document.createElement("div");
    tip.className = "mark-tip";
    tip.dataset.testid = "mark-tip";
    tip.hidden = true;
    document.body.appendChild(tip);
  }
  return tip;
}

/** Marks closer than this (CSS pixels) are one: a reader cannot point at either. */
const MERGE_PX = 2;
/** Half the width a mark answers the pointer over, when its neighbours leave room. */
const HIT_PX = 4;

/** A uPlot plugin drawing the markers as elements over the plot, one per place on the time
 *  axis: a dashed line at the time, answering the pointer a few pixels either side (never
 *  over a neighbour's). Hover: what happened; click: the object, or the Changes view of
 *  the seconds the mark covers. The chart's box records how many markers were in view. */
function markerPlugin(overlay: Overlay, box: HTMLElement): uPlot.Plugin {
  return {
    hooks: {
      draw: (u: uPlot) => {
        const min = u.scales.x.min ?? -Infinity;
        const max = u.scales.x.max ?? Infinity;
        const shown = overlay.markers.filter((m) => m.t >= min && m.t <= max).sort((a, b) => a.t - b.t);
        box.dataset.markers = String(shown.length);
        for (const old of u.over.querySelectorAll(".mark")) old.remove();
        const groups: { x: number; ms: Marker[] }[] = [];
        for (const m of shown) {
          const x = u.valToPos(m.t, "x");
          const last = groups[groups.length - 1];
          if (last && x - last.x < MERGE_PX) last.ms.push(m);
          else groups.push({ x, ms: [m] });
        }
        groups.forEach(({ x, ms }, i) => {
          const left = i > 0 ? Math.min(HIT_PX, (x - groups[i - 1].x) / 2) : HIT_PX;
          const right = i + 1 < groups.length ? Math.min(HIT_PX, (groups[i + 1].x - x) / 2) : HIT_PX;
          const el = document.createElement("div");
          el.className = `mark${ms.some((m) => m.warning) ? " warning" : ""}`;
          el.dataset.testid = "chart-mark";
          el.dataset.t = String(ms[0].t);
          el.dataset.tLast = String(ms[ms.length - 1].t);
          el.dataset.count = String(ms.length);
          el.style.left = `${x - left}px`;
          el.style.width = `${left + right}px`;
          el.style.setProperty("--mark", markColour(ms.find((m) => m.warning) ?? ms[0]));
          const line = document.createElement("div");
          line.className = "mark-line";
          line.style.left = `${left}px`;
          el.appendChild(line);
          const lines = ms.map((m) => m.text);
          el.setAttribute("aria-label", lines.join("; "));
          const href = ms.length === 1 ? ms[0].href : overlay.secondHref?.(Math.floor(ms[0].t), Math.floor(ms[ms.length - 1].t) + 1);
          el.addEventListener("mouseenter", () => {
            const tip = markTip();
            tip.innerHTML = "";
            for (const text of lines) tip.appendChild(Object.assign(document.createElement("div"), { textContent: text }));
            const r = el.getBoundingClientRect();
            tip.style.left = `${r.right + window.scrollX + 6}px`;
            tip.style.top = `${r.top + window.scrollY}px`;
            tip.hidden = false;
          });
          el.addEventListener("mouseleave", () => (markTip().hidden = true));
          // Not the start of a drag selection.
          el.addEventListener("mousedown", (e) => e.stopPropagation());
          el.addEventListener("click", () => {
            markTip().hidden = true;
            if (href) location.hash = href.replace(/^#/, "");
          });
          u.over.appendChild(el);
        });
      },
    },
  };
}

export interface ChartOptions {
  perRow?: number;
  /** Fixes the time axis (seconds), so that marks of a range with little data fall where
   *  they belong. */
  range?: [number, number] | null;
  secondHref?: (fromSecond: number, toSecond: number) => string;
}

/** Draws the charts into `el`; `onSelect` gets a dragged range (ns). */
export function renderCharts(el: HTMLElement, cols: SeriesColumns, onSelect: (fromNs: number, toNs: number) => void, markers: Marker[] = [], opts: ChartOptions = {}): void {
  const perRow = opts.perRow ?? 2;
  // Charts of containers no longer in the page go too.
  for (const box of [...plots.keys()]) if (box === el || !box.isConnected) destroyCharts(box);
  el.innerHTML = "";
  const list: uPlot[] = [];
  plots.set(el, list);
  const overlay: Overlay = { markers, range: opts.range ?? null, secondHref: opts.secondHref };
  overlays.set(el, overlay);
  const width = Math.max(260, Math.floor(el.clientWidth / perRow) - 16);
  for (const spec of SPECS) {
    const box = document.createElement("div");
    box.className = "chart";
    box.dataset.testid = `chart-${spec.title.replace(/ \(.*/, "").toLowerCase().replace(/\s+/g, "-")}`;
    el.appendChild(box);
    const data: uPlot.AlignedData = [cols.t, ...spec.series.map((s) => s.values(cols))];
    const options: uPlot.Options = {
      title: spec.title,
      width,
      height: 140,
      cursor: { drag: { x: true, y: false } },
      plugins: [markerPlugin(overlay, box)],
      legend: { show: true },
      scales: { x: { time: true, range: (_u, min, max) => overlay.range ?? [min, max] } },
      axes: [{ stroke: "#666", grid: { stroke: "#eee" } }, { stroke: "#666", grid: { stroke: "#eee" }, size: 70, values: (_u, vals) => vals.map((v) => (v === null ? "" : spec.fmt(v))) }],
      series: [{}, ...spec.series.map((s) => ({ label: s.label, stroke: s.color, fill: `${s.color}22`, width: 1.5, spanGaps: false, value: (_u: uPlot, v: number | null) => (v === null ? "–" : spec.fmt(v)) }))],
      hooks: {
        setSelect: [
          (u: uPlot) => {
            if (u.select.width < 4) return;
            const a = u.posToVal(u.select.left, "x");
            const b = u.posToVal(u.select.left + u.select.width, "x");
            onSelect(Math.floor(a * 1e9), Math.ceil(b * 1e9));
          },
        ],
      },
    };
    list.push(new uPlot(options, data, box));
  }
}
