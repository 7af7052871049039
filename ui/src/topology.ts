// The topology of the current level: entities as nodes, connections as edges weighted by
// bytes, requests of every protocol or failed requests, services linked to the pods they select. The graph library is
// loaded on first use: the table view does not pay for it.

import type { Topology } from "./api";
import { bytes, esc, ms } from "./format";

type Cy = import("cytoscape").Core;
let cy: Cy | null = null;

const SHAPES: Record<string, string> = {
  node: "round-rectangle",
  service: "diamond",
  address: "ellipse",
  group: "round-rectangle",
  namespace: "round-hexagon",
  process: "ellipse",
  container: "round-rectangle",
};

export function destroyTopology(): void {
  cy?.destroy();
  cy = null;
}

/** Label sizes on the screen, in pixels. */
const NODE_FONT = 11;
const EDGE_FONT = 9;
/** Labels longer than this are cut in the middle: pods differ at their ends (`backend-…-csj02`).
 *  (Cut here rather than by the graph library's ellipsis, which keeps the width it measured
 *  at the first zoom and so cuts labels once their size follows the zoom.) */
const LABEL_MAX = 20;

export function shorten(name: string): string {
  if (name.length <= LABEL_MAX) return name;
  const tail = 7;
  return `${name.slice(0, LABEL_MAX - tail - 1)}…${name.slice(-tail)}`;
}

type Box = { x1: number; y1: number; x2: number; y2: number; w?: number };
const overlaps = (a: Box, b: Box) => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;

/** Hides the labels that would overlap one already shown, or another node, busiest nodes
 *  (most edges) first. Zooming in gives them room and shows them again. */
function declutter(core: Cy): void {
  const nodes = core.nodes().sort((a, b) => b.degree(false) - a.degree(false) || Number(b.data("inside")) - Number(a.data("inside")));
  const bodies: Box[] = core.nodes().map((n) => n.boundingBox({ includeLabels: false, includeOverlays: false }));
  const placed: Box[] = [];
  nodes.forEach((n) => {
    const box = n.boundingBox({ includeNodes: false, includeEdges: false, includeLabels: true, includeOverlays: false });
    const own = n.boundingBox({ includeLabels: false, includeOverlays: false });
    const clash = placed.some((b) => overlaps(b, box)) || bodies.some((b) => b !== own && !(b.x1 === own.x1 && b.y1 === own.y1) && overlaps(b, box));
    n.toggleClass("nolabel", clash);
    if (!clash) placed.push(box);
  });
  // Edge labels (heaviest first) only where they cover no node and no other label; the
  // legend line names an edge on hover.
  const edges = core.edges('[label != ""]').sort((a, b) => Number(b.data("width")) - Number(a.data("width")));
  edges.forEach((e) => {
    const box = e.boundingBox({ includeNodes: false, includeEdges: false, includeLabels: true, includeOverlays: false });
    const clash = box.w > 0 && (placed.some((b) => overlaps(b, box)) || bodies.some((b) => overlaps(b, box)));
    e.toggleClass("nolabel", clash);
    if (!clash && box.w > 0) placed.push(box);
  });
}

type Weight = "bytes" | "requests" | "errors";

function weightOf(e: { bytes: number; requests: number; errors: number }, w: Weight): number {
  return w === "bytes" ? e.bytes : w === "requests" ? e.requests : e.errors;
}

const WEIGHT_LEGEND: Record<Weight, string> = { bytes: "bytes moved", requests: "requests of every protocol", errors: "failed requests of every protocol" };

function edgeLabel(e: { bytes: number; requests: number; errors: number }, w: Weight): string {
  if (w === "bytes") return bytes(e.bytes);
  if (w === "requests") return `${e.requests} req`;
  return `${e.errors} failed`;
}

