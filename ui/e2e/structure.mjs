// End-to-end test of the cluster's structure in the explorer, in a real browser, against
// `kinsight up --capture none` watching the test API server after a rollout of deployment
// shop/web (3 replicas) and a Warning Event about one of the new pods.
//
//   node e2e/structure.mjs URL ARTIFACTS_DIR EXPECTED_JSON
//
// EXPECTED_JSON: {"old_pods": [...], "new_pods": [...], "old_rs": "...", "warned_pod": "...",
// "warning": "..."}: what the API server holds, as the Rust test read it from there.
// Run by crates/kinsight/tests/structure.rs. Each step leaves a screenshot in ARTIFACTS_DIR;
// the first failing step leaves `FAILED-<step>.png` and exits with status 1.

import { mkdirSync } from "node:fs";
import { check, launch, settle as settleAfter, stepper } from "./lib.mjs";

const [url, artifacts, expectedJson] = process.argv.slice(2);
if (!url || !artifacts || !expectedJson) {
  console.error("usage: node e2e/structure.mjs URL ARTIFACTS_DIR EXPECTED_JSON");
  process.exit(2);
}
const expected = JSON.parse(expectedJson);
mkdirSync(artifacts, { recursive: true });

const { context, close } = await launch();
const page = context.pages()[0] ?? (await context.newPage());
page.setDefaultTimeout(20_000);
const problems = [];
page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
page.on("console", (m) => m.type() === "error" && problems.push(`console error: ${m.text()}`));
page.on("response", (r) => r.status() >= 400 && problems.push(`${r.status()} for ${r.url()}`));

const settle = (action) => settleAfter(page, action);

/** The table's rows, each cell by its column. */
const rows = () =>
  page.$$eval("table.entities tbody tr[data-id]", (trs) =>
    trs.map((tr) => {
      const cells = {};
      for (const td of tr.querySelectorAll("td[data-col]")) cells[td.dataset.col] = td.textContent.trim();
      return {
        id: tr.dataset.id,
        name: tr.querySelector("td.name a, td.name .leaf")?.textContent ?? "",
        kind: tr.querySelector("td.name .kind")?.textContent ?? "",
        gone: tr.classList.contains("gone"),
        cells,
      };
    }),
  );
const headers = () => page.$$eval("table.entities thead th", (ths) => ths.map((th) => th.textContent.trim()));

const step = stepper(page, artifacts, close);

const same = (a, b) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

await step("workloads-with-state", async () => {
  await page.goto(`${url}#h=logical&p=ns%3Ashop&sort=name&tab=table`);
  await page.waitForFunction(() => document.body.dataset.ready === "1" && document.querySelector("table.entities"));
  const h = await headers();
  for (const col of ["Ready", "Up-to-date", "Age"]) check(h.includes(col), `column ${col} in ${h}`);
  const web = (await rows()).find((r) => r.name === "web" && r.kind === "deployment");
  check(web, `deployment web in ${JSON.stringify(await rows())}`);
  check(web.cells.ready === "3/3", `web is 3/3 ready: ${JSON.stringify(web)}`);
  check(web.cells["up-to-date"] === "3", `web has 3 up-to-date replicas: ${JSON.stringify(web)}`);
  check(/\d/.test(web.cells.age), `web has an age: ${JSON.stringify(web)}`);
});

await step("pods-old-and-new", async () => {
  await settle(() => page.goto(`${url}#h=logical&p=${encodeURIComponent("wl:shop/deployment/web")}&level=pod&sort=name&tab=table`));
  const h = await headers();
  for (const col of ["Status", "Ready", "Restarts", "Node", "Age"]) check(h.includes(col), `column ${col} in ${h}`);
  const r = await rows();
  const running = r.filter((x) => x.cells.phase === "Running").map((x) => x.name);
  const gone = r.filter((x) => x.gone).map((x) => x.name);
  check(same(running, expected.new_pods), `running pods ${running} are the new ones ${expected.new_pods}`);
  check(same(gone, expected.old_pods), `deleted pods ${gone} are the old ones ${expected.old_pods}`);
  check(r.filter((x) => x.gone).every((x) => x.cells.phase === "deleted"), "deleted pods say so");
  check(r.filter((x) => !x.gone).every((x) => x.cells.node === "node-a" && /^([1-9]\d*)\/\1$/.test(x.cells.ready)), JSON.stringify(r));
});

