/** Node-only behaviour: rate limiting, the generic 500, the CLI, startup config. */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../src/cli";
import { createStore } from "../../src/store";
import { openLibsql } from "../../src/store/libsql";
import { auth, expectProblem, json, makeTenant } from "../shared/fixtures";
import { startNodeHarness } from "./harness";

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of closers) await c();
});

describe("rate limit", () => {
  it("answers 429 with Retry-After past the per-key limit", async () => {
    const h = await startNodeHarness({ RATE_LIMIT_PER_MINUTE: "3" });
    closers.push(h.close);
    const a = await makeTenant(h);
    for (let i = 0; i < 3; i++) expect((await h.fetch("/v1/dealers", { headers: auth(a.keys.full) })).status).toBe(200);
    const res = await h.fetch("/v1/dealers", { headers: auth(a.keys.full) });
    await expectProblem(res, 429, "rate-limited");
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await h.fetch("/v1/dealers", { headers: auth(a.keys.admin) })).status).toBe(200); // other key, own budget
  });
});

describe("unexpected errors", () => {
  it("a store failure is a generic 500 with a request id and no driver message", async () => {
    const h = await startNodeHarness();
    closers.push(h.close);
    const a = await makeTenant(h);
    const res0 = await h.fetch("/v1/dealers", { headers: auth(a.keys.full) });
    expect(res0.status).toBe(200);
    await h.server.database.client.execute("ALTER TABLE dealers RENAME TO dealers_gone");
    const res = await h.fetch("/v1/dealers", { headers: auth(a.keys.full) });
    const p = await expectProblem(res, 500, "internal-error");
    const text = JSON.stringify(p);
    expect(text).not.toMatch(/dealers|SQLITE|no such table|at .*\.ts/i);
    expect(p.requestId).toBe(res.headers.get("x-request-id"));
  });
});

