/**
 * Decisioning scenarios over HTTP, on both runtimes, written from DOMAIN.md's "what must never happen"
 * column and each guardrail. The demo catalogue is installed through PUT /v1/actions.
 */
import { describe, expect, it } from "vitest";
import { DEMO_CATALOG } from "../../src/domain/decide/demo-catalog";
import { auth, expectProblem, json, makeTenant, type TenantFixture } from "./fixtures";
import type { Harness } from "./harness";

const DAY = 86_400_000;
let seq = 0;
const eid = (t: string) => `${t}-${Date.now().toString(36)}-${(seq++).toString(36)}`;
const ago = (d: number) => new Date(Date.now() - d * DAY).toISOString();
const ahead = (d: number) => new Date(Date.now() + d * DAY).toISOString().slice(0, 10);
const ZONES = [
  "Pacific/Pago_Pago",
  "Pacific/Honolulu",
  "America/Anchorage",
  "America/Los_Angeles",
  "America/Denver",
  "America/Chicago",
  "America/New_York",
  "America/Sao_Paulo",
  "Atlantic/South_Georgia",
  "Atlantic/Azores",
  "UTC",
  "Europe/Berlin",
  "Europe/Athens",
  "Europe/Moscow",
  "Asia/Dubai",
  "Asia/Karachi",
  "Asia/Dhaka",
  "Asia/Bangkok",
  "Asia/Shanghai",
  "Asia/Tokyo",
  "Australia/Brisbane",
  "Pacific/Noumea",
  "Pacific/Auckland",
  "Pacific/Kiritimati",
];

/** A time zone where it is now between `from` and `to` o'clock. */
function zoneAt(from: number, to: number): string {
  for (const tz of ZONES) {
    const h = Number(
      new Intl.DateTimeFormat("en-GB", { timeZone: tz, hour: "2-digit", hourCycle: "h23" }).format(new Date()),
    );
    if (h >= from && h < to) return tz;
  }
  throw new Error(`no zone at ${from}-${to}h`);
}

type Decision = {
  decisionId: string;
  actions: {
    id: string;
    category: string;
    kind: string;
    creative: Record<string, unknown>;
    reasons: string[];
    sensitiveReasons?: string[];
  }[];
  suppressed?: { id: string; guardrail: string; reason: string }[];
  notes: string[];
  degraded: boolean;
  segment: string;
  visitor?: { visitorId: string; visitorToken: string };
};

async function withCatalog(h: Harness, a: TenantFixture) {
  for (const action of DEMO_CATALOG) {
    const res = await h.fetch(`/v1/actions/${action.id}`, json("PUT", action, auth(a.keys.admin)));
    expect(res.status, await res.clone().text()).toBe(200);
  }
}

async function events(h: Harness, a: TenantFixture, list: unknown[]) {
  const res = await h.fetch("/v1/events", json("POST", { events: list }, auth(a.keys.full)));
  const body = (await res.json()) as { rejected: number; results: { personId?: string; reasons?: unknown }[] };
  expect(body.rejected, JSON.stringify(body)).toBe(0);
  return body.results;
}

