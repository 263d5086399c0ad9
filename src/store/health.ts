/**
 * What the process (or isolate) has seen of its store lately: write faults (a lock, a lost connection) until a
 * write succeeds again, and writes that lost to concurrent writers more often than their retries allow. /health
 * reports it, so a fault shows there within a second instead of only in logs.
 */
import { faultName } from "./conflicts";

const CONFLICT_WINDOW_MS = 60_000;

export interface StoreHealthSnapshot {
  /** The last write failed and none has succeeded since: the fault, and since when (epoch ms). */
  writeFault: { fault: string; since: number } | null;
  /** Writes answered 503 in the last minute because concurrent writers kept winning. */
  conflictsExhausted: { lastMinute: number; last: { what: string; at: number } | null };
}

export class StoreHealth {
  private fault: { fault: string; since: number } | null = null;
  private conflicts: { what: string; at: number }[] = [];

  writeSucceeded(): void {
    this.fault = null;
  }

  writeFailed(e: unknown, now: number): void {
    const fault = faultName(e);
    if (this.fault?.fault !== fault) this.fault = { fault, since: now };
  }

  conflictExhausted(what: string, now: number): void {
    this.conflicts.push({ what, at: now });
    if (this.conflicts.length > 100) this.conflicts.splice(0, this.conflicts.length - 100);
  }

  snapshot(now: number): StoreHealthSnapshot {
    const recent = this.conflicts.filter((c) => now - c.at < CONFLICT_WINDOW_MS);
    return {
      writeFault: this.fault,
      conflictsExhausted: { lastMinute: recent.length, last: this.conflicts.at(-1) ?? null },
    };
  }
}
