/** Customer 360 on both runtimes: ingestion, identity graph, projection, households, consent, access, erasure. */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/lib/crypto";
import { auth, expectProblem, json, makeTenant, type TenantFixture } from "./fixtures";
import type { Harness } from "./harness";

let seq = 0;
const eid = (tag: string) => `${tag}-${Date.now().toString(36)}-${(seq++).toString(36)}`;
const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString();

type Results = {
  accepted: number;
  duplicate: number;
  rejected: number;
  results: {
    index: number;
    id: string | null;
    status: string;
    personId?: string;
    merges?: string[];
    notes?: string[];
    reasons?: { pointer: string; reason: string }[];
  }[];
};

async function send(h: Harness, key: string, events: unknown[], headers: Record<string, string> = {}) {
  const res = await h.fetch("/v1/events", json("POST", { events }, auth(key, headers)));
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Results;
}

async function lookup(h: Harness, a: TenantFixture, q: string) {
  return h.fetch(`/v1/profiles/lookup?${q}`, { headers: auth(a.keys.full) });
}

async function profileDoc(h: Harness, a: TenantFixture, id: string) {
  const res = await h.fetch(`/v1/profiles/${id}`, { headers: auth(a.keys.full) });
  expect(res.status).toBe(200);
  return (await res.json()) as {
    id: string;
    householdId: string | null;
    profile: Record<string, any>;
    household: Record<string, any> | null;
  };
}

/** Every row of every table, as text: what a scan for leftover personal data reads. */
async function dumpDatabase(h: Harness): Promise<string> {
  const db = h.store.database.db;
  const tables = await db.all<{ name: string }>(
    sql`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '_cf_%'`,
  );
  const parts: string[] = [];
  for (const { name } of tables) parts.push(name, JSON.stringify(await db.all(sql.raw(`select * from "${name}"`))));
  return parts.join("\n");
}

