/**
 * The decision path: one read (person + household + contact-log versions + catalogue version + tenant secret)
 * under a deadline, the pure engine on cached catalogue and learner statistics for every placement of the
 * page, and — only when what it shows counts against a cap — one conditional write of the contact before
 * answering, so that concurrent decisions for one person cannot exceed a cap (a lost race reads and decides
 * again). The answer's id is sealed (decision-ids.ts): outcomes are accepted from the moment it is sent. The
 * log itself is written afterwards (DecisionSink).
 */
import { compileCatalog, type CompiledCatalog } from "../domain/decide/catalog";
import { countsAgainstCaps, recordContact, type ContactLog } from "../domain/decide/contacts";
import { DEFAULT_CONFIG } from "../domain/decide/config";
import { safeDefault, type DecisionInput, type DecisionResult } from "../domain/decide";
import type { ArmStats, StatsMap } from "../domain/decide/learner";
import { decidePage, type PlacedResult } from "../domain/decide/page";
import { seededRandom } from "../domain/decide/random";
import type { DecisionChannel } from "../domain/decide/vocabulary";
import type { Audience } from "../domain/decide/audience";
import { decideConfigFor } from "../domain/tenant-settings";
import { armOf, unitOf } from "../domain/learning/holdout";
import type { Principal } from "../http/context";
import { Problem } from "../http/problems";
import { randomToken } from "../lib/crypto";
import type { Store } from "../store";
import { classify, faultName } from "../store/conflicts";
import type { DecisionRead } from "../store/decisioning";
import type { Dealer } from "../store/dealers";
import { dealersOf } from "./dealer-cache";
import { decisionNonce, sealDecision, type DecisionClaim } from "./decision-ids";
import type { DecisionSink } from "./decision-log";
import { issueVisitor, visitorOf } from "./visitors";
import { BOOKABLE_CHANNELS, chooseSlots, type SlotChoice } from "../domain/channels/slots";
import type { ActionKind } from "../domain/decide/vocabulary";
import type { Batchable } from "../store/db";
import { sealBooking } from "./channel-tokens";
import type { SlotCache } from "./slot-cache";

const STATS_TTL_MS = 30_000;
/** Conditional contact writes lost to concurrent decisions (within the deadline) before degraded mode answers. */
const CONTACT_ATTEMPTS = 10;

interface StatsEntry {
  map: StatsMap;
  until: number;
  loading?: Promise<void> | undefined;
}

/** Per-isolate caches of what decisions read from memory (dealers: dealersOf). */
export class DecisionCaches {
  private readonly catalogs = new Map<string, CompiledCatalog>();
  private readonly stats = new Map<string, StatsEntry>();
  private readonly secrets = new Map<string, string>();

  /** The compiled catalogue at `version`, loaded and compiled only when the version moved. */
  async catalog(store: Store, tenantId: string, version: number): Promise<CompiledCatalog> {
    const hit = this.catalogs.get(tenantId);
    if (hit && hit.version === String(version)) return hit;
    const { version: v, rows } = await store.decisioning.catalog(tenantId);
    const compiled = compileCatalog(
      rows.map((r) => r.doc),
      String(v),
      rows.map((r) => r.checkedWith),
    );
    this.catalogs.set(tenantId, compiled);
    return compiled;
  }

  /** Cached catalogue regardless of version (degraded mode), or null. */
  cachedCatalog(tenantId: string): CompiledCatalog | null {
    return this.catalogs.get(tenantId) ?? null;
  }

  /** The tenant's secret as last read (degraded answers are sealed with it when the read fails). */
  secret(tenantId: string, fresh?: string | null): string | null {
    if (fresh) this.secrets.set(tenantId, fresh);
    return this.secrets.get(tenantId) ?? null;
  }

