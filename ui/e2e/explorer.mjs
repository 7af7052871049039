// End-to-end test of the explorer in a real browser, against `kinsight up --replay` of the
// shared Kubernetes capture (bencer/k8s_backend_capture.scap).
//
//   node e2e/explorer.mjs URL ARTIFACTS_DIR
//
// Run by crates/server/tests/browser.rs. Each step leaves a screenshot in ARTIFACTS_DIR;
// the first failing step leaves `FAILED-<step>.png` and exits with status 1.

import { mkdirSync } from "node:fs";
import { check, launch, settle as settleAfter, stepper } from "./lib.mjs";

const [url, artifacts] = process.argv.slice(2);
if (!url || !artifacts) {
  console.error("usage: node e2e/explorer.mjs URL ARTIFACTS_DIR");
  process.exit(2);
}
mkdirSync(artifacts, { recursive: true });

const CSJ02 = "pod:d52db280-bd5a-11e6-8bdb-028ce2cfb533";
const CLIENT = "pod:da587b4d-bd5a-11e6-8bdb-028ce2cfb533";
const { context, close } = await launch();
const page = context.pages()[0] ?? (await context.newPage());
page.setDefaultTimeout(20_000);
const problems = [];
page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
// Failed requests are judged by their response below; other console errors are problems.
page.on("console", (m) => m.type() === "error" && !m.text().startsWith("Failed to load resource") && problems.push(`console error: ${m.text()}`));
page.on("response", (r) => {
  const expected = r.status() === 400 && r.url().includes("proc.nmae");
  if (r.status() >= 400 && !expected) problems.push(`${r.status()} for ${r.url()}`);
});

const settle = (action) => settleAfter(page, action);

const rows = () =>
  page.$$eval("table.entities tbody tr[data-id]", (trs) =>
    trs.map((tr) => ({
      id: tr.dataset.id,
      name: tr.querySelector("td.name a, td.name .leaf")?.textContent ?? "",
      kind: tr.querySelector("td.name .kind")?.textContent ?? "",
      net: tr.querySelector('[data-col="net_bytes"]')?.textContent ?? "",
      selected: tr.classList.contains("selected"),
    })),
  );
const level = () => page.$eval("table.entities", (t) => t.dataset.level);
const drill = (name) => settle(() => page.click(`table.entities td.name a:text-is("${name}")`));

const step = stepper(page, artifacts, close);

await step("physical-nodes", async () => {
  await page.goto(`${url}#tab=table`);
  await page.waitForFunction(() => document.body.dataset.ready === "1" && document.querySelector("table.entities"));
  check((await level()) === "node", `top level is ${await level()}`);
  const r = await rows();
  check(r.some((x) => x.name === "10.0.2.15" && x.kind === "node"), `node 10.0.2.15 in ${JSON.stringify(r)}`);
  check((await page.textContent("#source")).includes("replay of k8s_backend_capture.scap"), "the source is named");
});

await step("long-table-scrolls", async () => {
  // 206 processes on the node: only the rows in view are in the page, the rest arrive
  // as the page scrolls.
  await settle(() => page.goto(`${url}#level=process&tab=table`));
  const total = await page.$eval("table.entities", (t) => Number(t.dataset.rows));
  const before = (await rows()).length;
  check(total > 150 && before < total, `${before} of ${total} rows in the page`);
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await page.waitForFunction(() => !document.querySelector("table.entities tbody tr:last-child.spacer"));
  const last = (await rows()).at(-1);
  check(last && last.name, "the last rows are drawn at the bottom");
  await page.evaluate(() => window.scrollTo(0, 0));
  await settle(() => page.goto(`${url}#tab=table`));
});

await step("logical-namespaces", async () => {
  await settle(() => page.selectOption("#hierarchy", "logical"));
  check((await level()) === "namespace", "logical starts at namespaces");
  const names = (await rows()).map((x) => x.name);
  for (const ns of ["critical-app", "kube-system", "default"]) check(names.includes(ns), `namespace ${ns} in ${names}`);
});

await step("critical-app-workloads", async () => {
  await drill("critical-app");
  check((await level()) === "workload", `level ${await level()}`);
  const r = await rows();
  check(r.some((x) => x.name === "backend" && x.kind === "deployment"), `deployment backend in ${JSON.stringify(r)}`);
  check(r.some((x) => x.name === "client" && x.kind === "pod"), "the bare client pod is a workload of its own");
});

