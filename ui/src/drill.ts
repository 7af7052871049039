// Drill-downs of the selected entity: its processes, connections, files and HTTP
// transactions over the time range.

import { get, type ConnRow, type EntitiesPage, type EntityRef, type FileRow, type HttpRow, type RequestRow, type Rows } from "./api";
import { bytes, esc, ms, pct, time } from "./format";
import type { ViewState } from "./state";

export const DRILL_TABS: { id: ViewState["dtab"]; label: string }[] = [
  { id: "processes", label: "Processes" },
  { id: "connections", label: "Connections" },
  { id: "files", label: "Files" },
  { id: "http", label: "HTTP" },
  { id: "requests", label: "Requests" },
];

function ref(r: EntityRef | null | undefined): string {
  if (!r) return "–";
  return `<span class="ref" title="${esc(r.id)}"><span class="kind k-${esc(r.kind)}">${esc(r.kind)}</span>${esc(r.name)}</span>`;
}

function owner(o: { process: EntityRef; pid: number; pod: EntityRef | null }): string {
  return `${esc(o.process.name)} <span class="dim">(${o.pid})</span>${o.pod ? ` <span class="dim">in ${esc(o.pod.name)}</span>` : ""}`;
}

function table(testid: string, head: string[], rows: string[][], total: number): string {
  const h = head.map((c) => `<th>${esc(c)}</th>`).join("");
  const b = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("");
  const more = total > rows.length ? `<p class="note">${rows.length} of ${total}</p>` : "";
  const none = rows.length === 0 ? `<p class="note">None in this time range.</p>` : "";
  return `<table class="drill" data-testid="${testid}"><thead><tr>${h}</tr></thead><tbody>${b}</tbody></table>${none}${more}`;
}

/** Fills `el` with the drill-down `tab` of entity `id`. */
export async function renderDrill(el: HTMLElement, tab: ViewState["dtab"], id: string, st: ViewState, filter: string): Promise<void> {
  const range = { from: st.from, to: st.to };
  switch (tab) {
    case "processes": {
      // Every hierarchy ends in processes; the current one also knows label groups.
      const page = await get<EntitiesPage>("/api/entities", { hierarchy: st.h, parent: id, level: "process", sort: "cpu_pct", limit: 500, filter, ...range });
      el.innerHTML = table(
        "drill-processes",
        ["Process", "PID", "User", "State", "Command line", "CPU", "Memory", "File I/O", "Net I/O", "HTTP served"],
        page.rows.map((r) => [
          esc(r.name),
          String(r.process?.pid ?? ""),
          esc(r.process?.user ?? "–"),
          r.process ? (r.process.alive ? "running" : `<span class="dim">exited</span>`) : "",
          `<code title="${esc(r.process?.cmdline ?? "")}">${esc(r.process?.cmdline ?? "")}</code>`,
          pct(r.cpu_pct),
          bytes(r.memory_bytes),
          bytes(r.file_bytes),
          bytes(r.net_bytes),
          String(r.http_requests),
        ]),
        page.total,
      );
      break;
    }
    case "connections": {
      const page = await get<Rows<ConnRow>>("/api/connections", { entity: id, limit: 500, ...range });
      el.innerHTML = table(
        "drill-connections",
        ["Proto", "Client", "Server", "Process", "Side", "In", "Out", "Requests", "Failed", "Latency"],
        page.rows.map((r) => [esc(r.proto), `${ref(r.client)} <span class="dim">${esc(r.client_ip)}</span>`, `${ref(r.server)} <span class="dim">${esc(r.server_ip)}:${r.server_port}</span>`, owner(r), esc(r.side), bytes(r.bytes_in), bytes(r.bytes_out), String(r.requests), String(r.errors), ms(r.latency_ms)]),
        page.total,
      );
      break;
    }
    case "files": {
      const page = await get<Rows<FileRow>>("/api/files", { entity: id, limit: 500, ...range });
      el.innerHTML = table(
        "drill-files",
        ["File", "Process", "Read", "Written"],
        page.rows.map((r) => [`<code>${esc(r.path)}</code>`, owner(r), bytes(r.read_bytes), bytes(r.write_bytes)]),
        page.total,
      );
      break;
    }
    case "http": {
      const page = await get<Rows<HttpRow>>("/api/http", { entity: id, limit: 500, ...range });
      el.innerHTML = table(
        "drill-http",
        ["Time", "Side", "Method", "URL", "Status", "Latency", "Size", "Process", "Peer"],
        page.rows.map((r) => [esc(time(r.ts_ns)), esc(r.side), esc(r.method), `<code>${esc(r.url)}</code>`, `<span class="status s${Math.floor(r.status / 100)}">${r.status}</span>`, ms(r.latency_ms), bytes(r.size_bytes), owner(r), ref(r.peer)]),
        page.total,
      );
      break;
    }
    case "requests": {
      const page = await get<Rows<RequestRow>>("/api/requests", { entity: id, limit: 500, protocol: st.pr || undefined, ...range });
      el.innerHTML = table(
        "drill-requests",
        ["Time", "Protocol", "Side", "Operation", "Target", "Status", "Latency", "Bytes (req/resp)", "Process", "Peer"],
        page.rows.map((r) => [
          esc(time(r.ts_ns)),
          esc(r.protocol),
          esc(r.side),
          esc(r.operation),
          `<code>${esc(r.target)}</code>`,
          `<span class="status ${r.error ? "s5" : "s2"}" title="${r.error ? "failed" : "succeeded"}">${esc(r.status)}</span>`,
          ms(r.latency_ms),
          `${bytes(r.request_bytes)} / ${bytes(r.response_bytes)}`,
          owner(r),
          ref(r.peer),
        ]),
        page.total,
      );
      break;
    }
  }
}
