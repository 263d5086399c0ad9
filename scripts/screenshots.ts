/**
 * `npm run screenshots`: regenerates docs/screenshots/*.png (the README shows them) — the dealer-site widget, the
 * configurator, the in-car page and the monthly driving report — from a fresh demo server (Node + a temporary libSQL file, the demo seeded,
 * demo mode on) in Debian's Chromium through playwright-core, every other host blocked.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { NodeConfigSchema, parseConfig } from "../src/config";
import { startNode } from "../src/node";
import { lastCompleteMonth } from "../src/domain/report/driving";
import { DEMO_VIN, demoConfig, seedDemo } from "../src/seed/demo";
import { migrateLibsql, openLibsql } from "../src/store/libsql";
import { openBrowser, findChromium } from "../tests/browser/chromium";

const dir = mkdtempSync(join(tmpdir(), "pitwall-shots-"));
const out = fileURLToPath(new URL("../docs/screenshots/", import.meta.url).href);
mkdirSync(out, { recursive: true });
const config = parseConfig(NodeConfigSchema, {
  DATABASE_URL: `file:${join(dir, "demo.db")}`,
  PORT: "0",
  ACCESS_LOG: "off",
});
const database = await openLibsql(config.DATABASE_URL);
await migrateLibsql(database);
const server = await startNode(config, database);
const seeded = await seedDemo({ store: server.deps.store, vins: server.deps.vins }, Date.now(), server.port);
const keys = seeded.keys!;
server.deps.demo = demoConfig({ ...keys, site: keys.site! });
// The demo publishable key allows http://127.0.0.1:<port>, the origin served.
const browser = await openBrowser(findChromium());
try {
  const page = await browser.newPage();
  const shot = async (name: string) => {
    await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
    console.log(`docs/screenshots/${name}.png`);
  };
  await page.goto(`${server.url}/demo/configurator`);
  await page.locator("pitwall-offers[state=ready]").waitFor({ timeout: 15_000 });
  await page.getByRole("button", { name: "Save my build" }).click();
  await page.locator("#build-status", { hasText: "Saved" }).waitFor();
  await page.locator("pitwall-offers[state=ready]").waitFor();
  await page.waitForTimeout(500);
  await shot("configurator");

  await page.goto(`${server.url}/demo/dealer-site`);
  await page.locator("pitwall-offers[state=ready]").first().waitFor({ timeout: 15_000 });
  await page.waitForTimeout(300);
  await shot("widget");

  await page.setViewportSize({ width: 1280, height: 640 });
  await page.goto(`${server.url}/demo/in-car`);
  await page.locator("#screen[data-state=shown]").waitFor({ timeout: 15_000 });
  await shot("in-car");
  // The monthly driving report of the demo Leaf, as an email or in-app view would show it.
  const month = lastCompleteMonth(Date.now());
  const res = await fetch(`${server.url}/v1/vehicles/${DEMO_VIN}/report?month=${month}`, {
    headers: { authorization: `Bearer ${keys.admin}`, accept: "text/html" },
  });
  await page.setViewportSize({ width: 720, height: 900 });
  await page.goto("about:blank");
  await page.setContent(await res.text());
  await shot("driving-report");
  if (browser.blocked.length || browser.consoleErrors.length)
    throw new Error(`blocked ${browser.blocked.join(", ")}; console: ${browser.consoleErrors.join(" | ")}`);
} finally {
  await browser.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
