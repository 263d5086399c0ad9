/**
 * The shared security suite: every authenticated operation of the route table is called with no key,
 * a malformed key, an unknown key, a revoked key, an expired key, a key without the scope, another
 * tenant's key, a publishable key from a foreign origin and a vehicle key for another VIN.
 * An operation missing from REQUESTS fails the suite, so no new route can skip it. REQUESTS also address the
 * objects of every owner in the authorization matrix (security-matrix.ts), which extends this suite to every
 * operation × caller × owner.
 */
import { describe, expect, it } from "vitest";
import { operations } from "../../src/routes";
import type { Operation } from "../../src/http/operation";
import { auth, expectProblem, makeTenant, type TenantFixture } from "./fixtures";
import type { Harness } from "./harness";

const OTHER_VIN = "1G1RB6S56HU172687";

/** How to address each operation for tenant A: path parameters and a body for each kind of key. */
export type RequestSpec = (
  a: TenantFixture,
  kind: "server" | "publishable" | "vehicle",
  vin: string,
) => {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  /** Addresses tenant A's data without a path parameter: another tenant gets 404. */
  addressed?: boolean;
  /** Reads no tenant's data (VIN decoding): any tenant gets the same answer. */
  tenantFree?: boolean;
  /** The path names an object in the caller's own namespace (an action id): another tenant addresses its own. */
  namespaced?: boolean;
  /** What a vehicle key for another car gets, when the request names no VIN (someone else's decision: 404). */
  foreignVehicle?: [number, string];
};
let n = 0;
const uid = () => `sec-${Date.now().toString(36)}-${(n++).toString(36)}`;

export const REQUESTS: Record<string, RequestSpec> = {
  listDealers: () => ({}),
  createDealer: (_a) => ({
    body: { code: `SEC-${Math.random().toString(36).slice(2, 8)}`, name: "Sec Motors", timeZone: "Europe/Paris" },
  }),
  getDealer: (a) => ({ params: { dealerId: a.dealer.id } }),
  listKeys: () => ({}),
  createKey: () => ({ body: { kind: "server", name: "sec", scopes: ["decide"] } }),
  revokeKey: (a) => ({ params: { keyId: a.spareKeyId } }),
  rotateKey: (a) => ({ params: { keyId: a.spareKeyId }, body: { overlapSeconds: 60 } }),
  updateKey: (a) => ({ params: { keyId: a.spareKeyId }, body: { name: "renamed by the security suite" } }),
  listAudit: () => ({}),
  getUplift: () => ({ query: { from: "2026-01-01T00:00:00Z", to: "2027-01-01T00:00:00Z" } }),
  ingestEvents: (a, kind, vin) => ({
    body: {
      events: [
        {
          id: uid(),
          type: "page_view",
          occurredAt: new Date().toISOString(),
          identifiers:
            kind === "vehicle"
              ? { vin }
              : kind === "publishable"
                ? { visitorToken: a.visitorToken }
                : { visitorId: "v_sec_1" },
          data: { url: "https://example.com/" },
        },
      ],
    },
  }),
  linkIdentities: () => ({
    body: { identifiers: { customerId: `C-${uid()}`, visitorId: `v-${uid()}` }, reason: "security suite" },
  }),
  lookupProfile: (a) => ({ query: { customerId: a.customerId }, addressed: true }),
  getProfile: (a) => ({ params: { profileId: a.profileId } }),
  putConsent: (a) => ({
    params: { profileId: a.profileId },
    body: { source: "security-suite", marketing: { email: false } },
  }),
  exportProfile: (a) => ({ params: { profileId: a.profileId } }),
  eraseProfile: (a) => ({ params: { profileId: a.profileId } }),
  unmergeProfiles: (a) => ({ params: { profileId: a.profileId }, body: { mergeId: a.mergeId } }),
  decodeVin: () => ({ params: { vin: "1N4AZ0CP6GC304290" }, tenantFree: true }),
  getVehicle: (a) => ({ params: { vin: a.vin } }),
  getDrivingReport: (a, _kind, vin) => ({ params: { vin: vin ?? a.vin }, query: { month: "2026-11" } }),
  listActions: () => ({}),
  upsertAction: () => ({
    params: { actionId: "sec-action" },
    body: {
      kind: "content",
      category: "info",
      value: 1,
      channels: { dealer_site: { title: "Hi", body: "Hello.", cta: "Go" } },
    },
    namespaced: true,
  }),
  deleteAction: (a) => ({ params: { actionId: a.ownActionId } }),
  recordOutcome: (a) => ({
    params: { decisionId: a.decisionId },
    body: { actionId: a.shownActionId, type: "click" },
    foreignVehicle: [404, "not-found"],
  }),
  attributeOutcome: (a) => ({
    body: { profileId: a.profileId, actionId: a.shownActionId, type: "convert" },
    addressed: true,
  }),
  getSettings: () => ({}),
  putSettings: () => ({ body: { marketingConsent: { default: "opt-out", optInCountries: ["DE"] } } }),
  // issue 10 (channels)
  putServiceSlots: (a) => ({
    params: { dealerId: a.dealer.id },
    body: { slots: [{ start: new Date(Date.now() + 5 * 86_400_000).toISOString(), capacity: 2 }] },
  }),
  listServiceSlots: (a) => ({ params: { dealerId: a.dealer.id } }),
  bookSlot: (a) => ({ params: { dealerId: a.dealer2.id }, body: { slotId: a.slotIds[1], profileId: a.profileId } }),
  listBookings: (a) => ({ params: { dealerId: a.dealer2.id } }),
  cancelBooking: (a) => ({ params: { dealerId: a.dealer2.id, bookingId: a.bookingId }, body: {} }),
  rescheduleBooking: (a) => ({
    params: { dealerId: a.dealer2.id, bookingId: a.bookingId },
    body: { slotId: a.slotIds[1] },
  }),
  runServiceReminders: () => ({ body: { limit: 10 } }),
  createWebhook: () => ({ body: { url: "https://crm.example.com/pitwall", events: ["lead.created"] } }),
  listWebhooks: () => ({}),
  deleteWebhook: (a) => ({ params: { webhookId: a.webhookId } }),
  listWebhookDeliveries: (a) => ({ params: { webhookId: a.webhookId } }),
  replayWebhookDelivery: (a) => ({ params: { webhookId: a.webhookId, deliveryId: a.deliveryId } }),
  listLeads: () => ({}),
  decide: (a, kind, vin) => ({
    body: {
      subject:
        kind === "vehicle"
          ? { vin }
          : kind === "publishable"
            ? { visitorToken: a.visitorToken }
            : { visitorId: "v_sec_1" },
      channel: kind === "vehicle" ? "in_vehicle" : "dealer_site",
      placement: "slot",
    },
  }),
};