async function decide(
  h: Harness,
  key: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<Decision> {
  const res = await h.fetch("/v1/decide", json("POST", { placement: "slot", ...body }, auth(key, headers)));
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return JSON.parse(text) as Decision;
}

const ids = (d: Decision) => d.actions.map((x) => x.id);
const held = (d: Decision, id: string) => d.suppressed?.find((s) => s.id === id)?.guardrail;

export function decisioningSuite(getHarness: () => Harness) {
  describe("decisioning scenarios", () => {
    it("an EV owner never gets an oil-change offer; an ICE owner with service due does", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      await withCatalog(h, a);
      await events(h, a, [
        {
          id: eid("ev"),
          type: "purchase",
          occurredAt: ago(800),
          identifiers: { customerId: "C-EV" },
          data: { vin: "1N4AZ0CP6GC304290", condition: "new" },
        },
        {
          id: eid("ev"),
          type: "service_due",
          occurredAt: ago(2),
          identifiers: { customerId: "C-EV" },
          data: { vin: "1N4AZ0CP6GC304290", kind: "oil_change", dueDate: ahead(5) },
        },
        {
          id: eid("ice"),
          type: "purchase",
          occurredAt: ago(800),
          identifiers: { customerId: "C-ICE" },
          data: { vin: "5N1AT2MT9LC784186", condition: "used" },
        },
        {
          id: eid("ice"),
          type: "service_due",
          occurredAt: ago(2),
          identifiers: { customerId: "C-ICE" },
          data: { vin: "5N1AT2MT9LC784186", kind: "oil_change", dueDate: ahead(5) },
        },
      ]);
      for (const channel of ["dealer_site", "service_lane"]) {
        const ev = await decide(h, a.keys.full, { subject: { customerId: "C-EV" }, channel, limit: 10 });
        expect(ids(ev)).not.toContain("oil-change");
        expect(held(ev, "oil-change")).toBe("relevance");
      }
      const ice = await decide(h, a.keys.full, {
        subject: { customerId: "C-ICE" },
        channel: "service_lane",
        limit: 10,
      });
      expect(ids(ice)).toContain("oil-change");
    });

    it("an open complaint — the owner's or the spouse's — holds back every sales offer", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      await withCatalog(h, a);
      const lease = (who: string, hh: string) => [
        {
          id: eid("p"),
          type: "purchase",
          occurredAt: ago(900),
          identifiers: { customerId: who },
          householdRef: hh,
          data: {
            vin: who === "C-A1" ? "JN8BT3AB4SW412749" : "JN8BT3BB7TW089619",
            condition: "new",
            financing: "lease",
          },
        },
        {
          id: eid("l"),
          type: "lease_started",
          occurredAt: ago(900),
          identifiers: { customerId: who },
          data: {
            vin: who === "C-A1" ? "JN8BT3AB4SW412749" : "JN8BT3BB7TW089619",
            termMonths: 36,
            endDate: ahead(120),
          },
        },
      ];
      await events(h, a, [
        ...lease("C-A1", "HH-A"),
        ...lease("C-B1", "HH-B"),
        // Daytime where they live, so email's quiet hours (which hold everything) do not answer first at night.
        ...["C-A1", "C-B1"].map((who) => ({
          id: eid("tz"),
          type: "preference_changed",
          occurredAt: ago(900),
          identifiers: { customerId: who },
          data: { timeZone: zoneAt(11, 17) },
        })),
        {
          id: eid("sp"),
          type: "page_view",
          occurredAt: ago(10),
          identifiers: { customerId: "C-B1-SPOUSE" },
          householdRef: "HH-B",
          data: { url: "x" },
        },
      ]);
      const before = await decide(h, a.keys.full, { subject: { customerId: "C-A1" }, channel: "dealer_site" });
      expect(ids(before)).toContain("lease-renewal");
      await events(h, a, [
        {
          id: eid("c"),
          type: "complaint_opened",
          occurredAt: ago(1),
          identifiers: { customerId: "C-A1" },
          data: { complaintId: "CMP-A" },
        },
        {
          id: eid("c"),
          type: "complaint_opened",
          occurredAt: ago(1),
          identifiers: { customerId: "C-B1-SPOUSE" },
          data: { complaintId: "CMP-B" },
        },
      ]);
      for (const who of ["C-A1", "C-B1"]) {
        for (const channel of ["dealer_site", "email", "service_lane"]) {
          const d = await decide(h, a.keys.full, { subject: { customerId: who }, channel, limit: 10 });
          expect(
            d.actions.filter((x) => x.category === "sales"),
            `${who} ${channel}`,
          ).toEqual([]);
          expect(held(d, "lease-renewal"), `${who} ${channel}`).toBe("complaint");
        }
      }
    });

    it("a lease ending in 5 months brings a renewal on the dealer site, not in the car while moving or 10 s after ignition", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      await withCatalog(h, a);
      // The fixture's customer bought a.vin an hour ago; this lessee took it over three years ago (a.keys.vehicle is bound to it).
      const vin = a.vin;
      await events(h, a, [
        {
          id: eid("p"),
          type: "purchase",
          occurredAt: ago(3000),
          identifiers: { customerId: "C-LESSEE" },
          data: { vin, condition: "new", financing: "lease" },
        },
        {
          id: eid("l"),
          type: "lease_started",
          occurredAt: ago(3000),
          identifiers: { customerId: "C-LESSEE" },
          data: { vin, termMonths: 36, endDate: ahead(150) },
        },
        {
          id: eid("pref"),
          type: "preference_changed",
          occurredAt: ago(1),
          identifiers: { customerId: "C-LESSEE" },
          data: { timeZone: zoneAt(11, 17) },
        },
        {
          id: eid("cons"),
          type: "consent_changed",
          occurredAt: ago(1),
          identifiers: { customerId: "C-LESSEE" },
          data: { marketing: { in_vehicle: true, web: true, email: true } },
        },
      ]);
      const site = await decide(h, a.keys.full, { subject: { customerId: "C-LESSEE" }, channel: "dealer_site" });
      expect(ids(site)).toContain("lease-renewal");
      expect(site.actions.find((x) => x.id === "lease-renewal")!.reasons.join(" ")).toMatch(
        /lease ends in (4|5) months/i,
      );
      const moving = await decide(h, a.keys.vehicle, {
        subject: { vin },
        channel: "in_vehicle",
        context: { driveState: "moving", speedKph: 80 },
      });
      expect(moving.actions).toEqual([]);
      expect(moving.notes.join(" ")).toMatch(/deferred until parked/);
      const unknown = await decide(h, a.keys.vehicle, { subject: { vin }, channel: "in_vehicle", context: {} });
      expect(unknown.actions).toEqual([]);
      const ignition = await decide(h, a.keys.vehicle, {
        subject: { vin },
        channel: "in_vehicle",
        context: { driveState: "parked", secondsSinceIgnition: 10 },
      });
      expect(ignition.actions).toEqual([]);
      const parked = await decide(h, a.keys.full, {
        subject: { vin },
        channel: "in_vehicle",
        context: { driveState: "parked", secondsSinceIgnition: 900 },
      });
      for (const x of parked.actions) {
        expect(String(x.creative.text).length).toBeLessThanOrEqual(120);
        expect((x.creative.buttons as string[]).length).toBeLessThanOrEqual(3);
      }
    });

    it("a service reminder goes to email in the owner's daytime, not at night and not to the dashboard at ignition", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      await withCatalog(h, a);
      const setup = (who: string, vin: string, tz: string) => [
        {
          id: eid("p"),
          type: "purchase",
          occurredAt: ago(700),
          identifiers: { customerId: who },
          data: { vin, condition: "used" },
        },
        {
          id: eid("d"),
          type: "service_due",
          occurredAt: ago(1),
          identifiers: { customerId: who },
          data: { vin, kind: "brake_fluid", dueDate: ahead(9) },
        },
        {
          id: eid("t"),
          type: "preference_changed",
          occurredAt: ago(1),
          identifiers: { customerId: who },
          data: { timeZone: tz },
        },
      ];
      await events(h, a, [
        ...setup("C-DAY", "5N1AT2MT9LC784186", zoneAt(10, 17)),
        ...setup("C-NIGHT", "3N8AP6CB1SL419565", zoneAt(1, 5)),
      ]);
      // issue 10: a service reminder by email carries open slots, so the brand publishes some.
      const tomorrow = Math.floor(Date.now() / 86_400_000) * 86_400_000 + 86_400_000 + 9 * 3_600_000;
      const slots = await h.fetch(
        `/v1/dealers/${a.dealer.id}/slots`,
        json(
          "PUT",
          { slots: [0, 1, 2].map((i) => ({ start: new Date(tomorrow + i * 3_600_000).toISOString(), capacity: 1 })) },
          auth(a.keys.admin),
        ),
      );
      expect(slots.status).toBe(200);
      const day = await decide(h, a.keys.full, { subject: { customerId: "C-DAY" }, channel: "email" });
      expect(ids(day)).toContain("service-due-reminder");
      const night = await decide(h, a.keys.full, { subject: { customerId: "C-NIGHT" }, channel: "email" });
      expect(night.actions).toEqual([]);
      expect(held(night, "service-due-reminder")).toBe("quiet_hours");
      const dash = await decide(h, a.keys.full, {
        subject: { customerId: "C-DAY" },
        channel: "in_vehicle",
        context: { driveState: "parked", secondsSinceIgnition: 3 },
      });
      expect(dash.actions).toEqual([]);
      expect(held(dash, "service-due-reminder")).toBe("in_car_safety");
    });

    it("a loan payoff inquiry raises a sales action whose copy never mentions the inquiry", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      await withCatalog(h, a);
      const vin = "5N1AT2MVXLC807279";
      await events(h, a, [
        {
          id: eid("p"),
          type: "purchase",
          occurredAt: ago(1500),
          // The browser visitor the widget's key was issued (the OEM backend links it to the customer).
          identifiers: { customerId: "C-PAY", visitorId: a.browserVisitorId },
          data: { vin, condition: "new", financing: "loan" },
        },
        {
          id: eid("l"),
          type: "loan_started",
          occurredAt: ago(1500),
          identifiers: { customerId: "C-PAY" },
          data: { vin, termMonths: 60, endDate: ahead(400), amount: 25000 },
        },
        {
          id: eid("q"),
          type: "loan_payoff_inquiry",
          occurredAt: ago(2),
          identifiers: { customerId: "C-PAY" },
          data: { vin, channel: "phone" },
        },
      ]);
      // A dry run, so that the staff view does not use up the offer's weekly cap before the widget asks.
      const staff = await decide(h, a.keys.full, {
        subject: { customerId: "C-PAY" },
        channel: "service_lane",
        limit: 5,
        dryRun: true,
      });
      const offer = staff.actions.find((x) => x.id === "loyalty-upgrade");
      expect(offer).toBeDefined();
      expect(JSON.stringify(offer!.creative)).not.toMatch(/payoff|pay off|inquir|loan/i);
      expect(offer!.reasons.join(" ")).not.toMatch(/payoff|pay off|inquir/i);
      expect((offer!.sensitiveReasons ?? []).join(" ")).toMatch(/pay/i);
      const site = await h.fetch(
        "/v1/decide",
        json(
          "POST",
          { subject: { visitorToken: a.visitorToken }, channel: "dealer_site", placement: "widget", limit: 5 },
          auth(a.keys.publishable, { origin: a.origin }),
        ),
      );
      const text = await site.text();
      expect(site.status, text).toBe(200);
      expect(JSON.parse(text).actions.map((x: { id: string }) => x.id)).toContain("loyalty-upgrade");
      expect(text).not.toMatch(/payoff|pay off|inquir|loan|sensitiveReasons|suppressed/i);
    });

    it("GPC and an Art. 21 objection remove every marketing action", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      await withCatalog(h, a);
      const who = { customerId: "C-GPC" };
      const vin = "JN8BT3BB7TW089619";
      const r = await events(h, a, [
        {
          id: eid("p"),
          type: "purchase",
          occurredAt: ago(1000),
          identifiers: who,
          data: { vin, condition: "new", financing: "lease" },
        },
        {
          id: eid("l"),
          type: "lease_started",
          occurredAt: ago(1000),
          identifiers: who,
          data: { vin, termMonths: 36, endDate: ahead(100) },
        },
        {
          id: eid("c"),
          type: "configurator_build",
          occurredAt: ago(3),
          identifiers: who,
          data: { model: "Ariya", powertrain: "ev" },
        },
        {
          id: eid("r"),
          type: "recall_notice",
          occurredAt: ago(3),
          identifiers: who,
          data: { vin, campaignId: "24V777", status: "open" },
        },
      ]);
      const profileId = r[0]!.personId!;
      const marketing = (d: Decision) =>
        d.actions.filter(
          (x) => x.category === "sales" || x.category === "retention" || x.kind === "offer" || x.kind === "test_drive",
        );
      const plain = await decide(h, a.keys.full, { subject: who, channel: "dealer_site", limit: 10 });
      expect(marketing(plain).length).toBeGreaterThan(0);
      const gpc = await decide(h, a.keys.full, { subject: who, channel: "dealer_site", limit: 10 }, { "sec-gpc": "1" });
      expect(marketing(gpc)).toEqual([]);
      expect(gpc.notes.join(" ")).toMatch(/Global Privacy Control|GPC/i);
      const put = await h.fetch(
        `/v1/profiles/${profileId}/consent`,
        json("PUT", { source: "privacy-request", profilingObjection: true }, auth(a.keys.full)),
      );
      expect(put.status).toBe(200);
      const art21 = await decide(h, a.keys.full, { subject: who, channel: "dealer_site", limit: 10 });
      expect(marketing(art21)).toEqual([]);
      expect(ids(art21)).toContain("recall-notice");
    });
  });

  describe("catalogue, logging and outcomes", () => {
    it("refuses a bad rule and a sensitive creative with problem+json naming the fault", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const base = {
        kind: "offer",
        category: "sales",
        value: 10,
        channels: { dealer_site: { title: "Hi", body: "Hello.", cta: "Go" } },
      };
      const bad = await expectProblem(
        await h.fetch(
          "/v1/actions/bad-rule",
          json("PUT", { ...base, rule: { lease_ends_within_days: [30] } }, auth(a.keys.admin)),
        ),
        400,
        "invalid-rule",
      );
      expect(String(bad.detail)).toMatch(/\/rule/);
      const creepy = {
        ...base,
        channels: {
          dealer_site: { title: "About your loan", body: "We saw {{profile.loanPayoffInquiryAt}}", cta: "Go" },
        },
      };
      const s = await expectProblem(
        await h.fetch("/v1/actions/creepy", json("PUT", creepy, auth(a.keys.admin))),
        400,
        "sensitive-creative",
      );
      expect(String(s.detail)).toMatch(/dealer_site/);
      expect(
        (
          (await h.fetch("/v1/actions", { headers: auth(a.keys.admin) }).then((r) => r.json())) as {
            actions: { id: string }[];
          }
        ).actions.map((x) => x.id),
      ).not.toContain("creepy");
    });

    it("a new action is decided at once; a dry run logs nothing; outcomes are idempotent and teach the learner", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const v1 = (await (await h.fetch("/v1/actions", { headers: auth(a.keys.admin) })).json()) as { version: number };
      // On the service lane (no one-per-category rule) with room for every eligible action, so exploration cannot hide it.
      const put = await h.fetch(
        "/v1/actions/spring-event",
        json(
          "PUT",
          {
            kind: "content",
            category: "info",
            value: 500,
            lever: 5,
            intrusiveness: "low",
            channels: { service_lane: { title: "Spring event", body: "Come and see us.", cta: "Join" } },
          },
          auth(a.keys.admin),
        ),
      );
      expect(((await put.json()) as { version: number }).version).toBeGreaterThan(v1.version);
      const dry = await decide(h, a.keys.full, {
        subject: { customerId: a.customerId },
        channel: "service_lane",
        dryRun: true,
        limit: 5,
      });
      expect(ids(dry)).toContain("spring-event");
      await new Promise((r) => setTimeout(r, 100));
      expect(await h.store.decisioning.decision(a.tenant.id, dry.decisionId)).toBeUndefined();

      const live = await decide(h, a.keys.full, {
        subject: { customerId: a.customerId },
        channel: "dealer_site",
        limit: 3,
      });
      for (let i = 0; i < 100 && !(await h.store.decisioning.decision(a.tenant.id, live.decisionId)); i++)
        await new Promise((r) => setTimeout(r, 10));
      const logged = await h.store.decisioning.decision(a.tenant.id, live.decisionId);
      expect(logged!.shown.map((s) => s.actionId)).toEqual(ids(live));
      for (const s of logged!.shown) expect(s.propensity).toBeGreaterThan(0);
      const shown = ids(live)[0]!;
      const r1 = await h.fetch(
        `/v1/decisions/${live.decisionId}/outcomes`,
        json("POST", { actionId: shown, type: "click" }, auth(a.keys.full)),
      );
      expect(await r1.json()).toMatchObject({ recorded: "new" });
      const r2 = await h.fetch(
        `/v1/decisions/${live.decisionId}/outcomes`,
        json("POST", { actionId: shown, type: "click" }, auth(a.keys.full)),
      );
      expect(await r2.json()).toMatchObject({ recorded: "duplicate" });
      const stats = await h.store.decisioning.stats(a.tenant.id);
      const arm = stats.find((s) => s.key === `${shown}|dealer_site|${live.segment}`)!;
      expect(arm).toMatchObject({ successes: 1 });
      expect(arm.shows).toBeGreaterThanOrEqual(1);
      const late = await h.fetch(
        "/v1/outcomes",
        json(
          "POST",
          {
            profileId: a.profileId,
            actionId: shown,
            type: "convert",
            occurredAt: new Date(Date.now() + 1000).toISOString(),
          },
          auth(a.keys.full),
        ),
      );
      expect(await late.json()).toMatchObject({ decisionId: live.decisionId, recorded: "new" });
      await expectProblem(
        await h.fetch(
          `/v1/decisions/dec_nope/outcomes`,
          json("POST", { actionId: shown, type: "click" }, auth(a.keys.full)),
        ),
        404,
        "not-found",
      );
    });

    it("caps hold an action back after it was shown enough, counted across the person's identifiers", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const put = await h.fetch(
        "/v1/actions/capped",
        json(
          "PUT",
          {
            kind: "content",
            category: "info",
            value: 900,
            lever: 9,
            intrusiveness: "low",
            caps: { perDay: 1 },
            channels: { dealer_site: { title: "Once a day", body: "Only once.", cta: "OK" } },
          },
          auth(a.keys.admin),
        ),
      );
      expect(put.status).toBe(200);
      const first = await decide(h, a.keys.full, { subject: { customerId: a.customerId }, channel: "dealer_site" });
      expect(ids(first)).toContain("capped");
      for (let i = 0; i < 100 && !(await h.store.decisioning.decision(a.tenant.id, first.decisionId)); i++)
        await new Promise((r) => setTimeout(r, 10));
      const second = await decide(h, a.keys.full, { subject: { visitorId: a.visitorId }, channel: "dealer_site" });
      expect(ids(second)).not.toContain("capped");
      expect(held(second, "capped")).toBe("frequency_caps");
    });

    it("a dealer-bound key decides only on its own rooftop and never sees another dealer's customer", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      await expectProblem(
        await h.fetch(
          "/v1/decide",
          json(
            "POST",
            {
              subject: { customerId: a.customerId },
              channel: "dealer_site",
              placement: "hero",
              dealerId: a.dealer2.id,
            },
            auth(a.keys.dealerBound),
          ),
        ),
        404,
        "not-found",
      );
      const own = await decide(h, a.keys.dealerBound, {
        subject: { customerId: a.customerId },
        channel: "dealer_site",
      });
      expect(own.segment).not.toBe("anonymous");
      await events(h, a, [
        {
          id: eid("south"),
          type: "purchase",
          occurredAt: ago(400),
          identifiers: { customerId: "C-SOUTH" },
          dealerId: a.dealer2.id,
          data: { vin: "3N8AP6CB1SL419565", condition: "new" },
        },
      ]);
      const other = await decide(h, a.keys.dealerBound, { subject: { customerId: "C-SOUTH" }, channel: "dealer_site" });
      expect(other.segment).toBe("anonymous");
    });

    it("a publishable key decides for an anonymous visitor on context alone and sees no suppressions", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      await withCatalog(h, a);
      const res = await h.fetch(
        "/v1/decide",
        json(
          "POST",
          {
            channel: "web_configurator",
            placement: "hero",
            context: { model: "Ariya", page: "/configurator/ariya" },
          },
          auth(a.keys.publishable, { origin: a.origin }),
        ),
      );
      const d = (await res.json()) as Decision;
      expect(res.status).toBe(200);
      expect(d.segment).toBe("anonymous");
      expect(d.suppressed).toBeUndefined();
      expect(d.degraded).toBe(false);
      // A new visitor, and the token the widget keeps to name it next time (not the visitor id alone).
      expect(d.visitor?.visitorToken).toMatch(/^pv1\./);
      const again = await h.fetch(
        "/v1/decide",
        json(
          "POST",
          { subject: { visitorToken: d.visitor!.visitorToken }, channel: "web_configurator", placement: "hero" },
          auth(a.keys.publishable, { origin: a.origin }),
        ),
      );
      expect(((await again.json()) as Decision).visitor?.visitorId).toBe(d.visitor!.visitorId);
    });
  });

  describe("guardrails follow who asks, not what they claim", () => {
    it("a vehicle key may not name another channel to step around in-car safety: 403 channel-not-allowed at 110 km/h", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const moving = { driveState: "moving", speedKph: 110 };
      for (const channel of ["dealer_site", "web_configurator", "service_lane", "email", "app"]) {
        const res = await h.fetch(
          "/v1/decide",
          json("POST", { subject: { vin: a.vin }, channel, placement: "hero", context: moving }, auth(a.keys.vehicle)),
        );
        const p = await expectProblem(res, 403, "channel-not-allowed");
        expect(String(p.detail)).toMatch(/in_vehicle/);
      }
      // On its own channel the car is held to in-car safety: nothing while moving.
      const car = await decide(h, a.keys.vehicle, { subject: { vin: a.vin }, channel: "in_vehicle", context: moving });
      expect(car.actions).toEqual([]);
      expect(car.notes.join(" ")).toMatch(/deferred until parked/);
      // Positive control: the same request from a server key on the dealer site shows the welcome content.
      const site = await decide(h, a.keys.full, { subject: { vin: a.vin }, channel: "dealer_site", context: moving });
      expect(site.actions.length).toBeGreaterThan(0);
    });

    it("in the car an open recall takes the first prompt, is not read again a minute later, and marketing cannot use up the day around it", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      await withCatalog(h, a);
      const vin = a.vin; // the vehicle key's car; this lessee took it over three years ago
      await events(h, a, [
        {
          id: eid("p"),
          type: "purchase",
          occurredAt: ago(1000),
          identifiers: { customerId: "C-RECALL" },
          data: { vin, condition: "new", financing: "lease" },
        },
        {
          id: eid("l"),
          type: "lease_started",
          occurredAt: ago(1000),
          identifiers: { customerId: "C-RECALL" },
          data: { vin, termMonths: 36, endDate: ahead(90) },
        },
        {
          id: eid("r"),
          type: "recall_notice",
          occurredAt: ago(1),
          identifiers: { customerId: "C-RECALL" },
          data: { vin, campaignId: "24V555", status: "open" },
        },
        {
          id: eid("pref"),
          type: "preference_changed",
          occurredAt: ago(1),
          identifiers: { customerId: "C-RECALL" },
          data: { timeZone: zoneAt(10, 18) },
        },
        {
          id: eid("cons"),
          type: "consent_changed",
          occurredAt: ago(1),
          identifiers: { customerId: "C-RECALL" },
          data: { marketing: { in_vehicle: true } },
        },
      ]);
      const parked = { driveState: "parked", secondsSinceIgnition: 900 };
      const prompt = async () => {
        const d = await decide(h, a.keys.vehicle, {
          subject: { vin },
          channel: "in_vehicle",
          context: parked,
          limit: 2,
        });
        for (
          let i = 0;
          i < 200 && d.actions.length && !(await h.store.decisioning.decision(a.tenant.id, d.decisionId));
          i++
        )
          await new Promise((r) => setTimeout(r, 10));
        return d;
      };
      const first = await prompt();
      expect(ids(first)[0]).toBe("recall-notice");
      const second = await prompt(); // a minute later, say: the recall is not read out again
      expect(ids(second)).not.toContain("recall-notice");
      const third = await prompt();
      expect(ids(third)).toEqual([]); // two prompts a day at most
      const staff = await decide(h, a.keys.full, {
        subject: { vin },
        channel: "in_vehicle",
        context: parked,
        dryRun: true,
      });
      expect(staff.suppressed?.find((x) => x.id === "recall-notice")?.reason).toBe("daily in-car prompt limit reached");
    });

    it("an off-brand car's due oil change is offered by a service_due rule when the dealer services any make", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const volt = "1G1RB6S56HU172687"; // a Chevrolet: off-brand for this Nissan/Infiniti tenant
      const action = (offBrandService: boolean) => ({
        kind: "offer",
        category: "service",
        value: 90,
        intrusiveness: "low",
        rule: { service_due: [] },
        offBrandService,
        channels: { service_lane: { title: "Oil change due", body: "Any make, while it is here.", cta: "Add" } },
      });
      for (const [id, any] of [
        ["any-make-oil", true],
        ["own-brand-oil", false],
      ] as const) {
        const res = await h.fetch(`/v1/actions/${id}`, json("PUT", action(any), auth(a.keys.admin)));
        expect(res.status, await res.clone().text()).toBe(200);
      }
      await events(h, a, [
        {
          id: eid("sv"),
          type: "service_visit",
          occurredAt: ago(150),
          identifiers: { customerId: "C-VOLT" },
          data: { vin: volt, odometer: 40000, workLines: [{ description: "Tyre rotation" }] },
        },
        {
          id: eid("due"),
          type: "service_due",
          occurredAt: ago(1),
          identifiers: { customerId: "C-VOLT" },
          data: { vin: volt, kind: "oil_change", dueDate: ahead(7) },
        },
      ]);
      const lane = await decide(h, a.keys.full, {
        subject: { customerId: "C-VOLT" },
        channel: "service_lane",
        limit: 10,
        dryRun: true,
      });
      expect(ids(lane)).toContain("any-make-oil");
      expect(lane.actions.find((x) => x.id === "any-make-oil")!.reasons.join(" ")).toMatch(/oil change due in/i);
      expect(ids(lane)).not.toContain("own-brand-oil");
    });

    it("dryRun is for server keys with catalog:write only: 403 for a car, a browser and a decide-only server key, and nothing is counted", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const dry = (key: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
        h.fetch("/v1/decide", json("POST", { placement: "slot", dryRun: true, ...body }, auth(key, headers)));
      const parked = { driveState: "parked", secondsSinceIgnition: 600 };
      const refused = [
        await dry(a.keys.vehicle, { subject: { vin: a.vin }, channel: "in_vehicle", context: parked }),
        // A browser asks without a subject (a new visitor): the dry run alone is refused.
        await dry(a.keys.publishable, { channel: "dealer_site" }, { origin: a.origin }),
        await dry(a.keys.decideOnly, { subject: { customerId: a.customerId }, channel: "dealer_site" }),
      ];
      for (const res of refused) {
        const p = await expectProblem(res, 403, "dry-run-not-allowed");
        expect(p.requiredScope).toBe("catalog:write");
      }
      const ok = await dry(a.keys.full, { subject: { customerId: a.customerId }, channel: "dealer_site" });
      expect(ok.status, await ok.clone().text()).toBe(200);
      const d = (await ok.json()) as Decision;
      await new Promise((r) => setTimeout(r, 100));
      expect(await h.store.decisioning.decision(a.tenant.id, d.decisionId)).toBeUndefined();
    });

    it("sensitiveReasons reach only server keys with profiles:read, and reasons never carry the trigger — for staff either", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      await withCatalog(h, a);
      const vin = "5N1AT2MVXLC807279";
      await events(h, a, [
        {
          id: eid("p"),
          type: "purchase",
          occurredAt: ago(1500),
          identifiers: { customerId: "C-SENS" },
          data: { vin, condition: "new", financing: "loan" },
        },
        {
          id: eid("l"),
          type: "loan_started",
          occurredAt: ago(1500),
          identifiers: { customerId: "C-SENS" },
          data: { vin, termMonths: 60, endDate: ahead(400), amount: 25000 },
        },
        {
          id: eid("q"),
          type: "loan_payoff_inquiry",
          occurredAt: ago(2),
          identifiers: { customerId: "C-SENS" },
          data: { vin, channel: "phone" },
        },
      ]);
      const TRIGGER = /pay(ing)?[\s-]?off|payoff|inquir/i;
      const ask = (key: string, dryRun: boolean) =>
        h.fetch(
          "/v1/decide",
          json(
            "POST",
            { subject: { customerId: "C-SENS" }, channel: "service_lane", placement: "console", limit: 10, dryRun },
            auth(key),
          ),
        );
      // Staff with profiles:read (a dry run, so that the offer's weekly cap is left for the job below): the trigger
      // only in sensitiveReasons, never in reasons.
      const staff = (await (await ask(a.keys.full, true)).json()) as Decision;
      const offer = staff.actions.find((x) => x.id === "loyalty-upgrade")!;
      expect(offer, JSON.stringify(staff)).toBeDefined();
      expect(offer.reasons.join(" ")).not.toMatch(TRIGGER);
      expect((offer.sensitiveReasons ?? []).join(" ")).toMatch(TRIGGER);
      // An email job with only `decide`: the offer, its plain reasons, no word of the inquiry anywhere.
      const job = await ask(a.keys.decideOnly, false);
      const jobText = await job.text();
      expect(job.status, jobText).toBe(200);
      expect((JSON.parse(jobText) as Decision).actions.map((x) => x.id)).toContain("loyalty-upgrade");
      expect(jobText).not.toMatch(TRIGGER);
      expect(jobText).not.toMatch(/sensitiveReasons/);
    });
  });

  describe("a brand's marketing-consent default", () => {
    it("where opt-in applies (the person's country, else the dealer's), no recorded consent means no marketing", async () => {
      const h = getHarness();
      const a = await makeTenant(h); // the fixture customer belongs to a.dealer, in Germany, and recorded no consent
      const put = await h.fetch(
        "/v1/actions/spring-offer",
        json(
          "PUT",
          {
            kind: "offer",
            category: "sales",
            value: 500,
            channels: { dealer_site: { title: "Spring offer", body: "Loyalty pricing this month.", cta: "See it" } },
          },
          auth(a.keys.admin),
        ),
      );
      expect(put.status).toBe(200);
      const ask = () =>
        decide(h, a.keys.full, { subject: { customerId: a.customerId }, channel: "dealer_site", limit: 3 });
      expect(ids(await ask())).toContain("spring-offer"); // a brand without settings: opt-out everywhere
      expect(await (await h.fetch("/v1/settings", { headers: auth(a.keys.admin) })).json()).toEqual({});
      const set = await h.fetch(
        "/v1/settings",
        json("PUT", { marketingConsent: { default: "opt-out", optInCountries: ["de", "FR"] } }, auth(a.keys.admin)),
      );
      expect(set.status, await set.clone().text()).toBe(200);
      expect(await set.json()).toEqual({
        marketingConsent: { default: "opt-out", optInCountries: ["DE", "FR"], optOutCountries: [] },
      });
      const eu = await ask();
      expect(ids(eu)).not.toContain("spring-offer");
      expect(eu.suppressed?.find((x) => x.id === "spring-offer")).toMatchObject({
        guardrail: "consent",
        reason: "no marketing consent for web",
      });
      // The person's own country wins over the dealer's.
      const moved = await h.fetch(
        `/v1/profiles/${a.profileId}/consent`,
        json("PUT", { source: "owner-portal", country: "us" }, auth(a.keys.full)),
      );
      expect(moved.status, await moved.clone().text()).toBe(200);
      expect(ids(await ask())).toContain("spring-offer");
      // Back in the EU with a recorded opt-in for the web: marketing again.
      await h.fetch(
        `/v1/profiles/${a.profileId}/consent`,
        json("PUT", { source: "owner-portal", country: "FR" }, auth(a.keys.full)),
      );
      expect(ids(await ask())).not.toContain("spring-offer");
      await h.fetch(
        `/v1/profiles/${a.profileId}/consent`,
        json("PUT", { source: "owner-portal", marketing: { web: true } }, auth(a.keys.full)),
      );
      expect(ids(await ask())).toContain("spring-offer");
      await expectProblem(
        await h.fetch(
          "/v1/settings",
          json("PUT", { marketingConsent: { default: "opt-in", optInCountries: ["Germany"] } }, auth(a.keys.admin)),
        ),
        400,
        "validation-failed",
      );
    });
  });
}
