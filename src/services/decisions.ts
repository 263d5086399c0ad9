/**
 * The decision path: one read (person + household + catalogue version) under a deadline, the pure
 * engine on cached catalogue and learner statistics, and everything else after the response.
 */
import { compileCatalog, type CompiledCatalog } from "../domain/decide/catalog";
import { applyOutcome, type ContactLog, type OutcomeType } from "../domain/decide/contacts";
import { decide, safeDefault, type DecisionInput, type DecisionResult } from "../domain/decide";
import { statsKey, type ArmStats, type StatsMap } from "../domain/decide/learner";
import { seededRandom } from "../domain/decide/random";
import type { DecisionChannel, Segment } from "../domain/decide/vocabulary";
import type { Audience } from "../domain/decide/audience";
import { decideConfigFor } from "../domain/tenant-settings";
import type { Category } from "../domain/profile/types";
import type { Principal } from "../http/context";
import { Problem } from "../http/problems";
import { newId } from "../lib/crypto";
import { dealersOf } from "./dealer-cache";
import type { DecisionLogWriter } from "./decision-log";
import type { Store } from "../store";
import type { DecisionRead } from "../store/decisioning";
import type { Dealer } from "../store/dealers";

const STATS_TTL_MS = 30_000;
const ATTRIBUTION_WINDOW_MS = 60 * 86_400_000;
const POSITIVE: ReadonlySet<OutcomeType> = new Set(["click", "accept", "convert"]);

interface StatsEntry {
  map: StatsMap;
  until: number;
  loading?: Promise<void> | undefined;
}

/** Per-isolate caches of what decisions read from memory (dealers: dealersOf). */
export class DecisionCaches {
  private readonly catalogs = new Map<string, CompiledCatalog>();
  private readonly stats = new Map<string, StatsEntry>();

  /** The compiled catalogue at `version`, loaded and compiled only when the version moved. */
  async catalog(store: Store, tenantId: string, version: number): Promise<CompiledCatalog> {
    const hit = this.catalogs.get(tenantId);
    if (hit && hit.version === String(version)) return hit;
    const { version: v, rows } = await store.decisioning.catalog(tenantId);
    const compiled = compileCatalog(
      rows.map((r) => r.doc),
      String(v),
    );
    this.catalogs.set(tenantId, compiled);
    return compiled;
  }

  /** Cached catalogue regardless of version (degraded mode), or null. */
  cachedCatalog(tenantId: string): CompiledCatalog | null {
    return this.catalogs.get(tenantId) ?? null;
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
  subject: { kind: "visitor" | "customer" | "vin"; value: string };
  channel: DecisionChannel;
  placement: string;
  dealerId?: string;
  context: DecisionInput["context"];
  limit: number;
  dryRun: boolean;
  gpc: boolean;
  /** Who asks, and so what the decision may show (domain/decide/audience.ts). */
  audience: Audience;
}

export interface DecideDeps {
  store: Store;
  caches: DecisionCaches;
  principal: Principal;
  now: number;
  deadlineMs: number;
  defer: (p: Promise<unknown>) => void;
  log: DecisionLogWriter;
}

export type OutcomeDeps = Pick<DecideDeps, "store" | "principal" | "now">;

/** The store read, or null when it failed or missed the deadline. */
async function readWithDeadline(deps: DecideDeps, req: DecideRequest): Promise<DecisionRead | null> {
  const scope = { tenantId: deps.principal.tenantId, dealerId: deps.principal.dealerId };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), deps.deadlineMs)));
  try {
    return await Promise.race([
      deps.store.decisioning.decisionRead(scope, req.subject.kind, req.subject.value),
      deadline,
    ]);
  } catch (e) {
    console.error(JSON.stringify({ level: "error", msg: "decide: store read failed, degraded", error: String(e) }));
    return null;
  } finally {
    clearTimeout(timer);
  }
}

export interface DecisionResponse {
  decisionId: string;
  result: DecisionResult;
  degraded: boolean;
}

