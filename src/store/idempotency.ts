import { and, eq, sql } from "drizzle-orm";
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

  /** Retention: deletes up to `limit` records created before `before` (and their index of people). */
  async expire(before: number, limit: number): Promise<number> {
    const keys = await this.d.db.all<{ tenant_id: string; key: string }>(
      sql`select tenant_id, key from idempotency_keys where created_at < ${before} order by created_at limit ${limit}`,
    );
    if (!keys.length) return 0;
    const json = JSON.stringify(keys.map((k) => [k.tenant_id, k.key]));
    await this.d.batch([
      this.d.db.run(sql`delete from idempotency_people where exists (select 1 from json_each(${json}) j
        where json_extract(j.value, '$[0]') = idempotency_people.tenant_id
          and json_extract(j.value, '$[1]') = idempotency_people.key)`) as unknown as Batchable,
      this.d.db.run(sql`delete from idempotency_keys where created_at < ${before} and exists (
        select 1 from json_each(${json}) j where json_extract(j.value, '$[0]') = idempotency_keys.tenant_id
          and json_extract(j.value, '$[1]') = idempotency_keys.key)`) as unknown as Batchable,
    ]);
    return keys.length;
  }
}
