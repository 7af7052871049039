// The live refresh on a live source: `kinsight up` watching this host (eBPF), the table of
// busybox processes open, scrolled, the row of an idle one of this script's selected. A
// workload this script starts (busybox sh appending 4096-byte blocks to a file, one block
// each time the script asks, in its own process) must appear in the open table without a
// reload; its written bytes must grow to exactly the blocks written while live, stay as
// they were while paused (the API meanwhile counting more), and catch up on resume; and the
// page must not move: the scroll position, the selected row, its place on the screen and
// the details panel kept throughout.
//
//   node e2e/live.mjs URL ARTIFACTS_DIR WORK_DIR
//
// Run by crates/kinsight/tests/live.rs. Each step leaves a screenshot in ARTIFACTS_DIR;
// the first failing step leaves `FAILED-<step>.png` and exits with status 1.

import { spawn } from "node:child_process";
import { mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { check, launch, settle as settleAfter, stepper } from "./lib.mjs";

const [url, artifacts, work] = process.argv.slice(2);
if (!url || !artifacts || !work) {
  console.error("usage: node e2e/live.mjs URL ARTIFACTS_DIR WORK_DIR");
  process.exit(2);
}
mkdirSync(artifacts, { recursive: true });
const BLOCK = 4096;
const file = join(work, "written-by-the-workload");

const { context, close: closeBrowser } = await launch();
let workload = null;
let neighbour = null;
const close = async () => {
  workload?.kill("SIGKILL");
  neighbour?.kill("SIGKILL");
  await closeBrowser();
};
const page = context.pages()[0] ?? (await context.newPage());
page.setDefaultTimeout(30_000);
const problems = [];
page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
page.on("console", (m) => m.type() === "error" && problems.push(`console error: ${m.text()}`));
page.on("response", (r) => r.status() >= 400 && problems.push(`${r.status()} for ${r.url()}`));
const settle = (action) => settleAfter(page, action);
const step = stepper(page, artifacts, close);

/** Where the page is: scroll, the selected row (and its place on the screen), the details. */
const place = () =>
  page.evaluate(() => {
    const sel = document.querySelector("table.entities tbody tr.selected");
    return {
      y: window.scrollY,
      sel: sel?.dataset.id ?? null,
      top: sel ? Math.round(sel.getBoundingClientRect().top) : null,
      hash: location.hash,
      details: document.querySelector('[data-testid="details-title"]')?.textContent ?? "",
      sameDocument: window.__sameDocument === true,
    };
  });
const refreshes = () => page.evaluate(() => Number(document.body.dataset.refreshes ?? 0));
/** The bytes the table shows the workload wrote (the File I/O cell's exact value), or null
 *  when its row is not in the table. */
const shownWritten = (id) =>
  page.evaluate((id) => {
    const td = document.querySelector(`table.entities tbody tr[data-id="${CSS.escape(id)}"] td[data-col="file_bytes"]`);
    const m = td?.title.match(/written ([\d,]+) B/);
    return m ? Number(m[1].replace(/,/g, "")) : null;
  }, id);
/** The bytes the API counts the workload wrote, now. */
const apiWritten = (pid) =>
  page.evaluate(async (pid) => {
    const r = await (await fetch(`/api/entities?level=process&filter=${encodeURIComponent(`proc.pid=${pid}`)}`)).json();
    return r.rows.reduce((n, x) => n + x.file_write_bytes, 0);
  }, pid);

/** Pause / Resume, clicked where it is: playwright's click would first scroll the page up to
 *  the button, a move of the test's own that the checks of the page's place would see. */
const toggle = () => page.$eval('[data-testid="live-toggle"]', (b) => b.click());

let blocks = 0;
/** Has the workload append one block, and waits until it is in the file. */
async function writeBlock() {
  blocks += 1;
  workload.stdin.write("go\n");
  const deadline = Date.now() + 5000;
  while (statSync(file, { throwIfNoEntry: false })?.size !== blocks * BLOCK) {
    check(Date.now() < deadline, `the workload did not write block ${blocks}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let before;
await step("open", async () => {
  // The table of busybox processes: first an idle one of this script's (the row the reader
  // selects), the writer to come. Filtered so that the writer's row, which comes last, is
  // in view whatever else the host starts meanwhile.
  neighbour = spawn("/bin/busybox", ["sh", "-c", "read x"], { stdio: ["pipe", "ignore", "inherit"] });
  const mine = `proc:host:${neighbour.pid}`;
  // r=2: a refresh every 2 s (5 by default) keeps the test short.
  await page.goto(`${url}#tab=table&level=process&r=2&f=${encodeURIComponent("proc.name=busybox")}`);
  await page.waitForFunction(() => document.body.dataset.ready === "1");
  check((await page.textContent("#source")).includes("this host"), `a live source: ${await page.textContent("#source")}`);
  check(await page.isVisible('[data-testid="live-toggle"]'), "the live refresh is on");
  await page.waitForFunction((id) => document.querySelector(`table.entities tbody tr[data-id="${CSS.escape(id)}"]`), mine, { timeout: 20_000 });
  await settle(() => page.click(`tr[data-id="${mine}"] td[data-col="cpu_pct"]`));
  // The details make the page taller than a short window: scrolled down by some.
  await page.setViewportSize({ width: 1600, height: 600 });
  await page.evaluate(() => window.scrollTo(0, 120));
  await page.waitForTimeout(300);
  await page.evaluate(() => (window.__sameDocument = true));
  before = await place();
  check(before.sel === mine && before.details !== "", `the row is selected, its details open: ${JSON.stringify(before)}`);
  check(before.y === 120, `the page is scrolled: ${before.y}`);
});

let id;
await step("workload-appears", async () => {
  const n = await refreshes();
  workload = spawn("/bin/busybox", ["sh", "-c", `exec 3>>"$1"; while read x; do printf '%${BLOCK}s' '' >&3; done`, "workload", file], { stdio: ["pipe", "ignore", "inherit"] });
  id = `proc:host:${workload.pid}`;
  await writeBlock();
  await page.waitForFunction((id) => document.querySelector(`table.entities tbody tr[data-id="${CSS.escape(id)}"]`), id, { timeout: 20_000 });
  const now = await place();
  check(now.sameDocument && (await refreshes()) > n, "the row came with a refresh, not a reload");
  check(now.y === before.y && now.sel === before.sel && now.top === before.top && now.hash === before.hash, `the page did not move: ${JSON.stringify(before)} → ${JSON.stringify(now)}`);
  check(now.details === before.details, "the details stayed open");
});

await step("numbers-grow-while-live", async () => {
  const seen = [];
  for (let i = 0; i < 3; i++) {
    await writeBlock();
    // Each block shows within a few refreshes, never more than was written.
    await page.waitForFunction(([id, want]) => {
      const td = document.querySelector(`table.entities tbody tr[data-id="${CSS.escape(id)}"] td[data-col="file_bytes"]`);
      const m = td?.title.match(/written ([\d,]+) B/);
      return m && Number(m[1].replace(/,/g, "")) >= want;
    }, [id, blocks * BLOCK], { timeout: 15_000 });
    seen.push(await shownWritten(id));
  }
  check(seen.every((v, i) => v === (i + 2) * BLOCK), `written bytes as the blocks went: ${seen} (blocks of ${BLOCK})`);
  const now = await place();
  check(now.y === before.y && now.sel === before.sel && now.top === before.top && now.sameDocument, `the page did not move: ${JSON.stringify(before)} → ${JSON.stringify(now)}`);
});

let frozen;
await step("frozen-while-paused", async () => {
  await toggle();
  check((await page.textContent('[data-testid="live-toggle"]')).includes("Resume"), "paused");
  frozen = await shownWritten(id);
  const n = await refreshes();
  for (let i = 0; i < 3; i++) await writeBlock();
  // The API counts the new blocks; the page, paused, does not move.
  const deadline = Date.now() + 15_000;
  while ((await apiWritten(workload.pid)) < blocks * BLOCK) {
    check(Date.now() < deadline, `the API never counted ${blocks * BLOCK} bytes: ${await apiWritten(workload.pid)}`);
    await page.waitForTimeout(250);
  }
  await page.waitForTimeout(4500);
  check((await refreshes()) === n, `no refresh while paused: ${n} → ${await refreshes()}`);
  check((await shownWritten(id)) === frozen, `the numbers stayed: ${frozen} → ${await shownWritten(id)}`);
  check(frozen < blocks * BLOCK, `${frozen} shown, ${blocks * BLOCK} written`);
  const now = await place();
  check(now.y === before.y && now.sel === before.sel && now.top === before.top && now.sameDocument, `the page did not move: ${JSON.stringify(before)} → ${JSON.stringify(now)}`);
});

await step("catches-up-on-resume", async () => {
  await toggle();
  check((await page.textContent('[data-testid="live-toggle"]')).includes("Pause"), "resumed");
  const n = await refreshes();
  const deadline = Date.now() + 15_000;
  while ((await shownWritten(id)) !== blocks * BLOCK) {
    check(Date.now() < deadline, `shown ${await shownWritten(id)} of ${blocks * BLOCK} written, after ${(await refreshes()) - n} refreshes; the API: ${await apiWritten(workload.pid)}; ${await page.evaluate(() => `${document.querySelector("table.entities").dataset.rows} rows, drawn ${[...document.querySelectorAll("table.entities tbody tr[data-id]")].map((t) => t.dataset.id).slice(-8)}, scroll ${window.scrollY}`)}`);
    await page.waitForTimeout(250);
  }
  const now = await place();
  check(now.y === before.y && now.sel === before.sel && now.top === before.top && now.hash === before.hash && now.sameDocument, `the page did not move: ${JSON.stringify(before)} → ${JSON.stringify(now)}`);
  console.log(`workload ${id}: ${blocks} blocks, ${blocks * BLOCK} bytes written, shown exactly; paused at ${frozen}`);
});

await close();
if (problems.length) {
  console.error(`FAILED: the page reported errors:\n${problems.join("\n")}`);
  process.exit(1);
}
console.log(`PASS ${step.count()} steps, screenshots in ${artifacts}`);
