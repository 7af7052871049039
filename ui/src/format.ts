// Numbers as people read them: bytes in binary units, rates per second, percentages.

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return "–";
  if (n < 1024) return `${Math.round(n)} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let i = -1;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)} ${units[i]}`;
}

export function rate(n: number | null | undefined, unit = "/s"): string {
  if (n === null || n === undefined) return "–";
  if (n === 0) return `0${unit}`;
  if (n < 0.01) return `<0.01${unit}`;
  return `${n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0)}${unit}`;
}

export function bytesRate(n: number | null | undefined): string {
  if (n === null || n === undefined) return "–";
  return `${bytes(n)}/s`;
}

export function pct(n: number | null | undefined): string {
  if (n === null || n === undefined) return "–";
  return `${n < 10 ? n.toFixed(2) : n.toFixed(1)}%`;
}

export function ms(n: number | null | undefined): string {
  if (n === null || n === undefined) return "–";
  if (n < 1) return `${(n * 1000).toFixed(0)} µs`;
  if (n < 1000) return `${n.toFixed(n < 10 ? 2 : 1)} ms`;
  return `${(n / 1000).toFixed(2)} s`;
}

/** A time in nanoseconds since the epoch, as local date and time. */
export function time(ns: number): string {
  const d = new Date(ns / 1e6);
  return d.toLocaleString(undefined, { hour12: false });
}

export function duration(seconds: number): string {
  if (seconds < 120) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(0)} min`;
  if (seconds < 172800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} d`;
}

const ESC: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text made safe for innerHTML. */
export function esc(s: string | number | null | undefined): string {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ESC[c]);
}
