/**
 * Retention on both runtimes: decision logs, outcomes and Idempotency-Key records expire on the documented
 * schedule (services/retention.ts); what is younger stays. `sweep` is the Node job's call or the Worker's
 * Cron Trigger (`scheduled`).
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { RETENTION } from "../../src/services/retention";
import { makeTenant } from "./fixtures";
import type { Harness } from "./harness";

export function retentionSuite(getHarness: () => Harness, sweep: (h: Harness, now: number) => Promise<void>) {
  describe("retention", () => {
    it("deletes decisions, outcomes and Idempotency-Key records past their time, and nothing younger", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const now = Date.now();
      const db = h.store.database.db;
      const t = a.tenant.id;
      const ages = { old: 1, young: -1 };
      for (const [tag, sign] of Object.entries(ages)) {
        const decisionAt = now - RETENTION.decisionsMs - sign * 3_600_000;
        const outcomeAt = now - RETENTION.outcomesMs - sign * 3_600_000;
        const keyAt = now - RETENTION.idempotencyMs - sign * 60_000;
        await db.run(sql`insert into decisions (tenant_id, id, person_id, key_id, channel, placement, segment,
            catalog_version, degraded, shown, created_at)
          values (${t}, ${`dec_ret_${tag}`}, null, 'k', 'dealer_site', 'hero', 'anonymous', 1, 0, '[]', ${decisionAt})`);
        await db.run(sql`insert into outcomes (tenant_id, decision_id, action_id, type, person_id, occurred_at, received_at)
          values (${t}, ${`dec_ret_${tag}`}, 'a', 'click', null, ${outcomeAt}, ${outcomeAt})`);
        await db.run(sql`insert into idempotency_keys (tenant_id, key, request_hash, status, response, created_at)
          values (${t}, ${`ret-${tag}`}, 'h', 200, '{}', ${keyAt})`);
        await db.run(
          sql`insert into idempotency_people (tenant_id, person_id, key) values (${t}, 'prs_x', ${`ret-${tag}`})`,
        );
      }
      await sweep(h, now);
      const left = async (q: ReturnType<typeof sql>) => (await db.all<{ id: string }>(q)).map((r) => r.id).sort();
      expect(await left(sql`select id from decisions where tenant_id = ${t} and id like 'dec_ret_%'`)).toEqual([
        "dec_ret_young",
      ]);
      expect(
        await left(sql`select decision_id as id from outcomes where tenant_id = ${t} and decision_id like 'dec_ret_%'`),
      ).toEqual(["dec_ret_young"]);
      expect(
        await left(sql`select key as id from idempotency_keys where tenant_id = ${t} and key like 'ret-%'`),
      ).toEqual(["ret-young"]);
      expect(
        await left(sql`select key as id from idempotency_people where tenant_id = ${t} and key like 'ret-%'`),
      ).toEqual(["ret-young"]);
      expect(RETENTION.idempotencyMs).toBeGreaterThanOrEqual(24 * 3_600_000);
    });
  });
}