export async function renderTopology(el: HTMLElement, topo: Topology, weight: Weight, onSelect: (id: string) => void, onOpen: (id: string) => void): Promise<void> {
  destroyTopology();
  el.innerHTML = `<div class="topo-canvas" data-testid="topology" data-weight="${weight}"></div><p class="note topo-legend">Edges: ${WEIGHT_LEGEND[weight]} (width); dashed: a service selects the pod. Faded nodes are outside the current selection. Click selects, double-click opens.</p>`;
  const canvas = el.querySelector<HTMLElement>(".topo-canvas")!;
  (window as unknown as { __kinsightTopology: Topology }).__kinsightTopology = topo;
  if (topo.nodes.length === 0) {
    canvas.innerHTML = `<p class="note" data-testid="topology-empty">No entities in this selection.</p>`;
    return;
  }
  const { default: cytoscape } = await import("cytoscape");
  const traffic = topo.edges.filter((e) => e.kind === "traffic");
  const max = Math.max(1, ...traffic.map((e) => weightOf(e, weight)));
  const elements = [
    ...topo.nodes.map((n) => ({
      data: { id: n.id, label: shorten(n.name), full: n.name, kind: n.kind, namespace: n.namespace ?? "", inside: n.inside ? 1 : 0 },
    })),
    ...topo.edges
      .filter((e) => e.kind === "member" || weightOf(e, weight) > 0)
      .map((e, i) => ({
        data: {
          id: `e${i}`,
          source: e.source,
          target: e.target,
          kind: e.kind,
          width: e.kind === "member" ? 1 : 1 + 7 * Math.sqrt(weightOf(e, weight) / max),
          weight: weightOf(e, weight),
          label: e.kind === "member" ? "" : edgeLabel(e, weight),
          title: `${e.source} → ${e.target}: ${bytes(e.bytes)}, ${e.requests} requests (${e.errors} failed${e.latency_ms === null ? "" : `, ${ms(e.latency_ms)} mean`}), ports ${e.ports.join(", ")}`,
        },
      })),
  ];
  cy = cytoscape({
    container: canvas,
    elements,
    style: [
      {
        selector: "node",
        style: {
          label: "data(label)",
          "font-size": NODE_FONT,
          "text-valign": "bottom",
          "text-margin-y": 4,
          "min-zoomed-font-size": 0,
          "background-color": "#4263eb",
          width: 26,
          height: 26,
        },
      },
      // A label that would overlap another is hidden (the tooltip names the node).
      { selector: "node.nolabel, edge.nolabel", style: { "text-opacity": 0, "text-background-opacity": 0 } },
      ...Object.entries(SHAPES).map(([kind, shape]) => ({ selector: `node[kind = "${kind}"]`, style: { shape: shape as "ellipse" } })),
      { selector: 'node[kind = "service"]', style: { "background-color": "#f08c00" } },
      { selector: 'node[kind = "address"]', style: { "background-color": "#868e96" } },
      { selector: 'node[kind = "node"], node[kind = "group"]', style: { "background-color": "#495057" } },
      { selector: "node[inside = 0]", style: { opacity: 0.55 } },
      { selector: "node:selected", style: { "border-width": 3, "border-color": "#e03131" } },
      {
        selector: "edge",
        style: {
          width: "data(width)",
          "line-color": "#adb5bd",
          "target-arrow-color": "#adb5bd",
          "target-arrow-shape": "triangle",
          "curve-style": "bezier",
          label: "data(label)",
          "font-size": EDGE_FONT,
          color: "#495057",
          "text-background-color": "#fff",
          "text-background-opacity": 0.8,
        },
      },
      { selector: 'edge[kind = "member"]', style: { "line-style": "dashed", "target-arrow-shape": "none", "line-color": "#f08c00" } },
    ],
    // Room for the labels grows with the number of nodes, so that 50 and more stay apart.
    layout: {
      name: topo.nodes.length > 300 ? "grid" : "cose",
      animate: false,
      nodeDimensionsIncludeLabels: true,
      nodeRepulsion: () => 6000 + 120 * topo.nodes.length,
      idealEdgeLength: () => 60 + Math.min(80, topo.nodes.length),
      padding: 24,
    } as import("cytoscape").LayoutOptions,
  });
  const core = cy;
  // Labels keep one size on the screen whatever the zoom: their model size is divided by it.
  // Then those that would overlap a label already placed (busier nodes first) are hidden.
  const fit = () => {
    const z = core.zoom();
    // On the elements themselves: a stylesheet change would keep the label sizes measured
    // before it, and the labels would be cut to them.
    core.batch(() => {
      core.nodes().style({ "font-size": NODE_FONT / z, "text-margin-y": 4 / z });
      core.edges().style({ "font-size": EDGE_FONT / z });
    });
    declutter(core);
  };
  let queued = 0;
  core.on("zoom", () => {
    cancelAnimationFrame(queued);
    queued = requestAnimationFrame(fit);
  });
  fit();
  // The full name, kind and namespace on hover.
  const tip = document.createElement("div");
  tip.className = "topo-tip";
  tip.dataset.testid = "topology-tip";
  tip.hidden = true;
  canvas.appendChild(tip);
  core.on("mouseover", "node", (ev) => {
    const n = ev.target;
    const p = n.renderedPosition();
    tip.textContent = `${n.data("kind")} ${n.data("full")}${n.data("namespace") ? ` (${n.data("namespace")})` : ""}`;
    tip.style.left = `${p.x + 14}px`;
    tip.style.top = `${p.y - 10}px`;
    tip.hidden = false;
  });
  core.on("mouseout", "node", () => (tip.hidden = true));
  cy.on("tap", "node", (ev) => {
    const id = ev.target.id() as string;
    if (!id.startsWith("ip:")) onSelect(id);
  });
  cy.on("dbltap", "node", (ev) => {
    const id = ev.target.id() as string;
    if (!id.startsWith("ip:")) onOpen(id);
  });
  // Tooltip-ish: edge details on hover in the legend line.
  const legend = el.querySelector<HTMLElement>(".topo-legend")!;
  const base = legend.innerHTML;
  cy.on("mouseover", "edge", (ev) => (legend.innerHTML = esc(ev.target.data("title"))));
  cy.on("mouseout", "edge", () => (legend.innerHTML = base));
  (window as unknown as { __kinsightCy: Cy }).__kinsightCy = cy;
}
