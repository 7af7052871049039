// What Kubernetes says of the entities: the state columns of the table (as `kubectl get`
// shows them), the Kubernetes part of the details panel (state, Events, changes), and the
// "what changed" view of the cluster over the time range.

import type { Marker } from "./charts";
import { get, type Change, type EntityRow, type K8sState, type KubeEvent, type Listing } from "./api";
import { bytes, duration, esc, time } from "./format";
import { hashOf, type ViewState } from "./state";

export interface StateColumn {
  /** The API's sort key, or "" when the column does not sort. */
  sort: string;
  label: string;
  title: string;
  /** Whether the column applies to this row (the column shows when it applies to any). */
  applies: (k: K8sState) => boolean;
  cell: (k: K8sState, nowNs: number) => string;
}

/** `Running`, `Pending`, node `Ready` / `NotReady`, a container's `waiting: …`. */
export function statusText(k: K8sState): string {
  if (k.deleted_ns !== undefined) return "deleted";
  if (k.phase !== undefined) {
    // A running pod with a container in trouble reads as the trouble, as in kubectl.
    return k.phase;
  }
  if (k.node_ready !== undefined) return k.node_ready ? "Ready" : "NotReady";
  if (k.state !== undefined) return k.state;
  return "";
}

function statusClass(k: K8sState): string {
  const s = statusText(k);
  if (s === "deleted") return "st-gone";
  if (/^(Running|Ready|Succeeded|running)$/.test(s)) return "st-ok";
  if (/^(Pending|waiting)/.test(s)) return "st-wait";
  if (s) return "st-bad";
  return "";
}

export function age(createdNs: number | undefined, nowNs: number): string {
  if (createdNs === undefined) return "–";
  return duration(Math.max(0, (nowNs - createdNs) / 1e9));
}

export const STATE_COLUMNS: StateColumn[] = [
  {
    sort: "phase",
    label: "Status",
    title: "Pod phase, node Ready condition or container state, as Kubernetes reports it now (deleted: gone from the API)",
    applies: (k) => k.phase !== undefined || k.node_ready !== undefined || k.state !== undefined || k.deleted_ns !== undefined,
    cell: (k) => {
      const problems = [...(k.conditions ?? []), ...(k.last_termination ? [`last terminated: ${k.last_termination}`] : [])];
      const title = problems.length ? ` title="${esc(problems.join("; "))}"` : "";
      return `<span class="st ${statusClass(k)}"${title}>${esc(statusText(k))}${problems.length ? " ⚠" : ""}</span>`;
    },
  },
  {
    sort: "",
    label: "Ready",
    title: "Ready containers of a pod / ready replicas of a workload, out of those wanted",
    applies: (k) => k.ready_containers !== undefined || k.ready_replicas !== undefined || k.desired_replicas !== undefined,
    cell: (k) => {
      if (k.ready_containers !== undefined) return `${k.ready_containers}/${k.containers ?? 0}`;
      return `${k.ready_replicas ?? 0}/${k.desired_replicas ?? k.current_replicas ?? 0}`;
    },
  },
  {
    sort: "",
    label: "Up-to-date",
    title: "Replicas running the workload's current template",
    applies: (k) => k.updated_replicas !== undefined,
    cell: (k) => (k.updated_replicas === undefined ? "" : String(k.updated_replicas)),
  },
  {
    sort: "restarts",
    label: "Restarts",
    title: "Container restarts counted by the kubelet (all containers of a pod)",
    applies: (k) => k.restarts !== undefined,
    cell: (k) => (k.restarts === undefined ? "" : String(k.restarts)),
  },
  {
    sort: "",
    label: "Node",
    title: "The node a pod is scheduled on",
    applies: (k) => k.node !== undefined,
    cell: (k) => esc(k.node ?? ""),
  },
  {
    sort: "age",
    label: "Age",
    title: "Time since the object was created (metadata.creationTimestamp)",
    applies: (k) => k.created_ns !== undefined,
    cell: (k, now) => age(k.created_ns, now),
  },
];

/** The state columns that apply to at least one of the rows. */
export function stateColumns(rows: EntityRow[]): StateColumn[] {
  return STATE_COLUMNS.filter((c) => rows.some((r) => r.k8s && c.applies(r.k8s)));
}

