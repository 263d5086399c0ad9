/**
 * Past one database (issue 11, docs/scale.md), inside workerd:
 * - decision logs travel through the DECISION_LOG_QUEUE Queue (miniflare runs Queues locally) and the Worker's
 *   `queue` handler, dispatched by queue name, writes a whole batch of them in one D1 batch;
 * - a request's D1 binding is chosen by its host (D1_SHARDS): two brands on two D1 databases, each whole.
 */
import {
  createExecutionContext,
  createMessageBatch,
  env,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/worker";
import { DECISION_LOG_QUEUE_NAME } from "../../src/services/decision-queue";
import { createStore } from "../../src/store";
import { openD1 } from "../../src/store/d1";
import { auth, json, makeTenant } from "../shared/fixtures";
import { workersHarness } from "./harness";

/** A request through the Worker entry with `env` (and its queue), its waitUntil work awaited. */
async function call(e: Env, url: string, init?: RequestInit): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(url, init) as Parameters<typeof worker.fetch>[0], e, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

async function until<T>(f: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("decision logs through a Queue", () => {
  it("a decision's log goes to the queue and the consumer writes it (row, learner shows) in one batch", async () => {
    const h = workersHarness();
    const t = await makeTenant(h);
    const res = await call(
      env,
      "http://pitwall.test/v1/decide",
      json(
        "POST",
        { subject: { customerId: t.customerId }, channel: "dealer_site", placement: "hero" },
        auth(t.keys.decideOnly),
      ),
    );
    expect(res.status).toBe(200);
    const { decisionId, actions } = (await res.json()) as { decisionId: string; actions: { id: string }[] };
    expect(actions.length).toBeGreaterThan(0);
    // Written by the queue's consumer (the Worker's `queue` handler), not by the request.
    const row = await until(() => h.store.decisioning.decision(t.tenant.id, decisionId));
    expect(row.personId).toBe(t.profileId);
    expect(row.shown.map((s) => s.actionId)).toEqual(actions.map((a) => a.id));
    expect(row.shown.every((s) => s.propensity > 0 && s.propensity <= 1)).toBe(true);
  });

  it("the consumer writes a batch of messages at once, acknowledges them, and drops a malformed one", async () => {
    const h = workersHarness();
    const t = await makeTenant(h);
    const sent: unknown[] = [];
    const capture = { send: async (body: unknown) => void sent.push(body) } as unknown as Queue;
    for (let i = 0; i < 5; i++) {
      const r = await call(
        { ...env, DECISION_LOG_QUEUE: capture },
        "http://pitwall.test/v1/decide",
        json(
          "POST",
          { subject: { customerId: t.customerId }, channel: "email", placement: "hero" },
          auth(t.keys.decideOnly),
        ),
      );
      expect(r.status).toBe(200);
    }
    expect(sent).toHaveLength(5);
    const batch = createMessageBatch(DECISION_LOG_QUEUE_NAME, [
      ...sent.map((body, i) => ({ id: `m${i}`, timestamp: Date.now(), attempts: 1, body })),
      { id: "bad", timestamp: Date.now(), attempts: 1, body: { hello: "world" } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue!(batch as never, env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks.sort()).toEqual(["bad", "m0", "m1", "m2", "m3", "m4"]);
    expect(result.retryMessages).toEqual([]);
    for (const body of sent as { decisionId: string }[])
      expect(await h.store.decisioning.decision(t.tenant.id, body.decisionId)).toBeDefined();
    // Dispatch is by queue name: the Worker's queue handler took this batch to the decision log's consumer.
  });

  it("a batch that the store cannot take is retried, not acknowledged", async () => {
    const h = workersHarness();
    const t = await makeTenant(h);
    const sent: unknown[] = [];
    const capture = { send: async (body: unknown) => void sent.push(body) } as unknown as Queue;
    await call(
      { ...env, DECISION_LOG_QUEUE: capture },
      "http://pitwall.test/v1/decide",
      json(
        "POST",
        { subject: { customerId: t.customerId }, channel: "email", placement: "hero" },
        auth(t.keys.decideOnly),
      ),
    );
    const batch = createMessageBatch(DECISION_LOG_QUEUE_NAME, [
      { id: "m0", timestamp: Date.now(), attempts: 1, body: sent[0] },
    ]);
    const ctx = createExecutionContext();
    // A D1 that is overloaded for every statement: the consumer must leave the message for redelivery.
    const overloaded = {
      prepare: () => {
        throw new Error("D1_ERROR: overloaded");
      },
      batch: async () => {
        throw new Error("D1_ERROR: overloaded");
      },
    } as unknown as D1Database;
    await worker.queue!(batch as never, { ...env, DB: overloaded }, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["m0"]);
    expect(
      await h.store.decisioning.decision(t.tenant.id, (sent[0] as { decisionId: string }).decisionId),
    ).toBeUndefined();
  });
});

describe("a D1 per brand or region, chosen by host (D1_SHARDS)", () => {
  it("serves each host from its own D1: a brand's keys, people and decisions live only in its shard", async () => {
    const shardEnv = { ...env, D1_SHARDS: JSON.stringify({ "eu.pitwall.test": "DB_EU" }) } as Env;
    const eu = createStore(openD1(env.DB_EU));
    const us = createStore(openD1(env.DB));
    const now = Date.now();
    const tEu = await eu.tenants.create({ slug: `eu-${now}`, name: "EU brand", makes: ["NISSAN"] }, now);
    const kEu = await eu.keys.create({ tenantId: tEu.id }, { kind: "server", name: "eu", scopes: ["admin"] }, now);
    const event = {
      id: `shard-evt-${now}`,
      type: "page_view",
      occurredAt: new Date(now - 60_000).toISOString(),
      identifiers: { customerId: "C-EU-1" },
      data: { url: "https://example.eu/" },
    };
    const ok = await call(
      shardEnv,
      "http://eu.pitwall.test/v1/events",
      json("POST", { events: [event] }, auth(kEu.key)),
    );
    expect(ok.status).toBe(200);
    // The EU brand's person is in DB_EU, not in DB.
    expect(await eu.customers.byIdentity({ tenantId: tEu.id }, "customer", "C-EU-1")).toBeDefined();
    expect(await us.customers.byIdentity({ tenantId: tEu.id }, "customer", "C-EU-1")).toBeUndefined();
    // The same key on the default host finds no key: DB holds none of the EU brand.
    const other = await call(shardEnv, "http://pitwall.test/v1/dealers", { headers: auth(kEu.key) });
    expect(other.status).toBe(401);
    // A bad map refuses to serve, naming the variable.
    const bad = await call({ ...env, D1_SHARDS: "[1]" } as Env, "http://pitwall.test/health");
    expect(bad.status).toBe(503);
    expect(((await bad.json()) as { detail: string }).detail).toContain("D1_SHARDS");
  });
});
