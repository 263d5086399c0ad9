/**
 * The world of the authorization matrix (tests/shared/security-matrix.ts): two brands, and in brand A two dealers,
 * seen from dealer North ("this dealer"). Four owners each hold the same kinds of objects — a customer with a car,
 * an email and a browser visitor merged into them, decisions made for them by a server key, by a publishable key
 * and by their car's vehicle key, an action, a spare API key:
 *
 * - `own`: North's (dealer D1 of brand A);
 * - `otherDealer`: South's (dealer D2 of brand A);
 * - `brand`: brand A's own, bound to no dealer (a customer of the brand, the OEM site's visitor, a brand action);
 * - `otherTenant`: brand B's.
 *
 * The callers are the eleven keys of `KEY_NAMES`. Every owner's ids, identifiers and names are listed as secrets
 * (what a response must not show to a key that may not see them) and as markers (what attributes a stored row to
 * its owner, for the before/after snapshot of their rows).
 */
import { getTableColumns, getTableName, inArray, is } from "drizzle-orm";
import { SQLiteTable, type SQLiteColumn } from "drizzle-orm/sqlite-core";
import * as schema from "../../src/store/schema";
import { SCOPES, type KeyKind, type Scope } from "../../src/domain/keys";
import { newId, randomToken, sha256Hex } from "../../src/lib/crypto";
import { openBooking, sealBooking, sealUnsubscribe } from "../../src/services/channel-tokens";
import { auth, json, WELCOME_ACTION, type TenantFixture } from "./fixtures";
import type { Harness } from "./harness";

export const OWNERS = ["own", "otherDealer", "brand", "otherTenant"] as const;
export type Owner = (typeof OWNERS)[number];

/** The callers, as rows of the matrix. */
export const KEY_NAMES = [
  "brand",
  "dealer",
  "dealer2",
  "noScope",
  "pk",
  "pkForeign",
  "vk",
  "vkOther",
  "revoked",
  "expired",
  "tenantB",
] as const;
export type KeyName = (typeof KEY_NAMES)[number];

/** What each caller is, in words (the matrix prints it with a failing cell). */
export const KEY_DESCRIPTIONS: Record<KeyName, string> = {
  brand: "brand A's sk_ with the operation's scope (admin for admin operations), bound to no dealer",
  dealer: "sk_ bound to North (this dealer), every scope but admin",
  dealer2: "sk_ bound to South (another dealer of brand A), every scope but admin",
  noScope: "brand A's sk_ with every scope but the operation's (and admin)",
  pk: "North's pk_ (its dealer site's widget) from its allowed origin",
  pkForeign: "North's pk_ from a foreign origin",
  vk: "vk_ of the car of North's customer (the own VIN)",
  vkOther: "vk_ of the car of South's customer (another VIN)",
  revoked: "brand A's admin sk_, revoked",
  expired: "brand A's admin sk_, expired",
  tenantB: "brand B's sk_ with the operation's scope",
};

/** The owner a caller belongs to: the target of an operation that names none (lists, settings, new objects). */
export const HOME: Record<KeyName, Owner> = {
  brand: "brand",
  dealer: "own",
  dealer2: "otherDealer",
  noScope: "brand",
  pk: "own",
  pkForeign: "own",
  vk: "own",
  vkOther: "otherDealer",
  revoked: "brand",
  expired: "brand",
  tenantB: "otherTenant",
};

/** Whose rows a caller may change (its writes must leave every other owner's rows as they were). */
export const WRITES: Record<KeyName, readonly Owner[]> = {
  brand: ["own", "otherDealer", "brand"],
  noScope: ["own", "otherDealer", "brand"],
  dealer: ["own"],
  dealer2: ["otherDealer"],
  pk: ["own"],
  pkForeign: [],
  vk: ["own"],
  vkOther: ["otherDealer"],
  revoked: [],
  expired: [],
  tenantB: ["otherTenant"],
};

/**
 * Whose data a caller may see in a successful answer: `all` of the owner's (people, identifiers, decisions, org
 * data), `self` (the org data and the internal id of the one person a pk_'s visitor or a vk_'s car is), or only
 * its `org` data (dealer, action and key ids and names). Nothing else may be in any answer.
 */
