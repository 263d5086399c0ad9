/**
 * Node entry: the app over libSQL (`file:` by default, `libsql://` + token for Turso), served by
 * @hono/node-server. Work deferred past the response is awaited on shutdown.
 */
import { serve, type ServerType } from "@hono/node-server";
import { lookup } from "node:dns/promises";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createApp } from "./app";
import { isPrivateHost } from "./domain/channels/webhooks";
import { NodeConfigSchema, parseConfig, type NodeConfig } from "./config";
import { buildDeps } from "./deps";
import { createNodeVinDecoder } from "./store/vpic/node";
import type { AccessLogLine } from "./http/access-log";
import type { Deps } from "./http/context";
import { SWAGGER_UI_FILES, swaggerUiContentType } from "./http/docs";
import { openLibsql, type LibsqlDatabase } from "./store/libsql";
import { sweepRetention } from "./services/retention";
import { OutboxWorker, PrivateTargetError } from "./services/outbox";
import { runRemindersForAll } from "./services/jobs";

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
  /** The port actually served (PORT=0 picks a free one). */
  port: number;
  server: ServerType;
  database: LibsqlDatabase;
  deps: Deps;
  close(): Promise<void>;
}

/** The files of swagger-ui-dist that /docs needs, read from the installed package once, on first use. */
export function swaggerUiFromPackage(): (file: string) => Response | null {
  const dir = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
  const cache = new Map<string, Uint8Array>();
  return (file) => {
    if (!(SWAGGER_UI_FILES as readonly string[]).includes(file)) return null;
    let bytes = cache.get(file);
    if (!bytes) cache.set(file, (bytes = readFileSync(join(dir, file))));
    return new Response(bytes, {
      headers: { "content-type": swaggerUiContentType(file), "cache-control": "public, max-age=3600" },
    });
  };
}

/** A listen failure the person starting the server can act on, in one line (no stack trace). */
export class ListenError extends Error {}

function listenError(e: NodeJS.ErrnoException, config: NodeConfig): Error {
  if (e.code === "EADDRINUSE")
    return new ListenError(`port ${config.PORT} is in use; set PORT=... (e.g. PORT=${config.PORT + 1} npm start)`);
  if (e.code === "EACCES")
    return new ListenError(`port ${config.PORT} needs privileges on this machine; set PORT=... above 1023`);
  if (e.code === "EADDRNOTAVAIL") return new ListenError(`HOST=${config.HOST} is not an address of this machine`);
  return e;
}

export interface StartOptions {
  /** Where access-log lines go when ACCESS_LOG=on (default: JSON lines on stdout). */
  accessLog?: (line: AccessLogLine) => void;
}

/** Opens the database and serves the app; the caller decides about migrations and seeding. */
export async function startNode(
  config: NodeConfig,
  database?: LibsqlDatabase,
  options: StartOptions = {},
): Promise<NodeServer> {
  const db =
    database ??
    (await openLibsql(config.DATABASE_URL, config.DATABASE_AUTH_TOKEN, {
      writerThread: config.LIBSQL_WRITER_THREAD === "on",
    }));
  const deferrer = createDeferrer();
  const deps: Deps = {
    ...buildDeps("node", db, config, deferrer.defer, createNodeVinDecoder()),
    swaggerUiFile: swaggerUiFromPackage(),
    ...(config.ACCESS_LOG === "on"
      ? { accessLog: options.accessLog ?? ((line) => process.stdout.write(`${JSON.stringify(line)}\n`)) }
      : {}),
  };
  // issue 10: webhook deliveries leave from the outbox table through a loop in this process.
  const outbox = new OutboxWorker(
    deps.store,
    config,
    config.OUTBOX_POLL_MS,
    deps.now,
    deps.random,
    guardedWebhookFetch(config),
  );
  deps.outbox = outbox;
  outbox.start();
  const app = createApp(deps);
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, () => {
      s.off("error", onError);
      resolve(s);
    });
    const onError = (e: NodeJS.ErrnoException) => {
      if (!database) db.close();
      reject(listenError(e, config));
    };
    s.once("error", onError);
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
  // issue 10: service-reminder emails, hourly (idempotent per day), as the Cron Trigger does on Workers.
  const reminders = setInterval(
    () =>
      void runRemindersForAll(deps, config.PUBLIC_BASE_URL ?? `http://${config.HOST}:${config.PORT}`)
        .then((n) => console.log(JSON.stringify({ level: "info", msg: "service reminders", ...n })))
        .catch((e) => console.error(JSON.stringify({ level: "error", msg: "reminders failed", error: String(e) }))),
    RETENTION_EVERY_MS,
  );
  reminders.unref();
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  return {
    url: `http://${config.HOST}:${port}`,
    port,
    server,
    database: db,
    deps,
    async close() {
      clearTimeout(first);
      clearInterval(every);
      clearInterval(reminders);
      await outbox.stop();
      await new Promise<void>((r) => server.close(() => r()));
      await deferrer.drain();
      await deps.decisionLog.flush?.();
      db.close();
      await db.closed(); // the writer thread has ended: process.exit may follow
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

/** Starts, or exits with the one line that says why not (code 1; 78 for bad configuration). */
export async function startOrExit(config: NodeConfig, database?: LibsqlDatabase): Promise<NodeServer> {
  try {
    return await startNode(config, database);
  } catch (e) {
    if (!(e instanceof ListenError)) throw e;
    console.error(`pitwall: ${e.message}`);
    process.exit(1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const s = await startOrExit(nodeConfigFromEnv());
  closeOnSignal(s);
  console.log(`Pitwall (Node + libSQL) listening on ${s.url} — Ctrl+C to stop`);
}

/**
 * Node: a webhook's host name is resolved before each delivery, and a name that resolves to this machine or a private
 * network is refused (SSRF through DNS; literals are refused when the webhook is created and again in deliverOne).
 * Workers need no such check: a Worker's fetch cannot reach private networks.
 */
export function guardedWebhookFetch(config: Pick<NodeConfig, "WEBHOOK_PRIVATE_TARGETS">): typeof fetch {
  if (config.WEBHOOK_PRIVATE_TARGETS === "allow") return fetch;
  const guarded = async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const addresses = await lookup(url.hostname.replace(/^\[|\]$/g, ""), { all: true }).catch(() => []);
    if (addresses.some((a) => isPrivateHost(a.address))) throw new PrivateTargetError(url.origin);
    return fetch(input, init);
  };
  return guarded as typeof fetch;
}
