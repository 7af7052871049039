// The explorer a team keeps open, in a real browser, against `kinsight up --replay` of the
// shared Kubernetes capture: the overview it lands on (with what changed marked on its
// charts at the right time, named on hover, opened on click), process rows and their grouping,
// keyboard navigation, the live refresh (in place, no reload, pausable), the copy-link
// button, and topology labels (shortened, one size at every zoom, never overlapping, at
// pod level and at 50+ process nodes).
//
//   node e2e/landing.mjs URL ARTIFACTS_DIR
//
// Run by crates/server/tests/browser.rs. Each step leaves a screenshot in ARTIFACTS_DIR;
// the first failing step leaves `FAILED-<step>.png` and exits with status 1.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { check, launch, settle as settleAfter, stepper } from "./lib.mjs";

const [url, artifacts] = process.argv.slice(2);
if (!url || !artifacts) {
  console.error("usage: node e2e/landing.mjs URL ARTIFACTS_DIR");
  process.exit(2);
}
mkdirSync(artifacts, { recursive: true });

const { context, close } = await launch();
await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(url).origin });
const page = context.pages()[0] ?? (await context.newPage());
page.setDefaultTimeout(30_000);
const problems = [];
page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
page.on("console", (m) => m.type() === "error" && problems.push(`console error: ${m.text()}`));
page.on("response", (r) => r.status() >= 400 && problems.push(`${r.status()} for ${r.url()}`));

const settle = (action) => settleAfter(page, action);
const step = stepper(page, artifacts, close);
const text = (sel) => page.textContent(sel);
const rows = () =>
  page.$$eval("table.entities tbody tr[data-id]", (trs) =>
    trs.map((tr) => ({
      id: tr.dataset.id,
      name: tr.querySelector("td.name a, td.name .leaf")?.textContent ?? "",
      pid: tr.querySelector('[data-col="pid"]')?.textContent ?? null,
      state: tr.querySelector('[data-col="state"]')?.textContent ?? null,
      cmdline: tr.querySelector('[data-col="cmdline"]')?.textContent ?? null,
      count: tr.querySelector('[data-col="count"]')?.textContent ?? null,
      cursor: tr.classList.contains("cursor"),
    })),
  );
const level = () => page.$eval("table.entities", (t) => t.dataset.level);
/** Rows of the table, drawn or not (only those near the viewport are in the page). */
const total = () => page.$eval("table.entities", (t) => Number(t.dataset.rows));

await step("overview", async () => {
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.ready === "1" && document.querySelector('[data-testid="overview"]'));
  const card = async (id) => (await text(`[data-testid="${id}"] .card-value`)).trim();
  check((await card("count-nodes")) === "1", `one node: ${await card("count-nodes")}`);
  check((await card("count-namespaces")) === "3", `three namespaces: ${await card("count-namespaces")}`);
  check((await card("count-pods")) === "5", `five pods: ${await card("count-pods")}`);
  check((await card("count-processes")).endsWith("running"), await card("count-processes"));
  const tip = await page.getAttribute('[data-testid="total-cpu"]', "title");
  check(tip.includes("average over the range") && tip.includes("percent of one core"), `the CPU card says what it measures: ${tip}`);
  const net = await page.$$eval('[data-testid="top-workload-net_bytes"] li[data-id]', (li) => li.map((l) => l.querySelector(".top-name").textContent));
  check(net.includes("client") && net.includes("backend"), `busiest workloads by network: ${net}`);
  const commands = await page.$$eval('[data-testid="top-command-cpu_pct"] li[data-id]', (li) => li.length);
  check(commands > 0, "busiest commands by CPU");
  const charts = await page.$$eval('[data-testid="overview-charts"] .uplot canvas', (c) => c.length);
  check(charts >= 6, `charts of everything over the range: ${charts}`);
  const nodes = await page.$$eval('[data-testid="overview-nodes"] tbody tr', (t) => t.map((r) => r.dataset.id));
  check(nodes.length === 1 && nodes[0] === "node:10.0.2.15", `nodes: ${nodes}`);
  const ns = await page.$$eval('[data-testid="overview-namespaces"] tbody tr', (t) => t.length);
  check(ns === 3, `namespaces table: ${ns}`);
  check((await text('[data-testid="source-replay"]')).includes("replay"), "the replay source's health");
  check(await page.isVisible('[data-testid="overview-changes"]'), "what changed");
});