export type Sight = "all" | "self" | "org";
export const SEES: Record<KeyName, Partial<Record<Owner, Sight>>> = {
  brand: { own: "all", otherDealer: "all", brand: "all" },
  noScope: { own: "all", otherDealer: "all", brand: "all" },
  dealer: { own: "all", brand: "org" },
  dealer2: { otherDealer: "all", brand: "org" },
  pk: { own: "self", brand: "org" },
  pkForeign: {},
  vk: { own: "self", brand: "org" },
  vkOther: { otherDealer: "self", brand: "org" },
  revoked: {},
  expired: {},
  tenantB: { otherTenant: "all" },
};

export const KIND_OF: Record<KeyName, KeyKind> = {
  brand: "server",
  dealer: "server",
  dealer2: "server",
  noScope: "server",
  pk: "publishable",
  pkForeign: "publishable",
  vk: "vehicle",
  vkOther: "vehicle",
  revoked: "server",
  expired: "server",
  tenantB: "server",
};

/** Four valid Nissan VINs (tests/fixtures/vins/vins.csv), one per owner. */
const VINS: Record<Owner, string> = {
  own: "1N4AZ0CP6GC304290",
  otherDealer: "5N1AT2MVXLC807279",
  brand: "3N8AP6CB1SL419565",
  otherTenant: "JN8BT3AB4SW412749",
};

export const FOREIGN_ORIGIN = "https://evil.example";

/** One owner's objects: what a matrix cell addresses. */
export interface Target {
  owner: Owner;
  tenantId: string;
  dealer: { id: string; name: string; code: string } | null;
  customerId: string;
  email: string;
  emailHash: string;
  profileId: string;
  /** The browser visitor (issued to the owner's pk_) that the server key merged into the customer. */
  visitorId: string;
  visitorPersonId: string;
  visitorToken: string;
  mergeId: string;
  vin: string;
  actionId: string;
  spareKeyId: string;
  /** A decision for the customer made by each kind of key of the owner, and an action it showed. */
  decisions: Record<KeyKind, { id: string; actionId: string }>;
  eventIds: string[];
  /**
   * issue 10, at the owner's dealer ("" / [] for the brand, which has no dealer): two service slots 20 days ahead
   * (beyond the 14 days decisions look at), a booking of the customer in the first made through a booking link
   * (`bookingToken`), and an unused link for the second (`openToken`).
   */
  slotIds: string[];
  bookingId: string;
  bookingToken: string;
  openToken: string;
  /** The customer's unsubscribe link token (every owner). */
  unsubscribeToken: string;
  /**
   * A webhook endpoint of the brand and of brand B ("" for the dealers: endpoints are the brand's), with one
   * delivery of a message about the customer, given up on (failed, out of attempts: a replay makes one attempt).
   */
  webhookId: string;
  deliveryId: string;
  webhookSecret: string;
}

interface TenantSide {
  id: string;
  name: string;
  slug: string;
  hashSalt: string;
  secret: string | null;
  origin: string;
  /** A brand-wide key with every scope but admin, for building targets. */
  setupKey: string;
}

interface OwnerSide {
  tenant: TenantSide;
  dealer: Target["dealer"];
  /** The owner's server key for its decisions: bound to its dealer, or brand-wide. */
  serverKey: string;
  pk: { key: string; id: string; origin: string };
  vk: { key: string; id: string };
}

export interface World {
  h: Harness;
  tenants: { a: TenantSide; b: TenantSide };
  keys: Record<KeyName, { key: string; id: string }>;
  targets: Record<Owner, Target>;
  owners: Record<Owner, OwnerSide>;
  /** Key ids and other org ids that belong to each owner, beyond its target's (its caller keys, its pk_ and vk_). */
  extraOrg: Record<Owner, string[]>;
  /** Every key secret and tenant secret: in no answer, ever. */
  credentials: string[];
  /** Rebuilds one owner's target (after a cell consumed it: an erasure, an unmerge, a deleted action). */
  rebuild(owner: Owner): Promise<void>;
  /** New slots, booking and booking links for one owner (after a cell used a link or moved the booking). */
  renewSlots(owner: Owner): Promise<void>;
}

