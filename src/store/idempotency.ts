import { and, eq } from "drizzle-orm";
import type { Batchable, Database } from "./db";
import { idempotencyKeys } from "./schema";

export type IdempotencyRow = typeof idempotencyKeys.$inferSelect;

/** Stored responses of requests sent with an Idempotency-Key. */
export class IdempotencyRepo {
  constructor(private readonly d: Database) {}

  get(tenantId: string, key: string): Promise<IdempotencyRow | undefined> {
    return this.d.db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.tenantId, tenantId), eq(idempotencyKeys.key, key)))
      .get();
  }

  /** A statement for the request's own batch, so the record and the effects commit together. */
  put(row: IdempotencyRow): Batchable {
    return this.d.db.insert(idempotencyKeys).values(row).onConflictDoNothing();
  }
}
