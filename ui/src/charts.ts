// Time series of the selected entity, one small chart per measure. Dragging across a
// chart selects that time range for the whole page. Kubernetes Events about the entity are
// drawn on every chart as vertical marks at the time they were last seen (Warnings in
// red), so that a rollout or a BackOff sits next to the curve it explains.

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
  }
}

/** Gives the charts of `el` new data in place (a live refresh): no redraw from scratch,
 *  no jump. False when `el` has no charts of that shape. */
export function updateCharts(el: HTMLElement, cols: SeriesColumns): boolean {
  const list = plots.get(el);
  if (!list || list.length !== SPECS.length || !el.isConnected) return false;
  list.forEach((p, i) => p.setData([cols.t, ...SPECS[i].series.map((s) => s.values(cols))]));
  return true;
}

export interface Marker {
  /** Seconds since the epoch, as the series' times. */
  t: number;
  warning: boolean;
  text: string;
}

/** A uPlot plugin drawing the markers; the chart's box records how many were in view. */
function markerPlugin(markers: Marker[], box: HTMLElement): uPlot.Plugin {
  return {
    hooks: {
      draw: (u: uPlot) => {
        const min = u.scales.x.min ?? -Infinity;
        const max = u.scales.x.max ?? Infinity;
        const shown = markers.filter((m) => m.t >= min && m.t <= max);
        box.dataset.markers = String(shown.length);
        box.title = shown.map((m) => m.text).join("\n");
        const ctx = u.ctx;
        ctx.save();
        ctx.lineWidth = 1.5 * devicePixelRatio;
        ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
        for (const m of shown) {
          const x = Math.round(u.valToPos(m.t, "x", true));
          ctx.strokeStyle = m.warning ? "#c92a2a" : "#495057";
          ctx.beginPath();
          ctx.moveTo(x, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + u.bbox.height);
          ctx.stroke();
        }
        ctx.restore();
      },
    },
  };
}

/** Draws the charts into `el`; `onSelect` gets a dragged range (ns). */
export function renderCharts(el: HTMLElement, cols: SeriesColumns, onSelect: (fromNs: number, toNs: number) => void, markers: Marker[] = [], perRow = 2): void {
  // Charts of containers no longer in the page go too.
  for (const box of [...plots.keys()]) if (box === el || !box.isConnected) destroyCharts(box);
  el.innerHTML = "";
  const list: uPlot[] = [];
  plots.set(el, list);
  const width = Math.max(260, Math.floor(el.clientWidth / perRow) - 16);
  for (const spec of SPECS) {
    const box = document.createElement("div");
    box.className = "chart";
    box.dataset.testid = `chart-${spec.title.replace(/ \(.*/, "").toLowerCase().replace(/\s+/g, "-")}`;
    el.appendChild(box);
    const data: uPlot.AlignedData = [cols.t, ...spec.series.map((s) => s.values(cols))];
    const opts: uPlot.Options = {
      title: spec.title,
      width,
      height: 140,
      cursor: { drag: { x: true, y: false } },
      plugins: [markerPlugin(markers, box)],
      legend: { show: true },
      scales: { x: { time: true } },
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
    list.push(new uPlot(opts, data, box));
  }
}