  /** Learner statistics: served from memory, refreshed in the background when stale (priors until first load). */
  learnerStats(store: Store, tenantId: string, now: number, defer: (p: Promise<unknown>) => void): StatsMap {
    const hit = this.stats.get(tenantId);
    if (!hit || (hit.until <= now && !hit.loading)) {
      const entry: StatsEntry = hit ?? { map: new Map(), until: 0 };
      entry.loading = store.decisioning
        .stats(tenantId)
        .then((rows) => {
          entry.map = new Map(
            rows.map((r) => [
              r.key,
              { alpha: r.successes, beta: Math.max(0, r.shows - r.successes) } satisfies ArmStats,
            ]),
          );
          entry.until = now + STATS_TTL_MS;
        })
        .finally(() => {
          entry.loading = undefined;
        });
      this.stats.set(tenantId, entry);
      defer(entry.loading);
    }
    return this.stats.get(tenantId)!.map;
  }
}

export interface DecideRequest {
  /** The subject; null when a publishable key asks for a new visitor. `person`: a profile id (the reminder job). */
  subject: { kind: "visitor" | "customer" | "vin" | "person"; value: string } | null;
  /** A publishable key's visitor token (its visitor is `subject`, checked against the tenant's secret). */
  visitorToken?: string;
  channel: DecisionChannel;
  placements: string[];
  dealerId?: string;
  context: DecisionInput["context"];
  limit: number;
  dryRun: boolean;
  gpc: boolean;
  /** Who asks, and so what the decision may show (domain/decide/audience.ts). */
  audience: Audience;
  /** issue 10: only actions of these kinds (the reminder job asks for service reminders). */
  onlyKinds?: readonly ActionKind[];
  /**
   * issue 10: statements for the batch that records the contact (a reminder run's claim and its outbox message);
   * given when what is shown counts against a cap, so they commit with the contact or not at all.
   */
  withContact?: (decisionId: string, placed: readonly PlacedResult[]) => Batchable[];
}

export interface DecideDeps {
  store: Store;
  caches: DecisionCaches;
  principal: Principal;
  now: number;
  deadlineMs: number;
  /** When the request arrived (epoch ms): the deadline counts from there. */
  startedAt?: number;
  defer: (p: Promise<unknown>) => void;
  log: DecisionSink;
  /** issue 10: open service slots (per-isolate cache), and the origin booking links point at. */
  slots?: SlotCache;
  baseUrl?: string;
}

/** Kept back from the deadline for what follows the store (sealing the id, the response). */
const ANSWER_MARGIN_MS = 5;

export interface DecisionResponse {
  decisionId: string;
  placed: PlacedResult[];
  degraded: boolean;
  /** A publishable key's visitor: the token to keep (new when none was sent). */
  visitor?: { visitorId: string; visitorToken: string };
}

class Deadline extends Error {}

/** `p`, or a Deadline error after `ms` (the work goes on; its failure is observed and dropped). */
function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  p.catch(() => {});
  return Promise.race([
    p,
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Deadline("deadline")), Math.max(0, ms)))),
  ]).finally(() => clearTimeout(timer));
}

const log = (msg: string, e: unknown) =>
  console.error(JSON.stringify({ level: "error", msg, error: e instanceof Deadline ? "deadline" : faultName(e) }));