function eventRows(events: KubeEvent[], withObject: boolean): string {
  if (!events.length) return `<p class="note" data-testid="no-events">No Kubernetes Events about it in this time range.</p>`;
  const body = events
    .map((e) => {
      const warn = e.type === "Warning";
      const obj = withObject ? `<td>${esc(e.object.kind)} ${esc(e.object.name)}</td>` : "";
      const count = e.count > 1 ? ` <span class="dim">×${e.count}</span>` : "";
      return `<tr class="${warn ? "ev-warning" : ""}" data-testid="event"><td class="mono">${esc(time(e.last_ns))}</td><td>${esc(e.type ?? "")}</td><td data-col="reason">${esc(e.reason ?? "")}${count}</td>${obj}<td data-col="message">${esc(e.message ?? "")}</td></tr>`;
    })
    .join("");
  const head = `<th>Last seen</th><th>Type</th><th>Reason</th>${withObject ? "<th>Object</th>" : ""}<th>Message</th>`;
  return `<table class="drill kube-events" data-testid="events"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function changeText(c: Change): string {
  if (c.change !== "changed") return c.change;
  return c.fields.map((f) => `${f.field}: ${f.from || "–"} → ${f.to || "–"}`).join("; ");
}

/** The explorer's id of the entity an object is (none for kinds that are not entities, or a
 *  pod whose uid is not known). */
function entityId(c: { kind: string; uid: string | null; namespace: string | null; name: string }): string | null {
  switch (c.kind) {
    case "Pod":
      return c.uid ? `pod:${c.uid}` : null;
    case "Node":
      return `node:${c.name}`;
    case "Namespace":
      return `ns:${c.name}`;
    case "Service":
      return `svc:${c.namespace}/${c.name}`;
    case "Deployment":
    case "ReplicaSet":
    case "StatefulSet":
    case "DaemonSet":
    case "Job":
    case "CronJob":
    case "ReplicationController":
      return `wl:${c.namespace}/${c.kind.toLowerCase()}/${c.name}`;
    default:
      return null;
  }
}

function changeRows(changes: Change[], withObject: boolean, st: ViewState | null): string {
  if (!changes.length) return `<p class="note" data-testid="no-changes">Nothing changed in this time range.</p>`;
  const body = changes
    .map((c) => {
      const id = entityId(c);
      const name = st && id ? `<a href="${esc(hashOf({ ...st, sel: id }))}">${esc(c.name)}</a>` : esc(c.name);
      const obj = withObject ? `<td><span class="kind k-${esc(c.kind.toLowerCase())}">${esc(c.kind)}</span>${name}${c.namespace ? `<span class="ns">${esc(c.namespace)}</span>` : ""}</td>` : "";
      return `<tr class="ch-${esc(c.change)}" data-testid="change" data-change="${esc(c.change)}" data-kind="${esc(c.kind)}" data-name="${esc(c.name)}"><td class="mono">${esc(time(c.ts_ns))}</td>${obj}<td>${esc(changeText(c))}</td></tr>`;
    })
    .join("");
  return `<table class="drill kube-changes" data-testid="changes"><thead><tr><th>When</th>${withObject ? "<th>Object</th>" : ""}<th>Change</th></tr></thead><tbody>${body}</tbody></table>`;
}

/** The Kubernetes part of an entity's details: its state, its Events and its changes. */
export function kubeDetails(k: K8sState | null | undefined, events: KubeEvent[] | null | undefined, changes: Change[] | null | undefined, nowNs: number): string {
  if (!k && !events && !changes) return "";
  const facts: [string, string][] = [];
  if (k) {
    facts.push(["Kind", esc(k.kind)]);
    const status = statusText(k);
    if (status) facts.push(["Status", `<span class="st ${statusClass(k)}">${esc(status)}</span>`]);
    for (const c of STATE_COLUMNS.slice(1)) if (c.applies(k) && c.label !== "Node") facts.push([c.label, c.cell(k, nowNs)]);
    if (k.node) facts.push(["Node", esc(k.node)]);
    if (k.ip) facts.push(["IP", esc(k.ip)]);
    if (k.owner) facts.push(["Owner", esc(k.owner)]);
    if (k.image) facts.push(["Image", `<span class="mono">${esc(k.image)}</span>`]);
    if (k.last_termination) facts.push(["Last terminated", esc(k.last_termination)]);
    if (k.conditions?.length) facts.push(["Conditions", esc(k.conditions.join(", "))]);
    if (k.cpu_allocatable_millis !== undefined) facts.push(["Allocatable", `${(k.cpu_allocatable_millis / 1000).toFixed(2)} CPU, ${bytes(k.memory_allocatable_bytes)}, ${k.pods_allocatable ?? "–"} pods`]);
    if (k.cpu_capacity_millis !== undefined) facts.push(["Capacity", `${(k.cpu_capacity_millis / 1000).toFixed(2)} CPU, ${bytes(k.memory_capacity_bytes)}`]);
    if (k.created_ns !== undefined) facts.push(["Created", `${esc(time(k.created_ns))} <span class="dim">(${age(k.created_ns, nowNs)} ago)</span>`]);
    if (k.deleted_ns !== undefined) facts.push(["Deleted", esc(time(k.deleted_ns))]);
  }
  const dl = facts.length ? `<dl class="facts" data-testid="k8s-state">${facts.map(([t, d]) => `<dt>${esc(t)}</dt><dd>${d}</dd>`).join("")}</dl>` : "";
  const ev = events ? `<h3>Events</h3>${eventRows(events, false)}` : "";
  const ch = changes ? `<details data-testid="k8s-changes"${changes.length ? " open" : ""}><summary>Changes (${changes.length})</summary>${changeRows(changes, false, null)}</details>` : "";
  return `<section class="kube" data-testid="kube">${dl}${ev}${ch}</section>`;
}

/** The "Changes" view: what changed in the cluster and its Events over the range, in the
 *  namespace being looked at when there is one. */
export async function renderChanges(el: HTMLElement, st: ViewState, namespace: string | null): Promise<string> {
  const range = { from: st.from || undefined, to: st.to || undefined };
  const [changes, events] = await Promise.all([
    get<Listing<Change>>("/api/changes", { ...range, namespace: namespace ?? undefined, limit: 2000 }),
    get<Listing<KubeEvent>>("/api/events", { ...range, namespace: namespace ?? undefined, limit: 2000 }),
  ]);
  const lost = (l: Listing<unknown>, what: string) => (l.dropped ? `<p class="note">${l.dropped} older ${what} were dropped (the log is bounded).</p>` : "");
  const more = (l: Listing<unknown>) => (l.total > l.rows.length ? `<p class="note">Showing ${l.rows.length} of ${l.total}.</p>` : "");
  const created = changes.rows.filter((c) => c.change === "created").length;
  const deleted = changes.rows.filter((c) => c.change === "deleted").length;
  const changed = changes.rows.length - created - deleted;
  const summary = `<p data-testid="changes-summary">${created} created, ${changed} changed, ${deleted} deleted${namespace ? ` in namespace ${esc(namespace)}` : ""}; ${events.total} Events.</p>`;
  el.innerHTML = `<div class="changes-view" data-testid="changes-view">${summary}<h3>What changed</h3>${changeRows(changes.rows, true, st)}${more(changes)}${lost(changes, "changes")}<h3>Events</h3>${eventRows(events.rows, true)}${more(events)}${lost(events, "Events")}</div>`;
  return `changes: ${changes.total} · events: ${events.total} · ${time(changes.range.from)} – ${time(changes.range.to)}`;
}

function objectName(o: { kind: string; namespace: string | null; name: string }): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ""}${o.name}`;
}

