/**
 * Erasure without residue, on both runtimes: what a replayed Idempotency-Key, telemetry that arrived before the
 * keeper was known, and the rest of the database keep of an erased person. (The file and WAL bytes are scanned
 * on Node, tests/node/faults.test.ts; D1's storage is not reachable from a test.)
 */
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/lib/crypto";
import { dumpContains } from "./concurrency";
import { auth, json, makeTenant } from "./fixtures";
import type { Harness } from "./harness";

let seq = 0;
const uid = () => `${Date.now().toString(36)}${(seq++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const ago = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString();

/** A valid VIN that no other test uses (a 2014 Ford F-150 from vins.csv). */
export const ERASE_VIN = "1FTEX1CM8EFB88051";

export function erasureSuite(getHarness: () => Harness) {
  describe("erasure without residue", () => {
    it("leaves nothing of an Idempotency-Key response, nor of telemetry sent with {vin, deviceId} before the sale", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const u = uid();
      const who = { customerId: `C-ERASE-${u}`, email: `erase-${u}@example.org` };
      const deviceId = `head-unit-${u}`;
      const telemetry = {
        id: `tel-${u}`,
        type: "telemetry_snapshot",
        occurredAt: ago(20),
        identifiers: { vin: ERASE_VIN, deviceId },
        data: { vin: ERASE_VIN, odometer: 15 },
      };
      const t = await h.fetch("/v1/events", json("POST", { events: [telemetry] }, auth(a.keys.full)));
      expect(t.status).toBe(200);
      const events = [
        {
          id: `buy-${u}`,
          type: "purchase",
          occurredAt: ago(10),
          identifiers: who,
          data: { vin: ERASE_VIN, condition: "new" },
        },
      ];
      const headers = auth(a.keys.full, { "idempotency-key": `erase-batch-${u}` });
      const first = await h.fetch("/v1/events", json("POST", { events }, headers));
      const body = (await first.json()) as { results: { personId: string }[] };
      const personId = body.results[0]!.personId;
      const del = await h.fetch(`/v1/profiles/${personId}`, { method: "DELETE", headers: auth(a.keys.full) });
      expect(del.status, await del.clone().text()).toBe(200);

      const replay = await h.fetch("/v1/events", json("POST", { events }, headers));
      const replayed = await replay.text();
      expect(replayed).not.toContain(personId);
      const hash = await sha256Hex(`${a.tenant.hashSalt}:email:${who.email}`);
      const residue = await dumpContains(h, [personId, who.customerId, hash, ERASE_VIN, deviceId, telemetry.id]);
      // The tombstone of an event keeps its id (so a replay is refused), nothing else.
      expect(residue.filter((r) => r !== telemetry.id)).toEqual([]);
    });

    it("leaves nothing of the person in other people's events or in the responses that merely named them", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const u = uid();
      const bob = { customerId: `C-BOB-${u}`, email: `bob-${u}@example.org` };
      const send = (events: unknown[], extra: Record<string, string> = {}) =>
        h.fetch("/v1/events", json("POST", { events }, auth(a.keys.full, extra)));
      const made = (await (
        await send([
          { id: `bob-${u}`, type: "page_view", occurredAt: ago(9), identifiers: bob, data: { url: "https://x/" } },
        ])
      ).json()) as { results: { personId: string }[] };
      const bobId = made.results[0]!.personId;
      const anna = `C-ANNA-${u}`;
      await send([
        {
          id: `anna0-${u}`,
          type: "page_view",
          occurredAt: ago(9),
          identifiers: { customerId: anna },
          data: { url: "https://x/" },
        },
      ]);
      // Anna's event names Bob's email too: two known customers are never merged implicitly, so it stays Anna's.
      const annaEvent = {
        id: `anna-${u}`,
        type: "page_view",
        occurredAt: ago(8),
        identifiers: { customerId: anna, email: bob.email },
        data: { url: "https://y/" },
      };
      const annaRes = await send([annaEvent], { "idempotency-key": `anna-batch-${u}` });
      const annaBody = await annaRes.text();
      expect(annaBody, "the answer notes the two known customers").toContain(bobId);
      const del = await h.fetch(`/v1/profiles/${bobId}`, { method: "DELETE", headers: auth(a.keys.full) });
      expect(del.status, await del.clone().text()).toBe(200);
      const hash = await sha256Hex(`${a.tenant.hashSalt}:email:${bob.email}`);
      // Neither Bob's hashed email (kept in Anna's event) nor his id (kept in the stored response) survive.
      expect(await dumpContains(h, [bobId, hash, bob.customerId])).toEqual([]);
    });
  });
}