/** Decides; never throws for a store failure (degraded mode answers instead). */
export async function decideNow(deps: DecideDeps, req: DecideRequest): Promise<DecisionResponse> {
  const { store, caches, principal, now } = deps;
  const tenantId = principal.tenantId;
  const t0 = deps.startedAt ?? Date.now();
  const left = () => deps.deadlineMs - ANSWER_MARGIN_MS - (Date.now() - t0);
  const scope = { tenantId, dealerId: principal.dealerId };
  const nonce = decisionNonce();
  let visitor: DecisionResponse["visitor"];
  let subject = req.subject;
  if (principal.kind === "publishable" && !subject) subject = { kind: "visitor", value: `v_${randomToken(20)}` };

  const degraded = async (catalog: CompiledCatalog | null): Promise<DecisionResponse> => {
    const cat = catalog ?? caches.cachedCatalog(tenantId) ?? compileCatalog([], "0");
    const result = safeDefault(cat, req.channel, { ...req.context, placement: req.placements[0] }, now, req.limit);
    const placed = [{ placement: req.placements[0]!, result }];
    const secret = caches.secret(tenantId);
    return {
      decisionId: secret
        ? await sealDecision(secret, tenantId, claimOf(deps, req, nonce, null, subject, placed, true))
        : `dec_${nonce}`,
      placed,
      degraded: true,
      ...(visitor ? { visitor } : {}),
    };
  };

  for (let attempt = 0; attempt < CONTACT_ATTEMPTS; attempt++) {
    let read: DecisionRead;
    try {
      read = await within(store.decisioning.decisionRead(scope, subject!.kind, subject!.value), left());
    } catch (e) {
      log("decide: store read failed or missed its deadline, degraded", e);
      return degraded(null);
    }
    const secret =
      caches.secret(tenantId, read.secret) ?? caches.secret(tenantId, await store.tenants.secret(tenantId));
    if (!secret) return degraded(null);
    if (req.visitorToken && attempt === 0) {
      const issuer = principal.kind === "publishable" ? principal.keyId : null;
      if ((await visitorOf(secret, tenantId, req.visitorToken, issuer)) !== subject!.value)
        throw new Problem("subject-not-allowed", "The visitor token was not issued to this key; ask without one.");
      if (principal.kind === "publishable") visitor = { visitorId: subject!.value, visitorToken: req.visitorToken };
    } else if (principal.kind === "publishable" && attempt === 0) {
      const fresh = await issueVisitor(secret, tenantId, principal.keyId);
      subject = { kind: "visitor", value: fresh.visitorId };
      visitor = fresh;
      read = { ...read, person: null }; // a visitor minted just now has no profile
    }
    let catalog: CompiledCatalog;
    try {
      catalog = await caches.catalog(store, tenantId, read.catalogVersion);
    } catch (e) {
      log("decide: catalogue load failed, degraded", e);
      return degraded(null);
    }
    if (principal.dealerId && req.dealerId && req.dealerId !== principal.dealerId)
      throw new Problem("not-found", "No such dealer.");
    const dealerId = principal.dealerId ?? req.dealerId ?? read.person?.dealerId ?? null;
    let dealer: Dealer | undefined;
    let dealerKnown = true;
    try {
      dealer = dealerId ? (await dealersOf(store, tenantId, now, [dealerId])).get(dealerId) : undefined;
    } catch (e) {
      dealerKnown = false; // decide on without the dealer's time zone rather than fail
      log("decide: dealer lookup failed", e);
    }
    if (req.dealerId && dealerKnown && !dealer) throw new Problem("not-found", "No such dealer.");
    const person = read.person;
    // issue 10: a service reminder where the person books carries open slots (per-isolate cache: no round trip).
    let serviceSlots: SlotChoice | undefined;
    if (person && deps.slots && needsCapacity(catalog, req.channel)) {
      const dealerFor = principal.dealerId ?? req.dealerId ?? person.doc.consent.preferredDealerId ?? person.dealerId;
      try {
        const [open, all] = await within(
          Promise.all([deps.slots.open(store, tenantId, now), dealersOf(store, tenantId, now)]),
          left(),
        );
        serviceSlots = chooseSlots({
          open,
          dealers: all,
          dealerId: dealerFor,
          allowFallback: !principal.dealerId,
          now,
          timeZone: person.doc.consent.timeZone,
          locale: req.context.locale ?? person.doc.consent.locale ?? null,
        });
      } catch (e) {
        log("decide: service capacity unreadable", e);
        serviceSlots = {
          dealerId: null,
          dealerName: null,
          slots: [],
          reason: "service capacity unavailable",
          fallback: false,
        };
      }
    }
    const input: DecisionInput = {
      now,
      rng: seededRandom(nonce),
      channel: req.channel,
      placement: req.placements[0]!,
      limit: req.limit,
      dealer: dealer ? { id: dealer.id, timeZone: dealer.timeZone, name: dealer.name } : null,
      keyKind: principal.kind,
      showSuppressed: req.audience.showSuppressed,
      showSensitive: req.audience.showSensitive,
      gpc: req.gpc,
      context: req.context,
      profile: person?.doc ?? null,
      household: person?.household ?? null,
      contacts: (person?.contacts as ContactLog | null) ?? null,
      householdContacts: (person?.householdContacts as ContactLog | null) ?? null,
      catalog,
      stats: caches.learnerStats(store, tenantId, now, deps.defer),
      // The brand's marketing-consent default for this person (their country, else the dealer's).
      config: decideConfigFor(read.settings, person?.doc.consent.country, dealer?.country),
      // The brand's holdout group, randomized by household (a person without one alone).
      holdout:
        !!person &&
        armOf(tenantId, unitOf(person.id, person.householdId), read.settings.holdout?.share ?? 0) === "holdout",
      ...(serviceSlots ? { serviceSlots } : {}),
      ...(req.onlyKinds
        ? { exclude: new Set(catalog.actions.filter((a) => !req.onlyKinds!.includes(a.kind)).map((a) => a.id)) }
        : {}),
    };
    let page: ReturnType<typeof decidePage>;
    try {
      page = decidePage(input, req.placements, (i) => seededRandom(`${nonce}/${i}`));
    } catch (e) {
      // A fault in the engine (a catalogue it cannot evaluate) must not turn into a 5xx: answer the safe default.
      log("decide: engine failed, degraded", e);
      return degraded(catalog);
    }
    const shown = page.placed.flatMap((p) => p.result.actions);
    const claim = claimOf(deps, req, nonce, person?.id ?? null, subject, page.placed, false);
    const decisionId = await sealDecision(secret, tenantId, claim);
    if (serviceSlots?.slots.length && person)
      await attachSlots(deps, secret, person.id, decisionId, serviceSlots, page.placed);
    let contactsWritten = false;
    if (!req.dryRun && person && countsAgainstCaps(shown, req.channel, catalog, input.config ?? DEFAULT_CONFIG)) {
      const householdLevel = person.householdId && shown.some((a) => catalog.byId.get(a.id)?.householdLevel);
      const items = shown.map((a) => ({ actionId: a.id, category: a.category, channel: req.channel }));
      try {
        await within(
          store.database.batch(
            store.decisioning
              .recordContacts(
                tenantId,
                { id: person.id, contactsVersion: person.contactsVersion, contacts: page.contacts },
                householdLevel
                  ? {
                      id: person.householdId!,
                      contactsVersion: person.householdContactsVersion,
                      contacts: recordContact(input.householdContacts, items, now),
                    }
                  : null,
              )
              .concat(req.withContact?.(decisionId, page.placed) ?? []),
            { budgetMs: Math.max(0, left()) },
          ),
          left(),
        );
        contactsWritten = true;
      } catch (e) {
        if (!(e instanceof Deadline) && classify(e) === "conflict") {
          // Another decision (or an outcome, a merge, an erasure) won: read again and decide again.
          await new Promise((r) => setTimeout(r, Math.random() * 4));
          continue;
        }
        log("decide: contact write failed or missed its deadline, degraded", e);
        return degraded(catalog);
      }
    }
    if (!req.dryRun)
      deps.defer(
        deps.log.add({
          tenantId,
          keyId: principal.keyId,
          decisionId,
          nonce,
          placed: page.placed,
          input,
          person: person ? { id: person.id, contactsVersion: person.contactsVersion } : null,
          contactsAfter: person && !contactsWritten && shown.length ? page.contacts : null,
        }),
      );
    return { decisionId, placed: page.placed, degraded: false, ...(visitor ? { visitor } : {}) };
  }
  log("decide: contact writes kept conflicting, degraded", new Error("write conflict"));
  return degraded(null);
}

