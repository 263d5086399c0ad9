import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NodeConfigSchema, parseConfig } from "../../src/config";
import { startNode, type NodeServer, type StartOptions } from "../../src/node";
import { migrateLibsql, openLibsql } from "../../src/store/libsql";
import type { Harness } from "../shared/harness";

/** A real Node server on an ephemeral port over a fresh libSQL file with the migrations applied. */
export async function startNodeHarness(
  env: Record<string, string> = {},
  options: StartOptions = {},
): Promise<Harness & { server: NodeServer; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "pitwall-test-"));
  const config = parseConfig(NodeConfigSchema, {
    DATABASE_URL: `file:${join(dir, "test.db")}`,
    PORT: "0",
    RATE_LIMIT_PER_MINUTE: "1000000",
    // Quiet unless a test asks for the access log (ACCESS_LOG: "on", with options.accessLog to collect it).
    ACCESS_LOG: "off",
    ...env,
  });
  const database = await openLibsql(config.DATABASE_URL);
  await migrateLibsql(database);
  const server = await startNode(config, database, options);
  return {
    runtime: "node",
    origin: server.url,
    server,
    store: server.deps.store,
    fetch: (path, init) => fetch(server.url + path, init),
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