export function customer360Suite(getHarness: () => Harness) {
  describe("event ingestion", () => {
    it("stores each event once: a retried batch answers duplicate and stores nothing twice", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const events = [1, 2, 3].map((i) => ({
        id: eid(`retry${i}`),
        type: "page_view",
        occurredAt: daysAgo(1),
        identifiers: { visitorId: "v-retry" },
        data: { url: `https://example.com/${i}` },
      }));
      const first = await send(h, a.keys.full, events);
      expect(first).toMatchObject({ accepted: 3, duplicate: 0, rejected: 0 });
      const again = await send(h, a.keys.full, [...events, events[0]]);
      expect(again).toMatchObject({ accepted: 0, duplicate: 4, rejected: 0 });
      const p = (await (await lookup(h, a, "visitorId=v-retry")).json()) as {
        profile: { events: number; interest: { pageViews: number } };
      };
      expect(p.profile.events).toBe(3);
      expect(p.profile.interest.pageViews).toBe(3);
    });

    it("an Idempotency-Key replays the first response; the same key with another body is 409", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const events = [
        {
          id: eid("idem"),
          type: "page_view",
          occurredAt: daysAgo(1),
          identifiers: { visitorId: "v-idem" },
          data: { url: "https://example.com/" },
        },
      ];
      const r1 = await h.fetch(
        "/v1/events",
        json("POST", { events }, auth(a.keys.full, { "idempotency-key": "batch-0001" })),
      );
      const t1 = await r1.text();
      const r2 = await h.fetch(
        "/v1/events",
        json("POST", { events }, auth(a.keys.full, { "idempotency-key": "batch-0001" })),
      );
      expect(await r2.text()).toBe(t1);
      expect(r2.headers.get("idempotent-replayed")).toBe("true");
      expect(JSON.parse(t1)).toMatchObject({ accepted: 1 });
      const other = [{ ...events[0], id: eid("idem2") }];
      await expectProblem(
        await h.fetch(
          "/v1/events",
          json("POST", { events: other }, auth(a.keys.full, { "idempotency-key": "batch-0001" })),
        ),
        409,
        "idempotency-key-reused",
      );
    });

    it("rejects each bad event alone with reasons, stores the good ones and nothing of the bad", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const good = {
        id: eid("good"),
        type: "page_view",
        occurredAt: daysAgo(1),
        identifiers: { visitorId: "v-mixed" },
        data: { url: "https://example.com/" },
      };
      const bad = [
        { id: eid("bad"), type: "teleport", occurredAt: daysAgo(1), identifiers: { visitorId: "v-mixed" }, data: {} },
        { id: eid("bad"), type: "page_view", occurredAt: daysAgo(1), identifiers: {}, data: { url: "x" } },
        {
          id: eid("bad"),
          type: "purchase",
          occurredAt: daysAgo(1),
          identifiers: { customerId: "C-bad" },
          data: { vin: "1N4AZ0CP7GC304290", condition: "new" },
        },
        {
          id: eid("bad"),
          type: "quote_request",
          occurredAt: daysAgo(1),
          identifiers: { visitorId: "v-bad", email: "not-an-email" },
          data: {},
        },
        {
          id: eid("bad"),
          type: "survey_response",
          occurredAt: daysAgo(1),
          identifiers: { customerId: "C-bad" },
          data: { score: 9, verbatim: "x".repeat(2001) },
        },
        {
          id: eid("bad"),
          type: "survey_response",
          occurredAt: daysAgo(1),
          identifiers: { customerId: "C-bad" },
          data: { score: "nine" },
        },
        {
          id: eid("bad"),
          type: "page_view",
          occurredAt: new Date(Date.now() + 86_400_000).toISOString(),
          identifiers: { visitorId: "v-bad" },
          data: { url: "x" },
        },
        {
          id: eid("bad"),
          type: "page_view",
          occurredAt: daysAgo(1),
          identifiers: { visitorId: "v-bad" },
          dealerId: "dlr_nope",
          data: { url: "x" },
        },
        "not an object",
      ];
      const r = await send(h, a.keys.full, [good, ...bad]);
      expect(r).toMatchObject({ accepted: 1, rejected: bad.length });
      const reasons = r.results.slice(1).map((x) => x.reasons!.map((y) => `${y.pointer}: ${y.reason}`).join("; "));
      expect(reasons[0]).toMatch(/^\/type/);
      expect(reasons[1]).toMatch(/identifiers.*at least one identifier/);
      expect(reasons[2]).toMatch(/\/data\/vin: check_digit/);
      expect(reasons[3]).toMatch(/\/identifiers\/email: is not an email address/);
      expect(reasons[4]).toMatch(/\/data\/verbatim/);
      expect(reasons[5]).toMatch(/\/data\/score/);
      expect(reasons[6]).toMatch(/\/occurredAt: .*future/);
      expect(reasons[7]).toMatch(/\/dealerId: no such dealer/);
      const statuses = await h.store.customers.eventStatuses(
        a.tenant.id,
        bad.filter((b) => typeof b === "object").map((b) => (b as { id: string }).id),
      );
      expect(statuses.size).toBe(0);
      await expectProblem(await lookup(h, a, "customerId=C-bad"), 404, "not-found");
      await expectProblem(await lookup(h, a, "visitorId=v-bad"), 404, "not-found");
    });

    it("refuses more than 500 events in one request", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const events = Array.from({ length: 501 }, (_, i) => ({
        id: `too-many-${i}-xxxxxx`,
        type: "page_view",
        occurredAt: daysAgo(1),
        identifiers: { visitorId: "v" },
        data: { url: "x" },
      }));
      await expectProblem(
        await h.fetch("/v1/events", json("POST", { events }, auth(a.keys.full))),
        400,
        "validation-failed",
      );
    });
  });

  describe("identity graph", () => {
    it("a quote request merges a visitor into the known customer; unmerge restores both with their own events", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const known = await send(h, a.keys.full, [
        {
          id: eid("crm"),
          type: "consent_changed",
          occurredAt: daysAgo(30),
          identifiers: { customerId: "C-ann", email: "Ann.Example@Example.com" },
          data: { marketing: { email: true }, source: "crm" },
        },
      ]);
      const annId = known.results[0]!.personId!;
      const browsing = await send(h, a.keys.full, [
        {
          id: eid("pv"),
          type: "page_view",
          occurredAt: daysAgo(3),
          identifiers: { visitorId: "v-ann" },
          data: { url: "https://example.com/ariya" },
        },
        {
          id: eid("cfg"),
          type: "configurator_build",
          occurredAt: daysAgo(2),
          identifiers: { visitorId: "v-ann" },
          data: { model: "Ariya", trim: "Evolve+", powertrain: "ev", price: 47190 },
        },
      ]);
      const visitorId = browsing.results[0]!.personId!;
      expect(visitorId).not.toBe(annId);

      const quote = await send(h, a.keys.full, [
        {
          id: eid("quote"),
          type: "quote_request",
          occurredAt: daysAgo(1),
          identifiers: { visitorId: "v-ann", email: " ann.example@example.com " },
          data: { model: "Ariya" },
        },
      ]);
      expect(quote.results[0]).toMatchObject({ status: "accepted", personId: annId });
      const mergeId = quote.results[0]!.merges![0]!;
      const merged = (await (await lookup(h, a, "visitorId=v-ann")).json()) as { id: string; profile: any };
      expect(merged.id).toBe(annId);
      expect(merged.profile.stage).toBe("shopper");
      expect(merged.profile.interest.models[0].model).toBe("Ariya");
      expect(merged.profile.events).toBe(4);
      const exp = (await (await h.fetch(`/v1/profiles/${annId}/export`, { headers: auth(a.keys.full) })).json()) as {
        merges: { id: string; absorbedId: string; eventId: string }[];
      };
      expect(exp.merges).toEqual([
        expect.objectContaining({ id: mergeId, absorbedId: visitorId, eventId: quote.results[0]!.id }),
      ]);

      const undo = await h.fetch(`/v1/profiles/${annId}/unmerge`, json("POST", { mergeId }, auth(a.keys.full)));
      expect(undo.status, await undo.clone().text()).toBe(200);
      const visitor = (await (await lookup(h, a, "visitorId=v-ann")).json()) as { id: string; profile: any };
      expect(visitor.id).toBe(visitorId);
      expect(visitor.profile.events).toBe(2);
      expect(visitor.profile.interest.models[0].model).toBe("Ariya");
      const ann = await profileDoc(h, a, annId);
      expect(ann.profile.events).toBe(2);
      expect(ann.profile.interest.models).toEqual([]);
      expect(((await (await lookup(h, a, "email=ann.example@example.com")).json()) as { id: string }).id).toBe(annId);
      await expectProblem(
        await h.fetch(`/v1/profiles/${annId}/unmerge`, json("POST", { mergeId }, auth(a.keys.full))),
        404,
        "not-found",
      );
    });

    it("never merges two known customers on a shared identifier; an explicit link does, reversibly", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const r = await send(h, a.keys.full, [
        {
          id: eid("c1"),
          type: "page_view",
          occurredAt: daysAgo(5),
          identifiers: { customerId: "C-1", email: "family@example.com" },
          data: { url: "x" },
        },
        {
          id: eid("c2"),
          type: "page_view",
          occurredAt: daysAgo(4),
          identifiers: { customerId: "C-2" },
          data: { url: "x" },
        },
        {
          id: eid("c3"),
          type: "page_view",
          occurredAt: daysAgo(3),
          identifiers: { customerId: "C-2", email: "family@example.com" },
          data: { url: "x" },
        },
      ]);
      expect(r.results[2]!.personId).toBe(r.results[1]!.personId);
      expect(r.results[2]!.notes?.join()).toMatch(/not linked/);
      const link = await h.fetch(
        "/v1/identities/link",
        json(
          "POST",
          { identifiers: { customerId: "C-1", phone: "+1 (619) 555-0100" }, reason: "verified" },
          auth(a.keys.full),
        ),
      );
      expect(link.status).toBe(200);
      const byPhone = (await (
        await h.fetch(`/v1/profiles/lookup?customerId=C-1`, { headers: auth(a.keys.full) })
      ).json()) as { id: string };
      expect(byPhone.id).toBe(r.results[0]!.personId);
    });

    it("a purchase links customer and VIN; telemetry sent before the keeper was known joins them", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const vin = "5N1AT2MVXLC807279";
      const t = await send(h, a.keys.full, [
        {
          id: eid("tel"),
          type: "telemetry_snapshot",
          occurredAt: daysAgo(10),
          identifiers: { vin },
          data: { vin, odometer: 12000 },
        },
      ]);
      const p = await send(h, a.keys.full, [
        {
          id: eid("buy"),
          type: "purchase",
          occurredAt: daysAgo(20),
          identifiers: { customerId: "C-rogue" },
          data: { vin, condition: "used" },
        },
      ]);
      expect(p.results[0]!.personId).not.toBe(t.results[0]!.personId);
      const prof = (await (await lookup(h, a, `vin=${vin}`)).json()) as { id: string; profile: any };
      expect(prof.id).toBe(p.results[0]!.personId);
      expect(prof.profile.stage).toBe("owner");
      expect(prof.profile.vehicles).toEqual([
        expect.objectContaining({ vin, odometer: 12000, relation: "owned", onBrand: true }),
      ]);
      const veh = (await (await h.fetch(`/v1/vehicles/${vin}`, { headers: auth(a.keys.full) })).json()) as {
        profileId: string;
        vehicle: { vin: string };
      };
      expect(veh.profileId).toBe(prof.id);
    });
  });

  describe("profile projection", () => {
    it("the same events in any order, in any batches, give byte-identical profiles", async () => {
      const h = getHarness();
      const vin = "1N4AZ0CP6GC304290";
      const base = (n: number) => daysAgo(400 - n * 10);
      const mk = (i: number, type: string, data: unknown) => ({
        id: `shuffle-${i}-evt`,
        type,
        occurredAt: base(i),
        identifiers: { customerId: "C-shuffle" },
        data,
      });
      const events = [
        mk(0, "configurator_build", { model: "Leaf", powertrain: "ev", price: 31000 }),
        mk(1, "quote_request", { model: "Leaf" }),
        mk(2, "purchase", { vin, condition: "new", financing: "lease" }),
        mk(3, "lease_started", { vin, termMonths: 36, endDate: "2027-05-31", monthlyAmount: 299 }),
        mk(4, "telemetry_snapshot", { vin, odometer: 9000, batteryStateOfHealth: 97 }),
        mk(5, "service_due", { vin, kind: "battery_check", dueDate: "2026-12-20" }),
        mk(6, "service_visit", { vin, odometer: 9800, workLines: [{ description: "Battery health check" }] }),
        mk(7, "recall_notice", { vin, campaignId: "24V001", status: "open" }),
        mk(8, "recall_notice", { vin, campaignId: "24V001", status: "remedied" }),
        mk(9, "survey_response", { score: 8, verbatim: "Good." }),
        mk(10, "complaint_opened", { complaintId: "CMP-9" }),
        mk(11, "complaint_closed", { complaintId: "CMP-9" }),
        mk(12, "preference_changed", { quietHours: { start: "22:00", end: "07:00" }, timeZone: "Europe/Berlin" }),
        mk(13, "telemetry_snapshot", { vin, odometer: 15000, softwareVersion: "2.4.1" }),
        mk(14, "software_update_available", { vin, version: "2.5.0" }),
      ];
      const a = await makeTenant(h);
      const b = await makeTenant(h);
      await send(h, a.keys.full, events);
      const shuffled = [...events].sort(
        (x, y) =>
          ((x.id.length * 7 + Number(x.id.split("-")[1]) * 13) % 11) -
          ((y.id.length * 7 + Number(y.id.split("-")[1]) * 13) % 11),
      );
      for (const part of [shuffled.slice(0, 5), shuffled.slice(5, 9), shuffled.slice(9)])
        await send(h, b.keys.full, part);
      const pa = (await lookup(h, a, "customerId=C-shuffle").then((r) => r.json())) as { profile: unknown };
      const pb = (await lookup(h, b, "customerId=C-shuffle").then((r) => r.json())) as { profile: unknown };
      expect(JSON.stringify(pb.profile)).toBe(JSON.stringify(pa.profile));
      expect(pa.profile).toMatchObject({ stage: "owner", events: 15, voice: { openComplaints: [], lastScore: 8 } });
      const bytes = new TextEncoder().encode(JSON.stringify(pa.profile)).length;
      expect(bytes).toBeLessThan(2048);
    });

    it("builds households across people, off-brand vehicles included, with open complaints", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const r = await send(h, a.keys.full, [
        {
          id: eid("hh1"),
          type: "purchase",
          occurredAt: daysAgo(100),
          identifiers: { customerId: "C-pat" },
          householdRef: "HH-77",
          data: { vin: "1N4AZ0CP6GC304290", condition: "new" },
        },
        {
          id: eid("hh2"),
          type: "service_visit",
          occurredAt: daysAgo(50),
          identifiers: { customerId: "C-sam" },
          householdRef: "HH-77",
          data: { vin: "1G1RB6S56HU172687", odometer: 40000, workLines: [{ description: "Tyre rotation" }] },
        },
        {
          id: eid("hh3"),
          type: "complaint_opened",
          occurredAt: daysAgo(5),
          identifiers: { customerId: "C-sam" },
          data: { complaintId: "CMP-77", category: "service" },
        },
      ]);
      const pat = await profileDoc(h, a, r.results[0]!.personId!);
      expect(pat.household).toMatchObject({ openComplaints: 1 });
      expect(pat.household!.members).toHaveLength(2);
      const volt = pat.household!.vehicles.find((v: { vin: string }) => v.vin === "1G1RB6S56HU172687");
      expect(volt).toMatchObject({ onBrand: false, personId: r.results[1]!.personId });
      expect(pat.household!.vehicles.find((v: { vin: string }) => v.vin === "1N4AZ0CP6GC304290")).toMatchObject({
        onBrand: true,
      });
    });
  });

  describe("consent, access and scope", () => {
    it("keeps each consent change with its time and source", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const res = await h.fetch(
        `/v1/profiles/${a.profileId}/consent`,
        json(
          "PUT",
          {
            source: "preference-center",
            marketing: { email: false },
            profilingObjection: true,
            quietHours: { start: "20:00", end: "09:00" },
            timeZone: "America/Chicago",
          },
          auth(a.keys.full),
        ),
      );
      expect(res.status, await res.clone().text()).toBe(200);
      const body = (await res.json()) as { profile: { consent: Record<string, unknown> } };
      expect(body.profile.consent).toMatchObject({
        marketing: { email: false },
        profilingObjection: true,
        quietHours: { start: "20:00", end: "09:00" },
        timeZone: "America/Chicago",
      });
      await h.fetch(
        `/v1/profiles/${a.profileId}/consent`,
        json("PUT", { source: "call-center", marketing: { email: true } }, auth(a.keys.full)),
      );
      const exp = (await (
        await h.fetch(`/v1/profiles/${a.profileId}/export`, { headers: auth(a.keys.full) })
      ).json()) as { consentHistory: { at: string; source: string; type: string }[] };
      expect(exp.consentHistory.map((c) => c.source)).toEqual([
        "preference-center",
        "preference-center",
        "call-center",
      ]);
      expect(exp.consentHistory.every((c) => !Number.isNaN(Date.parse(c.at)))).toBe(true);
      await expectProblem(
        await h.fetch(
          `/v1/profiles/${a.profileId}/consent`,
          json("PUT", { source: "x", timeZone: "Nowhere/Land" }, auth(a.keys.full)),
        ),
        400,
        "validation-failed",
      );
    });

    it("a dealer-bound key sees only its dealer's customers", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      expect((await h.fetch(`/v1/profiles/${a.profileId}`, { headers: auth(a.keys.dealerBound) })).status).toBe(200);
      const other = await send(h, a.keys.full, [
        {
          id: eid("d2"),
          type: "purchase",
          occurredAt: daysAgo(3),
          identifiers: { customerId: "C-south" },
          dealerId: a.dealer2.id,
          data: { vin: "3N8AP6CB1SL419565", condition: "new" },
        },
      ]);
      await expectProblem(
        await h.fetch(`/v1/profiles/${other.results[0]!.personId}`, { headers: auth(a.keys.dealerBound) }),
        404,
        "not-found",
      );
      await expectProblem(
        await lookup(h, { ...a, keys: { ...a.keys, full: a.keys.dealerBound } }, "customerId=C-south"),
        404,
        "not-found",
      );
    });
  });

  describe("erasure", () => {
    it("removes the person from every table, leaving no identifier raw or hashed, and refuses replays", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const ids = {
        visitorId: "v-erase-me-77",
        customerId: "C-ERASE-77",
        email: "erase.me@example.org",
        phone: "+4930123456789",
        deviceId: "dev-erase-77",
      };
      const vin = "JN8BT3AB4SW412749";
      const events = [
        {
          id: eid("er1"),
          type: "page_view",
          occurredAt: daysAgo(9),
          identifiers: { visitorId: ids.visitorId },
          data: { url: "https://example.com/rogue" },
        },
        {
          id: eid("er2"),
          type: "quote_request",
          occurredAt: daysAgo(8),
          identifiers: { visitorId: ids.visitorId, email: ids.email, phone: ids.phone },
          data: { model: "Rogue" },
        },
        {
          id: eid("er3"),
          type: "purchase",
          occurredAt: daysAgo(7),
          identifiers: { customerId: ids.customerId, email: ids.email, deviceId: ids.deviceId },
          householdRef: "HH-ERASE",
          data: { vin, condition: "new" },
        },
        {
          id: eid("er4"),
          type: "survey_response",
          occurredAt: daysAgo(6),
          identifiers: { customerId: ids.customerId },
          data: { score: 3, verbatim: "The advisor kept me waiting." },
        },
        {
          id: eid("er5"),
          type: "page_view",
          occurredAt: daysAgo(5),
          identifiers: { customerId: "C-housemate" },
          householdRef: "HH-ERASE",
          data: { url: "x" },
        },
      ];
      const r = await send(h, a.keys.full, events);
      const personId = r.results[2]!.personId!;
      const housemate = r.results[4]!.personId!;
      expect((await profileDoc(h, a, housemate)).household!.vehicles.map((v: { vin: string }) => v.vin)).toContain(vin);

      // Reads and changes that the audit log records about the person (erased with them below).
      for (const path of [
        `/v1/profiles/${personId}`,
        `/v1/profiles/lookup?email=${encodeURIComponent(ids.email)}`,
        `/v1/profiles/${personId}/export`,
        `/v1/vehicles/${vin}`,
      ])
        expect((await h.fetch(path, { headers: auth(a.keys.full) })).status, path).toBe(200);
      const consent = await h.fetch(
        `/v1/profiles/${personId}/consent`,
        json("PUT", { source: "erase-test", marketing: { email: false } }, auth(a.keys.full)),
      );
      expect(consent.status).toBe(200);
      const audited = await h.store.audit.list({ tenantId: a.tenant.id, subject: personId, limit: 50 });
      expect(audited.map((e) => e.action).sort()).toEqual(
        ["consent.change", "profile.export", "profile.lookup", "profile.read", "vehicle.read"].sort(),
      );

      const del = await h.fetch(`/v1/profiles/${personId}`, { method: "DELETE", headers: auth(a.keys.full) });
      expect(del.status, await del.clone().text()).toBe(200);
      expect(((await del.json()) as { eventsErased: number }).eventsErased).toBe(5); // 4 sent + the consent change

      const salt = a.tenant.hashSalt;
      const secrets = [
        ...Object.values(ids),
        vin,
        personId,
        await sha256Hex(`${salt}:email:${ids.email}`),
        await sha256Hex(`${salt}:phone:${ids.phone}`),
        "The advisor kept me waiting.",
      ];
      const dump = await dumpDatabase(h);
      for (const s of secrets) expect(dump.includes(s), `found ${s} after erasure`).toBe(false);
      expect(dump).toContain(housemate);
      // The audit log keeps one entry saying that an erasure happened, and nothing else about the person.
      expect(await h.store.audit.list({ tenantId: a.tenant.id, subject: personId, limit: 50 })).toEqual([]);
      const erasures = await h.store.audit.list({ tenantId: a.tenant.id, action: "profile.erase", limit: 50 });
      expect(erasures).toHaveLength(1);
      expect(erasures[0]).toMatchObject({ subjectType: "erasure", personId: null, detail: { eventsErased: 5 } });
      expect(erasures[0]!.subjectId).toMatch(/^era_/);

      await expectProblem(await h.fetch(`/v1/profiles/${personId}`, { headers: auth(a.keys.full) }), 404, "not-found");
      const replay = await send(h, a.keys.full, [events[2]]);
      expect(replay.results[0]).toMatchObject({ status: "rejected" });
      expect(replay.results[0]!.reasons![0]!.reason).toMatch(/erased/);
      expect((await profileDoc(h, a, housemate)).household!.vehicles).toEqual([]);
    });
  });

  describe("VINs", () => {
    it("refuses a bad VIN with problem+json naming the rule", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      for (const [vin, rule] of [
        ["1N4AZ0CP7GC304290", "check_digit"],
        ["1N4AZ0CP6GC30429", "length"],
        ["1N4AZ0CP6GC3O4290", "characters"],
        ["1n4az0cp6gc304290", "lowercase"],
      ] as const) {
        const p = await expectProblem(
          await h.fetch(`/v1/vins/${vin}`, { headers: auth(a.keys.decideOnly) }),
          400,
          "invalid-vin",
        );
        expect(p.rule).toBe(rule);
      }
      const ok = (await (await h.fetch("/v1/vins/1N4AZ0CP6GC304290", { headers: auth(a.keys.decideOnly) })).json()) as {
        valid: boolean;
        modelYearCandidates: number[];
      };
      expect(ok.valid).toBe(true);
      expect(ok.modelYearCandidates).toContain(2016);
    });
  });
}
