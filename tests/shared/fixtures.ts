import type { Harness } from "./harness";

let seq = 0;

/** An always-eligible, non-marketing action on every channel: the fixture catalogue. */
export const WELCOME_ACTION = {
  id: "welcome-content",
  kind: "content",
  category: "info",
  value: 1,
  lever: 1,
  intrusiveness: "low",
  rule: null,
  caps: {},
  householdLevel: false,
  offBrandService: false,
  newVehicleSales: false,
  prior: { alpha: 1, beta: 30 },
  channels: {
    dealer_site: { title: "Welcome", body: "Browse the range.", cta: "Browse" },
    web_configurator: { title: "Welcome", body: "Build your car.", cta: "Start" },
    in_vehicle: { text: "Welcome to your car.", buttons: ["OK"] },
    email: { subject: "Welcome", body: "Good to have you." },
    app: { title: "Welcome", body: "Your car, in your pocket.", cta: "Open" },
    service_lane: { title: "Welcome", body: "Thanks for visiting.", cta: "OK" },
  },
};
const uniq = () => `${Date.now().toString(36)}${(seq++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** A tenant of its own for one test: two dealers and every kind of key, including revoked and expired ones. */
export async function makeTenant(h: Harness, opts: { vin?: string; origin?: string; groupId?: string } = {}) {
  const now = Date.now();
  const id = uniq();
  const tenant = await h.store.tenants.create(
    { slug: `t-${id}`, name: `Brand ${id}`, makes: ["NISSAN", "INFINITI"] },
    now,
  );
  const scope = { tenantId: tenant.id };
  const dealer = await h.store.dealers.create(
    scope,
    {
      code: "D1",
      name: "North Motors",
      timeZone: "Europe/Berlin",
      city: "Berlin",
      country: "DE",
      latitude: 52.5,
      longitude: 13.4,
      groupId: opts.groupId ?? null,
    },
    now,
  );
  const dealer2 = await h.store.dealers.create(
    scope,
    {
      code: "D2",
      name: "South Motors",
      timeZone: "America/Chicago",
      city: "Chicago",
      country: "US",
      latitude: null,
      longitude: null,
      groupId: null,
    },
    now,
  );
  const vin = opts.vin ?? "1N4AZ0CP6GC304290";
  const origin = opts.origin ?? `https://dealer-${id}.example`;
  const key = async (input: Parameters<Harness["store"]["keys"]["create"]>[1]) =>
    h.store.keys.create(scope, input, now);
  const allScopes = ["decide", "events:write", "profiles:read", "profiles:erase", "catalog:write"];
  const admin = await key({ kind: "server", name: "admin", scopes: ["admin"] });
  const full = await key({ kind: "server", name: "all but admin", scopes: allScopes });
  const decideOnly = await key({ kind: "server", name: "decide only", scopes: ["decide"] });
  const readOnly = await key({ kind: "server", name: "read only", scopes: ["profiles:read"] });
  const dealerBound = await key({ kind: "server", name: "dealer bound", scopes: allScopes, dealerId: dealer.id });
  const publishable = await key({ kind: "publishable", name: "widget", allowedOrigins: [origin] });
  const vehicle = await key({ kind: "vehicle", name: "car", vin });
  const revoked = await key({ kind: "server", name: "revoked", scopes: ["admin"] });
  await h.store.keys.revoke(scope, revoked.info.id, now);
  const expired = await key({ kind: "server", name: "expired", scopes: ["admin"], expiresAt: now - 1000 });
  const spare = await key({ kind: "server", name: "spare", scopes: ["decide"] });
  // issue 10: a webhook endpoint (on a port where nothing listens: its deliveries fail and are retried) for leads,
  // so the ingestion below leaves a delivery to address. (Leads only: an erasure notice names customer ids until
  // delivered, which the erasure scans of other suites would find.)
  const webhook = {
    id: `whk_${id
      .replace(/[^0-9A-Za-z]/g, "")
      .padEnd(20, "0")
      .slice(0, 20)}`,
    tenantId: tenant.id,
    url: "http://127.0.0.1:9/unreachable",
    events: ["lead.created"],
    secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    description: "fixture",
    createdAt: now,
    deletedAt: null,
  };
  await h.store.outbox.createWebhook(webhook);
  // A customer who bought the car, and a visitor merged into them: a profile and a merge to address.
  const customerId = `C-${id}`;
  const visitorId = `v-${id}`;
  const at = new Date(now - 3600_000).toISOString();
  const ingest = await h.fetch(
    "/v1/events",
    json(
      "POST",
      {
        events: [
          {
            id: `fx-${id}-1`,
            type: "purchase",
            occurredAt: at,
            identifiers: { customerId },
            dealerId: dealer.id,
            data: { vin, condition: "new", dealerId: dealer.id },
          },
          {
            id: `fx-${id}-2`,
            type: "page_view",
            occurredAt: at,
            identifiers: { visitorId },
            data: { url: "https://example.com/" },
          },
          { id: `fx-${id}-3`, type: "quote_request", occurredAt: at, identifiers: { visitorId, customerId }, data: {} },
        ],
      },
      auth(admin.key),
    ),
  );
  const ingested = (await ingest.json()) as { results: { status: string; personId?: string; merges?: string[] }[] };
  if (ingest.status !== 200 || ingested.results.some((r) => r.status !== "accepted"))
    throw new Error(`fixture ingest failed: ${JSON.stringify(ingested)}`);
  const profileId = ingested.results[0]!.personId!;
  await h.store.decisioning.putAction({
    tenantId: tenant.id,
    id: "welcome-content",
    dealerId: null,
    doc: WELCOME_ACTION,
    updatedAt: now,
  });
  const ownActionId = `only-${id.toLowerCase().replace(/[^a-z0-9]/g, "")}`;
  await h.store.decisioning.putAction({
    tenantId: tenant.id,
    id: ownActionId,
    dealerId: null,
    doc: { ...WELCOME_ACTION, id: ownActionId },
    updatedAt: now,
  });
  const mergeId = ingested.results[2]!.merges?.[0];
  if (!mergeId) throw new Error(`fixture: no merge: ${JSON.stringify(ingested)}`);
  // A logged decision that showed the welcome content, for outcome routes.
  const decided = await h.fetch(
    "/v1/decide",
    json("POST", { subject: { customerId }, channel: "dealer_site", placement: "hero" }, auth(admin.key)),
  );
  const decision = (await decided.json()) as { decisionId: string; actions: { id: string }[] };
  const decisionId = decision.decisionId;
  const shownActionId = decision.actions[0]?.id;
  if (!shownActionId) throw new Error(`fixture decision showed nothing: ${JSON.stringify(decision)}`);
  const t0 = Date.now();
  while (!(await h.store.decisioning.decision(tenant.id, decisionId))) {
    if (Date.now() - t0 > 5000) throw new Error("fixture decision was not logged within 5 s");
    await new Promise((r) => setTimeout(r, 5));
  }
  // issue 10: two open slots at the second dealer, 20 days ahead (beyond the 14 days decisions look at), and a
  // booking of the first, for the service routes; written through the store, so no test's request count moves.
  const day = Math.floor(now / 86_400_000) * 86_400_000 + 20 * 86_400_000;
  const slotIds = [`slt_${id}a`, `slt_${id}b`].map((x) => x.replace(/[^0-9A-Za-z_]/g, ""));
  await h.store.database.batch(
    h.store.channels.putSlots(
      tenant.id,
      dealer2.id,
      slotIds.map((sid, i) => ({
        id: sid,
        startAt: day + (9 + i) * 3_600_000,
        durationMin: 60,
        resource: "bay" as const,
        capacity: 5,
        createdAt: now,
        updatedAt: now,
      })),
    ),
  );
  const bookingId = `bkg_${id}`.replace(/[^0-9A-Za-z_]/g, "");
  await h.store.database.batch([
    ...h.store.channels.takePlace(tenant.id, slotIds[0]!, now),
    ...h.store.channels.insertBooking({
      id: bookingId,
      tenantId: tenant.id,
      dealerId: dealer2.id,
      slotId: slotIds[0]!,
      personId: profileId,
      status: "booked",
      tokenId: null,
      decisionId: null,
      actionId: null,
      createdAt: now,
      cancelledAt: null,
    }),
  ]);
  const [delivery] = await h.store.outbox.listDeliveries(tenant.id, webhook.id, null, 1);
  if (!delivery) throw new Error("fixture: no webhook delivery");
  // A browser visitor of the publishable key: decide without a subject issues one, with the token to keep.
  const minted = await h.fetch(
    "/v1/decide",
    json("POST", { channel: "dealer_site", placement: "hero" }, auth(publishable.key, { origin })),
  );
  const visitor = ((await minted.json()) as { visitor?: { visitorId: string; visitorToken: string } }).visitor;
  if (!visitor) throw new Error("fixture: decide issued no visitor token to the publishable key");
  return {
    tenant,
    scope,
    dealer,
    dealer2,
    vin,
    origin,
    customerId,
    visitorId,
    profileId,
    mergeId,
    decisionId,
    shownActionId,
    ownActionId,
    /** The publishable key's own visitor (issued by decide) and its token. */
    browserVisitorId: visitor.visitorId,
    visitorToken: visitor.visitorToken,
    keys: {
      admin: admin.key,
      full: full.key,
      decideOnly: decideOnly.key,
      readOnly: readOnly.key,
      dealerBound: dealerBound.key,
      publishable: publishable.key,
      vehicle: vehicle.key,
      revoked: revoked.key,
      expired: expired.key,
    },
    spareKeyId: spare.info.id,
    /** issue 10: service slots, a booking, a webhook endpoint and one of its deliveries. */
    slotIds,
    bookingId,
    webhookId: webhook.id,
    deliveryId: delivery.d.id,
  };
}
export type TenantFixture = Awaited<ReturnType<typeof makeTenant>>;

/** Authorization (and Origin for publishable keys) headers. */
export function auth(key: string, extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${key}`, ...extra };
}

/** A JSON request init. */
export function json(method: string, body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}

/** Asserts a problem+json response of the given type and returns its body. */
export async function expectProblem(res: Response, status: number, type: string): Promise<Record<string, unknown>> {
  const text = await res.text();
  if (res.status !== status) throw new Error(`expected ${status} ${type}, got ${res.status}: ${text}`);
  if (!res.headers.get("content-type")?.startsWith("application/problem+json"))
    throw new Error(`not problem+json: ${res.headers.get("content-type")}`);
  const body = JSON.parse(text) as Record<string, unknown>;
  if (body.type !== `https://pitwall.dev/problems/${type}`)
    throw new Error(`expected type ${type}, got ${String(body.type)}: ${text}`);
  if (body.status !== status) throw new Error(`problem status ${String(body.status)} != ${status}`);
  if (typeof body.requestId !== "string") throw new Error("problem without requestId");
  return body;
}