describe("admin CLI", () => {
  it("creates a tenant, a dealer and keys, lists them by prefix only, and revokes", async () => {
    const db = `file:${join(mkdtempSync(join(tmpdir(), "pitwall-cli-")), "cli.db")}`;
    expect(await runCli(["migrate", "--db", db])).toMatch(/migrations applied/);
    expect(await runCli(["tenant-create", "--db", db, "--slug", "acme", "--name", "Acme Motors"])).toContain(
      '"slug":"acme"',
    );
    expect(
      await runCli([
        "dealer-create",
        "--db",
        db,
        "--tenant",
        "acme",
        "--code",
        "A1",
        "--name",
        "Acme North",
        "--tz",
        "Europe/Berlin",
      ]),
    ).toContain("A1");
    const out = await runCli([
      "key-create",
      "--db",
      db,
      "--tenant",
      "acme",
      "--kind",
      "server",
      "--name",
      "ops",
      "--scopes",
      "decide,profiles:read",
    ]);
    const key = out.split("\n")[0]!;
    expect(key).toMatch(/^sk_[0-9A-Za-z]{32}$/);
    const listed = await runCli(["key-list", "--db", db, "--tenant", "acme"]);
    expect(listed).toContain(key.slice(0, 9));
    expect(listed).not.toContain(key);
    expect(listed).toContain("active");
    const id = /id (key_\w+)/.exec(out)![1]!;
    expect(await runCli(["key-revoke", "--db", db, "--tenant", "acme", "--id", id])).toContain("revoked");
    // Key changes through the CLI are on the audit record too (no key id; the command as request id).
    const database = await openLibsql(db);
    const tenant = await createStore(database).tenants.bySlug("acme");
    const entries = await createStore(database).audit.list({ tenantId: tenant!.id, subject: id, limit: 10 });
    database.close();
    expect(entries.map((e) => [e.action, e.keyId, e.requestId])).toEqual([
      ["key.revoke", null, "cli:key-revoke"],
      ["key.create", null, "cli:key-create"],
    ]);
    expect(await runCli(["key-list", "--db", db, "--tenant", "acme"])).toContain("revoked");
    expect(await runCli(["retention", "--db", db])).toMatch(
      /^expired: 0 decisions, 0 outcomes, 0 Idempotency-Key records$/,
    );
    await expect(
      runCli(["dealer-create", "--db", db, "--tenant", "acme", "--code", "A2", "--name", "X", "--tz", "Nowhere/Land"]),
    ).rejects.toThrow(/IANA/);
    await expect(
      runCli(["key-create", "--db", db, "--tenant", "nope", "--kind", "server", "--name", "x", "--scopes", "decide"]),
    ).rejects.toThrow(/no tenant/);
  });

  it("refuses a vehicle key for an invalid VIN, naming the rule", async () => {
    const db = `file:${join(mkdtempSync(join(tmpdir(), "pitwall-cli-")), "cli.db")}`;
    await runCli(["migrate", "--db", db]);
    await runCli(["tenant-create", "--db", db, "--slug", "acme", "--name", "Acme"]);
    const car = (vin: string) =>
      runCli(["key-create", "--db", db, "--tenant", "acme", "--kind", "vehicle", "--name", "car", "--vin", vin]);
    await expect(car("1N4AZ0CP5GC304290")).rejects.toThrow(/check_digit/);
    await expect(car("1N4AZ0CP6GC3O4290")).rejects.toThrow(/characters/);
    expect(await runCli(["key-list", "--db", db, "--tenant", "acme"])).toBe("");
    expect(await car("KMTGA4SCDRU227658")).toMatch(/^vk_[0-9A-Za-z]{32}\n/); // an NHTSA exception is a real VIN
  });

  it("sets a brand's marketing-consent default per country", async () => {
    const db = `file:${join(mkdtempSync(join(tmpdir(), "pitwall-cli-")), "cli.db")}`;
    await runCli(["migrate", "--db", db]);
    await runCli(["tenant-create", "--db", db, "--slug", "acme", "--name", "Acme"]);
    expect(await runCli(["tenant-settings", "--db", db, "--tenant", "acme"])).toBe("{}");
    const set = JSON.parse(
      await runCli([
        "tenant-settings",
        "--db",
        db,
        "--tenant",
        "acme",
        "--consent-default",
        "opt-out",
        "--opt-in-countries",
        "eu-eea",
      ]),
    );
    expect(set.marketingConsent.default).toBe("opt-out");
    expect(set.marketingConsent.optInCountries).toHaveLength(30);
    const flipped = JSON.parse(
      await runCli([
        "tenant-settings",
        "--db",
        db,
        "--tenant",
        "acme",
        "--consent-default",
        "opt-in",
        "--opt-in-countries",
        "",
      ]),
    );
    expect(flipped.marketingConsent).toEqual({ default: "opt-in", optInCountries: [], optOutCountries: [] });
    await expect(
      runCli(["tenant-settings", "--db", db, "--tenant", "acme", "--consent-default", "sometimes"]),
    ).rejects.toThrow();
  });

  it("seeds the demo brand opt-out, with opt-in for people in the EU/EEA (what the README says)", async () => {
    const db = `file:${join(mkdtempSync(join(tmpdir(), "pitwall-cli-")), "cli.db")}`;
    await runCli(["seed-demo", "--db", db]);
    const s = JSON.parse(await runCli(["tenant-settings", "--db", db, "--tenant", "demo-nissan"]));
    expect(s.marketingConsent.default).toBe("opt-out");
    expect(s.marketingConsent.optInCountries).toEqual(expect.arrayContaining(["DE", "FR", "IE", "NO", "IS", "LI"]));
    expect(s.marketingConsent.optInCountries).not.toContain("US");
  });

  it("imports a catalogue from YAML, validated like the API, all or nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pitwall-cli-"));
    const db = `file:${join(dir, "cli.db")}`;
    await runCli(["migrate", "--db", db]);
    await runCli(["tenant-create", "--db", db, "--slug", "acme", "--name", "Acme", "--makes", "NISSAN"]);
    const good = `- id: winter-tyres\n  kind: offer\n  category: service\n  value: 300\n  rule: { powertrain_is: [ice] }\n  channels:\n    email: { subject: Winter tyres, body: "Book a fitting at {{dealer.name}}." }\n`;
    const bad = `${good}- id: creepy\n  kind: offer\n  category: sales\n  value: 1\n  channels:\n    email: { subject: Hi, body: "About {{profile.loanPayoffInquiryAt}}" }\n`;
    writeFileSync(join(dir, "bad.yaml"), bad);
    await expect(
      runCli(["actions-import", "--db", db, "--tenant", "acme", "--file", join(dir, "bad.yaml")]),
    ).rejects.toThrow(/creepy.*loanPayoff/s);
    writeFileSync(join(dir, "good.yaml"), good);
    expect(await runCli(["actions-import", "--db", db, "--tenant", "acme", "--file", join(dir, "good.yaml")])).toMatch(
      /imported 1 actions into acme \(catalogue version 1\)/,
    );
  });
});

describe("startup", () => {
  it("refuses to serve with a bad config, naming the variable", async () => {
    const run = promisify(execFile);
    const err = await run("npx", ["tsx", "src/node.ts"], {
      env: { ...process.env, PORT: "99999", DATABASE_URL: "mysql://x" },
    }).catch((e: { code: number; stderr: string }) => e);
    expect((err as { code: number }).code).toBe(78);
    expect((err as { stderr: string }).stderr).toMatch(/PORT/);
    expect((err as { stderr: string }).stderr).toMatch(/DATABASE_URL/);
  });
});

describe("degraded mode", () => {
  it("a store failure on the decision path still answers 200 with a safe contextual default", async () => {
    const h = await startNodeHarness();
    closers.push(h.close);
    const a = await makeTenant(h);
    const body = { subject: { customerId: a.customerId }, channel: "dealer_site", placement: "hero" };
    const ok = await h.fetch("/v1/decide", json("POST", body, auth(a.keys.full)));
    expect(((await ok.json()) as { degraded: boolean }).degraded).toBe(false);
    await h.server.database.client.execute("ALTER TABLE identities RENAME TO identities_gone");
    for (const channel of ["dealer_site", "in_vehicle"]) {
      const res = await h.fetch(
        "/v1/decide",
        json("POST", { ...body, channel, context: { driveState: "parked" } }, auth(a.keys.full)),
      );
      expect(res.status).toBe(200);
      const d = (await res.json()) as { degraded: boolean; actions: { id: string }[]; notes: string[] };
      expect(d.degraded).toBe(true);
      if (channel === "in_vehicle") expect(d.actions).toEqual([]);
      else expect(d.actions.map((x) => x.id).sort()).toEqual([a.ownActionId, "welcome-content"].sort());
    }
  });
});
