// First render of a large entity table, timed by the browser: from navigation start to
// the table in the page (the UI marks `kinsight:table-rendered` when it has been
// written), fetching included. Run against a server with many pods, e.g.
//
//   cargo run --release -p kinsight-server --example bench_api -- --serve
//   node e2e/render-bench.mjs http://127.0.0.1:PORT/ [RUNS]
//
// The page lists the 5 000 pods whose label `half` is `a` (of 10 000). "table written" is
// when the table is in the page, "next frame" when the browser has laid it out and drawn it.

import { launch } from "./lib.mjs";

const [base, runsArg] = process.argv.slice(2);
if (!base) {
  console.error("usage: node e2e/render-bench.mjs URL [RUNS]");
  process.exit(2);
}
const runs = Number(runsArg ?? 7);
const url = `${base.replace(/\/$/, "")}/#h=logical&level=pod&f=${encodeURIComponent("k8s.pod.label.half=a")}&from=-1h`;
const { context, close } = await launch();
const times = [];
for (let i = 0; i < runs; i++) {
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => performance.getEntriesByName("kinsight:table-rendered").length > 0, null, { timeout: 30_000 });
  const { at, rows, inPage } = await page.evaluate(() => {
    const m = performance.getEntriesByName("kinsight:table-rendered")[0];
    return { at: m.startTime, rows: Number(document.querySelector("table.entities").dataset.rows), inPage: document.querySelectorAll("table.entities tbody tr[data-id]").length };
  });
  if (rows !== 5000) throw new Error(`expected 5000 rows, got ${rows}`);
  // The rows out of view are not in the page until scrolled to; then the last one is.
  const painted = await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(performance.now()))));
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await page.waitForFunction(() => !document.querySelector("table.entities tbody tr:last-child.spacer"));
  if (i === 0) console.log(`rows in the page before scrolling: ${inPage} of ${rows}`);
  times.push({ at, painted });
  await page.close();
}
await close();
const sorted = (k) => times.map((t) => t[k]).sort((a, b) => a - b);
const med = (k) => sorted(k)[Math.floor(runs / 2)];
const max = (k) => sorted(k)[runs - 1];
console.log(`runs: ${runs}, rows: 5000`);
console.log(`table written: median ${med("at").toFixed(0)} ms, max ${max("at").toFixed(0)} ms after navigation start`);
console.log(`next frame:    median ${med("painted").toFixed(0)} ms, max ${max("painted").toFixed(0)} ms after navigation start`);
