/**
 * The decision log, written after the answer: decision rows (with a per-slot propensity estimated here, off
 * the request path), learner shows summed per arm, and the contacts of decisions that counted against no cap.
 * On Node a write-behind batches the decisions of a few milliseconds into one transaction; on Workers each
 * request writes its own (through waitUntil). Behind `DecisionSink`, so a queue can take its place.
 *
 * A log row is written only while its person exists (an erasure in between leaves nothing). A contact write
 * that lost to a concurrent writer is applied again to a fresh read. A failed batch is retried with backoff
 * until the store recovers (bounded: the oldest entries are dropped, counted and logged, past MAX_PENDING).
 */
import { recordContact, type ContactLog } from "../domain/decide/contacts";
import { estimatePropensities, statsKey } from "../domain/decide/learner";
import type { PlacedResult } from "../domain/decide/page";
import { type LoggedCandidates, logCandidates } from "../domain/learning/pitwall";
import { seededRandom } from "../domain/decide/random";
import type { DecisionInput } from "../domain/decide";
import type { Segment } from "../domain/decide/vocabulary";
import type { Category } from "../domain/profile/types";
import type { Store } from "../store";
import { classify, faultName } from "../store/conflicts";
import type { Batchable } from "../store/db";

/** Monte Carlo draws per logged placement: standard error ≤ 0.05 on a slot propensity, ~0.15 ms for 10 candidates. */
const PROPENSITY_DRAWS = 100;
/** Decisions kept in memory while the store is unavailable, at most. */
const MAX_PENDING = 10_000;

export interface LoggedDecision {
  tenantId: string;
  keyId: string;
  decisionId: string;
  nonce: string;
  placed: PlacedResult[];
  input: DecisionInput;
  person: { id: string; contactsVersion: number } | null;
  /** The person's contact log with this decision recorded, when it was not written before the answer. */
  contactsAfter: ContactLog | null;
}

/**
 * What the log needs of a decision, as plain data: the message a Queue carries (src/services/decision-queue.ts)
 * and what the writer writes. No compiled catalogue, no random stream — a few hundred bytes per decision.
 */
export interface LogMessage {
  v: 1;
  /** The D1 binding (shard) the decision's brand lives in, when the log travels through a queue. */
  db?: string;
  tenantId: string;
  keyId: string;
  decisionId: string;
  nonce: string;
  channel: string;
  now: number;
  placed: {
    placement: string;
    segment: string;
    catalogVersion: string;
    actions: { id: string; category: string; score: number }[];
    candidates: PlacedResult["result"]["candidates"];
    /** The candidate set as the decision log keeps it for offline evaluation (with the catalogue's priors). */
    logged: LoggedCandidates;
  }[];
  person: { id: string; contactsVersion: number } | null;
  contactsAfter: ContactLog | null;
}

/** The plain-data form of a decision for the log. */
export function toMessage(item: LoggedDecision): LogMessage {
  return {
    v: 1,
    tenantId: item.tenantId,
    keyId: item.keyId,
    decisionId: item.decisionId,
    nonce: item.nonce,
    channel: item.input.channel,
    now: item.input.now,
    placed: item.placed.map((p) => ({
      placement: p.placement,
      segment: p.result.segment,
      catalogVersion: p.result.catalogVersion,
      actions: p.result.actions.map((a) => ({ id: a.id, category: a.category, score: a.score })),
      candidates: p.result.candidates,
      logged: logCandidates(p.placement, p.result.candidates, (id) => item.input.catalog.byId.get(id)?.prior),
    })),
    person: item.person,
    contactsAfter: item.contactsAfter,
  };
}