await step("backend-pods", async () => {
  await drill("backend");
  check((await level()) === "pod", `level ${await level()}`);
  const r = await rows();
  check(r.length === 3, `3 pods, got ${r.length}`);
  check(r.every((x) => x.name.startsWith("backend-1440326531-")), JSON.stringify(r));
  const bytes = Object.fromEntries(r.map((x) => [x.name, x.net]));
  check(bytes["backend-1440326531-csj02"] === "952 B", `csj02 moved 952 bytes: ${JSON.stringify(bytes)}`);
  check(bytes["backend-1440326531-xws32"] === "0 B" && bytes["backend-1440326531-zwl37"] === "0 B", JSON.stringify(bytes));
  const crumbs = await page.textContent("#crumbs");
  check(crumbs.includes("critical-app") && crumbs.includes("backend"), `breadcrumbs: ${crumbs}`);
});

await step("pod-details-charts-http", async () => {
  await settle(() => page.click(`tr[data-id="${CSJ02}"] td[data-col="cpu_pct"]`));
  check((await page.textContent('[data-testid="details-title"]')).includes("backend-1440326531-csj02"), "details of the selected pod");
  const charts = await page.$$eval('[data-testid="charts"] .uplot canvas', (c) => c.length);
  check(charts >= 6, `charts drawn: ${charts}`);
  await settle(() => page.click('[data-testid="dtab-http"]'));
  const http = await page.textContent('[data-testid="drill-http"]');
  check(http.includes("GET") && http.includes("backend.critical-app.svc.cluster.local/") && http.includes("200"), `HTTP drill-down: ${http}`);
  await settle(() => page.click('[data-testid="dtab-connections"]'));
  const conns = await page.textContent('[data-testid="drill-connections"]');
  check(conns.includes("client") && conns.includes("172.17.0.7"), `connections drill-down: ${conns}`);
});

await step("pivot-to-physical", async () => {
  await settle(() => page.click('[data-testid="pivot-physical"]'));
  check((await page.$eval("#hierarchy", (s) => s.value)) === "physical", "the hierarchy switched");
  const crumbs = await page.textContent("#crumbs");
  check(crumbs.includes("10.0.2.15"), `physical breadcrumbs: ${crumbs}`);
  const r = await rows();
  const pod = r.find((x) => x.id === CSJ02);
  check(pod && pod.selected, "the same pod, selected, among the node's pods");
  check(r.some((x) => x.name === "(outside pods)"), "the node's other processes are there too");
});

await step("pivot-back-to-logical", async () => {
  await settle(() => page.click('[data-testid="pivot-logical"]'));
  check((await page.$eval("#hierarchy", (s) => s.value)) === "logical", "back in the logical hierarchy");
  check((await page.textContent("#crumbs")).includes("backend"), "under the deployment again");
});

await step("topology-workloads", async () => {
  await settle(() => page.click('#crumbs a:has-text("critical-app")'));
  await settle(() => page.click('[data-testid="tab-topology"]'));
  await page.waitForFunction(() => window.__kinsightCy && window.__kinsightCy.nodes().length > 0);
  const edges = await page.evaluate(() => window.__kinsightCy.edges().map((e) => `${e.source().id()} -> ${e.target().id()}`));
  check(edges.includes("wl:critical-app/pod/client -> wl:critical-app/deployment/backend"), `client → backend deployment in ${edges}`);
  check(edges.includes("wl:critical-app/pod/client -> svc:critical-app/backend"), `client → backend service in ${edges}`);
  check((await page.$$("[data-testid=topology] canvas")).length > 0, "the graph is drawn");
});

