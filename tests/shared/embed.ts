/**
 * What callers embed (issue 10), on both runtimes: /widget.js as any site loads it (CORS, caching, at most 10 KB
 * gzipped), the demo pages (demo mode only) and the configurator's server-side quote route, GPC in the body, the
 * monthly driving report (hand-computed figures for the demo Leaf, who may read which report, the household's consent
 * to compare drivers, HTML) and driving data kept from marketing without drivingDataConsent.
 */
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { DEMO_VIN, seedDemo } from "../../src/seed/demo";
import { demoEvents } from "../../src/seed/population";
import { WIDGET_HASH } from "../../src/embed/assets.generated";
import { auth, expectProblem, json, makeTenant, type TenantFixture } from "./fixtures";
import type { Harness } from "./harness";

let n = 0;
const eid = (p: string) => `ch-${p}-${Date.now().toString(36)}-${(n++).toString(36)}`;
const ago = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

async function ingest(h: Harness, key: string, events: unknown[]) {
  const res = await h.fetch("/v1/events", json("POST", { events }, auth(key)));
  const body = (await res.json()) as { results: { status: string; personId?: string; reasons?: unknown }[] };
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body.results;
}

interface TripData {
  vin: string;
  startedAt: string;
  endedAt: string;
  distanceKm: number;
  energyKwh: number;
  driverProfileId: string;
}

/** The month before `now`'s (UTC), YYYY-MM, computed here without the report's own helpers. */
function monthBefore(now: number, back = 1): string {
  const d = new Date(now);
  const m = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - back, 1));
  return m.toISOString().slice(0, 7);
}
const round1 = (x: number) => Math.round(x * 10) / 10;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** A trip summary event of `vin` that started `daysAgo` days ago (UTC), for `km` km. */
function trip(vin: string, daysAgo: number, km: number, kwh: number, driver: string) {
  const start = new Date(Date.now() - daysAgo * 86_400_000);
  const end = new Date(start.getTime() + 10 * 60_000);
  return {
    id: eid("trip"),
    type: "trip_summary",
    occurredAt: end.toISOString(),
    identifiers: { vin },
    data: {
      vin,
      startedAt: start.toISOString(),
      endedAt: end.toISOString(),
      distanceKm: km,
      energyKwh: kwh,
      driverProfileId: driver,
    },
  };
}

