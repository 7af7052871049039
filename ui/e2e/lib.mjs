// Shared by the browser scripts: Debian's chromium driven by playwright-core (no browser
// download), with a fresh profile each run.
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const CHROMIUM = process.env.KINSIGHT_CHROMIUM || "/usr/bin/chromium";

export async function launch() {
  const profile = mkdtempSync(join(tmpdir(), "kinsight-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1600, height: 1000 },
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    timeout: 60_000,
  });
  const close = async () => {
    await context.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, close };
}

export function check(cond, message) {
  if (!cond) throw new Error(message);
}

/** Does `action`, then waits for the page to finish the render it causes. */
export async function settle(page, action) {
  const before = Number((await page.evaluate(() => document.body.dataset.renders)) ?? 0);
  await action();
  await page.waitForFunction((n) => Number(document.body.dataset.renders ?? 0) > n && document.body.dataset.ready === "1", before);
}

/** Numbered steps, each leaving a screenshot in `artifacts`; the first failing one leaves
 *  `FAILED-<step>.png`, closes the browser and exits with status 1. */
export function stepper(page, artifacts, close) {
  let n = 0;
  const step = async function (name, fn) {
    n += 1;
    const shot = join(artifacts, `${String(n).padStart(2, "0")}-${name}.png`);
    try {
      await fn();
      await page.screenshot({ path: shot, fullPage: true });
      console.log(`ok ${n} ${name}`);
    } catch (e) {
      await page.screenshot({ path: join(artifacts, `FAILED-${name}.png`), fullPage: true }).catch(() => {});
      console.error(`FAILED ${n} ${name}: ${e.message}`);
      await close();
      process.exit(1);
    }
  };
  /** Steps passed so far. */
  step.count = () => n;
  return step;
}
