/**
 * Write-behind for the decision log: decisions made within a few milliseconds of each other are logged in
 * one batch (decision rows, learner shows summed per arm, contact logs), so that logging costs the store one
 * transaction per burst rather than one per decision. Propensities are estimated here, off the request path.
 * `add` returns a promise that settles when the item's batch is written: waitUntil keeps a Worker alive for it.
 */
import { recordContact, type ContactLog } from "../domain/decide/contacts";
import { estimatePropensities, statsKey } from "../domain/decide/learner";
import { seededRandom } from "../domain/decide/random";
import type { DecisionInput, DecisionResult } from "../domain/decide";
import type { Store } from "../store";
import type { Batchable } from "../store/db";
import type { DecisionRead } from "../store/decisioning";

/** Monte Carlo draws per logged decision: standard error ≤ 0.05 on a slot propensity, ~0.15 ms for 10 candidates. */
const PROPENSITY_DRAWS = 100;

export interface LoggedDecision {
  tenantId: string;
  keyId: string;
  decisionId: string;
  placement: string;
  input: DecisionInput;
  result: DecisionResult;
  person: DecisionRead["person"];
}

export class DecisionLogWriter {
  private pending: LoggedDecision[] = [];
  private waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly store: Store,
    private readonly maxBatch = 64,
    private readonly maxDelayMs = 20,
  ) {}

  /** Queues a decision for the log; settles when it is written. */
  add(item: LoggedDecision): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.pending.push(item);
    if (this.pending.length >= this.maxBatch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.maxDelayMs);
    return done;
  }

  /** Writes everything queued, now. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const items = this.pending;
    const waiters = this.waiters;
    this.pending = [];
    this.waiters = [];
    if (!items.length) return;
    try {
      await this.store.database.batch(this.statements(items));
      for (const w of waiters) w.resolve();
    } catch (e) {
      for (const w of waiters) w.reject(e);
    }
  }

  private statements(items: LoggedDecision[]): Batchable[] {
    const { decisioning } = this.store;
    const out: Batchable[] = [];
    const shows = new Map<string, Map<string, number>>(); // tenant -> arm -> shows
    const contacts = new Map<
      string,
      { tenantId: string; personId: string; log: ContactLog; household: { id: string; contacts: ContactLog } | null }
    >();
    for (const { tenantId, keyId, decisionId, placement, input, result, person } of items) {
      const props = estimatePropensities(result.candidates, seededRandom(`${decisionId}/propensity`), PROPENSITY_DRAWS);
      const now = input.now;
      out.push(
        decisioning.logDecision({
          tenantId,
          id: decisionId,
          personId: person?.id ?? null,
          keyId,
          channel: input.channel,
          placement,
          segment: result.segment,
          catalogVersion: Number(result.catalogVersion),
          degraded: false,
          createdAt: now,
          shown: result.actions.map((a, i) => ({
            actionId: a.id,
            category: a.category,
            score: a.score,
            propensity: props[i]?.propensity ?? 0,
          })),
        }),
      );
      const arms = shows.get(tenantId) ?? shows.set(tenantId, new Map()).get(tenantId)!;
      for (const a of result.actions) {
        const key = statsKey(a.id, input.channel, result.segment);
        arms.set(key, (arms.get(key) ?? 0) + 1);
      }
      if (person && result.actions.length) {
        const shown = result.actions.map((a) => ({ actionId: a.id, category: a.category, channel: input.channel }));
        const prev = contacts.get(person.id);
        const householdLevel = result.actions.some(
          (a) => input.catalog.actions.find((x) => x.id === a.id)?.householdLevel,
        );
        const hh =
          person.householdId && householdLevel
            ? {
                id: person.householdId,
                contacts: recordContact(prev?.household?.contacts ?? input.householdContacts, shown, now),
              }
            : (prev?.household ?? null);
        contacts.set(person.id, {
          tenantId,
          personId: person.id,
          log: recordContact(prev?.log ?? input.contacts, shown, now),
          household: hh,
        });
      }
    }
    for (const [tenantId, arms] of shows) {
      out.push(
        ...decisioning.statsDelta(
          tenantId,
          [...arms].map(([key, n]) => ({ key, shows: n, successes: 0 })),
          items[items.length - 1]!.input.now,
        ),
      );
    }
    for (const c of contacts.values())
      out.push(...decisioning.saveContacts(c.tenantId, c.personId, c.log, c.household));
    return out;
  }
}
