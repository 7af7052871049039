// What the page shows lives in the URL fragment, so every view can be linked, reloaded and
// navigated back to: hierarchy, position (parent entity), filter, time range, tab,
// selected entity and sort order.

export interface ViewState {
  /** physical | logical | services | label:KEY */
  h: string;
  /** The entity whose children are listed; empty at the top. */
  p: string;
  /** Level override (otherwise the one below p). */
  level: string;
  /** sysdig filter expression. */
  f: string;
  /** Time range as the API takes it (ns since the epoch or -5m); empty: all data. */
  from: string;
  to: string;
  tab: "overview" | "table" | "topology" | "changes";
  /** Selected entity (details panel). */
  sel: string;
  /** Drill-down tab of the details panel. */
  dtab: "processes" | "connections" | "files" | "http" | "requests";
  sort: string;
  order: "" | "asc" | "desc";
  /** Topology edge weight. */
  w: "bytes" | "requests" | "errors";
  /** Only this protocol's requests in the request columns and charts; empty: every protocol. */
  pr: string;
  /** At the process level: `command` folds the rows by command name, with their count. */
  g: "" | "command";
  /** At the process level: `1` keeps only the processes still running at the end of the range. */
  alive: "" | "1";
  /** Seconds between live refreshes; empty: every 5 s while the data is live, else none. */
  r: string;
}

const DEFAULTS: ViewState = { h: "physical", p: "", level: "", f: "", from: "", to: "", tab: "overview", sel: "", dtab: "processes", sort: "net_bytes", order: "", w: "bytes", pr: "", g: "", alive: "", r: "" };

export function readState(): ViewState {
  const q = new URLSearchParams(location.hash.replace(/^#/, ""));
  const s: ViewState = { ...DEFAULTS };
  for (const k of Object.keys(DEFAULTS) as (keyof ViewState)[]) {
    const v = q.get(k);
    if (v !== null) (s as unknown as Record<string, string>)[k] = v;
  }
  return s;
}

/** The fragment for a state, defaults left out. */
export function hashOf(s: ViewState): string {
  const q = new URLSearchParams();
  for (const k of Object.keys(DEFAULTS) as (keyof ViewState)[]) {
    if (s[k] !== DEFAULTS[k]) q.set(k, String(s[k]));
  }
  const str = q.toString();
  return str ? `#${str}` : "#";
}

/** Changes the state; the page re-renders on the hashchange. */
export function go(change: Partial<ViewState>): void {
  const next = { ...readState(), ...change };
  const h = hashOf(next);
  if (h !== (location.hash || "#")) location.hash = h;
}
