// The admin CLI against D1 (issue 11): `--d1 DB` works on wrangler's local D1 (getPlatformProxy; migrations by
// `wrangler d1 migrations apply --local`), so a Worker's database gets a brand and its first key the same way a
// libSQL file does. (`--remote` is the same code with getPlatformProxy's remote bindings: it needs an account.)
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { getPlatformProxy } from "wrangler";
import { runCli } from "../../src/cli";

describe("CLI on D1 (--d1)", () => {
  it("migrates a local D1, creates a brand and its first key, and the key is in that database", {
    timeout: 120_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "pitwall-cli-d1-"));
    const d1 = ["--d1", "DB", "--persist-to", dir];
    expect(await runCli(["migrate", ...d1], {})).toMatch(/migrations applied to D1 DB \(local\) \(\d+ in all\)/);
    const tenant = JSON.parse(
      await runCli(["tenant-create", "--slug", "acme", "--name", "Acme", "--makes", "NISSAN", ...d1], {}),
    );
    expect(tenant.slug).toBe("acme");
    const key = await runCli(
      ["key-create", "--tenant", "acme", "--kind", "server", "--name", "first", "--scopes", "admin", ...d1],
      {},
    );
    expect(key).toMatch(/^sk_[A-Za-z0-9]{32}\n\(shown once; id key_/);
    // Read back through wrangler's own local D1 (the state `wrangler dev --persist-to` would serve).
    const proxy = await getPlatformProxy<{ DB: D1Database }>({ persist: { path: join(dir, "v3") } });
    try {
      const row = await proxy.env.DB.prepare(
        "select t.slug as slug, count(k.id) as keys from tenants t join api_keys k on k.tenant_id = t.id group by t.id",
      ).first<{ slug: string; keys: number }>();
      expect(row).toEqual({ slug: "acme", keys: 1 });
    } finally {
      await proxy.dispose();
    }
    await expect(runCli(["key-list", "--tenant", "acme", "--d1", "NOPE", "--persist-to", dir], {})).rejects.toThrow(
      /no D1 binding NOPE/,
    );
  });
});