/** Whether the catalogue has a service reminder for a channel where the person books a slot (per version). */
const capacityNeeded = new WeakMap<CompiledCatalog, Map<DecisionChannel, boolean>>();
function needsCapacity(catalog: CompiledCatalog, channel: DecisionChannel): boolean {
  if (!BOOKABLE_CHANNELS.has(channel)) return false;
  let m = capacityNeeded.get(catalog);
  if (!m) capacityNeeded.set(catalog, (m = new Map()));
  let v = m.get(channel);
  if (v === undefined) m.set(channel, (v = catalog.byChannel[channel].some((a) => a.kind === "service_reminder")));
  return v;
}

/** Booking links (sealed, single-use, expiring) of the slots a shown service reminder carries. */
async function attachSlots(
  deps: DecideDeps,
  secret: string,
  personId: string,
  decisionId: string,
  choice: SlotChoice,
  placed: readonly PlacedResult[],
): Promise<void> {
  const tenantId = deps.principal.tenantId;
  const base = deps.baseUrl ?? "";
  for (const p of placed)
    for (const a of p.result.actions) {
      if (a.kind !== "service_reminder") continue;
      const slots = [];
      for (const s of choice.slots) {
        const token = await sealBooking(secret, tenantId, {
          p: personId,
          s: s.id,
          d: s.dealerId,
          dec: decisionId,
          a: a.id,
          exp: Math.min(s.startAt, deps.now + 14 * 86_400_000),
        });
        slots.push({
          slotId: s.id,
          dealerId: s.dealerId,
          dealerName: choice.dealerName,
          start: new Date(s.startAt).toISOString(),
          durationMinutes: s.durationMin,
          resource: s.resource,
          label: s.label,
          bookUrl: `${base}/v1/bookings/${token}`,
        });
      }
      a.creative = { ...a.creative, slots } as unknown as typeof a.creative;
    }
}

