/**
 * Node entry: the app over libSQL (`file:` by default, `libsql://` + token for Turso), served by
 * @hono/node-server. Work deferred past the response is awaited on shutdown.
 */
import { serve, type ServerType } from "@hono/node-server";
import { createApp } from "./app";
import { NodeConfigSchema, parseConfig, type NodeConfig } from "./config";
import { buildDeps } from "./deps";
import { createNodeVinDecoder } from "./store/vpic/node";
import type { Deps } from "./http/context";
import { openLibsql, type LibsqlDatabase } from "./store/libsql";
import { sweepRetention } from "./services/retention";

/** How often the retention job runs on Node (the Worker's Cron Trigger is hourly too, wrangler.toml). */
const RETENTION_EVERY_MS = 3_600_000;

/** Tracks deferred work (the Node counterpart of waitUntil) so shutdown can drain it. */
export function createDeferrer() {
  const pending = new Set<Promise<unknown>>();
  const defer: Deps["defer"] = (work) => {
    const p = work
      .catch((e) => console.error(JSON.stringify({ level: "error", msg: "deferred work failed", error: String(e) })))
      .finally(() => pending.delete(p));
    pending.add(p);
  };
  return { defer, drain: () => Promise.all([...pending]) };
}

export interface NodeServer {
  url: string;
  server: ServerType;
  database: LibsqlDatabase;
  deps: Deps;
  close(): Promise<void>;
}

/** Opens the database and serves the app; the caller decides about migrations and seeding. */
export async function startNode(config: NodeConfig, database?: LibsqlDatabase): Promise<NodeServer> {
  const db = database ?? (await openLibsql(config.DATABASE_URL, config.DATABASE_AUTH_TOKEN));
  const deferrer = createDeferrer();
  const deps = buildDeps("node", db, config, deferrer.defer, createNodeVinDecoder());
  const app = createApp(deps);
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, () => resolve(s));
  });
  // Retention: hourly, first a minute after start; never keeps the process alive.
  const retention = () =>
    void sweepRetention(deps.store, deps.now())
      .then((n) => console.log(JSON.stringify({ level: "info", msg: "retention", ...n })))
      .catch((e) => console.error(JSON.stringify({ level: "error", msg: "retention failed", error: String(e) })));
  const first = setTimeout(retention, 60_000);
  const every = setInterval(retention, RETENTION_EVERY_MS);
  first.unref();
  every.unref();
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  return {
    url: `http://${config.HOST}:${port}`,
    server,
    database: db,
    deps,
    async close() {
      clearTimeout(first);
      clearInterval(every);
      await new Promise<void>((r) => server.close(() => r()));
      await deferrer.drain();
      await deps.decisionLog.flush?.();
      db.close();
    },
  };
}

/** Reads and validates the environment, or exits with the reason. */
export function nodeConfigFromEnv(): NodeConfig {
  try {
    return parseConfig(NodeConfigSchema, process.env);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(78); // EX_CONFIG
  }
}

/** Stops on SIGINT/SIGTERM after draining deferred work. */
export function closeOnSignal(s: NodeServer): void {
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => void s.close().then(() => process.exit(0)));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const s = await startNode(nodeConfigFromEnv());
  closeOnSignal(s);
  console.log(`Pitwall (Node + libSQL) listening on ${s.url}`);
}
