import type { ApiKeyRow } from "../store/keys";

/** Verified key rows cached per isolate for a short TTL, so most requests skip the key lookup. */
export class KeyCache {
  private readonly entries = new Map<string, { row: ApiKeyRow; until: number }>();
  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(hash: string, now: number): ApiKeyRow | undefined {
    const e = this.entries.get(hash);
    if (!e) return undefined;
    if (e.until <= now) {
      this.entries.delete(hash);
      return undefined;
    }
    return e.row;
  }

  set(hash: string, row: ApiKeyRow, now: number): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(hash, { row, until: now + this.ttlMs });
  }

  /** Drops a key at once (called on revocation in this isolate; other isolates expire it by TTL). */
  evictKeyId(keyId: string): void {
    for (const [h, e] of this.entries) if (e.row.id === keyId) this.entries.delete(h);
  }
}