let seq = 0;
const uniq = () => `${Date.now().toString(36)}${(seq++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

const ZONES = [
  "Pacific/Honolulu",
  "America/Los_Angeles",
  "America/Chicago",
  "America/New_York",
  "America/Sao_Paulo",
  "Atlantic/Azores",
  "Europe/London",
  "Europe/Berlin",
  "Europe/Moscow",
  "Asia/Dubai",
  "Asia/Karachi",
  "Asia/Dhaka",
  "Asia/Bangkok",
  "Asia/Shanghai",
  "Asia/Tokyo",
  "Pacific/Noumea",
  "Pacific/Auckland",
  "Pacific/Kiritimati",
];
/** A time zone where it is now between 10 and 18 o'clock (no quiet hours for the in-car decision). */
function daytimeZone(): string {
  for (const tz of ZONES) {
    const hour = Number(
      new Intl.DateTimeFormat("en-GB", { timeZone: tz, hour: "2-digit", hourCycle: "h23" }).format(new Date()),
    );
    if (hour >= 10 && hour < 18) return tz;
  }
  throw new Error("no zone in daytime");
}

async function call(h: Harness, path: string, init: RequestInit): Promise<any> {
  const res = await h.fetch(path, init);
  const text = await res.text();
  if (res.status >= 300) throw new Error(`world: ${init.method} ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}

