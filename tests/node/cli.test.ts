/** The admin CLI as a person runs it: a failed command prints one line and a hint; --help prints the usage. */
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const db = `file:${join(mkdtempSync(join(tmpdir(), "pitwall-cli-")), "cli.db")}`;
const cli = (...args: string[]) =>
  run(process.execPath, ["--import", "tsx", "src/cli.ts", ...args], { env: { ...process.env, NO_COLOR: "1" } }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

describe("pitwall CLI", () => {
  it("--help prints the usage and exits 0", async () => {
    const r = await cli("--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: npm run pitwall -- <command> [flags]");
    expect(r.stdout).toContain("key-create");
  }, 30_000);

  it("an unknown command, a missing flag and an unknown flag each print one line and a hint, not the usage", async () => {
    const cases: [string[], string][] = [
      [["frobnicate", "--db", db], "pitwall: unknown command frobnicate"],
      [["tenant-create", "--db", db, "--name", "Acme"], "pitwall: --slug is required"],
      [["key-list", "--colour", "red"], "pitwall: Unknown option '--colour'"],
    ];
    for (const [args, first] of cases) {
      const r = await cli(...args);
      expect(r.code, args.join(" ")).toBe(2);
      const lines = r.stderr.trim().split("\n");
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toContain(first);
      expect(lines[0]).toMatch(/\(npm run pitwall -- --help for usage\)$/);
      expect(r.stderr).not.toContain("Usage:");
    }
  }, 60_000);
});