await step("overview-marks", async () => {
  // The capture's span holds no change; the range from 15:24 UTC holds the creation of the
  // namespace critical-app, its Deployment, ReplicaSet and Service, the three backend pods
  // (15:27:30) and the client pod (15:27:38), as the objects' creationTimestamps say.
  const [from, to] = [1481210640, 1481211712];
  const inSpan = await page.evaluate(async () => (await (await fetch("/api/changes")).json()).total + (await (await fetch("/api/events")).json()).total);
  const marksInSpan = (await page.$$('[data-testid="overview-charts"] [data-testid="chart-mark"]')).length;
  check(inSpan === 0 && marksInSpan === 0, `no marks where nothing changed: ${marksInSpan} marks, ${inSpan} changes and Events`);
  await settle(() => page.goto(`${url}#from=${from}000000000&to=${to}000000000`));
  await page.waitForFunction(() => document.querySelector('[data-testid="overview-charts"] [data-testid="chart-mark"]'));
  const changes = await page.evaluate(async ([a, b]) => (await (await fetch(`/api/changes?from=${a}000000000&to=${b}000000000`)).json()).rows, [from, to]);
  const pods = changes.filter((c) => c.kind === "Pod" && c.namespace === "critical-app" && c.change === "created");
  check(pods.length === 4 && pods.filter((p) => p.name.startsWith("backend-")).every((p) => p.ts_ns === 1481210850e9) && pods.find((p) => p.name === "client")?.ts_ns === 1481210858e9, `the pods' creations: ${JSON.stringify(pods)}`);
  // Every chart marks every change, each mark's dashed line at its time's x on the time
  // axis (which spans the range asked for); changes too close to point at apart share one.
  const charts = await page.$$eval('[data-testid="overview-charts"] .chart', (cs) =>
    cs.map((c) => {
      const over = c.querySelector(".u-over").getBoundingClientRect();
      const marks = [...c.querySelectorAll('[data-testid="chart-mark"]')].map((m) => {
        const line = m.querySelector(".mark-line").getBoundingClientRect();
        const hit = m.getBoundingClientRect();
        return { t: Number(m.dataset.t), last: Number(m.dataset.tLast), count: Number(m.dataset.count), x: line.left + line.width / 2, hit: [hit.left, hit.right] };
      });
      return { name: c.dataset.testid, left: over.left, width: over.width, marks };
    }),
  );
  check(charts.length >= 6, `${charts.length} charts`);
  const within = (a, b) => changes.filter((x) => x.ts_ns / 1e9 >= a && x.ts_ns / 1e9 <= b).length;
  for (const c of charts) {
    check(c.marks.reduce((n, m) => n + m.count, 0) === changes.length, `${c.name} marks the ${changes.length} changes: ${JSON.stringify(c.marks)}`);
    c.marks.forEach((m, i) => {
      const want = c.left + ((m.t - from) / (to - from)) * c.width;
      check(Math.abs(m.x - want) <= 1, `${c.name}: the mark of ${m.t} at x ${m.x.toFixed(1)}, its time at ${want.toFixed(1)}`);
      check(m.count === within(m.t, m.last), `${c.name}: the mark of ${m.t}–${m.last} holds ${m.count}`);
      check(i === 0 || c.marks[i - 1].hit[1] <= m.hit[0] + 0.01, `${c.name}: the marks of ${c.marks[i - 1]?.t} and ${m.t} do not overlap`);
    });
  }
  check(charts[0].marks.some((m) => m.t === 1481210850 && m.last === 1481210850) && charts[0].marks.some((m) => m.t === 1481210858), "the backend pods' second and the client's apart");
  // Hovering a mark says what happened, to what; clicking it opens the object.
  const mark = (t) => page.locator(`[data-testid="chart-cpu"] [data-testid="chart-mark"][data-t="${t}"]`);
  await mark(1481210858).hover();
  await page.waitForFunction(() => !document.querySelector('[data-testid="mark-tip"]').hidden);
  const tip = await text('[data-testid="mark-tip"]');
  check(tip.includes("Pod critical-app/client created"), `the tooltip names the pod: ${tip}`);
  await settle(() => mark(1481210858).click());
  check((await text('[data-testid="details-title"]')).includes("client"), `the mark opened the pod: ${await text('[data-testid="details-title"]')}`);
  check((await page.evaluate(() => location.hash)).includes(encodeURIComponent(`pod:${pods.find((p) => p.name === "client").uid}`)), "selected by its uid");
  // A second of several changes lists them all, and opens as the Changes view of that second.
  await settle(() => page.goto(`${url}#from=${from}000000000&to=${to}000000000`));
  await mark(1481210850).hover();
  await page.waitForFunction(() => !document.querySelector('[data-testid="mark-tip"]').hidden);
  const many = await page.$$eval('[data-testid="mark-tip"] div', (d) => d.map((x) => x.textContent));
  // The hovered mark's tooltip, kept (the step's own screenshot is of where the click led).
  await page.screenshot({ path: join(artifacts, "overview-marks-hover.png"), fullPage: true });
  for (const p of pods.filter((p) => p.name.startsWith("backend-"))) check(many.some((l) => l.includes(`Pod critical-app/${p.name} created`)), `${p.name} in ${many}`);
  check(many.some((l) => l.includes("Deployment critical-app/backend created")), `the Deployment in ${many}`);
  await settle(() => mark(1481210850).click());
  await page.waitForFunction(() => /from=1481210850000000000&to=1481210851000000000/.test(location.hash) && document.querySelector('[data-testid="changes-view"]'));
  await page.waitForFunction(() => document.body.dataset.ready === "1");
  const listed = await page.$$eval('[data-testid="changes-view"] [data-testid="change"]', (trs) => trs.map((tr) => tr.dataset.name));
  check(listed.length === changes.filter((c) => c.ts_ns === 1481210850e9).length && listed.includes("backend"), `the Changes of that second: ${listed} (${await page.evaluate(() => location.hash)}: ${await text('[data-testid="changes-summary"]')})`);
  await settle(() => page.goto(`${url}#tab=overview`));
});

