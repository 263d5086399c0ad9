/** /docs in a real Chromium against real servers (Node, and workerd via wrangler dev), every other host blocked. */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { operations } from "../../src/routes";
import { startNodeHarness } from "../node/harness";
import { openBrowser, type TestBrowser } from "./chromium";

let h: Awaited<ReturnType<typeof startNodeHarness>>;
let browser: TestBrowser;

beforeAll(async () => {
  h = await startNodeHarness();
  browser = await openBrowser();
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe("/docs offline", () => {
  it("renders every operation from local assets, with no console error and nothing fetched from another host", async () => {
    const page = await browser.newPage();
    const res = await page.goto(`${h.origin}/`); // `/` leads to /docs
    expect(res?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe("/docs");
    await page.locator(".opblock").first().waitFor({ timeout: 30_000 });
    expect(await page.locator(".opblock").count()).toBe(operations.length);
    // Operation ids are shown (displayOperationId) and readable.
    const ids = await page.locator(".opblock .opblock-summary-operation-id").allInnerTexts();
    const expected = operations.map((o) => o.schema.operationId as string);
    expect(ids.map((s) => s.trim()).sort()).toEqual([...expected].sort());
    await expect.poll(() => page.locator(".opblock-summary-description", { hasText: "Health" }).count()).toBe(1);
    // The only server offered is the one the page came from, whatever its port.
    const servers = await page.locator(".servers select option").allInnerTexts();
    expect(servers.map((s) => s.trim().split(" ")[0])).toEqual([h.origin]);
    // The event union renders with its members (a schema view exercises more of the UI under the CSP).
    const eventSchema = page
      .locator('.models article[data-json-schema-level="0"]')
      .filter({ has: page.locator(".json-schema-2020-12__title", { hasText: /^Event$/ }) });
    await eventSchema.locator(".json-schema-2020-12-expand-deep-button").first().click();
    await expect.poll(() => eventSchema.textContent(), { timeout: 15_000 }).toContain("PageViewEvent");
    expect(browser.blocked).toEqual([]);
    expect(browser.consoleErrors).toEqual([]);
    await page.close();
  });

  it('"Try it out" calls the server that served the page (any port)', async () => {
    const page = await browser.newPage();
    await page.goto(`${h.origin}/docs#/Operations/getHealth`);
    const op = page.locator("#operations-Operations-getHealth");
    await op.waitFor({ timeout: 30_000 });
    if (!(await op.locator(".try-out__btn").isVisible())) await op.locator(".opblock-summary").click();
    await op.locator(".try-out__btn").click();
    await op.locator(".execute").click();
    const status = op.locator(".live-responses-table .response .response-col_status").first();
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toMatch(/200/);
    await expect.poll(() => op.locator(".request-url pre").textContent()).toBe(`${h.origin}/health`);
    expect(browser.blocked).toEqual([]);
    expect(browser.consoleErrors).toEqual([]);
    await page.close();
  });
});

describe("/docs offline on workerd (wrangler dev, Swagger UI as static assets)", () => {
  let dev: ChildProcess | undefined;
  let origin = "";
  let persist = "";

  beforeAll(async () => {
    persist = mkdtempSync(join(tmpdir(), "pitwall-docs-wrangler-"));
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const port = (srv.address() as { port: number }).port;
    await new Promise((r) => srv.close(r));
    origin = `http://127.0.0.1:${port}`;
    dev = spawn(
      "npx",
      ["wrangler", "dev", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", persist, "--log-level", "error"],
      { env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" }, stdio: "ignore", detached: true },
    );
    for (let i = 0; i < 240; i++) {
      const ok = await fetch(`${origin}/docs`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error("wrangler dev did not serve /docs within 60 s");
  }, 90_000);

  afterAll(() => {
    if (dev?.pid) process.kill(-dev.pid, "SIGTERM"); // wrangler and its workerd
    rmSync(persist, { recursive: true, force: true });
  });

  it("renders every operation, nothing fetched from another host, no console error", async () => {
    const page = await browser.newPage();
    await page.goto(`${origin}/docs`);
    await page.locator(".opblock").first().waitFor({ timeout: 30_000 });
    expect(await page.locator(".opblock").count()).toBe(operations.length);
    const servers = await page.locator(".servers select option").allInnerTexts();
    expect(servers.map((s) => s.trim().split(" ")[0])).toEqual([origin]);
    expect(browser.blocked).toEqual([]);
    expect(browser.consoleErrors).toEqual([]);
    await page.close();
  });
});
