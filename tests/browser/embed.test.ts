/**
 * What callers embed, in Debian's Chromium against a real Node server (issue 10): the widget on a dealer's page of
 * another origin (one request for the page's placements, shadow DOM, outcomes in the store, keyboard, a foreign
 * origin refused, GPC), the configurator's quote reaching the API as a quote_request linked to the visitor, the
 * in-car page silent while moving, axe-core on the widget and both demo pages, and no console error anywhere.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import type { Page, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { startNodeHarness } from "../node/harness";
import { auth, json, makeTenant, WELCOME_ACTION, type TenantFixture } from "../shared/fixtures";
import { type Receiver, startReceiver } from "../shared/receiver";
import { openBrowser, type TestBrowser } from "./chromium";

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

let h: Awaited<ReturnType<typeof startNodeHarness>>;
let browser: TestBrowser;
let host: Server;
let hostPort = 0;
/** The dealer's page: served from another origin than the API, embedding /widget.js as the README says. */
let hostPage = "";
let a: TenantFixture;

const BUILT = {
  id: "drive-what-you-built",
  kind: "test_drive",
  category: "sales",
  value: 1500,
  rule: { model_configured_recently: [30] },
  channels: {
    dealer_site: { title: "Drive the {{gates.configuredModel}} you built", body: "It is ready.", cta: "Book" },
  },
};

beforeAll(async () => {
  h = await startNodeHarness();
  host = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(hostPage);
  });
  await new Promise<void>((r) => host.listen(0, "127.0.0.1", r));
  hostPort = (host.address() as { port: number }).port;
  a = await makeTenant(h, { origin: `http://127.0.0.1:${hostPort}` });
  expect((await h.fetch(`/v1/actions/${BUILT.id}`, json("PUT", BUILT, auth(a.keys.admin)))).status).toBe(200);
  hostPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>North Motors</title>
<script async src="${h.origin}/widget.js"></script></head>
<body><header><p>North Motors</p></header><main><h1>North Motors, Berlin</h1>
<pitwall-offers key="${a.keys.publishable}" dealer="${a.dealer.id}" placement="hero" label="Offers for you"></pitwall-offers>
<aside aria-label="More"><pitwall-offers key="${a.keys.publishable}" dealer="${a.dealer.id}" placement="sidebar" label="More for you"></pitwall-offers></aside>
</main></body></html>`;
  browser = await openBrowser();
});
afterAll(async () => {
  await browser?.close();
  await new Promise((r) => host?.close(r));
  await h?.close();
});

/** axe-core (the npm package) injected into the page: serious and critical violations, by rule. */
async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    const g = globalThis as unknown as {
      axe: { run(ctx: unknown, opts: unknown): Promise<unknown> };
      document: unknown;
    };
    return (await g.axe.run(g.document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
    })) as { violations: { id: string; impact: string; nodes: { target: unknown }[] }[] };
  });
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${JSON.stringify(v.nodes.map((n) => n.target))}`);
}

