// The JSON API of `kinsight up` (see /api/openapi.json), typed for the UI.

export interface Range {
  from: number;
  to: number;
  seconds: number;
}

export interface SourceStatus {
  kind: string;
  state: string;
  detail: string;
  events: number;
  bytes_read: number;
  error: string | null;
}

export interface Status {
  version: string;
  mode: { kind: "replay" | "live"; file?: string };
  live_message: string | null;
  sources: SourceStatus[];
  active: boolean;
  data: Range | null;
  now_ns: number;
  history: { series: number; heap_bytes: number; max_bytes: number; tiers: { resolution_s: number; retention_s: number; kept: number }[] };
  auth: { token_required: boolean };
}

export interface Hierarchies {
  hierarchies: { id: string; title: string; levels: string[] }[];
  label_keys: string[];
}

export interface EntityRef {
  id: string;
  kind: string;
  name: string;
  namespace?: string | null;
  level?: string;
}

export interface EntityRow {
  id: string;
  kind: string;
  name: string;
  namespace: string | null;
  processes: number;
  cpu_pct: number;
  memory_bytes: number;
  file_read_bytes: number;
  file_write_bytes: number;
  file_bytes: number;
  net_in_bytes: number;
  net_out_bytes: number;
  net_bytes: number;
  http_requests: number;
  http_rps: number;
  http_errors: number;
  http_error_pct: number | null;
  http_latency_ms: number | null;
  http_out_requests: number;
  /** Requests of every protocol (or of the chosen one), served and sent. */
  requests: number;
  request_rps: number;
  request_errors: number;
  request_error_pct: number | null;
  request_latency_ms: number | null;
  sent_requests: number;
  sent_rps: number;
  sent_errors: number;
  sent_error_pct: number | null;
  sent_latency_ms: number | null;
  /** The protocols the entity served or sent requests of. */
  protocols: string[];
  has_children: boolean;
  k8s?: K8sState | null;
  /** On process rows: what `ps` says of it. */
  process?: ProcessInfo;
  /** On rows grouped by command: how many processes the row folds. */
  count?: number;
}

export interface ProcessInfo {
  pid: number;
  cmdline: string;
  user: string | null;
  /** Still running at the end of the range. */
  alive: boolean;
}

/** What Kubernetes says of an object (the columns `kubectl get` shows); absent fields do not apply. */
export interface K8sState {
  kind: string;
  phase?: string;
  ready_containers?: number;
  containers?: number;
  restarts?: number;
  last_termination?: string;
  state?: string;
  role?: string;
  image?: string;
  node?: string;
  ip?: string;
  owner?: string;
  desired_replicas?: number;
  current_replicas?: number;
  ready_replicas?: number;
  updated_replicas?: number;
  created_ns?: number;
  deleted_ns?: number;
  node_ready?: boolean;
  conditions?: string[];
  cpu_allocatable_millis?: number;
  memory_allocatable_bytes?: number;
  pods_allocatable?: number;
  cpu_capacity_millis?: number;
  memory_capacity_bytes?: number;
}

export interface Change {
  ts_ns: number;
  kind: string;
  uid: string;
  namespace: string | null;
  name: string;
  change: string;
  fields: { field: string; from: string; to: string }[];
}

export interface KubeEvent {
  first_ns: number;
  last_ns: number;
  count: number;
  type: string | null;
  reason: string | null;
  message: string | null;
  source: string | null;
  object: { kind: string; namespace: string | null; name: string; uid: string | null };
}

export interface TopList {
  level: "workload" | "pod" | "command";
  hierarchy: string;
  by: "cpu_pct" | "memory_bytes" | "net_bytes" | "http_errors" | "request_errors";
  rows: EntityRow[];
}

export interface Overview {
  range: Range;
  kubernetes: boolean;
  totals: { processes: number; cpu_pct: number; memory_bytes: number; file_read_bytes: number; file_write_bytes: number; net_in_bytes: number; net_out_bytes: number; http_requests: number; http_errors: number; http_rps: number; requests: number; request_errors: number; request_rps: number; sent_requests: number; sent_errors: number };
  counts: { nodes: number; namespaces: number; workloads: number; services: number; pods: number; containers: number; processes: number; processes_running: number };
  nodes: EntityRow[];
  namespaces: EntityRow[];
  top: TopList[];
  changes: { created: number; changed: number; deleted: number };
  events: { total: number; warnings: number; recent_warnings: KubeEvent[] };
}