/** Where decisions go after their answer. */
export interface DecisionSink {
  /** Queues a decision; settles when it is written (or given up on). */
  add(item: LoggedDecision): Promise<void>;
  /** Decisions waiting to be written, and how many were dropped since start. */
  backlog(): { pending: number; dropped: number; queueSendFailures?: number };
  /** Writes what is queued now (shutdown, tests). */
  flush?(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class DecisionLogWriter implements DecisionSink {
  private pending: { item: LogMessage; done: () => void }[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private failures = 0;
  private dropped = 0;
  private flushing: Promise<void> | null = null;
  private inFlight = 0;

  constructor(
    private readonly store: Store,
    private readonly maxBatch = 64,
    private readonly maxDelayMs = 20,
  ) {}

  backlog() {
    return { pending: this.pending.length + this.inFlight, dropped: this.dropped };
  }

  add(item: LoggedDecision): Promise<void> {
    // Workers: one request's own log, written inside its own waitUntil (a request may not settle another's promises).
    if (this.maxDelayMs === 0) return this.writeOwn(toMessage(item));
    const done = new Promise<void>((resolve) => this.pending.push({ item: toMessage(item), done: resolve }));
    if (this.pending.length > MAX_PENDING) {
      const lost = this.pending.splice(0, this.pending.length - MAX_PENDING);
      this.dropped += lost.length;
      for (const l of lost) l.done();
      console.error(
        JSON.stringify({ level: "error", msg: "decision log: backlog full, oldest dropped", n: lost.length }),
      );
    }
    if (this.pending.length >= this.maxBatch && !this.failures) void this.flush();
    else this.schedule(this.failures ? Math.min(5000, 50 * 2 ** this.failures) : this.maxDelayMs);
    return done;
  }

  private schedule(ms: number) {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, ms);
  }

  /** Writes everything queued, now; on a store failure keeps it queued and tries again later. */
  async flush(): Promise<void> {
    if (this.flushing) {
      await this.flushing;
      if (!this.pending.length) return;
    }
    this.flushing = this.flushOnce().finally(() => (this.flushing = null));
    await this.flushing;
  }

  /** Writes one decision now, retrying a few times with backoff, then gives up (counted). */
  private async writeOwn(item: LogMessage): Promise<void> {
    this.inFlight++;
    try {
      for (let attempt = 0; attempt < 4; attempt++) {
        try {
          await this.write([item]);
          return;
        } catch (e) {
          console.error(JSON.stringify({ level: "error", msg: "decision log: write failed", error: faultName(e) }));
          if (classify(e) === "fatal") break;
          await sleep(50 * 2 ** attempt);
        }
      }
      this.dropped++;
    } finally {
      this.inFlight--;
    }
  }

  private async flushOnce(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.pending.splice(0, this.pending.length);
    if (!batch.length) return;
    try {
      await this.write(batch.map((b) => b.item));
      this.failures = 0;
      for (const b of batch) b.done();
    } catch (e) {
      this.failures++;
      console.error(
        JSON.stringify({ level: "error", msg: "decision log: write failed, will retry", error: faultName(e) }),
      );
      if (classify(e) === "fatal") {
        this.dropped += batch.length; // a bug, not a passing fault: retrying would fail the same way
        for (const b of batch) b.done();
        return;
      }
      this.pending.unshift(...batch);
      this.schedule(Math.min(5000, 50 * 2 ** this.failures));
    }
  }

  /**
   * Writes decisions in one atomic batch (log rows, learner shows summed per arm, contacts that counted against no
   * cap). Public for the Queue consumer, which calls it with a whole message batch.
   */
  async write(items: LogMessage[]): Promise<void> {
    const { decisioning, database } = this.store;
    const out: Batchable[] = [];
    const shows = new Map<string, Map<string, number>>(); // tenant -> arm -> shows
    for (const { tenantId, keyId, decisionId, nonce, placed, channel, now, person } of items) {
      const shown = placed.flatMap((p, i) => {
        const props = estimatePropensities(p.candidates, seededRandom(`${nonce}/${i}/propensity`), PROPENSITY_DRAWS);
        return p.actions.map((a, slot) => ({
          actionId: a.id,
          category: a.category as Category,
          score: a.score,
          propensity: props[slot]?.propensity ?? 0,
          placement: p.placement,
        }));
      });
      out.push(
        decisioning.logDecision({
          tenantId,
          id: decisionId,
          personId: person?.id ?? null,
          keyId,
          channel,
          placement: placed.map((p) => p.placement).join(","),
          segment: placed[0]!.segment,
          catalogVersion: Number(placed[0]!.catalogVersion),
          degraded: false,
          createdAt: now,
          shown,
          candidates: placed.map((p) => p.logged),
        }),
      );
      const arms = shows.get(tenantId) ?? shows.set(tenantId, new Map()).get(tenantId)!;
      for (const p of placed)
        for (const a of p.actions) {
          const key = statsKey(a.id, channel as DecisionInput["channel"], p.segment as Segment);
          arms.set(key, (arms.get(key) ?? 0) + 1);
        }
    }
    for (const [tenantId, arms] of shows)
      out.push(
        ...decisioning.statsDelta(
          tenantId,
          [...arms].map(([key, n]) => ({ key, shows: n, successes: 0 })),
          items[items.length - 1]!.now,
        ),
      );
    // Contacts last, one per person (the latest decision's log already holds the earlier ones of this batch
    // only if they were read before it; so apply them in turn to the first one's read).
    const contacts = contactWrites(items);
    const first = out.length;
    out.push(...contacts.map((c) => decisioning.appendContacts(c.tenantId, c.personId, c.version, c.log)));
    const res = await database.batch(out);
    const lost = contacts.filter((_, i) => database.changes(res[first + i]) === 0);
    if (lost.length) await this.retryContacts(lost);
  }

  /** Contact writes that lost to a concurrent writer: applied again to a fresh read, a few times. */
  private async retryContacts(lost: ContactWrite[]): Promise<void> {
    const { decisioning, database } = this.store;
    for (let round = 0; round < 5 && lost.length; round++) {
      const fresh: ContactWrite[] = [];
      for (const tenantId of new Set(lost.map((l) => l.tenantId))) {
        const mine = lost.filter((l) => l.tenantId === tenantId);
        const rows = await decisioning.contactsOf(
          tenantId,
          mine.map((l) => l.personId),
        );
        for (const l of mine) {
          const row = rows.find((r) => r.id === l.personId);
          if (!row) continue; // erased or merged away meanwhile: nothing to record
          const base = row.contacts ? (JSON.parse(row.contacts) as ContactLog) : null;
          let log = base;
          for (const s of l.shown) log = recordContact(log, s.items, s.at);
          fresh.push({ ...l, version: row.contacts_version, log: log! });
        }
      }
      if (!fresh.length) return;
      try {
        const res = await database.batch(
          fresh.map((c) => decisioning.appendContacts(c.tenantId, c.personId, c.version, c.log)),
        );
        lost = fresh.filter((_, i) => database.changes(res[i]) === 0);
      } catch (e) {
        if (classify(e) === "fatal") throw e;
        await sleep(20 * 2 ** round);
        lost = fresh;
      }
    }
  }
}

interface ContactWrite {
  tenantId: string;
  personId: string;
  version: number;
  log: ContactLog;
  /** What this write adds, to apply again to a fresh log. */
  shown: { items: Parameters<typeof recordContact>[1]; at: number }[];
}

/** One contact write per person: the decisions of this batch applied in turn to the first one's read. */
function contactWrites(items: LogMessage[]): ContactWrite[] {
  const byPerson = new Map<string, ContactWrite>();
  for (const it of items) {
    if (!it.person || !it.contactsAfter) continue;
    const entry = {
      items: it.placed.flatMap((p) =>
        p.actions.map((a) => ({
          actionId: a.id,
          category: a.category as Category,
          channel: it.channel as DecisionInput["channel"],
        })),
      ),
      at: it.now,
    };
    const prev = byPerson.get(it.person.id);
    if (!prev)
      byPerson.set(it.person.id, {
        tenantId: it.tenantId,
        personId: it.person.id,
        version: it.person.contactsVersion,
        log: it.contactsAfter,
        shown: [entry],
      });
    else {
      prev.log = recordContact(prev.log, entry.items, entry.at);
      prev.shown.push(entry);
    }
  }
  return [...byPerson.values()];
}