/** Waits until the store has the outcome (written by the request the widget sent). */
async function recorded(decisionId: string, actionId: string, type: string): Promise<boolean> {
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    const s = await h.store.decisioning.outcomeState(a.tenant.id, decisionId, actionId, type, null);
    if (s.recorded) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

function decideCalls(page: Page): {
  requests: Request[];
  answers: { decisionId: string; actions: { id: string; placement: string }[] }[];
} {
  const out = {
    requests: [] as Request[],
    answers: [] as { decisionId: string; actions: { id: string; placement: string }[] }[],
  };
  page.on("request", (r) => {
    if (r.url().endsWith("/v1/decide") && r.method() === "POST") out.requests.push(r);
  });
  page.on("response", async (r) => {
    if (r.url().endsWith("/v1/decide") && r.request().method() === "POST" && r.status() === 200)
      out.answers.push(await r.json());
  });
  return out;
}

describe("the dealer-site widget on a dealer's page (another origin)", () => {
  it("asks once for the page's placements, renders each in shadow DOM, and records impressions, clicks, dismissals and not-interested", async () => {
    const page = await browser.newPage();
    const calls = decideCalls(page);
    await page.goto(`http://127.0.0.1:${hostPort}/dealer`);
    const hero = page.locator("pitwall-offers[placement=hero]");
    const side = page.locator("pitwall-offers[placement=sidebar]");
    await hero.and(page.locator("[state=ready]")).waitFor({ timeout: 15_000 });
    await side.and(page.locator("[state=ready]")).waitFor();
    // The test reads the answer off the wire after the page did: wait for it.
    await expect.poll(() => calls.answers.length).toBe(1);
    expect(calls.requests).toHaveLength(1);
    expect(calls.requests[0]!.postDataJSON()).toMatchObject({
      channel: "dealer_site",
      placements: ["hero", "sidebar"],
    });
    expect(calls.requests[0]!.postDataJSON().subject).toBeUndefined(); // a new visitor: the answer issues its token
    const answer = calls.answers[0]!;
    const heroAction = answer.actions.find((x) => x.placement === "hero")!;
    const sideAction = answer.actions.find((x) => x.placement === "sidebar")!;
    expect(heroAction.id).not.toBe(sideAction.id);
    // Rendered inside each element's shadow root, as a named region with a heading and real buttons.
    expect(await hero.evaluate((el) => el.shadowRoot?.querySelector("[part=title]")?.textContent)).toBeTruthy();
    expect(await hero.evaluate((el) => el.shadowRoot?.querySelector("section")?.getAttribute("role"))).toBe("region");
    await expect.poll(() => page.getByRole("region", { name: "Offers for you" }).count()).toBe(1);
    // The token stays in first-party storage for the next page.
    const token = await page.evaluate(
      () => Object.entries(localStorage).find(([k]) => k.startsWith("pitwall.visitor."))?.[1],
    );
    expect(token).toMatch(/^pv1\./);
    // Impressions once visible.
    expect(await recorded(answer.decisionId, heroAction.id, "impression")).toBe(true);
    expect(await recorded(answer.decisionId, sideAction.id, "impression")).toBe(true);

    // Keyboard: Tab reaches the hero's call to action first, with a visible focus ring; Enter clicks it.
    const acted = page.evaluate(
      () =>
        new Promise((r) =>
          (globalThis as any).document.addEventListener("pitwall-action", (e: any) => r(e.detail), { once: true }),
        ),
    );
    await page.keyboard.press("Tab");
    const focused = await hero.evaluate((el: any) => {
      const b = el.shadowRoot.activeElement;
      return b ? { part: b.getAttribute("part"), outline: (globalThis as any).getComputedStyle(b).outlineStyle } : null;
    });
    expect(focused).toEqual({ part: "cta", outline: "solid" });
    await page.keyboard.press("Enter");
    expect(await acted).toMatchObject({ actionId: heroAction.id, decisionId: answer.decisionId });
    expect(await recorded(answer.decisionId, heroAction.id, "click")).toBe(true);
    // Then "Not interested", then the dismiss button (named for screen readers).
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    expect(await recorded(answer.decisionId, heroAction.id, "not_interested")).toBe(true);
    expect(await hero.evaluate((el) => el.shadowRoot!.querySelectorAll("li").length)).toBe(0);
    expect(await hero.evaluate((el) => el.shadowRoot!.querySelector("[role=status]")?.textContent)).toMatch(/not show/);
    await side.getByRole("button", { name: /^Dismiss: / }).click();
    expect(await recorded(answer.decisionId, sideAction.id, "dismiss")).toBe(true);

    expect(browser.blocked).toEqual([]);
    expect(browser.consoleErrors).toEqual([]);
    await page.close();
  });

  it("Global Privacy Control (navigator.globalPrivacyControl) removes behavioural offers for the same visitor", async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${hostPort}/dealer`);
    const hero = page.locator("pitwall-offers[placement=hero]");
    await hero.and(page.locator("[state=ready]")).waitFor({ timeout: 15_000 });
    // The visitor builds a car (through the widget, with the publishable key and its token), then the page asks again.
    expect(
      await hero.evaluate((el) =>
        (el as unknown as { track(t: string, d: unknown): Promise<boolean> }).track("configurator_build", {
          model: "Ariya",
          powertrain: "ev",
        }),
      ),
    ).toBe(true);
    const calls = decideCalls(page);
    // Three slots: the built car's test drive is the only sales action, so it is shown whatever the learner explores.
    await hero.evaluate((el) => el.setAttribute("limit", "3"));
    await hero.evaluate((el) => (el as unknown as { refresh(): void }).refresh());
    await expect.poll(() => calls.answers.length, { timeout: 10_000 }).toBe(1);
    expect(calls.answers[0]!.actions.map((x) => x.id)).toContain(BUILT.id); // positive control
    await page.close();

    const gpc = await browser.newPage();
    await gpc.addInitScript(() =>
      Object.defineProperty(Navigator.prototype, "globalPrivacyControl", { get: () => true }),
    );
    const g = decideCalls(gpc);
    await gpc.goto(`http://127.0.0.1:${hostPort}/dealer`);
    await expect.poll(() => g.answers.length, { timeout: 15_000 }).toBe(1);
    expect(g.requests[0]!.postDataJSON()).toMatchObject({ gpc: true, subject: { visitorToken: expect.any(String) } });
    expect(g.answers[0]!.actions.map((x) => x.id)).not.toContain(BUILT.id);
    expect(browser.consoleErrors).toEqual([]);
    await gpc.close();
  });

  it("is refused on an origin the key does not allow: nothing rendered, the API answers 403", async () => {
    const errorsBefore = browser.consoleErrors.length;
    const page = await browser.newPage();
    // localhost and 127.0.0.1 are different origins: the key allows only the latter.
    await page.goto(`http://localhost:${hostPort}/dealer`);
    await page.locator("pitwall-offers[placement=hero][state=empty]").waitFor({ state: "attached", timeout: 15_000 });
    expect(
      await page.locator("pitwall-offers[placement=hero]").evaluate((el) => el.shadowRoot!.childElementCount),
    ).toBe(0);
    const direct = await h.fetch(
      "/v1/decide",
      json(
        "POST",
        { channel: "dealer_site", placements: ["hero"] },
        auth(a.keys.publishable, { origin: `http://localhost:${hostPort}` }),
      ),
    );
    expect(direct.status).toBe(403);
    expect(((await direct.json()) as { type: string }).type).toMatch(/origin-not-allowed$/);
    // The only console errors are the browser's own CORS refusals.
    const fresh = browser.consoleErrors.splice(errorsBefore);
    for (const e of fresh) expect(e).toMatch(/CORS|Failed to load resource|ERR_FAILED/);
    await page.close();
  });

  it("has no serious or critical axe-core violations", async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${hostPort}/dealer`);
    await page.locator("pitwall-offers[state=ready]").first().waitFor({ timeout: 15_000 });
    expect(await axeViolations(page)).toEqual([]);
    expect(browser.consoleErrors).toEqual([]);
    await page.close();
  });
});

describe("demo pages (demo mode)", () => {
  let d: TenantFixture;
  beforeAll(async () => {
    // The demo pages are served by the API's own origin, which the demo publishable key allows.
    d = await makeTenant(h, { origin: h.origin });
    const site = await h.store.keys.create(
      d.scope,
      { kind: "server", name: "site", scopes: ["events:write"] },
      Date.now(),
    );
    const built = { ...BUILT, channels: { web_configurator: BUILT.channels.dealer_site } };
    expect((await h.fetch(`/v1/actions/${BUILT.id}`, json("PUT", built, auth(d.keys.admin)))).status).toBe(200);
    // On the configurator only the behavioural next step may show (the learner explores: with other eligible actions
    // a one-slot widget would sometimes show another); the welcome stays for the car.
    const { web_configurator: _w, ...welcomeChannels } = WELCOME_ACTION.channels;
    const welcome = { ...WELCOME_ACTION, channels: welcomeChannels };
    expect((await h.fetch("/v1/actions/welcome-content", json("PUT", welcome, auth(d.keys.admin)))).status).toBe(200);
    const del = await h.fetch(`/v1/actions/${d.ownActionId}`, { method: "DELETE", headers: auth(d.keys.admin) });
    expect(del.status).toBeLessThan(300);
    h.setDemo!({ publishable: d.keys.publishable, vehicle: d.keys.vehicle, vin: d.vin, site: site.key });
    // The brand's CRM: a real receiver on loopback, subscribed to leads (the fixture's own endpoint goes away).
    receiver = await startReceiver();
    const gone = await h.fetch(`/v1/webhooks/${d.webhookId}`, { method: "DELETE", headers: auth(d.keys.admin) });
    expect(gone.status).toBe(204);
    const hook = await h.fetch(
      "/v1/webhooks",
      json("POST", { url: `${receiver.url}/hook/crm`, events: ["lead.created"] }, auth(d.keys.admin)),
    );
    expect(hook.status).toBe(201);
    crmSecret = ((await hook.json()) as { secret: string }).secret;
  });
  afterAll(async () => {
    h.setDemo!(undefined);
    await receiver?.close();
  });
  let receiver: Receiver;
  let crmSecret = "";

  it("the configurator's events flow through the API, the widget shows the next step, and the quote reaches the API as a quote_request linked to the visitor", async () => {
    const page = await browser.newPage();
    const calls = decideCalls(page);
    await page.goto(`${h.origin}/demo/configurator`);
    const nba = page.locator("pitwall-offers");
    // A new visitor: nothing fits yet, and the widget stays empty rather than show something that does not fit.
    await expect.poll(() => calls.answers.length, { timeout: 15_000 }).toBeGreaterThan(0);
    expect(calls.answers[0]!.actions).toEqual([]);
    await page.getByLabel("Model").selectOption("Ariya");
    await page.getByRole("button", { name: "Save my build" }).click();
    await page.locator("#build-status", { hasText: "Saved" }).waitFor();
    // The widget asks again after the build and shows the behavioural next step at the nearest dealer.
    await expect.poll(() => calls.answers.at(-1)?.actions.map((x) => x.id), { timeout: 10_000 }).toContain(BUILT.id);
    await nba.and(page.locator("[state=ready]")).waitFor();
    expect(await nba.evaluate((el) => el.shadowRoot?.querySelector("[part=title]")?.textContent)).toBe(
      "Drive the Ariya you built",
    );
    const token = await page.evaluate(
      () => Object.entries(localStorage).find(([k]) => k.startsWith("pitwall.visitor."))?.[1],
    );
    const visitorId = token!.split(".")[2]!;
    const email = `browser-${Date.now()}@example.com`;
    await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: "Request a quote" }).click();
    await page.locator("#quote-status", { hasText: "Thank you" }).waitFor({ timeout: 10_000 });
    // In the store: the email and the browser's visitor are one person, with the quote and the build.
    const byEmail = await h.fetch(`/v1/profiles/lookup?email=${encodeURIComponent(email)}`, {
      headers: auth(d.keys.admin),
    });
    const person = (await byEmail.json()) as {
      id: string;
      profile: { interest: { quotes: number; pageViews: number; models: { model: string }[] } };
    };
    expect(byEmail.status).toBe(200);
    expect(person.profile.interest.quotes).toBe(1);
    expect(person.profile.interest.pageViews).toBeGreaterThanOrEqual(1);
    expect(person.profile.interest.models.map((m) => m.model)).toContain("Ariya");
    const byVisitor = await h.fetch(`/v1/profiles/lookup?visitorId=${visitorId}`, { headers: auth(d.keys.admin) });
    expect(((await byVisitor.json()) as { id: string }).id).toBe(person.id);
    const exported = await h.fetch(`/v1/profiles/${person.id}/export`, { headers: auth(d.keys.admin) });
    const events = ((await exported.json()) as { events: { type: string }[] }).events.map((e) => e.type);
    expect(events).toEqual(expect.arrayContaining(["page_view", "configurator_build", "quote_request"]));
    // And the brand's CRM got the lead: one signed lead.created naming that person, verified with the library.
    const crm = async () =>
      (
        (await (await fetch(`${receiver.url}/control/crm`)).json()) as {
          requests: { headers: Record<string, string>; body: string }[];
        }
      ).requests;
    await expect.poll(async () => (await crm()).length, { timeout: 15_000 }).toBeGreaterThan(0);
    const [delivery, ...more] = await crm();
    expect(more).toEqual([]);
    const lead = new Webhook(crmSecret).verify(delivery!.body, delivery!.headers) as {
      type: string;
      data: { kind: string; personId: string; contact?: unknown };
    };
    expect(lead.type).toBe("lead.created");
    expect(lead.data.kind).toBe("quote");
    expect(lead.data.personId).toBe(person.id);
    expect(JSON.stringify(lead.data.contact)).toContain(email);
    expect(await axeViolations(page)).toEqual([]);
    expect(browser.blocked).toEqual([]);
    expect(browser.consoleErrors).toEqual([]);
    await page.close();
  });

  it("the in-car page shows nothing while moving or right after ignition, and the deferred message once parked", async () => {
    // Dashboard prompts keep the driver's quiet hours (21:00-08:00 by default): put the driver where it is daytime
    // now, so the test means the same at any hour it runs.
    const zones = ["Pacific/Kiritimati", "Pacific/Auckland", "Asia/Tokyo", "Asia/Bangkok", "Asia/Kolkata"];
    zones.push("Asia/Dubai", "Europe/Berlin", "Atlantic/Azores", "America/Sao_Paulo", "America/New_York");
    zones.push("America/Denver", "America/Anchorage", "Pacific/Honolulu");
    const hourIn = (timeZone: string) =>
      Number(new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", hourCycle: "h23" }).format(new Date()));
    const timeZone = zones.find((z) => hourIn(z) >= 10 && hourIn(z) < 17)!;
    const tz = await h.fetch(
      `/v1/profiles/${d.profileId}/consent`,
      json("PUT", { source: "test", timeZone }, auth(d.keys.full)),
    );
    expect(tz.status, await tz.text()).toBe(200);
    const page = await browser.newPage();
    const calls = decideCalls(page);
    await page.goto(`${h.origin}/demo/in-car`);
    const screen = page.locator("#screen");
    await page.locator("#screen[data-state=shown]").waitFor({ timeout: 15_000 });
    expect(await screen.getByRole("button").count()).toBeLessThanOrEqual(3);
    await expect.poll(() => screen.textContent()).toContain("Read aloud:");
    expect(await axeViolations(page)).toEqual([]);

    // Each control change is one decide; the test reads each answer off the wire (after the page has it).
    await expect.poll(() => calls.answers.length).toBe(1);
    await page.getByLabel("Moving").check();
    await page.locator("#screen[data-state=quiet]").waitFor();
    await expect.poll(() => screen.textContent()).toContain("Drive safely");
    await expect.poll(() => calls.answers.length).toBe(2);
    expect(calls.answers.at(-1)!.actions).toEqual([]);
    expect(await screen.getByRole("button").count()).toBe(0);

    await page.getByLabel("Unknown").check();
    await expect.poll(() => calls.answers.length).toBe(3);
    expect(calls.answers.at(-1)!.actions).toEqual([]);

    await page.getByLabel("Parked").check();
    await page.locator("#screen[data-state=shown]").waitFor();
    await expect.poll(() => calls.answers.length).toBe(4);
    expect(calls.answers.at(-1)!.actions.length).toBe(1);

    await page.getByRole("button", { name: "Start the engine now" }).click();
    await page.locator("#screen[data-state=quiet]").waitFor();
    await expect.poll(() => screen.textContent()).toContain("two minutes");
    await expect.poll(() => calls.answers.length).toBe(5);
    expect(calls.answers.at(-1)!.actions).toEqual([]);
    expect(browser.blocked).toEqual([]);
    expect(browser.consoleErrors).toEqual([]);
    await page.close();
  });
});