await step("topology-pods", async () => {
  await settle(() => page.selectOption("#level", "pod"));
  await page.waitForFunction(() => window.__kinsightTopology && window.__kinsightTopology.level === "pod" && window.__kinsightCy.nodes().length > 0);
  const edges = await page.evaluate(() =>
    window.__kinsightCy.edges('[kind = "traffic"]').map((e) => `${e.source().data("full")} -> ${e.target().data("full")}`),
  );
  check(edges.includes("client -> backend-1440326531-csj02"), `client → backend pod in ${edges}`);
  check(edges.includes("client -> backend"), `client → backend service in ${edges}`);
  const members = await page.evaluate(() => window.__kinsightCy.edges('[kind = "member"]').length);
  check(members === 3, `the service selects 3 pods: ${members}`);
  await settle(() => page.selectOption("#weight", "requests"));
  await page.waitForFunction(() => window.__kinsightCy && window.__kinsightCy.edges('[kind = "traffic"]').length > 0);
  const labels = await page.evaluate(() => window.__kinsightCy.edges('[kind = "traffic"]').map((e) => e.data("label")));
  check(labels.includes("1 req"), `edges weighted by requests: ${labels}`);
  // Each drawn edge's width and label are the API's requests of every protocol: the client
  // pod's DNS queries to skydns (outside pods) are one of them.
  const api = await page.evaluate(() => window.__kinsightTopology.edges.filter((e) => e.kind === "traffic"));
  const drawn = await page.evaluate(() => window.__kinsightCy.edges('[kind = "traffic"]').map((e) => ({ s: e.source().id(), t: e.target().id(), label: e.data("label"), w: e.data("weight") })));
  check(drawn.length === api.filter((e) => e.requests > 0).length, `only edges with requests are drawn: ${JSON.stringify(drawn)}`);
  for (const d of drawn) {
    const e = api.find((x) => x.source === d.s && x.target === d.t);
    check(e && d.w === e.requests && d.label === `${e.requests} req`, `edge ${d.s} -> ${d.t}: ${JSON.stringify(d)} vs ${JSON.stringify(e)}`);
  }
  const dns = api.find((e) => e.source === CLIENT && e.ports.includes(53));
  check(dns && dns.errors > 0, `the client's DNS edge has failed requests: ${JSON.stringify(api)}`);
  await settle(() => page.selectOption("#weight", "errors"));
  await page.waitForFunction(() => document.querySelector('[data-testid="topology"]')?.dataset.weight === "errors" && window.__kinsightCy?.edges().length > 0);
  const failed = await page.evaluate(() => window.__kinsightCy.edges('[kind = "traffic"]').map((e) => ({ s: e.source().id(), t: e.target().id(), label: e.data("label") })));
  check(failed.length === api.filter((e) => e.errors > 0).length, `only edges with failures are drawn by errors: ${JSON.stringify(failed)}`);
  check(failed.some((f) => f.s === CLIENT && f.t === dns.target && f.label === `${dns.errors} failed`), `the DNS edge by failures: ${JSON.stringify(failed)}`);
  check((await page.textContent(".topo-legend")).includes("failed requests"), "the legend says what the width is");
  await settle(() => page.selectOption("#weight", "bytes"));
});

await step("request-columns", async () => {
  // Every protocol's requests at the pod level, as the API counts them. skydns runs on the
  // node's network, outside pods: it serves the pods' DNS queries, most of them failing,
  // besides the node's HTTP.
  const NOPOD = "nopod:10.0.2.15";
  await settle(() => page.goto(`${url}#level=pod&tab=table`));
  const heads = await page.$$eval("table.entities thead th", (ths) => ths.map((t) => t.textContent.trim()));
  for (const h of ["Req/s", "Req err", "Req lat", "Sent/s", "Sent err", "Sent lat", "Protocols"]) check(heads.some((x) => x.startsWith(h)), `column ${h} in ${heads}`);
  const cell = (id, col) => page.$eval(`tr[data-id="${id}"] td[data-col="${col}"]`, (td) => ({ text: td.textContent, title: td.title }));
  const api = async (protocol) => {
    const q = protocol ? `&protocol=${protocol}` : "";
    const v = await page.evaluate(async (q) => (await fetch(`/api/entities?hierarchy=physical&level=pod&limit=1000${q}`)).json(), q);
    return Object.fromEntries(v.rows.map((r) => [r.id, r]));
  };
  const all = await api("");
  const node = all[NOPOD];
  check(node.requests > node.http_requests && node.protocols.includes("dns") && node.protocols.includes("http"), `outside pods, DNS and HTTP are served: ${JSON.stringify(node)}`);
  const served = await cell(NOPOD, "request_rps");
  check(served.title.includes(`${node.requests.toLocaleString("en-US")} requests served`) && served.text.endsWith("req/s"), `served cell: ${JSON.stringify(served)}`);
  check(served.title.includes("per second"), "the tooltip says what the column measures");
  const err = await cell(NOPOD, "request_error_pct");
  check(err.title.includes(`${node.request_errors} of ${node.requests.toLocaleString("en-US")} requests failed`) && err.text.includes("%"), `served errors cell: ${JSON.stringify(err)}`);
  check((await cell(NOPOD, "request_latency_ms")).text.includes("ms"), "served latency in ms");
  check((await cell(NOPOD, "protocols")).text.includes("dns"), "the protocols cell");
  const client = all[CLIENT];
  const sent = await cell(CLIENT, "sent_rps");
  check(client.sent_requests > 0 && sent.title.includes(`${client.sent_requests} requests sent`), `the client pod's sent cell: ${JSON.stringify(sent)}`);
  // One protocol: the columns count only its requests.
  await settle(() => page.selectOption("#protocol", "dns"));
  const dns = (await api("dns"))[NOPOD];
  check(dns.requests > 0 && dns.requests < node.requests && dns.request_errors > 0, `DNS is part of what is served: ${dns.requests} of ${node.requests}`);
  const dnsCell = await cell(NOPOD, "request_rps");
  check(dnsCell.title.includes(`${dns.requests} requests served`), `DNS only: ${JSON.stringify(dnsCell)}`);
  check((await cell(NOPOD, "request_error_pct")).title.includes(`${dns.request_errors} of ${dns.requests} requests failed`), "DNS failures");
  check((await cell(CLIENT, "sent_rps")).text === "–", "the client pod sent no DNS itself");
  // The request drill-down lists the DNS queries, and the request charts are drawn.
  await settle(() => page.click(`tr[data-id="${NOPOD}"] td[data-col="cpu_pct"]`));
  await settle(() => page.click('[data-testid="dtab-requests"]'));
  const drill = await page.textContent('[data-testid="drill-requests"]');
  check(drill.includes("dns") && drill.includes("backend.critical-app") && !drill.includes("http"), `request drill-down: ${drill.slice(0, 300)}`);
  const charts = await page.$$eval('[data-testid="charts"] .uplot canvas', (c) => c.length);
  check(charts >= 9, `request charts drawn: ${charts}`);
  await settle(() => page.selectOption("#protocol", ""));
  // Back where the next step starts: the topology of critical-app's pods.
  await settle(() => page.goto(`${url}#h=logical&p=ns%3Acritical-app&level=pod&tab=topology`));
});

