/**
 * Webhooks on both runtimes (issue 10), against a real HTTP receiver on loopback (tests/shared/receiver.ts):
 * Standard Webhooks signatures verified with the library, retries with back-off through injected receiver
 * failures (500s, a timeout, an answer lost after the receiver took the message), exactly one effect per lead by
 * `webhook-id`, the delivery log, replay, the contact details dropped once delivered, and what erasure leaves.
 * `pump` makes deliveries progress where nothing runs by itself in the test (the Workers Queue consumer).
 */
import { sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { auth, expectProblem, json, makeTenant, type TenantFixture } from "./fixtures";
import type { Harness } from "./harness";

type Received = {
  requests: { at: number; headers: Record<string, string>; body: string; answered: number }[];
  effects: Record<string, number>;
  repeats: number;
};

let seq = 0;
const uid = () => `${Date.now().toString(36)}${(seq++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function webhooksSuite(
  getHarness: () => Harness,
  receiverUrl: () => string,
  pump: (h: Harness, tenantId: string) => Promise<void>,
  /** The runtime's WEBHOOK_BACKOFF_MS. */
  backoffMs: number,
) {
  const received = async (box: string): Promise<Received> =>
    (await (await fetch(`${receiverUrl()}/control/${box}`)).json()) as Received;
  const control = (box: string, c: { fail?: string[]; delayMs?: number }) =>
    fetch(`${receiverUrl()}/control/${box}`, { method: "POST", body: JSON.stringify(c) });

  async function endpoint(h: Harness, a: TenantFixture, box: string, events: string[]) {
    const res = await h.fetch(
      "/v1/webhooks",
      json("POST", { url: `${receiverUrl()}/hook/${box}`, events }, auth(a.keys.admin)),
    );
    const text = await res.text();
    expect(res.status, text).toBe(201);
    return JSON.parse(text) as { id: string; secret: string };
  }

  /** A tenant of its own, without the fixture's endpoint (which points where nothing listens). */
  async function tenant(h: Harness) {
    const a = await makeTenant(h);
    const del = await h.fetch(`/v1/webhooks/${a.webhookId}`, { method: "DELETE", headers: auth(a.keys.admin) });
    expect(del.status).toBe(204);
    return a;
  }

  /** Waits (pumping) until `done` holds, for at most `ms`. */
  async function until(h: Harness, a: TenantFixture, done: () => Promise<boolean>, ms = 20_000) {
    const t0 = Date.now();
    while (!(await done())) {
      if (Date.now() - t0 > ms) throw new Error(`not done within ${ms} ms`);
      await pump(h, a.tenant.id);
      await sleep(50);
    }
  }

  async function deliveries(h: Harness, a: TenantFixture, webhookId: string) {
    const res = await h.fetch(`/v1/webhooks/${webhookId}/deliveries?limit=200`, { headers: auth(a.keys.admin) });
    expect(res.status).toBe(200);
    return (
      (await res.json()) as {
        deliveries: {
          id: string;
          status: string;
          attempts: number;
          messageId: string;
          event: string;
          lastStatus: number | null;
        }[];
      }
    ).deliveries;
  }

  describe("webhooks", () => {
    it("manages endpoints: the secret shown once, https (http only to localhost), a deleted endpoint gets nothing", async () => {
      const h = getHarness();
      const a = await tenant(h);
      const box = `mgmt-${uid()}`;
      const w = await endpoint(h, a, box, ["consent.changed"]);
      expect(w.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{32}$/);
      const list = await h.fetch("/v1/webhooks", { headers: auth(a.keys.admin) });
      const text = await list.text();
      expect(text).toContain(w.id);
      expect(text).not.toContain(w.secret);
      for (const url of ["http://crm.example.com/hook", "ftp://127.0.0.1/x", "https://user:pw@crm.example.com/"])
        await expectProblem(
          await h.fetch("/v1/webhooks", json("POST", { url, events: ["lead.created"] }, auth(a.keys.admin))),
          400,
          "validation-failed",
        );
      await expectProblem(
        await h.fetch(
          "/v1/webhooks",
          json("POST", { url: "https://crm.example.com/hook", events: ["lead.typo"] }, auth(a.keys.admin)),
        ),
        400,
        "validation-failed",
      );
      expect((await h.fetch(`/v1/webhooks/${w.id}`, { method: "DELETE", headers: auth(a.keys.admin) })).status).toBe(
        204,
      );
      await expectProblem(
        await h.fetch(`/v1/webhooks/${w.id}`, { method: "DELETE", headers: auth(a.keys.admin) }),
        404,
        "not-found",
      );
      // A consent change after the deletion reaches no one.
      await h.fetch(
        `/v1/profiles/${a.profileId}/consent`,
        json("PUT", { source: "test", marketing: { email: false } }, auth(a.keys.full)),
      );
      await pump(h, a.tenant.id);
      await sleep(300);
      expect((await received(box)).requests).toEqual([]);
    });

    it("each lead reaches the receiver exactly once by webhook-id through 500s, a timeout and a lost answer; signed, backed off, logged, replayable", async () => {
      const h = getHarness();
      const a = await tenant(h);
      const box = `leads-${uid()}`;
      const w = await endpoint(h, a, box, ["lead.created"]);
      // The next requests fail: two 500s, one answer slower than the sender waits, one 500 after taking the lead.
      await control(box, { fail: ["500", "500", "timeout", "ok-then-500"], delayMs: 900 });
      const leads = Array.from({ length: 3 }, (_, i) => ({
        customerId: `C-WH-${i}-${uid()}`,
        email: `wh-${i}-${uid()}@example.org`,
      }));
      const res = await h.fetch(
        "/v1/events",
        json(
          "POST",
          {
            events: leads.map((l, i) => ({
              id: `wh-lead-${uid()}-${i}`,
              type: "quote_request",
              occurredAt: new Date(Date.now() - 1000).toISOString(),
              identifiers: l,
              dealerId: a.dealer.id,
              data: { model: "Ariya", price: 47190 },
            })),
          },
          auth(a.keys.admin),
        ),
      );
      expect(res.status).toBe(200);
      await until(h, a, async () => {
        const ds = await deliveries(h, a, w.id);
        return ds.length === 3 && ds.every((d) => d.status === "delivered");
      });
      const got = await received(box);
      const ids = [...new Set(got.requests.map((r) => r.headers["webhook-id"]))];
      const log = await deliveries(h, a, w.id);
      // Every lead once: three webhook ids, each took effect once; the lost answer came again and was deduped.
      expect(ids.sort()).toEqual(log.map((d) => d.messageId).sort());
      expect(Object.values(got.effects)).toEqual([1, 1, 1]);
      expect(got.repeats).toBeGreaterThanOrEqual(1);
      // No request for an id after the one it answered 2xx.
      for (const id of ids) {
        const mine = got.requests.filter((r) => r.headers["webhook-id"] === id);
        expect(mine.findIndex((r) => r.answered === 200)).toBe(mine.length - 1);
      }
      // Retries: the log counts every attempt; the attempts of one lead come further and further apart.
      expect(log.reduce((n, d) => n + d.attempts, 0)).toBe(got.requests.length);
      expect(got.requests.length).toBe(3 + 4);
      console.log(
        `[webhooks] ${h.runtime}: 3 leads, 4 injected failures → ${got.requests.length} requests, effects ${JSON.stringify(
          Object.values(got.effects),
        )}, ${got.repeats} deduped repeat(s)`,
      );
      // Signed per Standard Webhooks, verified with its library; a changed body does not verify.
      const wh = new Webhook(w.secret);
      for (const r of got.requests) {
        const payload = wh.verify(r.body, r.headers) as { type: string; data: { customerId: string } };
        expect(payload.type).toBe("lead.created");
      }
      expect(() => wh.verify(got.requests[0]!.body.replace("Ariya", "Leaf"), got.requests[0]!.headers)).toThrow();
      // The lead carries the event's contact details; once every endpoint has it, the outbox keeps none.
      const bodies = got.requests.map(
        (r) => JSON.parse(r.body) as { data: { contact?: { email?: string }; customerId: string } },
      );
      for (const l of leads)
        expect(bodies.find((b) => b.data.customerId === l.customerId)?.data.contact?.email).toBe(l.email);
      const left = await h.store.database.db.all<{ payload: string }>(
        sql`select payload from outbox_messages where tenant_id = ${a.tenant.id} and type = 'lead.created'`,
      );
      for (const l of leads) expect(JSON.stringify(left)).not.toContain(l.email);

      // Replay: the same message and webhook-id again; the receiver dedupes it.
      const first = log[0]!;
      const replay = await h.fetch(`/v1/webhooks/${w.id}/deliveries/${first.id}/replay`, {
        method: "POST",
        headers: auth(a.keys.admin),
      });
      expect(replay.status, await replay.clone().text()).toBe(202);
      await until(h, a, async () => (await received(box)).requests.length === got.requests.length + 1);
      const after = await received(box);
      expect(after.requests.at(-1)!.headers["webhook-id"]).toBe(first.messageId);
      expect(Object.values(after.effects)).toEqual([1, 1, 1]);
      await expectProblem(
        await h.fetch(`/v1/webhooks/${w.id}/deliveries/dlv_nope/replay`, {
          method: "POST",
          headers: auth(a.keys.admin),
        }),
        404,
        "not-found",
      );
    }, 60_000);

    it("backs off exponentially between attempts", async () => {
      const h = getHarness();
      const a = await tenant(h);
      const box = `backoff-${uid()}`;
      const w = await endpoint(h, a, box, ["lead.created"]);
      await control(box, { fail: ["500", "500", "500"] });
      await h.fetch(
        "/v1/events",
        json(
          "POST",
          {
            events: [
              {
                id: `bo-${uid()}`,
                type: "quote_request",
                occurredAt: new Date(Date.now() - 1000).toISOString(),
                identifiers: { customerId: `C-BO-${uid()}` },
                data: { model: "Leaf" },
              },
            ],
          },
          auth(a.keys.admin),
        ),
      );
      await until(h, a, async () => (await deliveries(h, a, w.id))[0]?.status === "delivered");
      const at = (await received(box)).requests.map((r) => r.at);
      const gaps = at.slice(1).map((t, i) => t - at[i]!);
      console.log(`[webhooks] ${h.runtime}: back-off between 4 attempts (3 failures): ${gaps.join(", ")} ms`);
      expect(gaps).toHaveLength(3);
      // Never earlier than the back-off allows (base × 2^n, −20% jitter); a loaded machine only adds to the gaps.
      for (let i = 0; i < gaps.length; i++) expect(gaps[i]!).toBeGreaterThanOrEqual(0.8 * backoffMs * 2 ** i - 5);
      const [d] = await deliveries(h, a, w.id);
      expect(d).toMatchObject({ attempts: 4, lastStatus: 200 });
    }, 60_000);

    it("consent changes, bookings and erasures reach a subscriber; erasure purges the person's payloads and delivery log", async () => {
      const h = getHarness();
      const a = await tenant(h);
      const box = `all-${uid()}`;
      const w = await endpoint(h, a, box, ["*"]);
      const customerId = `C-ALL-${uid()}`;
      const ev = await h.fetch(
        "/v1/events",
        json(
          "POST",
          {
            events: [
              {
                id: `all-${uid()}`,
                type: "consent_changed",
                occurredAt: new Date(Date.now() - 1000).toISOString(),
                identifiers: { customerId },
                data: { marketing: { email: true } },
              },
            ],
          },
          auth(a.keys.admin),
        ),
      );
      const personId = ((await ev.json()) as { results: { personId: string }[] }).results[0]!.personId;
      const slotsRes = await h.fetch(
        `/v1/dealers/${a.dealer.id}/slots`,
        json(
          "PUT",
          { slots: [{ start: new Date(Date.now() + 2 * 86_400_000).toISOString(), capacity: 1 }] },
          auth(a.keys.admin),
        ),
      );
      const slot = ((await slotsRes.json()) as { slots: { id: string }[] }).slots[0]!;
      const booking = (await (
        await h.fetch(
          `/v1/dealers/${a.dealer.id}/bookings`,
          json("POST", { slotId: slot.id, profileId: personId }, auth(a.keys.full)),
        )
      ).json()) as { id: string };
      await h.fetch(`/v1/dealers/${a.dealer.id}/bookings/${booking.id}/cancel`, json("POST", {}, auth(a.keys.full)));
      await until(h, a, async () => {
        const types = (await received(box)).requests.map((r) => (JSON.parse(r.body) as { type: string }).type);
        return ["consent.changed", "booking.created", "booking.cancelled"].every((t) => types.includes(t));
      });
      // Erasure: the person's messages and delivery log go; the erasure itself goes out, naming the customer id.
      await control(box, { fail: ["500"] });
      const del = await h.fetch(`/v1/profiles/${personId}`, { method: "DELETE", headers: auth(a.keys.full) });
      expect(del.status).toBe(200);
      const rows = await h.store.database.db.all<{ n: number }>(
        sql`select (select count(*) from outbox_messages where person_id = ${personId})
          + (select count(*) from webhook_deliveries where person_id = ${personId}) as n`,
      );
      expect(Number(rows[0]!.n)).toBe(0);
      await until(h, a, async () =>
        (await received(box)).requests.some(
          (r) => r.answered === 200 && (JSON.parse(r.body) as { type: string }).type === "profile.erased",
        ),
      );
      const erased = (await received(box)).requests.find((r) => r.body.includes("profile.erased"))!;
      expect(new Webhook(w.secret).verify(erased.body, erased.headers)).toMatchObject({
        type: "profile.erased",
        data: { customerIds: [customerId] },
      });
      // Delivered: the customer id leaves the outbox too.
      await until(h, a, async () => {
        const left = await h.store.database.db.all<{ payload: string }>(
          sql`select payload from outbox_messages where tenant_id = ${a.tenant.id} and type = 'profile.erased'`,
        );
        return left.length === 1 && !JSON.stringify(left).includes(customerId);
      });
    }, 60_000);
  });
}