export interface Listing<T> {
  range: Range;
  total: number;
  dropped: number;
  rows: T[];
}

export interface EntitiesPage {
  hierarchy: string;
  level: string;
  levels: string[];
  parent: EntityRef | null;
  range: Range;
  total: number;
  rows: EntityRow[];
}

export interface EntityDetail {
  id: string;
  kind: string;
  name: string;
  namespace: string | null;
  level: string;
  attributes: Record<string, unknown> | null;
  paths: Record<string, EntityRef[] | null>;
  filter: string | null;
  totals: EntityRow | null;
  k8s?: K8sState | null;
  changes?: Change[] | null;
  events?: KubeEvent[] | null;
}

export interface SeriesColumns {
  resolution_s: number;
  t: number[];
  cpu_pct: number[];
  memory_bytes: (number | null)[];
  net_in_bps: number[];
  net_out_bps: number[];
  file_read_bps: number[];
  file_write_bps: number[];
  http_rps: number[];
  http_error_pct: (number | null)[];
  http_latency_ms: (number | null)[];
  request_rps: number[];
  request_error_pct: (number | null)[];
  request_latency_ms: (number | null)[];
  sent_rps: number[];
  sent_error_pct: (number | null)[];
  sent_latency_ms: (number | null)[];
}

export interface TopoNode {
  id: string;
  kind: string;
  name: string;
  namespace: string | null;
  inside: boolean;
}

export interface TopoEdge {
  source: string;
  target: string;
  bytes: number;
  /** Requests of every protocol over the edge, those that failed, their mean latency. */
  requests: number;
  errors: number;
  latency_ms: number | null;
  ports: number[];
  kind: "traffic" | "member";
}

export interface Topology {
  level: string;
  levels: string[];
  parent: EntityRef | null;
  nodes: TopoNode[];
  edges: TopoEdge[];
}

export interface Owner {
  process: EntityRef;
  pid: number;
  container: EntityRef | null;
  pod: EntityRef | null;
}

export interface ConnRow extends Owner {
  proto: string;
  client_ip: string;
  server_ip: string;
  server_port: number;
  side: string;
  client: EntityRef;
  server: EntityRef;
  bytes_in: number;
  bytes_out: number;
  bytes: number;
  requests: number;
  errors: number;
  latency_ms: number | null;
}

export interface FileRow extends Owner {
  path: string;
  read_bytes: number;
  write_bytes: number;
  bytes: number;
}

export interface HttpRow extends Owner {
  ts_ns: number;
  side: string;
  method: string;
  url: string;
  status: number;
  latency_ms: number;
  size_bytes: number;
  peer: EntityRef | null;
}

/** A request of any protocol, as `kinsight read --view requests` lists it. */
export interface RequestRow extends Owner {
  ts_ns: number;
  protocol: string;
  side: string;
  operation: string;
  target: string;
  status: string;
  error: boolean;
  latency_ms: number;
  request_bytes: number;
  response_bytes: number;
  client_ip: string | null;
  server_ip: string | null;
  server_port: number | null;
  peer: EntityRef | null;
}

export interface Rows<T> {
  total: number;
  rows: T[];
}

/** An error the API answered with: code, message, and for filters the column. */
export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public details: Record<string, unknown>,
  ) {
    super(message);
  }
}

const TOKEN_KEY = "kinsight-token";

/** The token comes in the URL fragment (`#token=...`) once, then lives in the session. */
export function takeTokenFromUrl(): void {
  const m = location.hash.match(/(?:^#|&)token=([^&]*)/);
  if (m) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
    const rest = location.hash.replace(/(^#|&)token=[^&]*/, "$1").replace(/^#&/, "#");
    history.replaceState(null, "", location.pathname + location.search + (rest === "#" ? "" : rest));
  }
}

export function setToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export async function get<T>(path: string, params: Record<string, string | number | undefined | null> = {}): Promise<T> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  }
  const url = q.toString() ? `${path}?${q}` : path;
  const headers: Record<string, string> = { Accept: "application/json" };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  const resp = await fetch(url, { headers });
  const body = await resp.json().catch(() => null);
  if (!resp.ok) {
    const e = body?.error ?? {};
    throw new ApiError(resp.status, e.code ?? "http_error", e.message ?? `${resp.status} ${resp.statusText}`, e);
  }
  return body as T;
}