await step("filter-namespace", async () => {
  await settle(() => page.click('[data-testid="tab-table"]'));
  await settle(() => page.click('[data-testid="crumb-root"]'));
  await page.fill("#filter", "k8s.ns.name=critical-app");
  await settle(() => page.press("#filter", "Enter"));
  const names = (await rows()).map((x) => x.name);
  check(names.length === 1 && names[0] === "critical-app", `only critical-app: ${names}`);
  await settle(() => page.selectOption("#hierarchy", "physical"));
  const node = (await rows())[0];
  check(node && node.name === "10.0.2.15" && node.net === "2.99 KiB", `the node shows only critical-app's bytes: ${JSON.stringify(node)}`);
});

await step("filter-error", async () => {
  await page.fill("#filter", "proc.nmae = nginx");
  await settle(() => page.press("#filter", "Enter"));
  const err = await page.textContent('[data-testid="filter-error"]');
  check(await page.isVisible('[data-testid="filter-error"]'), "the error is shown");
  check(err.includes("column 1") && err.includes("did you mean 'proc.name'"), `error: ${err}`);
});

await step("time-range", async () => {
  await settle(() => page.click("#clear-filter"));
  check(!(await page.isVisible('[data-testid="filter-error"]')), "the error goes with the filter");
  await settle(() => page.selectOption("#hierarchy", "logical"));
  await drill("critical-app");
  await drill("backend");
  await settle(() => page.selectOption("#range", "-10s"));
  check((await page.textContent("#range-label")).includes("(10 s)"), `range label: ${await page.textContent("#range-label")}`);
  // A custom range over the capture's first five seconds: before the client's request.
  await page.selectOption("#range", "custom");
  await page.evaluate(() => {
    const from = document.querySelector("#from-input");
    const d = new Date(from.value);
    d.setSeconds(d.getSeconds() + 5);
    const off = d.getTimezoneOffset() * 60000;
    document.querySelector("#to-input").value = new Date(d.getTime() - off).toISOString().slice(0, 19);
  });
  await settle(() => page.click("#apply-range"));
  const r = await rows();
  check(r.length === 3 && r.every((x) => x.net === "0 B"), `no traffic in the first 5 s: ${JSON.stringify(r)}`);
  check((await page.textContent("#range-label")).includes("(5.0 s)"), `range label: ${await page.textContent("#range-label")}`);
});

await step("chart-drag-selects-range", async () => {
  await settle(() => page.selectOption("#range", ""));
  await settle(() => page.click(`tr[data-id="${CSJ02}"] td[data-col="cpu_pct"]`));
  const over = await page.$('[data-testid="chart-network"] .u-over');
  const box = await over.boundingBox();
  await settle(async () => {
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
  });
  const hash = await page.evaluate(() => location.hash);
  check(/from=\d+/.test(hash) && /to=\d+/.test(hash), `the drag set the range: ${hash}`);
  check((await page.$eval("#range", (s) => s.value)) === "custom", "the picker shows a custom range");
});

await close();
if (problems.length) {
  console.error(`FAILED: the page reported errors:\n${problems.join("\n")}`);
  process.exit(1);
}
console.log(`PASS ${step.count()} steps, screenshots in ${artifacts}`);