/** Waits until a decision is in the log (it is written after the answer). */
async function logged(h: Harness, tenantId: string, decisionId: string) {
  await h.settle?.();
  const t0 = Date.now();
  while (!(await h.store.decisioning.decision(tenantId, decisionId))) {
    if (Date.now() - t0 > 5000) throw new Error("world: a decision was not logged within 5 s");
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Builds the world for one operation: the callers carry `scope` (the operation's; admin for admin operations; none
 * for operations any server key may call).
 */
export async function buildWorld(h: Harness, scope: Scope | undefined): Promise<World> {
  const now = Date.now();
  const u = uniq();
  const nonAdmin = SCOPES.filter((s) => s !== "admin");
  const opScopes = scope ? [scope] : ["decide"];

  async function tenant(tag: string): Promise<TenantSide & { scope: { tenantId: string } }> {
    const t = await h.store.tenants.create(
      { slug: `mx-${tag}-${u}`, name: `Brand ${tag.toUpperCase()} ${u}`, makes: ["NISSAN", "INFINITI"] },
      now,
    );
    const s = { tenantId: t.id };
    const setup = await h.store.keys.create(s, { kind: "server", name: "setup", scopes: nonAdmin }, now);
    await h.store.decisioning.putAction({
      tenantId: t.id,
      id: "welcome-content",
      dealerId: null,
      doc: WELCOME_ACTION,
      updatedAt: now,
    });
    return {
      id: t.id,
      name: t.name,
      slug: t.slug,
      hashSalt: t.hashSalt,
      secret: null,
      origin: `https://oem-${tag}-${u}.example`,
      setupKey: setup.key,
      scope: s,
    };
  }
  const a = await tenant("a");
  const b = await tenant("b");

  const dealer = async (t: { scope: { tenantId: string } }, code: string, name: string, tz: string) => {
    const d = await h.store.dealers.create(
      t.scope,
      { code, name, timeZone: tz, city: null, country: null, latitude: null, longitude: null, groupId: null },
      now,
    );
    return { id: d.id, name: d.name, code: d.code };
  };
  const north = await dealer(a, `N-${u}`, `North Motors ${u}`, "Europe/Berlin");
  const south = await dealer(a, `S-${u}`, `South Motors ${u}`, "America/Chicago");
  const bDealer = await dealer(b, `B-${u}`, `Bravo Motors ${u}`, "Europe/Paris");

  const key = async (t: { scope: { tenantId: string } }, input: Parameters<Harness["store"]["keys"]["create"]>[1]) => {
    const k = await h.store.keys.create(t.scope, input, now);
    return { key: k.key, id: k.info.id };
  };
  const origins: Record<Owner, string> = {
    own: `https://north-${u}.example`,
    otherDealer: `https://south-${u}.example`,
    brand: a.origin,
    otherTenant: b.origin,
  };
  const serverScopes = scope === "admin" ? ["admin"] : opScopes;
  const withoutScope = nonAdmin.filter((s) => s !== scope);
  const keys: World["keys"] = {
    brand: await key(a, { kind: "server", name: "brand", scopes: serverScopes }),
    dealer: await key(a, { kind: "server", name: "north", scopes: nonAdmin, dealerId: north.id }),
    dealer2: await key(a, { kind: "server", name: "south", scopes: nonAdmin, dealerId: south.id }),
    noScope: await key(a, { kind: "server", name: "no scope", scopes: withoutScope }),
    pk: await key(a, { kind: "publishable", name: "north site", allowedOrigins: [origins.own], dealerId: north.id }),
    pkForeign: { key: "", id: "" },
    vk: await key(a, { kind: "vehicle", name: "north car", vin: VINS.own }),
    vkOther: await key(a, { kind: "vehicle", name: "south car", vin: VINS.otherDealer }),
    revoked: await key(a, { kind: "server", name: "revoked", scopes: ["admin"] }),
    expired: await key(a, { kind: "server", name: "expired", scopes: ["admin"], expiresAt: now - 1000 }),
    tenantB: await key(b, { kind: "server", name: "brand b", scopes: serverScopes }),
  };
  keys.pkForeign = keys.pk;
  await h.store.keys.revoke(a.scope, keys.revoked.id, now);

  const owners: Record<Owner, OwnerSide> = {
    own: { tenant: a, dealer: north, serverKey: keys.dealer.key, pk: { ...keys.pk, origin: origins.own }, vk: keys.vk },
    otherDealer: {
      tenant: a,
      dealer: south,
      serverKey: keys.dealer2.key,
      pk: {
        ...(await key(a, {
          kind: "publishable",
          name: "south site",
          allowedOrigins: [origins.otherDealer],
          dealerId: south.id,
        })),
        origin: origins.otherDealer,
      },
      vk: keys.vkOther,
    },
    brand: {
      tenant: a,
      dealer: null,
      serverKey: a.setupKey,
      pk: {
        ...(await key(a, { kind: "publishable", name: "oem site", allowedOrigins: [a.origin] })),
        origin: a.origin,
      },
      vk: await key(a, { kind: "vehicle", name: "brand car", vin: VINS.brand }),
    },
    otherTenant: {
      tenant: b,
      dealer: bDealer,
      serverKey: b.setupKey,
      pk: { ...(await key(b, { kind: "publishable", name: "b site", allowedOrigins: [b.origin] })), origin: b.origin },
      vk: await key(b, { kind: "vehicle", name: "b car", vin: VINS.otherTenant }),
    },
  };
  const extraOrg: Record<Owner, string[]> = {
    own: [keys.dealer.id, keys.pk.id, keys.vk.id],
    otherDealer: [keys.dealer2.id, keys.vkOther.id, owners.otherDealer.pk.id],
    brand: [
      a.id,
      a.name,
      a.slug,
      keys.brand.id,
      keys.noScope.id,
      keys.revoked.id,
      keys.expired.id,
      owners.brand.pk.id,
      owners.brand.vk.id,
    ],
    otherTenant: [
      b.id,
      b.name,
      b.slug,
      bDealer.id,
      keys.tenantB.id,
      owners.otherTenant.pk.id,
      owners.otherTenant.vk.id,
    ],
  };

  let slotPairs = 0;
  /**
   * Two slots at the dealer 20 days ahead and a booking of the person in the first made with a booking link, written
   * through the store in one batch (no request: cheap), and an unused link to the second.
   */
  async function slotsFor(tenantId: string, dealerId: string, personId: string, secret: string) {
    const at = Date.now();
    const day = Math.floor(at / 86_400_000) * 86_400_000 + 20 * 86_400_000;
    const slotIds = [newId("slt"), newId("slt")];
    const exp = at + 30 * 86_400_000;
    const bookingToken = await sealBooking(secret, tenantId, {
      p: personId,
      s: slotIds[0]!,
      d: dealerId,
      dec: null,
      a: null,
      exp,
    });
    const claim = await openBooking(secret, tenantId, bookingToken);
    const bookingId = newId("bkg");
    // distinct starts for every pair of slots this world writes (a dealer's (start, resource) is one slot)
    const pair = slotPairs++;
    await h.store.database.batch([
      ...h.store.channels.putSlots(
        tenantId,
        dealerId,
        slotIds.map((id, i) => ({
          id,
          startAt: day + 8 * 3_600_000 + (2 * pair + i) * 60_000,
          durationMin: 30,
          resource: "bay" as const,
          capacity: 50,
          createdAt: at,
          updatedAt: at,
        })),
      ),
      ...h.store.channels.takePlace(tenantId, slotIds[0]!, at),
      ...h.store.channels.insertBooking({
        id: bookingId,
        tenantId,
        dealerId,
        slotId: slotIds[0]!,
        personId,
        status: "booked",
        tokenId: claim!.t,
        decisionId: null,
        actionId: null,
        createdAt: at,
        cancelledAt: null,
      }),
    ]);
    const openToken = await sealBooking(secret, tenantId, {
      p: personId,
      s: slotIds[1]!,
      d: dealerId,
      dec: null,
      a: null,
      exp,
    });
    return { slotIds, bookingId, bookingToken, openToken };
  }

  /**
   * A webhook endpoint (nothing listens on port 9) subscribed to an event no matrix cell sends, and one delivery
   * of a message about the person, written as given up on after its last attempt: nothing is sent in the
   * background while the matrix compares rows, and a replay makes exactly one more (failed) attempt.
   */
  async function webhookFor(tenantId: string, personId: string, v: string) {
    const at = Date.now();
    const webhookId = newId("whk");
    const secret = `whsec_${randomToken(32)}`;
    await h.store.outbox.createWebhook({
      id: webhookId,
      tenantId,
      url: "http://127.0.0.1:9/matrix",
      events: ["service_reminder.due"],
      secret,
      description: `matrix ${v}`,
      createdAt: at,
      deletedAt: null,
    });
    const messageId = newId("msg");
    const deliveryId = `dlv_${[...crypto.getRandomValues(new Uint8Array(10))].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
    const db = h.store.database.db;
    await (db as unknown as { batch(q: unknown[]): Promise<unknown> }).batch([
      db.insert(schema.outboxMessages).values({
        id: messageId,
        tenantId,
        type: "service_reminder.due",
        personId,
        payload: { type: "service_reminder.due", timestamp: new Date(at).toISOString(), data: { profileId: personId } },
        createdAt: at,
        contactPurgedAt: at,
      }),
      db.insert(schema.webhookDeliveries).values({
        id: deliveryId,
        tenantId,
        webhookId,
        messageId,
        personId,
        status: "failed",
        attempts: 50,
        nextAttemptAt: at,
        lastStatus: null,
        lastError: "matrix: given up on",
        createdAt: at,
        updatedAt: at,
        deliveredAt: null,
      }),
    ]);
    return { webhookId, deliveryId, secret };
  }

  async function build(owner: Owner): Promise<Target> {
    const o = owners[owner];
    const t = o.tenant;
    const v = uniq();
    const vin = VINS[owner];
    // The customer bought the car (at the owner's dealer); a browser visitor of the owner's site, who read a page,
    // asked for a quote with the customer's email through the site's backend: the visitor merged into them.
    const minted = await call(
      h,
      "/v1/decide",
      json("POST", { channel: "dealer_site", placement: "hero" }, auth(o.pk.key, { origin: o.pk.origin })),
    );
    const { visitorId, visitorToken } = minted.visitor as { visitorId: string; visitorToken: string };
    const browsed = await call(
      h,
      "/v1/events",
      json(
        "POST",
        {
          events: [
            {
              id: `mx-pv-${v}`,
              type: "page_view",
              occurredAt: ago(90),
              identifiers: { visitorToken },
              data: { url: "https://example.com/ariya" },
            },
          ],
        },
        auth(o.pk.key, { origin: o.pk.origin }),
      ),
    );
    const visitorPersonId = browsed.results[0].personId as string;
    const customerId = `C-${owner}-${v}`;
    const email = `${owner.toLowerCase()}-${v}@example.com`;
    const dealerId = o.dealer?.id;
    const eventIds = [`mx-pv-${v}`, `mx-buy-${v}`, `mx-tz-${v}`, `mx-quote-${v}`];
    const ingested = await call(
      h,
      "/v1/events",
      json(
        "POST",
        {
          events: [
            {
              id: eventIds[1],
              type: "purchase",
              occurredAt: ago(60),
              identifiers: { customerId, email },
              ...(dealerId ? { dealerId } : {}),
              data: { vin, condition: "new", ...(dealerId ? { dealerId } : {}) },
            },
            {
              id: eventIds[2],
              type: "preference_changed",
              occurredAt: ago(59),
              identifiers: { customerId },
              data: { timeZone: daytimeZone() },
            },
            {
              id: eventIds[3],
              type: "quote_request",
              occurredAt: ago(30),
              identifiers: { visitorToken, email },
              // the owner's dealer's lead (the lead feed shows a dealer-bound key its dealer's leads)
              ...(dealerId ? { dealerId } : {}),
              data: {},
            },
          ],
        },
        auth(t.setupKey),
      ),
    );
    const results = ingested.results as { status: string; personId?: string; merges?: string[] }[];
    if (results.some((r) => r.status !== "accepted")) throw new Error(`world: ingest ${JSON.stringify(results)}`);
    const profileId = results[0]!.personId!;
    const mergeId = results[2]!.merges?.[0];
    if (!mergeId) throw new Error(`world: the visitor did not merge into the customer: ${JSON.stringify(results)}`);
    const actionId = `${owner.toLowerCase()}-${v.toLowerCase().replace(/[^a-z0-9]/g, "")}`;
    await h.store.decisioning.putAction({
      tenantId: t.id,
      id: actionId,
      dealerId: dealerId ?? null,
      doc: { ...WELCOME_ACTION, id: actionId, ...(dealerId ? { dealerId } : {}) },
      updatedAt: Date.now(),
    });
    const spare = await key(
      { scope: { tenantId: t.id } },
      { kind: "server", name: `spare ${owner}`, scopes: ["decide"], dealerId: dealerId ?? null },
    );
    const decideWith = async (k: string, body: unknown, headers: Record<string, string> = {}) => {
      const d = await call(h, "/v1/decide", json("POST", body, auth(k, headers)));
      const shown = d.actions[0]?.id as string | undefined;
      if (!shown) throw new Error(`world: a decision for ${owner} showed nothing: ${JSON.stringify(d)}`);
      await logged(h, t.id, d.decisionId);
      return { id: d.decisionId as string, actionId: shown };
    };
    const decisions = {
      server: await decideWith(o.serverKey, { subject: { customerId }, channel: "dealer_site", placement: "hero" }),
      publishable: await decideWith(
        o.pk.key,
        { subject: { visitorToken }, channel: "dealer_site", placement: "hero" },
        { origin: o.pk.origin },
      ),
      vehicle: await decideWith(o.vk.key, {
        subject: { vin },
        channel: "in_vehicle",
        placement: "dashboard",
        context: { driveState: "parked", secondsSinceIgnition: 900 },
      }),
    };
    const secret = (await h.store.tenants.byId(t.id))?.secret;
    if (!secret) throw new Error("world: the tenant has no secret after a decision");
    const slots = o.dealer ? await slotsFor(t.id, o.dealer.id, profileId, secret) : null;
    const webhook = owner === "brand" || owner === "otherTenant" ? await webhookFor(t.id, profileId, v) : null;
    return {
      owner,
      tenantId: t.id,
      dealer: o.dealer,
      slotIds: slots?.slotIds ?? [],
      bookingId: slots?.bookingId ?? "",
      bookingToken: slots?.bookingToken ?? "",
      openToken: slots?.openToken ?? "",
      unsubscribeToken: await sealUnsubscribe(secret, t.id, profileId),
      webhookId: webhook?.webhookId ?? "",
      deliveryId: webhook?.deliveryId ?? "",
      webhookSecret: webhook?.secret ?? "",
      customerId,
      email,
      emailHash: await sha256Hex(`${t.hashSalt}:email:${email}`),
      profileId,
      visitorId,
      visitorPersonId,
      visitorToken,
      mergeId,
      vin,
      actionId,
      spareKeyId: spare.id,
      decisions,
      eventIds,
    };
  }

  const targets = {} as Record<Owner, Target>;
  for (const owner of OWNERS) targets[owner] = await build(owner);
  const credentials = [
    ...new Set([...Object.values(keys).map((k) => k.key), a.setupKey, b.setupKey]),
    ...Object.values(owners).flatMap((o) => [o.pk.key, o.vk.key]),
    ...Object.values(targets)
      .map((t) => t.webhookSecret)
      .filter(Boolean),
  ];
  for (const t of [a, b]) {
    t.secret = (await h.store.tenants.byId(t.id))?.secret ?? null;
    credentials.push(t.hashSalt, ...(t.secret ? [t.secret] : []));
  }
  const world: World = {
    h,
    tenants: { a, b },
    keys,
    targets,
    owners,
    extraOrg,
    credentials: [...new Set(credentials)],
    async rebuild(owner) {
      // The old endpoint goes (its replayed delivery, if any, stops): nothing changes behind the next cells' backs.
      const old = targets[owner];
      if (old.webhookId) await h.store.outbox.deleteWebhook(old.tenantId, old.webhookId, Date.now());
      targets[owner] = await build(owner);
      if (targets[owner].webhookSecret) world.credentials.push(targets[owner].webhookSecret);
    },
    async renewSlots(owner) {
      const t = targets[owner];
      if (!t.dealer) return;
      const side = owner === "otherTenant" ? b : a;
      const secret = (await h.store.tenants.byId(side.id))!.secret!;
      targets[owner] = { ...t, ...(await slotsFor(t.tenantId, t.dealer.id, t.profileId, secret)) };
    },
  };
  return world;
}

/** The org data of an owner: dealer, action and key ids and names. */
export function orgSecrets(w: World, owner: Owner): string[] {
  const t = w.targets[owner];
  return [
    ...(t.dealer ? [t.dealer.id, t.dealer.name, t.dealer.code] : []),
    t.actionId,
    t.spareKeyId,
    ...t.slotIds,
    ...[t.bookingId, t.webhookId, t.deliveryId].filter(Boolean),
    ...w.extraOrg[owner],
  ];
}

/** The internal ids of an owner's people. */
export function personSecrets(w: World, owner: Owner): string[] {
  const t = w.targets[owner];
  return [t.profileId, t.visitorPersonId];
}

/** The owner's people's identifiers, car, decisions, merges and events. */
export function identifierSecrets(w: World, owner: Owner): string[] {
  const t = w.targets[owner];
  return [
    t.customerId,
    t.email,
    t.emailHash,
    t.visitorId,
    t.visitorToken,
    t.vin,
    t.mergeId,
    ...Object.values(t.decisions).map((d) => d.id),
    ...t.eventIds,
    ...[t.bookingToken, t.openToken, t.unsubscribeToken].filter(Boolean),
  ];
}

/**
 * What attributes a stored row to an owner: the internal ids of its people, decisions and merges anywhere in the
 * row (a household lists its members, a decision names its person), and its dealer, action and key ids in a
 * column that says whose the row is (`id`, `dealer_id`, `subject_id`) — not where a row merely refers to them (a
 * decision of anyone that showed the brand's action, an audit entry naming the key that acted). Learning
 * counters and catalogue versions are the brand's, shared by every decision: no owner's (a refusal must still
 * leave them alone: after a refusal no row at all may change).
 */
export function markers(w: World, owner: Owner): { people: string[]; org: string[] } {
  const t = w.targets[owner];
  return {
    people: [t.profileId, t.visitorPersonId, t.mergeId, ...Object.values(t.decisions).map((d) => d.id)],
    org: [
      t.actionId,
      t.spareKeyId,
      ...t.slotIds,
      ...[t.bookingId, t.webhookId, t.deliveryId].filter(Boolean),
      ...(t.dealer ? [t.dealer.id] : []),
      ...w.extraOrg[owner].filter((x) => /^(key|dlr)_/.test(x)),
    ],
  };
}
const OWNER_COLUMNS = ["id", "dealerId", "subjectId"];

/**
 * A copy of every row of both brands, per table (the tenants' own rows included): what the matrix compares before
 * and after a cell.
 */
export type Snapshot = Map<string, string[]>;

/** Every table of the schema with a tenant column (tables added later are included as they come). */
const TENANT_TABLES = (Object.values(schema) as unknown[])
  .filter((t): t is SQLiteTable => is(t, SQLiteTable))
  .filter((t) => "tenantId" in getTableColumns(t)) as (SQLiteTable & { tenantId: SQLiteColumn })[];

/** One atomic read of every row of both brands (one round trip: a batch). */
export async function snapshot(w: World): Promise<Snapshot> {
  const db = w.h.store.database.db;
  const ids = [w.tenants.a.id, w.tenants.b.id];
  const reads = [
    db.select().from(schema.tenants).where(inArray(schema.tenants.id, ids)),
    ...TENANT_TABLES.map((t) => db.select().from(t).where(inArray(t.tenantId, ids))),
  ];
  // Drizzle's own batch (both drivers have it): rows as the schema maps them, in one round trip.
  const batch = (db as unknown as { batch(q: unknown[]): Promise<Record<string, unknown>[][]> }).batch.bind(db);
  const results = await batch(reads);
  const out: Snapshot = new Map();
  const names = ["tenants", ...TENANT_TABLES.map((t) => getTableName(t))];
  for (const [i, rows] of results.entries()) out.set(names[i]!, rows.map((r) => JSON.stringify(r)).sort());
  return out;
}

/** The rows of a snapshot that belong to an owner, as `table: row` lines. */
export function rowsOf(w: World, snap: Snapshot, owner: Owner): string[] {
  const out: string[] = [];
  const b = w.tenants.b.id;
  const a = w.tenants.a.id;
  const { people, org } = markers(w, owner);
  for (const [table, rows] of snap) {
    for (const row of rows) {
      const r = JSON.parse(row) as Record<string, unknown>;
      const mine =
        table === "tenants"
          ? (owner === "otherTenant" && r.id === b) || (owner === "brand" && r.id === a)
          : owner === "otherTenant"
            ? r.tenantId === b
            : r.tenantId === a &&
              (people.some((m) => row.includes(m)) || OWNER_COLUMNS.some((c) => org.includes(r[c] as string)));
      if (mine) out.push(`${table}: ${row}`);
    }
  }
  return out;
}

/** Rows in one list and not the other, for a readable failure. */
export function diffRows(before: string[], after: string[]): string[] {
  const b = new Set(before);
  const a = new Set(after);
  return [
    ...before.filter((r) => !a.has(r)).map((r) => `- ${r.slice(0, 400)}`),
    ...after.filter((r) => !b.has(r)).map((r) => `+ ${r.slice(0, 400)}`),
  ];
}

/** The fixture-shaped view of a target that the security suite's request specs (REQUESTS) address. */
export function fixtureView(w: World, t: Target, kind: KeyKind): TenantFixture {
  const side = w.owners[t.owner];
  const decision = t.decisions[kind];
  const view = {
    tenant: { id: t.tenantId, name: side.tenant.name, slug: side.tenant.slug, hashSalt: side.tenant.hashSalt },
    scope: { tenantId: t.tenantId },
    dealer: t.dealer ?? { id: "" },
    dealer2: w.targets[t.owner === "otherDealer" ? "own" : "otherDealer"].dealer,
    vin: t.vin,
    origin: side.pk.origin,
    customerId: t.customerId,
    visitorId: t.visitorId,
    profileId: t.profileId,
    mergeId: t.mergeId,
    decisionId: decision.id,
    shownActionId: decision.actionId,
    ownActionId: t.actionId,
    browserVisitorId: t.visitorId,
    visitorToken: t.visitorToken,
    keys: {},
    spareKeyId: t.spareKeyId,
  };
  return view as unknown as TenantFixture;
}