await step("overview-opens-a-workload", async () => {
  await settle(() => page.click('[data-testid="top-workload-net_bytes"] li[data-id="wl:critical-app/deployment/backend"] a'));
  check((await page.$eval("#hierarchy", (s) => s.value)) === "logical", "opened in the logical hierarchy");
  check((await text('[data-testid="details-title"]')).includes("backend"), "with the deployment's details");
  check((await rows()).some((r) => r.id === "wl:critical-app/deployment/backend"), "among its namespace's workloads");
});

await step("process-rows", async () => {
  await settle(() => page.goto(`${url}#tab=table&level=process`));
  check((await level()) === "process", `level ${await level()}`);
  const r = await rows();
  check(r.length > 0 && r.every((x) => /^\d+$/.test(x.pid ?? "")), `every process row has its pid: ${JSON.stringify(r.slice(0, 3))}`);
  check(r.some((x) => x.state === "exited") && r.some((x) => x.state === "running"), "running and exited processes are told apart");
  check(r.some((x) => (x.cmdline ?? "").includes(" ")), "command lines are shown");
  check((await text("#range-label")).startsWith("processes: "), `plural: ${await text("#range-label")}`);
  check(await page.isVisible('[data-testid="group-command"]'), "the grouping control is offered at the process level");
});

await step("process-grouping", async () => {
  const all = await total();
  await settle(() => page.check('[data-testid="group-command"]'));
  check((await page.evaluate(() => location.hash)).includes("g=command"), "the grouping is in the URL");
  const groups = await rows();
  check(groups.length > 0 && groups.length < all && groups.every((g) => g.id.startsWith("cmdgroup:")), `${groups.length} command rows of ${all}`);
  const iptables = groups.find((g) => g.name === "iptables");
  check(iptables && Number(iptables.count) > 10, `iptables folds its runs: ${JSON.stringify(iptables)}`);
  check((await text("#range-label")).startsWith("commands: "), await text("#range-label"));
  // A group opens as its processes.
  await settle(() => page.click('tr[data-id="cmdgroup:iptables"] td[data-col="cpu_pct"]'));
  const runs = await rows();
  check((await total()) === Number(iptables.count) && runs.every((x) => x.name === "iptables"), `${await total()} iptables processes listed, ${iptables.count} in the group`);
  check((await page.inputValue("#filter")) === "proc.name=iptables", "by a filter on the name");
  // Only those still running at the end.
  await settle(() => page.check('[data-testid="alive-only"]'));
  const running = await rows();
  check(running.every((x) => x.state === "running") && (await total()) < Number(iptables.count), `running only: ${await total()} of ${iptables.count}`);
});