/** Where an object opens in the explorer: selected, over the same range. */
function objectHref(o: { kind: string; uid: string | null; namespace: string | null; name: string }, st: ViewState | null): string | undefined {
  const id = entityId(o);
  if (!id || !st) return undefined;
  const h = o.kind === "Node" || o.kind === "Pod" ? "physical" : o.kind === "Service" ? "services" : "logical";
  return hashOf({ ...st, tab: "table", h, p: "", level: "", sel: id, f: "", g: "", alive: "" });
}

/** Event times for the chart markers: the last time each was seen, Warnings apart. With
 *  `st`, each names its object and links to it. */
export function eventMarkers(events: KubeEvent[] | null | undefined, st: ViewState | null = null): Marker[] {
  return (events ?? []).map((e) => ({
    t: e.last_ns / 1e9,
    warning: e.type === "Warning",
    what: "event",
    object: objectName(e.object),
    href: objectHref(e.object, st),
    text: `${time(e.last_ns)} ${e.type ?? "Event"} ${e.reason ?? ""}: ${objectName(e.object)}: ${e.message ?? ""}${e.count > 1 ? ` (×${e.count})` : ""}`,
  }));
}

/** What changed, as chart markers at the time each was seen: created, deleted, restarts and
 *  the other followed fields. */
export function changeMarkers(changes: Change[], st: ViewState | null): Marker[] {
  return changes.map((c) => ({
    t: c.ts_ns / 1e9,
    warning: false,
    what: c.change,
    object: objectName(c),
    href: objectHref(c, st),
    text: `${time(c.ts_ns)} ${objectName(c)} ${changeText(c)}`,
  }));
}