export function buildRequest(
  op: Operation,
  spec: ReturnType<RequestSpec>,
  headers: Record<string, string>,
): [string, RequestInit] {
  const path = op.path.replace(/:(\w+)/g, (_, name: string) => {
    const v = spec.params?.[name];
    if (!v) throw new Error(`security suite: no value for :${name} of ${op.schema.operationId}`);
    return encodeURIComponent(v);
  });
  const qs = spec.query ? "?" + new URLSearchParams(spec.query).toString() : "";
  const init: RequestInit = { method: op.method.toUpperCase(), headers: { ...headers } };
  if (op.hasBody) {
    init.body = JSON.stringify(spec.body ?? {});
    (init.headers as Record<string, string>)["content-type"] = "application/json";
  }
  return [path + qs, init];
}

/** A server key of tenant A that lacks the operation's scope, or null when any server key may call it. */
function keyWithoutScope(op: Operation, a: TenantFixture): string | null {
  const scope = op.auth?.scope;
  if (!scope) return null;
  return scope === "profiles:read" ? a.keys.decideOnly : a.keys.readOnly;
}

export function securitySuite(getHarness: () => Harness) {
  const authed = operations.filter((op) => op.auth);

  describe("security suite over every authenticated operation", () => {
    it("has a request spec for every operation", () => {
      const missing = authed.map((op) => op.schema.operationId as string).filter((id) => !REQUESTS[id]);
      expect(missing).toEqual([]);
    });

    for (const op of authed) {
      const id = op.schema.operationId as string;
      const kinds = op.auth!.kinds;
      describe(`${op.method.toUpperCase()} ${op.path} (${id})`, () => {
        const call = async (
          a: TenantFixture,
          key: string | null,
          kind: "server" | "publishable" | "vehicle",
          extra: Record<string, string> = {},
          vin = a.vin,
        ) => {
          const spec = REQUESTS[id]!(a, kind, vin);
          const headers = key === null ? extra : auth(key, extra);
          const [path, init] = buildRequest(op, spec, headers);
          return getHarness().fetch(path, init);
        };

        it("answers the right key (positive control)", async () => {
          const a = await makeTenant(getHarness());
          const kind = kinds[0]!;
          const key = kind === "server" ? a.keys.admin : kind === "publishable" ? a.keys.publishable : a.keys.vehicle;
          const res = await call(a, key, kind, kind === "publishable" ? { origin: a.origin } : {});
          expect([200, 201, 202, 204], await res.clone().text()).toContain(res.status);
          // Nothing of a tenant's (mostly personal) data may be kept by a shared cache.
          expect(res.headers.get("cache-control")).toContain("no-store");
        });

        it("refuses no key, malformed, unknown, revoked and expired keys with 401", async () => {
          const a = await makeTenant(getHarness());
          await expectProblem(await call(a, null, "server"), 401, "missing-api-key");
          await expectProblem(await call(a, "sk_short", "server"), 401, "invalid-api-key");
          await expectProblem(await call(a, "sk_" + "A".repeat(32), "server"), 401, "invalid-api-key");
          await expectProblem(await call(a, a.keys.revoked, "server"), 401, "revoked-api-key");
          await expectProblem(await call(a, a.keys.expired, "server"), 401, "expired-api-key");
        });

        it("refuses a key without the scope or of the wrong kind with 403", async () => {
          const a = await makeTenant(getHarness());
          const noScope = keyWithoutScope(op, a);
          if (noScope && kinds.includes("server"))
            await expectProblem(await call(a, noScope, "server"), 403, "insufficient-scope");
          if (!kinds.includes("publishable")) {
            await expectProblem(
              await call(a, a.keys.publishable, "publishable", { origin: a.origin }),
              403,
              "key-kind-not-allowed",
            );
          }
          if (!kinds.includes("vehicle"))
            await expectProblem(await call(a, a.keys.vehicle, "vehicle"), 403, "key-kind-not-allowed");
        });

        it("refuses a publishable key from a foreign origin", async () => {
          const a = await makeTenant(getHarness());
          const res = await call(a, a.keys.publishable, "publishable", { origin: "https://evil.example" });
          await expectProblem(res, 403, kinds.includes("publishable") ? "origin-not-allowed" : "key-kind-not-allowed");
        });

        it("refuses a vehicle key for another VIN", async () => {
          const a = await makeTenant(getHarness());
          const res = await call(a, a.keys.vehicle, "vehicle", {}, OTHER_VIN);
          const [status, type] = !kinds.includes("vehicle")
            ? [403, "key-kind-not-allowed"]
            : (REQUESTS[id]!(a, "vehicle", OTHER_VIN).foreignVehicle ?? [403, "subject-not-allowed"]);
          await expectProblem(res, status, type);
        });

        it("never shows another tenant's objects (404 for addressed objects)", async () => {
          const h = getHarness();
          const a = await makeTenant(h);
          const b = await makeTenant(h, { vin: "5N1AT2MVXLC807279" });
          const kind = kinds.includes("server") ? "server" : kinds[0]!;
          const bKey = kind === "server" ? b.keys.admin : kind === "publishable" ? b.keys.publishable : b.keys.vehicle;
          const res = await call(a, bKey, kind, kind === "publishable" ? { origin: b.origin } : {});
          const text = await res.text();
          const spec = REQUESTS[id]!(a, kind, a.vin);
          if ((/:\w+/.test(op.path) || spec.addressed) && !spec.tenantFree && !spec.namespaced)
            expect(res.status, text).toBe(404);
          for (const secret of [
            a.tenant.id,
            a.dealer.id,
            a.dealer2.id,
            a.spareKeyId,
            a.profileId,
            a.customerId,
            a.mergeId,
            a.decisionId,
            a.bookingId,
            a.webhookId,
            a.slotIds[0]!,
          ])
            expect(text).not.toContain(secret);
        });
      });
    }
  });
}