/** Decides; never throws for a store failure (degraded mode answers instead). */
export async function decideNow(deps: DecideDeps, req: DecideRequest): Promise<DecisionResponse> {
  const { store, caches, principal, now } = deps;
  const tenantId = principal.tenantId;
  const decisionId = newId("dec");
  const degraded = (catalog: CompiledCatalog | null): DecisionResponse => ({
    decisionId,
    degraded: true,
    result: safeDefault(
      catalog ?? caches.cachedCatalog(tenantId) ?? compileCatalog([], "0"),
      req.channel,
      { ...req.context, placement: req.placement },
      now,
      req.limit,
    ),
  });
  const read = await readWithDeadline(deps, req);
  if (!read) return degraded(null);
  let catalog: CompiledCatalog;
  try {
    catalog = await caches.catalog(store, tenantId, read.catalogVersion);
  } catch (e) {
    console.error(JSON.stringify({ level: "error", msg: "decide: catalogue load failed, degraded", error: String(e) }));
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
    console.error(JSON.stringify({ level: "error", msg: "decide: dealer lookup failed", error: String(e) }));
  }
  if (req.dealerId && dealerKnown && !dealer) throw new Problem("not-found", "No such dealer.");
  const person = read.person;
  const input: DecisionInput = {
    now,
    rng: seededRandom(decisionId),
    channel: req.channel,
    placement: req.placement,
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
  };
  let result: DecisionResult;
  try {
    result = decide(input);
  } catch (e) {
    // A fault in the engine (a catalogue it cannot evaluate) must not turn into a 5xx: answer the safe default.
    console.error(JSON.stringify({ level: "error", msg: "decide: engine failed, degraded", error: String(e) }));
    return degraded(catalog);
  }
  if (!req.dryRun)
    deps.defer(
      deps.log.add({ tenantId, keyId: principal.keyId, decisionId, placement: req.placement, input, result, person }),
    );
  return { decisionId, result, degraded: false };
}

/** Records an outcome of a shown action, once; teaches the learner and the person's contact log. */
export async function recordOutcome(
  deps: OutcomeDeps,
  decisionId: string,
  actionId: string,
  type: OutcomeType,
  occurredAt: number,
) {
  const { store, principal, now } = deps;
  const tenantId = principal.tenantId;
  const d = await store.decisioning.decision(tenantId, decisionId);
  if (!d || (principal.kind !== "server" && d.keyId !== principal.keyId))
    throw new Problem("not-found", "No such decision.");
  const shown = d.shown.find((s) => s.actionId === actionId);
  if (!shown)
    throw new Problem("validation-failed", "That action was not shown in this decision.", {
      errors: [{ in: "body", pointer: "/actionId", reason: "not shown in this decision" }],
    });
  const prior = await store.decisioning.outcomesOf(tenantId, decisionId);
  if (prior.some((o) => o.actionId === actionId && o.type === type))
    return { decisionId, actionId, type, recorded: "duplicate" as const };
  const extra = [];
  if (POSITIVE.has(type) && !prior.some((o) => o.actionId === actionId && POSITIVE.has(o.type as OutcomeType))) {
    extra.push(
      ...store.decisioning.statsDelta(
        tenantId,
        [{ key: statsKey(actionId, d.channel as DecisionChannel, d.segment as Segment), shows: 0, successes: 1 }],
        now,
      ),
    );
  }
  if (d.personId && type !== "impression") {
    const found = await store.customers.byId({ tenantId }, d.personId);
    if (found) {
      const log = applyOutcome(
        (found.profile.contacts as ContactLog | null) ?? null,
        { type, actionId, category: shown.category as Category },
        now,
      );
      extra.push(...store.decisioning.saveContacts(tenantId, d.personId, log, null));
    }
  }
  const fresh = await store.decisioning.recordOutcome(
    { tenantId, decisionId, actionId, type, personId: d.personId, occurredAt, receivedAt: now },
    extra,
  );
  return { decisionId, actionId, type, recorded: fresh ? ("new" as const) : ("duplicate" as const) };
}

/** Attribution by person and action: the latest decision that showed the action within the window. */
export async function attributeOutcome(
  deps: OutcomeDeps,
  personId: string,
  actionId: string,
  type: OutcomeType,
  occurredAt: number,
) {
  const d = await deps.store.decisioning.latestShowing(
    deps.principal.tenantId,
    personId,
    actionId,
    occurredAt - ATTRIBUTION_WINDOW_MS,
  );
  if (!d)
    throw new Problem("not-found", "No decision showed that action to this person within the attribution window.");
  return recordOutcome(deps, d.id, actionId, type, occurredAt);
}
