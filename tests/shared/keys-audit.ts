/** Key rotation, editing a publishable key's origins, and the audit log — on both runtimes. */
import { describe, expect, it } from "vitest";
import { auth, expectProblem, json, makeTenant, type TenantFixture } from "./fixtures";
import type { Harness } from "./harness";

type KeyOut = { id: string; key: string; prefix: string; previousSecretExpiresAt: string | null };
type Entry = {
  id: string;
  at: string;
  keyId: string | null;
  requestId: string;
  action: string;
  subjectType: string;
  subjectId: string | null;
  personId: string | null;
  detail: Record<string, unknown> | null;
};

async function newKey(h: Harness, a: TenantFixture, body: Record<string, unknown>): Promise<KeyOut> {
  const res = await h.fetch("/v1/keys", json("POST", body, auth(a.keys.admin)));
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as KeyOut;
}

async function auditPage(h: Harness, key: string, query: Record<string, string> = {}) {
  const res = await h.fetch(`/v1/audit?${new URLSearchParams(query)}`, { headers: auth(key) });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as { entries: Entry[]; nextCursor: string | null };
}

const ok = async (h: Harness, key: string) => (await h.fetch("/v1/dealers", { headers: auth(key) })).status;

export function keysAuditSuite(getHarness: () => Harness) {
  describe("key rotation and editing", () => {
    it("rotation gives a new secret for the same key id; the old one works through the overlap window, then 401", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const k = await newKey(h, a, { kind: "server", name: "crm job", scopes: ["decide"] });
      const rot = await h.fetch(`/v1/keys/${k.id}/rotate`, json("POST", { overlapSeconds: 1 }, auth(a.keys.admin)));
      expect(rot.status, await rot.clone().text()).toBe(200);
      const r1 = (await rot.json()) as KeyOut;
      expect(r1.id).toBe(k.id); // what is bound to the key id (decisions, visitor tokens) keeps working
      expect(r1.key).toMatch(/^sk_[0-9A-Za-z]{32}$/);
      expect(r1.key).not.toBe(k.key);
      expect(Date.parse(r1.previousSecretExpiresAt!)).toBeGreaterThan(Date.now());
      expect(await ok(h, r1.key)).toBe(200);
      expect(await ok(h, k.key)).toBe(200); // inside the overlap window
      await new Promise((r) => setTimeout(r, 1100));
      const late = await expectProblem(await h.fetch("/v1/dealers", { headers: auth(k.key) }), 401, "expired-api-key");
      expect(String(late.detail)).toMatch(/rotated/);
      expect(await ok(h, r1.key)).toBe(200);
      // Without overlap the previous secret stops at once; only the last two secrets are ever valid.
      const r2 = (await (
        await h.fetch(`/v1/keys/${k.id}/rotate`, json("POST", { overlapSeconds: 0 }, auth(a.keys.admin)))
      ).json()) as KeyOut;
      expect(r2.id).toBe(k.id);
      expect(r2.previousSecretExpiresAt).toBeNull();
      expect(await ok(h, r2.key)).toBe(200);
      await expectProblem(await h.fetch("/v1/dealers", { headers: auth(r1.key) }), 401, "invalid-api-key");
      const listed = await (await h.fetch("/v1/keys", { headers: auth(a.keys.admin) })).text();
      expect(listed).toContain(r2.key.slice(0, 9));
      expect(listed).not.toMatch(/previousHash|"hash"/);
      // A revoked key cannot be rotated back to life; an unknown or foreign key is 404.
      await h.fetch(`/v1/keys/${k.id}`, { method: "DELETE", headers: auth(a.keys.admin) });
      await expectProblem(
        await h.fetch(`/v1/keys/${k.id}/rotate`, json("POST", {}, auth(a.keys.admin))),
        409,
        "key-not-active",
      );
      await expectProblem(
        await h.fetch(`/v1/keys/key_nope/rotate`, json("POST", {}, auth(a.keys.admin))),
        404,
        "not-found",
      );
    });

    it("two concurrent rotations: each wins or is told 409, and the audit log has one entry per win", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const k = await newKey(h, a, { kind: "server", name: "raced", scopes: ["decide"] });
      const res = await Promise.all(
        [1, 2, 3].map(() =>
          h.fetch(`/v1/keys/${k.id}/rotate`, json("POST", { overlapSeconds: 60 }, auth(a.keys.admin))),
        ),
      );
      const statuses = res.map((r) => r.status);
      for (const s of statuses) expect([200, 409]).toContain(s);
      expect(statuses).toContain(200);
      const rotations = await auditPage(h, a.keys.admin, { subject: k.id, action: "key.rotate" });
      expect(rotations.entries).toHaveLength(statuses.filter((s) => s === 200).length);
    });

    it("PATCH edits a publishable key's allowed origins without re-issuing it", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const [oldOrigin, newOrigin] = [`https://old-${Date.now()}.example`, `https://new-${Date.now()}.example`];
      const pk = await newKey(h, a, { kind: "publishable", name: "widget", allowedOrigins: [oldOrigin] });
      const decide = (origin: string) =>
        h.fetch("/v1/decide", json("POST", { channel: "dealer_site", placement: "hero" }, auth(pk.key, { origin })));
      expect((await decide(oldOrigin)).status).toBe(200);
      const patched = await h.fetch(
        `/v1/keys/${pk.id}`,
        json("PATCH", { allowedOrigins: [newOrigin] }, auth(a.keys.admin)),
      );
      expect(patched.status, await patched.clone().text()).toBe(200);
      expect(((await patched.json()) as { allowedOrigins: string[]; prefix: string }).allowedOrigins).toEqual([
        newOrigin,
      ]);
      const now = await decide(newOrigin);
      expect(now.status).toBe(200);
      expect(now.headers.get("access-control-allow-origin")).toBe(newOrigin);
      await expectProblem(await decide(oldOrigin), 403, "origin-not-allowed");
      const pre = await h.fetch("/v1/decide", { method: "OPTIONS", headers: { origin: newOrigin } });
      expect(pre.headers.get("access-control-allow-origin")).toBe(newOrigin);
      // Only publishable keys have origins; at least one field; unknown keys are 404.
      const sk = await newKey(h, a, { kind: "server", name: "s", scopes: ["decide"] });
      await expectProblem(
        await h.fetch(`/v1/keys/${sk.id}`, json("PATCH", { allowedOrigins: [newOrigin] }, auth(a.keys.admin))),
        400,
        "validation-failed",
      );
      await expectProblem(
        await h.fetch(`/v1/keys/${sk.id}`, json("PATCH", {}, auth(a.keys.admin))),
        400,
        "validation-failed",
      );
      await expectProblem(
        await h.fetch(`/v1/keys/key_nope`, json("PATCH", { name: "x" }, auth(a.keys.admin))),
        404,
        "not-found",
      );
      const renamed = await h.fetch(`/v1/keys/${sk.id}`, json("PATCH", { name: "renamed" }, auth(a.keys.admin)));
      expect(((await renamed.json()) as { name: string }).name).toBe("renamed");
    });
  });

  describe("audit log", () => {
    it("records reads, exports, consent, links, unmerges, key, catalogue and settings changes by key id and request id", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      const auditor = await newKey(h, a, { kind: "server", name: "auditor", scopes: ["admin"] });
      const rid = (n: string) => ({ "x-request-id": `audit-test-${n}` });
      const as = (n: string) => auth(auditor.key, rid(n));
      const steps: [string, Promise<Response>][] = [
        ["read", h.fetch(`/v1/profiles/${a.profileId}`, { headers: as("read") })],
        ["lookup", h.fetch(`/v1/profiles/lookup?customerId=${a.customerId}`, { headers: as("lookup") })],
        ["export", h.fetch(`/v1/profiles/${a.profileId}/export`, { headers: as("export") })],
        ["vehicle", h.fetch(`/v1/vehicles/${a.vin}`, { headers: as("vehicle") })],
      ];
      for (const [what, p] of steps) expect((await p).status, what).toBe(200);
      const run = async (n: string, path: string, method: string, body: unknown) => {
        const res = await h.fetch(path, json(method, body, as(n)));
        expect(res.status, `${n}: ${await res.clone().text()}`).toBeLessThan(300);
        return res;
      };
      await run("consent", `/v1/profiles/${a.profileId}/consent`, "PUT", {
        source: "audit",
        marketing: { sms: false },
      });
      await run("link", "/v1/identities/link", "POST", {
        identifiers: { customerId: a.customerId, deviceId: "dev-audit-1" },
        reason: "confirmed at the desk",
      });
      await run("unmerge", `/v1/profiles/${a.profileId}/unmerge`, "POST", { mergeId: a.mergeId });
      const created = (await (
        await run("key", "/v1/keys", "POST", { kind: "server", name: "x", scopes: ["decide"] })
      ).json()) as {
        id: string;
        key: string;
      };
      const rotated = (await (await run("rotate", `/v1/keys/${created.id}/rotate`, "POST", {})).json()) as {
        key: string;
      };
      await run("rename", `/v1/keys/${created.id}`, "PATCH", { name: "y" });
      await h.fetch(`/v1/keys/${created.id}`, { method: "DELETE", headers: as("revoke") });
      const action = {
        kind: "content",
        category: "info",
        value: 1,
        channels: { email: { subject: "Hi", body: "Hello." } },
      };
      await run("upsert", "/v1/actions/audited-action", "PUT", action);
      await h.fetch("/v1/actions/audited-action", { method: "DELETE", headers: as("delete") });
      await run("settings", "/v1/settings", "PUT", { marketingConsent: { default: "opt-in" } });

      const all = (await auditPage(h, auditor.key, { limit: "200" })).entries.filter((e) => e.keyId === auditor.id);
      const byRequest = new Map(all.map((e) => [e.requestId.replace("audit-test-", ""), e]));
      const expected: Record<string, [string, string | null]> = {
        read: ["profile.read", a.profileId],
        lookup: ["profile.lookup", a.profileId],
        export: ["profile.export", a.profileId],
        vehicle: ["vehicle.read", a.profileId],
        consent: ["consent.change", a.profileId],
        link: ["identities.link", a.profileId],
        unmerge: ["profile.unmerge", null],
        key: ["key.create", null],
        rotate: ["key.rotate", null],
        rename: ["key.update", null],
        revoke: ["key.revoke", null],
        upsert: ["action.upsert", null],
        delete: ["action.delete", null],
        settings: ["settings.update", null],
      };
      for (const [req, [act, person]] of Object.entries(expected)) {
        const e = byRequest.get(req);
        expect(e, `no audit entry for ${req}`).toBeDefined();
        expect(e!.action, req).toBe(act);
        if (person) expect(e!.personId, req).toBe(person);
      }
      expect(byRequest.get("key")!.subjectId).toBe(created.id);
      for (const secret of [created.key, rotated.key, auditor.key]) expect(JSON.stringify(all)).not.toContain(secret);
      // The unmerge gave the visitor back: an entry for each person, so that erasing one takes only its own.
      const unmerges = all.filter((e) => e.action === "profile.unmerge");
      expect(unmerges).toHaveLength(2);
      expect(unmerges.map((e) => e.personId)).toContain(a.profileId);
      expect(unmerges.every((e) => e.personId === e.subjectId && e.detail?.mergeId === a.mergeId)).toBe(true);
      // Filters: by subject, action and time; the log itself needs admin.
      const reads = await auditPage(h, auditor.key, { subject: a.profileId, action: "profile.read" });
      expect(reads.entries.map((e) => e.requestId)).toEqual(["audit-test-read"]);
      expect((await auditPage(h, auditor.key, { from: new Date(Date.now() + 60_000).toISOString() })).entries).toEqual(
        [],
      );
      await expectProblem(await h.fetch("/v1/audit", { headers: auth(a.keys.full) }), 403, "insufficient-scope");
    });

    it("pages newest first with a cursor, no entry twice; failed changes and missed reads leave no entry", async () => {
      const h = getHarness();
      const a = await makeTenant(h);
      for (let i = 0; i < 5; i++)
        expect((await h.fetch(`/v1/profiles/${a.profileId}`, { headers: auth(a.keys.admin) })).status).toBe(200);
      await h.fetch(`/v1/profiles/prs_nobody`, { headers: auth(a.keys.admin) }); // 404: read nothing, recorded nothing
      await h.fetch(`/v1/keys/key_nope`, json("PATCH", { name: "x" }, auth(a.keys.admin))); // 404
      const seen: Entry[] = [];
      let cursor: string | null = null;
      do {
        const page: { entries: Entry[]; nextCursor: string | null } = await auditPage(h, a.keys.admin, {
          limit: "2",
          ...(cursor ? { cursor } : {}),
        });
        expect(page.entries.length).toBeLessThanOrEqual(2);
        seen.push(...page.entries);
        cursor = page.nextCursor;
      } while (cursor);
      expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
      const times = seen.map((e) => Date.parse(e.at));
      expect([...times].sort((x, y) => y - x)).toEqual(times);
      expect(seen.filter((e) => e.action === "profile.read")).toHaveLength(5);
      expect(seen.some((e) => e.subjectId === "prs_nobody" || e.subjectId === "key_nope")).toBe(false);
      await expectProblem(
        await h.fetch("/v1/audit?cursor=not-a-cursor", { headers: auth(a.keys.admin) }),
        400,
        "validation-failed",
      );
    });
  });
}
