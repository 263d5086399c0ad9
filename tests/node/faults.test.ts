/**
 * Faults on Node + libSQL: a write lock held by another connection stalls nothing; erased bytes do not linger in
 * the database file or its WAL; a rebuild that cannot finish is never dropped silently; the catalogue is never
 * cached under the wrong version.
 */
import { createClient } from "@libsql/client";
import { existsSync, readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { sha256Hex } from "../../src/lib/crypto";
import { auth, expectProblem, json, makeTenant } from "../shared/fixtures";
import { ERASE_VIN } from "../shared/erasure";
import { startNodeHarness } from "./harness";

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of closers) await c();
});
const ago = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString();
let seq = 0;
const uid = () => `${Date.now().toString(36)}${(seq++).toString(36)}`;

/** Longest gap between 5 ms timer ticks while `work` runs: how long the event loop was blocked. */
async function loopStall<T>(work: () => Promise<T>): Promise<{ value: T; stallMs: number }> {
  let last = performance.now();
  let worst = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 5);
  try {
    const value = await work();
    return { value, stallMs: worst };
  } finally {
    clearInterval(timer);
  }
}

async function timed<T>(p: Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await p;
  return { value, ms: performance.now() - t0 };
}

describe("a write lock held by another connection for 3 s", () => {
  it("stalls nothing: decide answers degraded inside its deadline, /health names the fault, writes answer 503", async () => {
    const h = await startNodeHarness();
    closers.push(h.close);
    const a = await makeTenant(h);
    const deadline = h.server.deps.config.DECIDE_DEADLINE_MS;
    const decideBody = { subject: { customerId: a.customerId }, channel: "dealer_site", placement: "hero" };
    const event = () => ({
      id: `lock-${uid()}`,
      type: "page_view",
      occurredAt: ago(0),
      identifiers: { customerId: a.customerId },
      data: { url: "https://example.com/" },
    });
    const warm = await h.fetch("/v1/decide", json("POST", decideBody, auth(a.keys.full)));
    expect(((await warm.json()) as { degraded: boolean }).degraded).toBe(false);

    const locker = createClient({ url: `file:${h.file}` });
    const tx = await locker.transaction("write"); // BEGIN IMMEDIATE: the write lock, until rollback
    const release = new Promise<void>((r) =>
      setTimeout(() => {
        void tx.rollback().then(r);
      }, 3000),
    );
    try {
      const { value, stallMs } = await loopStall(async () => {
        const [decide, health, ingest, outcome] = await Promise.all([
          timed(h.fetch("/v1/decide", json("POST", decideBody, auth(a.keys.full)))),
          timed(h.fetch("/health")),
          timed(h.fetch("/v1/events", json("POST", { events: [event()] }, auth(a.keys.full)))),
          timed(
            h.fetch(
              `/v1/decisions/${encodeURIComponent(a.decisionId)}/outcomes`,
              json("POST", { actionId: a.shownActionId, type: "click" }, auth(a.keys.full)),
            ),
          ),
        ]);
        return { decide, health, ingest, outcome };
      });
      const d = (await value.decide.value.json()) as { degraded: boolean };
      const health = (await value.health.value.json()) as { status: string; store: Record<string, unknown> };
      console.log(
        `[faults] lock held: decide ${value.decide.ms.toFixed(0)} ms degraded=${d.degraded}, /health ${value.health.ms.toFixed(0)} ms "${health.status}", ingest ${value.ingest.value.status} after ${value.ingest.ms.toFixed(0)} ms, outcome ${value.outcome.value.status} after ${value.outcome.ms.toFixed(0)} ms, event loop stalled ${stallMs.toFixed(0)} ms at most`,
      );
      expect(value.decide.value.status).toBe(200);
      expect(d.degraded).toBe(true);
      // The deadline counts from arrival; the margin is HTTP on a test process sharing 2 cores with other test files.
      // What this guards is not waiting for the lock (3 s): even the margin is far below it.
      expect(value.decide.ms).toBeLessThan(deadline + 400);
      expect(value.health.ms).toBeLessThan(1000);
      expect(value.health.value.status).toBe(503);
      expect(health.status).not.toBe("ok");
      expect(JSON.stringify(health.store)).toMatch(/lock|busy/i);
      const ing = await expectProblem(value.ingest.value, 503, "store-unavailable");
      expect(Number(value.ingest.value.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(ing.detail).toBeDefined();
      await expectProblem(value.outcome.value, 503, "store-unavailable");
      expect(Number(value.outcome.value.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(stallMs).toBeLessThan(100);
    } finally {
      await release;
      locker.close();
    }
    // Recovery is automatic: the next requests succeed and nothing of the refused ones was half-written.
    const ok = await h.fetch("/v1/events", json("POST", { events: [event()] }, auth(a.keys.full)));
    expect(ok.status, await ok.clone().text()).toBe(200);
    const again = await h.fetch("/v1/decide", json("POST", decideBody, auth(a.keys.full)));
    expect(((await again.json()) as { degraded: boolean }).degraded).toBe(false);
    const healthy = await h.fetch("/health");
    expect(healthy.status).toBe(200);
  });
});

describe("erased bytes", () => {
  it("are in neither the database file nor its WAL (secure_delete and a checkpoint after erasure)", async () => {
    const h = await startNodeHarness();
    closers.push(h.close);
    const a = await makeTenant(h);
    const u = uid();
    const who = {
      customerId: `C-BYTES-${u}`,
      email: `bytes-${u}@example.org`,
      phone: "+4930555" + String(Date.now()).slice(-6),
    };
    const deviceId = `device-bytes-${u}`;
    const r = await h.fetch(
      "/v1/events",
      json(
        "POST",
        {
          events: [
            {
              id: `bytes-${u}-1`,
              type: "purchase",
              occurredAt: ago(10),
              identifiers: { ...who, deviceId },
              data: { vin: ERASE_VIN, condition: "new" },
            },
            {
              id: `bytes-${u}-2`,
              type: "survey_response",
              occurredAt: ago(9),
              identifiers: { customerId: who.customerId },
              data: { score: 2, verbatim: `secret words ${u}` },
            },
          ],
        },
        auth(a.keys.full),
      ),
    );
    const personId = ((await r.json()) as { results: { personId: string }[] }).results[0]!.personId;
    const del = await h.fetch(`/v1/profiles/${personId}`, { method: "DELETE", headers: auth(a.keys.full) });
    expect(del.status).toBe(200);
    const salt = a.tenant.hashSalt;
    const needles = [
      personId,
      who.customerId,
      who.email,
      who.phone,
      ERASE_VIN,
      deviceId,
      `secret words ${u}`,
      await sha256Hex(`${salt}:email:${who.email}`),
      await sha256Hex(`${salt}:phone:${who.phone}`),
    ];
    const found: string[] = [];
    for (const file of [h.file, `${h.file}-wal`]) {
      if (!existsSync(file)) continue;
      const bytes = readFileSync(file).toString("latin1");
      for (const n of needles) if (bytes.includes(n)) found.push(`${n} in ${file.endsWith("-wal") ? "WAL" : "file"}`);
    }
    expect(found).toEqual([]);
  });
});

describe("rebuilds and the catalogue under a concurrent writer", () => {
  it("an unmerge whose writes keep conflicting answers 503, changes nothing and is reported by /health", async () => {
    const h = await startNodeHarness();
    closers.push(h.close);
    const a = await makeTenant(h);
    let busy = false;
    // A concurrent writer that touches every profile of the tenant just before each write that includes one.
    h.faults!.set({
      onRoundTrip: async (rt) => {
        if (busy || !rt.write || !rt.sql.some((s) => /\bprofiles\b/.test(s))) return;
        busy = true;
        try {
          await h.store.database.db.run(
            sql`update profiles set version = version + 1 where tenant_id = ${a.tenant.id}`,
          );
        } finally {
          busy = false;
        }
      },
    });
    let res: Response;
    try {
      res = await h.fetch(
        `/v1/profiles/${a.profileId}/unmerge`,
        json("POST", { mergeId: a.mergeId }, auth(a.keys.full)),
      );
    } finally {
      h.faults!.reset();
    }
    const text = await res.text();
    expect(res.status, text).toBe(503);
    expect(res.headers.get("retry-after")).toBeTruthy();
    const health = (await (await h.fetch("/health")).json()) as {
      status: string;
      writes: { conflictsExhausted: number; lastConflict: string | null };
    };
    expect(health.status).toBe("degraded");
    expect(health.writes.conflictsExhausted).toBeGreaterThan(0);
    expect(health.writes.lastConflict).toMatch(/unmerge/);
    // Nothing half-written: the visitor still resolves to the customer, and the unmerge works once the writer stops.
    const found = (await (
      await h.fetch(`/v1/profiles/lookup?visitorId=${a.visitorId}`, { headers: auth(a.keys.full) })
    ).json()) as { id: string };
    expect(found.id).toBe(a.profileId);
    const undo = await h.fetch(
      `/v1/profiles/${a.profileId}/unmerge`,
      json("POST", { mergeId: a.mergeId }, auth(a.keys.full)),
    );
    expect(undo.status, await undo.clone().text()).toBe(200);
  });

  it("an action put while the catalogue loads is never cached under the wrong version", async () => {
    const h = await startNodeHarness();
    closers.push(h.close);
    const a = await makeTenant(h);
    await h.store.decisioning.putAction({
      tenantId: a.tenant.id,
      id: "late-one",
      dealerId: null,
      doc: {
        id: "late-one",
        kind: "content",
        category: "info",
        value: 1,
        channels: { service_lane: { title: "Late", body: "Arrived late.", cta: "OK" } },
      },
      updatedAt: Date.now(),
    });
    let fired = false;
    // While the catalogue loads, just before its version is read, another writer adds an action (a new version).
    h.faults!.set({
      onRoundTrip: async (rt) => {
        const text = rt.sql.join(" ");
        if (fired || rt.write || !/catalog_versions/.test(text) || /identities/.test(text)) return;
        fired = true;
        setTimeout(() => {
          void h.store.decisioning.putAction({
            tenantId: a.tenant.id,
            id: "race-winner",
            dealerId: null,
            doc: {
              id: "race-winner",
              kind: "content",
              category: "info",
              value: 1000,
              lever: 10,
              channels: { service_lane: { title: "Race", body: "Won the race.", cta: "OK" } },
            },
            updatedAt: Date.now(),
          });
        }, 0);
        await new Promise((r) => setTimeout(r, 30));
      },
    });
    const body = { subject: { customerId: a.customerId }, channel: "service_lane", placement: "lane", limit: 10 };
    try {
      await h.fetch("/v1/decide", json("POST", body, auth(a.keys.full)));
    } finally {
      h.faults!.reset();
    }
    expect(fired).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    const d = (await (await h.fetch("/v1/decide", json("POST", body, auth(a.keys.full)))).json()) as {
      actions: { id: string }[];
    };
    expect(d.actions.map((x) => x.id)).toContain("race-winner");
  });
});
