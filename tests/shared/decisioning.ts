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
}