await step("sort-by-status", async () => {
  await settle(() => page.click('table.entities thead th[data-sort="phase"]'));
  const order = (await rows()).map((x) => x.cells.phase);
  const sorted = [...order].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
  check(JSON.stringify(order) === JSON.stringify(sorted) && order[0] === "deleted", `sorted by status: ${order}`);
});

await step("deployment-events", async () => {
  await settle(() => page.goto(`${url}#h=logical&p=ns%3Ashop&sel=${encodeURIComponent("wl:shop/deployment/web")}&tab=table`));
  await page.waitForSelector('[data-testid="kube"] table[data-testid="events"]');
  const events = await page.$$eval('[data-testid="kube"] [data-testid="event"]', (trs) => trs.map((tr) => tr.querySelector('[data-col="message"]').textContent));
  check(events.some((m) => m.startsWith(`Scaled down replica set ${expected.old_rs} `)), `the rollout's scale-down in ${events}`);
  check(events.some((m) => m.startsWith(`Scaled up replica set ${expected.old_rs} `)), `the first scale-up in ${events}`);
  const state = await page.textContent('[data-testid="k8s-state"]');
  check(state.includes("Deployment") && state.includes("3/3"), state);
  // Every chart marks the Events in its range.
  const marks = await page.$$eval('[data-testid="charts"] .chart', (cs) => cs.map((c) => Number(c.dataset.markers ?? -1)));
  check(marks.length > 0 && marks.every((m) => m === events.length), `${events.length} Events marked on every chart: ${marks}`);
});

await step("pod-warning", async () => {
  const pods = await page.evaluate(async () => (await fetch(`/api/entities?hierarchy=logical&parent=${encodeURIComponent("wl:shop/deployment/web")}&level=pod`)).json());
  const warned = pods.rows.find((r) => r.name === expected.warned_pod);
  check(warned, `${expected.warned_pod} listed`);
  await settle(() => page.goto(`${url}#h=logical&p=${encodeURIComponent("wl:shop/deployment/web")}&level=pod&sel=${encodeURIComponent(warned.id)}&tab=table`));
  await page.waitForSelector('[data-testid="kube"] tr.ev-warning');
  const text = await page.textContent('[data-testid="kube"] tr.ev-warning');
  check(text.includes("BackOff") && text.includes(expected.warning), text);
  const changes = await page.$$eval('[data-testid="k8s-changes"] [data-testid="change"]', (trs) => trs.map((tr) => tr.dataset.change));
  check(changes[0] === "created", `the pod's changes start with its creation: ${changes}`);
});

await step("what-changed", async () => {
  await settle(() => page.goto(`${url}#h=logical&p=ns%3Ashop&tab=changes`));
  await page.waitForSelector('[data-testid="changes-view"]');
  const changes = await page.$$eval('[data-testid="changes-view"] [data-testid="change"]', (trs) => trs.map((tr) => ({ change: tr.dataset.change, kind: tr.dataset.kind, name: tr.dataset.name })));
  const pods = (what) => changes.filter((c) => c.kind === "Pod" && c.change === what).map((c) => c.name);
  check(same(pods("deleted"), expected.old_pods), `deleted: ${pods("deleted")}`);
  for (const p of [...expected.old_pods, ...expected.new_pods]) check(pods("created").includes(p), `${p} created: ${pods("created")}`);
  const summary = await page.textContent('[data-testid="changes-summary"]');
  check(summary.includes(`${expected.old_pods.length} deleted`) || summary.includes("deleted"), summary);
  // The same list as the API's.
  const api = await page.evaluate(async () => (await fetch("/api/changes?namespace=shop&limit=2000")).json());
  check(api.rows.length === changes.length, `${changes.length} rows shown, the API has ${api.rows.length}`);
  // A change links to its entity.
  await settle(() => page.click(`[data-testid="changes-view"] tr[data-change="created"][data-name="${expected.new_pods[0]}"] a`));
  check((await page.textContent('[data-testid="details-title"]')).includes(expected.new_pods[0]), "the linked pod's details");
});

await step("no-problems", async () => {
  check(problems.length === 0, problems.join("\n"));
});

await close();
console.log("PASS");
