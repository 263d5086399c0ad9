import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NodeConfigSchema, parseConfig } from "../../src/config";
import { startNode, type NodeServer, type StartOptions } from "../../src/node";
import { migrateLibsql, openLibsql } from "../../src/store/libsql";
import { Faults, faultyLibsql } from "../shared/faults";
import type { Harness } from "../shared/harness";

/**
 * A real Node server on an ephemeral port over a fresh libSQL file with the migrations applied. Its store goes
 * through `faults` (no latency, no failures until a test sets a plan).
 */
export async function startNodeHarness(
  env: Record<string, string> = {},
  options: StartOptions = {},
): Promise<Harness & { server: NodeServer; dir: string; file: string; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "pitwall-test-"));
  const file = join(dir, "test.db");
  const config = parseConfig(NodeConfigSchema, {
    DATABASE_URL: `file:${file}`,
    PORT: "0",
    RATE_LIMIT_PER_MINUTE: "1000000",
    // Quiet unless a test asks for the access log (ACCESS_LOG: "on", with options.accessLog to collect it).
    ACCESS_LOG: "off",
    // The webhook suites deliver to a receiver on loopback (tests/node/webhooks-private.test.ts covers `deny`).
    WEBHOOK_PRIVATE_TARGETS: "allow",
    ...env,
  });
  const faults = new Faults();
  const database = await openLibsql(config.DATABASE_URL, undefined, { wrap: (c) => faultyLibsql(c, faults) });
  await migrateLibsql(database);
  const server = await startNode(config, database, options);
  return {
    runtime: "node",
    origin: server.url,
    server,
    dir,
    file,
    faults,
    store: server.deps.store,
    fetch: (path, init) => fetch(server.url + path, init),
    settle: async () => {
      await server.deps.decisionLog.flush?.();
    },
    vins: server.deps.vins,
    setDemo(demo) {
      if (demo) server.deps.demo = demo;
      else delete server.deps.demo;
    },
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
