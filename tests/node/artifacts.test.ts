/** Generated artefacts and builds: type check (the typed client included), lint, OpenAPI lint, the client, the Worker bundle. */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" };

describe("artefacts", () => {
  it("type-checks under strict TypeScript", async () => {
    const r = await run("npx", ["tsc", "-p", "."], { env }).catch((e: { stdout: string }) => e);
    expect((r as { stdout: string }).stdout.trim()).toBe("");
  }, 120_000);

  it("type-checks the browser code (src/widget: the widget and the demo pages' scripts, DOM types)", async () => {
    const r = await run("npx", ["tsc", "-p", "src/widget"], { env }).catch((e: { stdout: string }) => e);
    expect((r as { stdout: string }).stdout.trim()).toBe("");
  }, 120_000);

  it("passes the linter and the formatter (biome ci: style, layering rules, no clock in src/domain)", async () => {
    const r = await run("npx", ["biome", "ci", ".", "--reporter=summary"], { env, maxBuffer: 10e6 }).catch(
      (e: { stdout: string; stderr: string }) => e,
    );
    expect(
      (r as { code?: number }).code ?? 0,
      `${(r as { stdout: string }).stdout}${(r as { stderr: string }).stderr}`,
    ).toBe(0);
  }, 120_000);

  it("openapi/openapi.json passes redocly lint with no warnings", async () => {
    const r = await run("npx", ["redocly", "lint", "openapi/openapi.json", "--format", "json"], {
      env,
      maxBuffer: 10e6,
    });
    const report = JSON.parse(r.stdout) as { totals: { errors: number; warnings: number }; problems: unknown[] };
    expect(report.problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 120_000);

  it("the Worker bundles (wrangler deploy --dry-run) under 1 MiB gzipped", async () => {
    const out = mkdtempSync(join(tmpdir(), "pitwall-bundle-"));
    const r = await run("npx", ["wrangler", "deploy", "--dry-run", "--outdir", out], { env, maxBuffer: 10e6 });
    const m = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(Number(m![2])).toBeLessThan(1024);
    expect(statSync(join(out, "worker.js")).size).toBeGreaterThan(0);
  }, 180_000);

  it("clients/typescript/src/schema.d.ts is what openapi-typescript makes of openapi/openapi.json (npm run client)", async () => {
    // openapi-typescript runs on TypeScript 5 (its peer), installed inside the client's workspace only.
    const pkg = createRequire(join(process.cwd(), "clients/typescript/package.json")).resolve(
      "openapi-typescript/package.json",
    );
    const bin = join(
      dirname(pkg),
      (JSON.parse(readFileSync(pkg, "utf8")) as { bin: Record<string, string> }).bin["openapi-typescript"]!,
    );
    const out = join(mkdtempSync(join(tmpdir(), "pitwall-client-")), "schema.d.ts");
    await run(process.execPath, [bin, "openapi/openapi.json", "--output", out], { env });
    expect(readFileSync(out, "utf8")).toBe(readFileSync("clients/typescript/src/schema.d.ts", "utf8"));
  }, 120_000);
});