await step("keyboard-navigation", async () => {
  await settle(() => page.goto(`${url}#tab=table&h=logical`));
  check((await level()) === "namespace", "namespaces");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  const second = (await rows())[1];
  check(second.cursor, `the cursor is on the second row: ${JSON.stringify(await rows())}`);
  await settle(() => page.keyboard.press("Enter"));
  check((await level()) === "workload", `Enter drills down: ${await level()}`);
  check((await text("#crumbs")).includes(second.name), "into the row under the cursor");
  await page.keyboard.press("ArrowDown");
  await settle(() => page.keyboard.press("Enter"));
  await settle(() => page.keyboard.press("Backspace"));
  check((await level()) === "workload", `Backspace goes up one level: ${await level()}`);
  await settle(() => page.keyboard.press("Escape"));
  check((await level()) === "namespace", `Escape goes up: ${await level()}`);
});

await step("copy-link", async () => {
  await settle(() => page.goto(`${url}#tab=table&h=logical&p=ns%3Acritical-app`));
  await page.click('[data-testid="copy-link"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="copy-link"]').dataset.copied);
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  check(copied === (await page.evaluate(() => location.href)), `the link copied: ${copied}`);
  // The link opens the same view.
  const other = await context.newPage();
  await other.goto(copied);
  await other.waitForFunction(() => document.body.dataset.ready === "1" && document.querySelector("table.entities"));
  check((await other.textContent("#crumbs")).includes("critical-app"), "the copied link opens the namespace");
  await other.close();
});

await step("live-refresh-table", async () => {
  // r=1: refresh every second (a replay does not move, so it is asked for).
  await settle(() => page.goto(`${url}#tab=table&level=process&r=1&sel=${encodeURIComponent("node:10.0.2.15")}`));
  check(await page.isVisible('[data-testid="live-toggle"]'), "the pause control is shown");
  await page.evaluate(() => {
    window.__sameDocument = true;
    window.scrollTo(0, 400);
  });
  // The rows near the new viewport are drawn on the next frame.
  await page.waitForTimeout(300);
  const order = (await rows()).map((r) => r.id);
  const y = await page.evaluate(() => window.scrollY);
  const before = Number((await page.evaluate(() => document.body.dataset.refreshes)) ?? 0);
  await page.waitForFunction((n) => Number(document.body.dataset.refreshes ?? 0) >= n + 2, before);
  check(await page.evaluate(() => window.__sameDocument === true), "refreshed without a reload");
  check((await page.evaluate(() => window.scrollY)) === y, "the page did not move");
  const after = (await rows()).map((r) => r.id);
  check(after.length === order.length && after.every((id, i) => id === order[i]), "the rows kept their order");
  check((await text('[data-testid="details-title"]')).includes("10.0.2.15"), "the details stayed open");
});

await step("live-refresh-pause", async () => {
  await page.click('[data-testid="live-toggle"]');
  check((await text('[data-testid="live-toggle"]')).includes("Resume"), "paused");
  const paused = Number(await page.evaluate(() => document.body.dataset.refreshes));
  await page.waitForTimeout(2500);
  check(Number(await page.evaluate(() => document.body.dataset.refreshes)) === paused, "no refresh while paused");
  await page.click('[data-testid="live-toggle"]');
  await page.waitForFunction((n) => Number(document.body.dataset.refreshes) > n, paused);
});

await step("live-refresh-overview", async () => {
  await settle(() => page.goto(`${url}#r=1`));
  await page.waitForFunction(() => document.querySelector('[data-testid="overview"]'));
  await page.evaluate(() => (document.querySelector('[data-testid="overview-charts"] canvas').__mark = true));
  const before = Number((await page.evaluate(() => document.body.dataset.refreshes)) ?? 0);
  await page.waitForFunction((n) => Number(document.body.dataset.refreshes ?? 0) >= n + 2, before);
  check(await page.evaluate(() => document.querySelector('[data-testid="overview-charts"] canvas').__mark === true), "the charts were updated in place");
  check((await text('[data-testid="count-pods"] .card-value')).trim() === "5", "the numbers are there after the refresh");
});

