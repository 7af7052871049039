// The topology of the current level: entities as nodes, connections as edges weighted by
// bytes or HTTP requests, services linked to the pods they select. The graph library is
// loaded on first use: the table view does not pay for it.

import type { Topology } from "./api";
import { bytes, esc } from "./format";

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

function weightOf(e: { bytes: number; requests: number }, w: "bytes" | "requests"): number {
  return w === "bytes" ? e.bytes : e.requests;
}

export async function renderTopology(el: HTMLElement, topo: Topology, weight: "bytes" | "requests", onSelect: (id: string) => void, onOpen: (id: string) => void): Promise<void> {
  destroyTopology();
  el.innerHTML = `<div class="topo-canvas" data-testid="topology"></div><p class="note topo-legend">Edges: ${weight === "bytes" ? "bytes moved" : "HTTP requests"} (width); dashed: a service selects the pod. Faded nodes are outside the current selection. Click selects, double-click opens.</p>`;
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
      data: { id: n.id, label: n.name, kind: n.kind, inside: n.inside ? 1 : 0 },
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
          label: e.kind === "member" ? "" : weight === "bytes" ? bytes(e.bytes) : `${e.requests} req`,
          title: `${e.source} → ${e.target}: ${bytes(e.bytes)}, ${e.requests} HTTP requests, ports ${e.ports.join(", ")}`,
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
          "font-size": 10,
          "text-valign": "bottom",
          "text-margin-y": 4,
          "background-color": "#4263eb",
          width: 26,
          height: 26,
          "text-wrap": "ellipsis",
          "text-max-width": "140px",
        },
      },
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
          "font-size": 9,
          color: "#495057",
          "text-background-color": "#fff",
          "text-background-opacity": 0.8,
        },
      },
      { selector: 'edge[kind = "member"]', style: { "line-style": "dashed", "target-arrow-shape": "none", "line-color": "#f08c00" } },
    ],
    layout: { name: topo.nodes.length > 300 ? "grid" : "cose", animate: false, nodeDimensionsIncludeLabels: true } as import("cytoscape").LayoutOptions,
  });
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
