// Every statement of ingestion and the decision path, run against a real libSQL file, must find its rows by key.
// Found by the scale bench (issue 11): the conditional updates of profiles and households joined json_each to the
// table, and SQLite (no statistics) walked the tenant's whole index for each batch — ingestion slowed as the
// brand grew (430 events/s at 42k people). A plan that searches a table by tenant alone and scans json_each
// inside that loop is such a walk.
import type { Client, InStatement } from "@libsql/client";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Principal } from "../../src/http/context";
import { ingestEvents } from "../../src/services/ingest";
import { VinService } from "../../src/services/vins";
import { createStore } from "../../src/store";
import { migrateLibsql, openLibsql } from "../../src/store/libsql";

const VINS = ["1N4AZ0CP6GC304290", "5N1AT2MVXLC807279", "3N8AP6CB1SL419565", "JN8BT3AB4SW412749"];

describe("query plans", () => {
  it("no statement of ingestion or decide walks a tenant's rows to apply a batch", async () => {
    const seen = new Map<string, unknown[]>();
    const capture = (s: InStatement) => {
      const sqlText = typeof s === "string" ? s : s.sql;
      if (!seen.has(sqlText)) seen.set(sqlText, typeof s === "string" ? [] : ((s.args as unknown[]) ?? []));
    };
    const wrap = (client: Client): Client =>
      new Proxy(client, {
        get(target, prop, receiver) {
          const v = Reflect.get(target, prop, receiver);
          if (prop === "execute")
            return (s: InStatement, a?: unknown) => {
              capture(typeof s === "string" && a ? { sql: s, args: a as never } : s);
              return (v as (s: unknown, a?: unknown) => unknown).call(target, s, a);
            };
          if (prop === "batch")
            return (stmts: InStatement[], mode?: unknown) => {
              stmts.forEach(capture);
              return (v as (s: unknown, m?: unknown) => unknown).call(target, stmts, mode);
            };
          return typeof v === "function" ? v.bind(target) : v;
        },
      });
    const db = await openLibsql(`file:${join(mkdtempSync(join(tmpdir(), "pitwall-plans-")), "p.db")}`, undefined, {
      wrap,
    });
    await migrateLibsql(db);
    const store = createStore(db);
    const now = Date.now();
    const tenant = await store.tenants.create({ slug: "plans", name: "Plans", makes: ["NISSAN"] }, now);
    const principal: Principal = {
      keyId: "key_plans",
      tenantId: tenant.id,
      kind: "server",
      scopes: new Set(["admin"]),
      dealerId: null,
      vin: null,
      origin: null,
    };
    const ctx = () => ({
      tenant,
      principal,
      store,
      vins: new VinService(store.customers, null, Date.now),
      now: Date.now(),
    });
    const at = (d: number) => new Date(now - d * 86_400_000).toISOString();
    // People with households; then new events for them (profiles and households rewritten at their versions),
    // VINs changing keeper (the old keeper touched), a merge through a shared email.
    const first = Array.from({ length: 40 }, (_, i) => ({
      id: `plan-a-${i}`,
      type: "purchase",
      occurredAt: at(300),
      identifiers: { customerId: `C-${i}`, email: `p${i}@example.com` },
      data: { vin: VINS[i % VINS.length], condition: "new" },
      householdRef: `HH-${i % 10}`,
    }));
    await ingestEvents(ctx(), first);
    seen.clear(); // the table's first rows are inserts; what follows is what a live brand does all day
    const later = Array.from({ length: 40 }, (_, i) => [
      {
        id: `plan-b-${i}`,
        type: "page_view",
        occurredAt: at(10),
        identifiers: { customerId: `C-${i}` },
        data: { url: "x" },
      },
      {
        id: `plan-c-${i}`,
        type: "purchase",
        occurredAt: at(5),
        identifiers: { customerId: `C-${(i + 1) % 40}` },
        data: { vin: VINS[i % VINS.length], condition: "used" },
        householdRef: `HH-${(i + 3) % 10}`,
      },
      {
        id: `plan-d-${i}`,
        type: "survey_response",
        occurredAt: at(2),
        identifiers: { email: `p${i}@example.com`, customerId: `C-${i}` },
        data: { score: 9 },
      },
    ]).flat();
    for (let i = 0; i < later.length; i += 30) await ingestEvents(ctx(), later.slice(i, i + 30));
    const read = await store.decisioning.decisionRead({ tenantId: tenant.id }, "customer", "C-1");
    await store.database.batch(
      store.decisioning.recordContacts(
        tenant.id,
        { id: read.person!.id, contactsVersion: read.person!.contactsVersion, contacts: { v: 1 } },
        read.person!.householdId
          ? { id: read.person!.householdId, contactsVersion: read.person!.householdContactsVersion, contacts: { v: 1 } }
          : null,
      ),
    );
    expect(seen.size).toBeGreaterThan(10);

    const walks: string[] = [];
    for (const [sqlText, args] of seen) {
      if (!/^\s*(select|insert|update|delete|with)\b/i.test(sqlText)) continue;
      const plan = (await db.client.execute({ sql: `explain query plan ${sqlText}`, args: args as never })).rows.map(
        (r) => String(r.detail),
      );
      const tenantWalk = plan.findIndex((d) => /^SEARCH \S+ USING (COVERING )?INDEX \S+ \(tenant_id=\?\)$/.test(d));
      const jsonScan = plan.findIndex((d) => /^SCAN json_each/.test(d));
      if (tenantWalk >= 0 && jsonScan > tenantWalk)
        walks.push(`${sqlText.replace(/\s+/g, " ").slice(0, 160)}\n    ${plan.join(" | ")}`);
    }
    expect(walks).toEqual([]);
    db.close();
  });

  // issue 11: the (tenant, type, time) index, written at a random place for every event, became a partial index
  // of trip summaries; the reads that used it still find their events by an index, never by the tenant's events.
  it("the driving report's and the uplift report's reads of events search an index", async () => {
    const statements: { sql: string; args: unknown[] }[] = [];
    const wrap = (client: Client): Client =>
      new Proxy(client, {
        get(target, prop, receiver) {
          const v = Reflect.get(target, prop, receiver);
          if (prop === "execute")
            return (s: InStatement) => {
              if (typeof s !== "string") statements.push({ sql: s.sql, args: (s.args as unknown[]) ?? [] });
              return (v as (s: unknown) => unknown).call(target, s);
            };
          return typeof v === "function" ? v.bind(target) : v;
        },
      });
    const db = await openLibsql(`file:${join(mkdtempSync(join(tmpdir(), "pitwall-plans-")), "r.db")}`, undefined, {
      wrap,
    });
    await migrateLibsql(db);
    const store = createStore(db);
    const tenant = await store.tenants.create({ slug: "reports", name: "Reports", makes: ["NISSAN"] }, Date.now());
    statements.length = 0;
    await store.trips.ofModel(tenant.id, "Leaf", VINS[0]!, 0, Date.now());
    await store.customers.conversionPopulation({ tenantId: tenant.id, dealerId: null }, ["purchase"], 0, Date.now());
    const reads = statements.splice(0);
    const plans: string[] = [];
    for (const s of reads) {
      const rows = (await db.client.execute({ sql: `explain query plan ${s.sql}`, args: s.args as never })).rows;
      plans.push(rows.map((r) => String(r.detail)).join(" | "));
    }
    expect(plans).toHaveLength(2);
    expect(plans[0]).toMatch(/SEARCH e USING INDEX events_tenant_trip_time_idx \(tenant_id=\? AND occurred_at>\?/);
    expect(plans[1]).toMatch(/SEARCH e USING INDEX events_tenant_person_time_idx \(tenant_id=\? AND person_id=\?/);
    for (const p of plans) expect(p).not.toMatch(/SCAN (e|events)\b/);
    db.close();
  });
});