/** The rendered boxes of the labels shown, and whether any two overlap. */
const labelBoxes = () =>
  page.evaluate(() => {
    const cy = window.__kinsightCy;
    const boxes = cy
      .nodes()
      .filter((n) => !n.hasClass("nolabel"))
      .map((n) => ({ id: n.id(), label: n.data("label"), full: n.data("full"), b: n.renderedBoundingBox({ includeNodes: false, includeEdges: false, includeLabels: true, includeOverlays: false }) }));
    const clashes = [];
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i].b, boxes[j].b];
        if (a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2) clashes.push(`${boxes[i].label} / ${boxes[j].label}`);
      }
    const fonts = cy.nodes().map((n) => parseFloat(n.style("font-size")) * cy.zoom());
    return { shown: boxes.length, nodes: cy.nodes().length, clashes, fonts: [Math.min(...fonts), Math.max(...fonts)], labels: boxes.map((x) => [x.label, x.full]) };
  });

await step("topology-pod-labels", async () => {
  await settle(() => page.goto(`${url}#tab=topology&level=pod`));
  await page.waitForFunction(() => window.__kinsightCy && window.__kinsightCy.nodes().length > 0);
  await page.waitForTimeout(300);
  const at1 = await labelBoxes();
  check(at1.clashes.length === 0, `labels overlap: ${at1.clashes}`);
  check(at1.fonts[0] > 10.9 && at1.fonts[1] < 11.1, `labels are 11 px on screen: ${at1.fonts}`);
  check(at1.labels.every(([l]) => l.length <= 20), `long names shortened: ${at1.labels}`);
  const long = at1.labels.find(([l, full]) => l !== full);
  check(long && long[0].includes("…"), `a long pod name is cut in the middle: ${JSON.stringify(at1.labels)}`);
  // Zoomed in, the labels keep their size on the screen.
  await page.evaluate(() => window.__kinsightCy.zoom({ level: window.__kinsightCy.zoom() * 2, renderedPosition: { x: 400, y: 300 } }));
  await page.waitForTimeout(300);
  const at2 = await labelBoxes();
  check(at2.fonts[0] > 10.9 && at2.fonts[1] < 11.1, `the same size zoomed in: ${at2.fonts}`);
  check(at2.clashes.length === 0, `labels overlap zoomed in: ${at2.clashes}`);
  await page.evaluate(() => window.__kinsightCy.fit(undefined, 24));
  await page.waitForTimeout(300);
  // Hovering a node names it in full.
  const longId = await page.evaluate((full) => window.__kinsightCy.nodes().filter((n) => n.data("full") === full)[0].id(), long[1]);
  const pos = await page.evaluate((id) => {
    const box = document.querySelector('[data-testid="topology"]').getBoundingClientRect();
    const p = window.__kinsightCy.getElementById(id).renderedPosition();
    return { x: box.left + p.x, y: box.top + p.y };
  }, longId);
  await page.mouse.move(pos.x, pos.y);
  await page.waitForFunction(() => !document.querySelector('[data-testid="topology-tip"]').hidden);
  const tip = await text('[data-testid="topology-tip"]');
  check(tip.includes(long[1]), `the tooltip names ${long[1]}: ${tip}`);
});

await step("topology-50-nodes", async () => {
  await settle(() => page.goto(`${url}#tab=topology&level=process`));
  await page.waitForFunction(() => window.__kinsightCy && window.__kinsightCy.nodes().length > 0, undefined, { timeout: 60_000 });
  await page.waitForTimeout(300);
  const l = await labelBoxes();
  check(l.nodes >= 50, `${l.nodes} nodes`);
  check(l.clashes.length === 0, `labels overlap: ${l.clashes.slice(0, 5)}`);
  check(l.shown >= 10, `${l.shown} of ${l.nodes} labels shown`);
  check(l.fonts[0] > 10.9 && l.fonts[1] < 11.1, `labels are 11 px on screen: ${l.fonts}`);
  console.log(`topology at process level: ${l.nodes} nodes, ${l.shown} labels shown`);
});

await close();
if (problems.length) {
  console.error(`FAILED: the page reported errors:\n${problems.join("\n")}`);
  process.exit(1);
}
console.log(`PASS ${step.count()} steps, screenshots in ${artifacts}`);