export function embedSuite(getHarness: () => Harness) {
  describe("/widget.js", () => {
    it("is served to any site: JavaScript, CORS *, cross-origin resource policy, ETag, at most 10 KB gzipped", async () => {
      const h = getHarness();
      const res = await h.fetch("/widget.js", { headers: { origin: "https://any-dealer.example" } });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
      expect(res.headers.get("access-control-allow-origin")).toBe("*");
      expect(res.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("cache-control")).toBe("public, max-age=300, stale-while-revalidate=86400");
      const etag = res.headers.get("etag");
      expect(etag).toBe(`"${WIDGET_HASH}"`);
      const body = new Uint8Array(await res.arrayBuffer());
      expect(new TextDecoder().decode(body)).toContain("pitwall-offers");
      const gzipped = gzipSync(body, { level: 9 }).byteLength;
      expect(gzipped).toBeGreaterThan(1000);
      expect(gzipped, `widget.js is ${gzipped} bytes gzipped`).toBeLessThanOrEqual(10 * 1024);
      // Revalidation, and the versioned URL a site may cache for a year.
      const again = await h.fetch("/widget.js", { headers: { "if-none-match": etag! } });
      expect(again.status).toBe(304);
      const pinned = await h.fetch(`/widget.js?v=${WIDGET_HASH}`);
      expect(pinned.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      const stale = await h.fetch("/widget.js?v=0000000000000000");
      expect(stale.headers.get("cache-control")).toContain("max-age=300");
    });
  });

  describe("demo pages", () => {
    it("answer 404 problem+json unless demo mode is on", async () => {
      const h = getHarness();
      h.setDemo?.(undefined);
      for (const path of ["/demo", "/demo/configurator", "/demo/in-car", "/demo/configurator.js"])
        await expectProblem(await h.fetch(path), 404, "not-found");
      const res = await h.fetch("/demo/configurator/quote", json("POST", {}));
      await expectProblem(res, 404, "not-found");
    });

    it("in demo mode: pages with their own CSP and the demo keys; the quote goes through the server route as a quote_request that links the visitor", async () => {
      const h = getHarness();
      if (!h.setDemo) throw new Error("this harness cannot switch demo mode on");
      const a = await makeTenant(h);
      // The demo site's backend key: events:write only.
      const site = await h.store.keys.create(
        a.scope,
        { kind: "server", name: "site backend", scopes: ["events:write"] },
        Date.now(),
      );
      h.setDemo({ publishable: a.keys.publishable, vehicle: a.keys.vehicle, vin: a.vin, site: site.key });
      try {
        const page = await h.fetch("/demo/configurator");
        expect(page.status).toBe(200);
        expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
        const html = await page.text();
        expect(html).toContain(`key="${a.keys.publishable}"`);
        expect(html).not.toContain(site.key); // the server key never reaches the browser
        expect(html).toContain(a.dealer.id); // the dealers, for the nearest one
        const car = await (await h.fetch("/demo/in-car")).text();
        expect(car).toContain(a.keys.vehicle);
        const js = await h.fetch("/demo/configurator.js");
        expect(js.headers.get("content-type")).toContain("javascript");

        const email = `quote-${Date.now()}@example.com`;
        const ok = await h.fetch(
          "/demo/configurator/quote",
          json("POST", {
            visitorToken: a.visitorToken,
            email,
            model: "Ariya",
            trim: "Evolve+",
            powertrain: "ev",
            price: 47190,
            dealerId: a.dealer.id,
          }),
        );
        expect(ok.status, await ok.clone().text()).toBe(200);
        // The visitor the widget holds and the email are one person now, with the quote.
        const byEmail = await h.fetch(`/v1/profiles/lookup?email=${encodeURIComponent(email)}`, {
          headers: auth(a.keys.admin),
        });
        const known = (await byEmail.json()) as { id: string; profile: { interest: { quotes: number } } };
        expect(byEmail.status).toBe(200);
        expect(known.profile.interest.quotes).toBe(1);
        const byVisitor = await h.fetch(`/v1/profiles/lookup?visitorId=${a.browserVisitorId}`, {
          headers: auth(a.keys.admin),
        });
        expect(((await byVisitor.json()) as { id: string }).id).toBe(known.id);

        // Bad input: a clear problem, nothing stored.
        await expectProblem(
          await h.fetch("/demo/configurator/quote", json("POST", { visitorToken: null, email: "nope", model: "X" })),
          400,
          "validation-failed",
        );
        const forged = await h.fetch(
          "/demo/configurator/quote",
          json("POST", { visitorToken: `${a.visitorToken.slice(0, -4)}AAAA`, email: `f-${email}`, model: "Leaf" }),
        );
        await expectProblem(forged, 400, "validation-failed");
        const none = await h.fetch(`/v1/profiles/lookup?email=${encodeURIComponent(`f-${email}`)}`, {
          headers: auth(a.keys.admin),
        });
        expect(none.status).toBe(404);
      } finally {
        h.setDemo(undefined);
      }
    });
  });

  describe("Global Privacy Control from a page", () => {
    it("`gpc: true` in the body removes behavioural actions, as Sec-GPC does", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const built = {
        id: "drive-what-you-built",
        kind: "test_drive",
        category: "sales",
        value: 1500,
        rule: { model_configured_recently: [30] },
        channels: { dealer_site: { title: "Drive the {{gates.configuredModel}}", body: "It is ready.", cta: "Book" } },
      };
      expect((await h.fetch(`/v1/actions/${built.id}`, json("PUT", built, auth(a.keys.admin)))).status).toBe(200);
      const sent = await h.fetch(
        "/v1/events",
        json(
          "POST",
          {
            events: [
              {
                id: eid("build"),
                type: "configurator_build",
                occurredAt: ago(0.01),
                identifiers: { visitorToken: a.visitorToken },
                data: { model: "Ariya", powertrain: "ev" },
              },
            ],
          },
          auth(a.keys.publishable, { origin: a.origin }),
        ),
      );
      expect(sent.status).toBe(200);
      const ask = async (extra: Record<string, unknown>, headers: Record<string, string> = {}) => {
        const res = await h.fetch(
          "/v1/decide",
          json(
            "POST",
            {
              subject: { visitorToken: a.visitorToken },
              channel: "dealer_site",
              placements: ["hero"],
              limit: 3,
              ...extra,
            },
            auth(a.keys.publishable, { origin: a.origin, ...headers }),
          ),
        );
        expect(res.status).toBe(200);
        return (await res.json()) as { actions: { id: string }[]; notes: string[] };
      };
      expect((await ask({})).actions.map((x) => x.id)).toContain(built.id); // positive control
      const gpc = await ask({ gpc: true });
      expect(gpc.actions.map((x) => x.id)).not.toContain(built.id);
      expect(gpc.notes.join(" ")).toContain("Global Privacy Control");
      expect((await ask({}, { "sec-gpc": "1" })).actions.map((x) => x.id)).not.toContain(built.id);
      // gpc: false cannot undo the header: it only ever restricts.
      expect((await ask({ gpc: false }, { "sec-gpc": "1" })).actions.map((x) => x.id)).not.toContain(built.id);
    });
  });

  describe("monthly driving report", () => {
    it("matches figures computed by hand from the demo Leaf's seeded trips (JSON and HTML)", async () => {
      const h = getHarness();
      if (!h.vins) throw new Error("this harness exposes no VIN service");
      const now = Date.now();
      const seeded = await seedDemo({ store: h.store, vins: h.vins }, now);
      const keys =
        seeded.keys ??
        (() => {
          throw new Error("the demo was seeded already in this database");
        })();
      const dealers = await h.store.dealers.list({ tenantId: seeded.tenant.id });
      const month = monthBefore(now);
      const prevMonth = monthBefore(now, 2);
      // By hand, from the events the seed sent.
      const trips = demoEvents(now, dealers)
        .filter((e) => e.type === "trip_summary")
        .map((e) => e.data as unknown as TripData);
      const leaf = trips.filter((t) => t.vin === DEMO_VIN);
      const inMonth = (t: TripData, m: string) => t.startedAt.startsWith(`${m}-`);
      const mine = leaf.filter((t) => inMonth(t, month));
      const before = leaf.filter((t) => inMonth(t, prevMonth));
      const km = sum(mine.map((t) => t.distanceKm));
      const kwh = sum(mine.map((t) => t.energyKwh));
      const prevEconomy = (sum(before.map((t) => t.energyKwh)) / sum(before.map((t) => t.distanceKm))) * 100;
      const others = trips.filter((t) => t.vin !== DEMO_VIN && inMonth(t, month));
      const fleetEconomy = (sum(others.map((t) => t.energyKwh)) / sum(others.map((t) => t.distanceKm))) * 100;
      expect(mine.length).toBeGreaterThan(20);

      const res = await h.fetch(`/v1/vehicles/${DEMO_VIN}/report?month=${month}`, { headers: auth(keys.admin) });
      const text = await res.text();
      expect(res.status, text).toBe(200);
      const r = JSON.parse(text) as {
        month: string;
        vehicle: { model: string | null };
        distance: { km: number; trips: number; previousMonthKm: number };
        economy: {
          unit: string;
          value: number;
          previousMonth: number | null;
          sameModel: { vehicles: number; value: number } | null;
        }[];
        daily: { day: string; km: number }[];
        service: { kind: string } | null;
        software: { available: string | null } | null;
        recalls: string[];
        drivers: { driverProfileId: string; km: number; trips: number }[] | null;
      };
      expect(r.month).toBe(month);
      expect(r.distance.km).toBe(round1(km));
      expect(r.distance.trips).toBe(mine.length);
      expect(r.distance.previousMonthKm).toBe(round1(sum(before.map((t) => t.distanceKm))));
      expect(r.economy).toHaveLength(1);
      expect(r.economy[0]!.unit).toBe("kWh/100 km");
      expect(r.economy[0]!.value).toBe(round1((kwh / km) * 100));
      expect(r.economy[0]!.previousMonth).toBe(round1(prevEconomy));
      expect(r.service?.kind).toBe("battery_check");
      expect(r.software?.available).toBe("2.5.0");
      expect(r.recalls).toEqual([]);
      // Days: every trip in the local day it started.
      const days = new Map<string, number>();
      for (const t of mine)
        days.set(t.startedAt.slice(0, 10), (days.get(t.startedAt.slice(0, 10)) ?? 0) + t.distanceKm);
      for (const d of r.daily) expect(d.km, d.day).toBe(round1(days.get(d.day) ?? 0));
      // Both household members consented: each driver compared.
      for (const id of ["driver-1", "driver-2"]) {
        const theirs = mine.filter((t) => t.driverProfileId === id);
        const got = r.drivers?.find((d) => d.driverProfileId === id);
        expect(got, id).toMatchObject({ trips: theirs.length, km: round1(sum(theirs.map((t) => t.distanceKm))) });
      }
      // The model comparison: the VIN decodes (vPIC) as a Leaf, and three other Leafs drove that month.
      expect(r.vehicle.model).toBe("Leaf");
      expect(r.economy[0]!.sameModel).toEqual({
        model: "Leaf",
        vehicles: new Set(others.map((t) => t.vin)).size,
        value: round1(fleetEconomy),
        differencePercent: round1(((round1((kwh / km) * 100) - round1(fleetEconomy)) / round1(fleetEconomy)) * 100),
      });

      const page = await h.fetch(`/v1/vehicles/${DEMO_VIN}/report?month=${month}`, {
        headers: auth(keys.admin, { accept: "text/html" }),
      });
      expect(page.headers.get("content-type")).toContain("text/html");
      expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
      const html = await page.text();
      expect(html).toContain("<svg");
      expect(html).toContain(`${round1(km).toLocaleString("en-US", { minimumFractionDigits: 1 })} km`);
      expect(html).not.toContain("<script");

      // The demo car's own key reads the same report; another car's VIN is refused.
      const own = await h.fetch(`/v1/vehicles/${DEMO_VIN}/report?month=${month}`, { headers: auth(keys.vehicle) });
      expect(((await own.json()) as { distance: { km: number } }).distance.km).toBe(round1(km));
      await expectProblem(
        await h.fetch(`/v1/vehicles/1N4AZ0CPXGC301117/report?month=${month}`, { headers: auth(keys.vehicle) }),
        403,
        "subject-not-allowed",
      );
      // Reading a report is on the audit log.
      const audit = await h.fetch(`/v1/audit?action=vehicle.report&subject=${DEMO_VIN}`, { headers: auth(keys.admin) });
      expect(((await audit.json()) as { entries: unknown[] }).entries.length).toBeGreaterThanOrEqual(3);
    });

    it("compares drivers only with every household member's consent; dealer-bound keys read only their dealer's cars", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const hh = `HH-${eid("h")}`;
      const trips = [trip(a.vin, 0.02, 20, 3.2, "driver-1"), trip(a.vin, 0.02, 10, 1.9, "driver-2")];
      // The fixture's customer owns a.vin at a.dealer; a partner joins the household.
      await ingest(h, a.keys.admin, [
        {
          id: eid("hh"),
          type: "preference_changed",
          occurredAt: ago(2),
          identifiers: { customerId: a.customerId },
          householdRef: hh,
          data: { timeZone: "Europe/Berlin" },
        },
        {
          id: eid("partner"),
          type: "consent_changed",
          occurredAt: ago(2),
          identifiers: { customerId: `${a.customerId}-P` },
          householdRef: hh,
          data: { driverComparisonConsent: true },
        },
        trips[0],
        trips[1],
      ]);
      const month = trips[0]!.data.startedAt.slice(0, 7); // the trips' month, whatever the day
      const report = async (key: string) => {
        const res = await h.fetch(`/v1/vehicles/${a.vin}/report?month=${month}`, { headers: auth(key) });
        return {
          status: res.status,
          body: (await res.json()) as { drivers: unknown[] | null; distance: { km: number } },
        };
      };
      const only = await report(a.keys.admin);
      expect(only.status).toBe(200);
      expect(only.body.distance.km).toBeGreaterThanOrEqual(30);
      expect(only.body.drivers).toBeNull(); // the owner has not consented yet
      const consent = await h.fetch(
        `/v1/profiles/${a.profileId}/consent`,
        json("PUT", { source: "owner-app", driverComparisonConsent: true }, auth(a.keys.admin)),
      );
      expect(consent.status, await consent.clone().text()).toBe(200);
      const both = await report(a.keys.admin);
      expect(both.body.drivers).toHaveLength(2);

      // The dealer-bound key of the car's dealer may; a key bound to the other dealer may not (404: not in scope).
      expect((await report(a.keys.dealerBound)).status).toBe(200);
      const other = await h.store.keys.create(
        a.scope,
        { kind: "server", name: "other rooftop", scopes: ["profiles:read"], dealerId: a.dealer2.id },
        Date.now(),
      );
      const res = await h.fetch(`/v1/vehicles/${a.vin}/report`, { headers: auth(other.key) });
      await expectProblem(res, 404, "not-found");
      // A server key without profiles:read, and a publishable key, are refused.
      await expectProblem(
        await h.fetch(`/v1/vehicles/${a.vin}/report`, { headers: auth(a.keys.decideOnly) }),
        403,
        "insufficient-scope",
      );
      await expectProblem(
        await h.fetch(`/v1/vehicles/${a.vin}/report?month=2026-13`, { headers: auth(a.keys.admin) }),
        400,
        "validation-failed",
      );
    });

    it("trip summaries are validated: an end before the start is rejected alone, nothing stored", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const bad = trip(a.vin, 1, 12, 2, "driver-1");
      bad.data.endedAt = new Date(Date.parse(bad.data.startedAt) - 60_000).toISOString();
      const [r1, r2] = await ingest(h, a.keys.vehicle, [bad, trip(a.vin, 1, 12, 2, "driver-1")]);
      expect(r1!.status).toBe("rejected");
      expect(JSON.stringify(r1!.reasons)).toContain("/data/endedAt");
      expect(r2!.status).toBe("accepted");
    });
  });

  describe("driving data and marketing", () => {
    it("a marketing rule that reads driving data never fires without drivingDataConsent; a service rule may", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const upsell = {
        id: "long-range-upgrade",
        kind: "offer",
        category: "sales",
        value: 3000,
        rule: { some: [{ var: "vehicle.driving" }, { ">": [{ var: "km" }, 25] }] },
        channels: { dealer_site: { title: "More range for your commute", body: "See the new models.", cta: "See" } },
      };
      const check = {
        id: "battery-check-heavy-use",
        kind: "content",
        category: "service",
        value: 50,
        rule: { some: [{ var: "vehicle.driving" }, { ">": [{ var: "km" }, 25] }] },
        channels: { dealer_site: { title: "A battery check", body: "Free with your next visit.", cta: "Book" } },
      };
      for (const x of [upsell, check])
        expect((await h.fetch(`/v1/actions/${x.id}`, json("PUT", x, auth(a.keys.admin)))).status).toBe(200);
      await ingest(h, a.keys.vehicle, [trip(a.vin, 1, 40, 6.5, "driver-1")]);
      const shown = async () => {
        const res = await h.fetch(
          "/v1/decide",
          json(
            "POST",
            { subject: { customerId: a.customerId }, channel: "dealer_site", placement: "page", limit: 10 },
            auth(a.keys.admin),
          ),
        );
        expect(res.status).toBe(200);
        return ((await res.json()) as { actions: { id: string }[] }).actions.map((x) => x.id);
      };
      const before = await shown();
      expect(before).toContain(check.id); // service: the driving data may be used for the car's care
      expect(before).not.toContain(upsell.id);
      const consent = await h.fetch(
        `/v1/profiles/${a.profileId}/consent`,
        json("PUT", { source: "owner-app", drivingDataConsent: true }, auth(a.keys.admin)),
      );
      expect(consent.status).toBe(200);
      expect(await shown()).toContain(upsell.id); // positive control: with consent the same rule holds
    });
  });
}

export type { TenantFixture };
