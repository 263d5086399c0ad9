import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  env,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { Webhook } from "standardwebhooks";
import { describe, expect, inject, it } from "vitest";
import worker from "../../src/worker";
import * as entry from "../../src/worker";
import type { OutboxWake } from "../../src/services/outbox";
import { auth, json, makeTenant } from "../shared/fixtures";
import { dueOwner, putSlots, slotsAhead, withReminders } from "../shared/channels";
import { webhooksSuite } from "../shared/webhooks";
import { workersHarness } from "./harness";

// Requests go through the Worker entry (its changes send wake-ups to the WEBHOOKS Queue, which miniflare runs); the
// test also hands the Queue consumer (`queue` of src/worker.ts) a batch itself, as the Queue would, and checks that
// it acknowledges it. Deliveries go from workerd to a real receiver on loopback (receiver-setup.ts).
const h = workersHarness();
webhooksSuite(
  () => h,
  () => inject("receiverUrl"),
  async (_h, tenantId) => {
    const batch = createMessageBatch<OutboxWake>("pitwall-webhooks", [
      { id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body: { tenantId } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue!(batch, env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks).toEqual([batch.messages[0]!.id]);
  },
  200, // WEBHOOK_BACKOFF_MS in vitest.config.ts
);

describe("the Queue alone", () => {
  it("the Worker entry exports only its handlers (workerd refuses to start on any other named export)", () => {
    expect(Object.keys(entry)).toEqual(["default"]);
    expect(Object.keys(worker).sort()).toEqual(["fetch", "queue", "scheduled"]);
  });

  it("delivers a lead through the WEBHOOKS Queue and its consumer, as miniflare runs them, with no help from the test", async () => {
    const a = await makeTenant(h);
    const box = `queue-${Date.now().toString(36)}`;
    const created = await h.fetch(
      "/v1/webhooks",
      json("POST", { url: `${inject("receiverUrl")}/hook/${box}`, events: ["lead.created"] }, auth(a.keys.admin)),
    );
    expect(created.status).toBe(201);
    const res = await h.fetch(
      "/v1/events",
      json(
        "POST",
        {
          events: [
            {
              id: `q-${box}`,
              type: "quote_request",
              occurredAt: new Date(Date.now() - 1000).toISOString(),
              identifiers: { customerId: `C-${box}` },
              data: { model: "Leaf" },
            },
          ],
        },
        auth(a.keys.admin),
      ),
    );
    expect(res.status).toBe(200);
    const t0 = Date.now();
    let got: { requests: unknown[] } = { requests: [] };
    while (Date.now() - t0 < 15_000 && !got.requests.length) {
      await new Promise((r) => setTimeout(r, 200));
      got = (await (await fetch(`${inject("receiverUrl")}/control/${box}`)).json()) as { requests: unknown[] };
    }
    console.log(`[webhooks] workers: Queue producer → consumer → receiver in ${Date.now() - t0} ms`);
    expect(got.requests).toHaveLength(1);
  }, 30_000);
});

describe("the Cron Trigger", () => {
  it("runs the day's service reminders for every tenant and delivers them as service_reminder.due through the Queue", async () => {
    const a = await makeTenant(h);
    const box = `cron-${Date.now().toString(36)}`;
    await withReminders(h, a);
    expect((await putSlots(h, a.keys.admin, a.dealer.id, slotsAhead(3, 2))).status).toBe(200);
    const owner = await dueOwner(h, a);
    const created = await h.fetch(
      "/v1/webhooks",
      json(
        "POST",
        { url: `${inject("receiverUrl")}/hook/${box}`, events: ["service_reminder.due"] },
        auth(a.keys.admin),
      ),
    );
    expect(created.status).toBe(201);
    const secret = ((await created.json()) as { secret: string }).secret;
    const ctx = createExecutionContext();
    await worker.scheduled!(createScheduledController({ scheduledTime: Date.now(), cron: "17 * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    const sent = await h.store.channels.sentOn(a.tenant.id, new Date().toISOString().slice(0, 10), [owner.profileId]);
    expect(sent.get(owner.profileId)).toMatchObject({ customerId: owner.customerId });
    const t0 = Date.now();
    let got: { requests: { body: string; headers: Record<string, string> }[] } = { requests: [] };
    while (Date.now() - t0 < 15_000 && !got.requests.length) {
      await new Promise((r) => setTimeout(r, 200));
      got = (await (await fetch(`${inject("receiverUrl")}/control/${box}`)).json()) as typeof got;
    }
    expect(got.requests.length).toBeGreaterThanOrEqual(1);
    const msg = new Webhook(secret).verify(got.requests[0]!.body, got.requests[0]!.headers) as {
      type: string;
      data: { customerId: string; slots: unknown[]; unsubscribeUrl: string };
    };
    expect(msg.type).toBe("service_reminder.due");
    expect(msg.data.customerId).toBe(owner.customerId);
    expect(msg.data.slots.length).toBeGreaterThanOrEqual(2);
    expect(msg.data.unsubscribeUrl).toContain("/v1/unsubscribe/us1.");
  }, 60_000);
});