function claimOf(
  deps: DecideDeps,
  req: DecideRequest,
  nonce: string,
  personId: string | null,
  subject: DecideRequest["subject"],
  placed: readonly PlacedResult[],
  degraded: boolean,
): DecisionClaim {
  const p = deps.principal;
  return {
    v: 1,
    n: nonce,
    at: deps.now,
    p: personId,
    k: p.keyId,
    d: p.dealerId,
    s: p.kind === "server" ? null : (subject?.value ?? null),
    c: req.channel,
    g: placed[0]?.result.segment ?? "anonymous",
    pl: placed.map((x) => x.placement),
    a: placed.flatMap((x, i) =>
      x.result.actions.map((a) => [a.id, a.category, i] as [string, typeof a.category, number]),
    ),
    ...(degraded ? { deg: 1 as const } : {}),
  };
}

/** Every placement's result as one: actions in placement order, suppressions and notes once each. */
export function mergePlaced(placed: readonly PlacedResult[]): {
  actions: (DecisionResult["actions"][number] & { placement: string })[];
  suppressed: DecisionResult["suppressed"];
  notes: string[];
  segment: DecisionResult["segment"];
  ttl: number;
} {
  const suppressed = new Map<string, DecisionResult["suppressed"][number]>();
  for (const p of placed) for (const s of p.result.suppressed) if (!suppressed.has(s.id)) suppressed.set(s.id, s);
  return {
    actions: placed.flatMap((p) => p.result.actions.map((a) => ({ ...a, placement: p.placement }))),
    suppressed: [...suppressed.values()],
    notes: [...new Set(placed.flatMap((p) => p.result.notes))],
    segment: placed[0]?.result.segment ?? "anonymous",
    ttl: Math.min(...placed.map((p) => p.result.ttl)),
  };
}
