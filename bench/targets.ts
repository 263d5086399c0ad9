/**
 * The bench's servers, each in its own process (the load generator is another): Pitwall on Node + libSQL,
 * Pitwall on workerd + D1 through Miniflare (the built Worker bundle, no `wrangler dev` proxy), and the two
 * independent floors (bench/floor/). Databases are filled before the server starts (bench/populate.ts).
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";

export const ROOT = resolve(import.meta.dirname, "..");

export interface Server {
  url: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

export async function waitForHealth(base: string, tries = 240): Promise<void> {
  for (let i = 0; i < tries; i++) {
    const ok = await fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${base} did not become healthy`);
}

function child(args: string[], env: Record<string, string>, port: number): Promise<Server> & { proc: ChildProcess } {
  const proc = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  const p = waitForHealth(url).then(() => ({
    url,
    pid: proc.pid,
    async stop() {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGTERM");
      await exited;
    },
  }));
  return Object.assign(p, { proc });
}

/** Pitwall's Node server (src/node.ts) on a filled libSQL file. `cpuProf`: a folder for `--cpu-prof`. */
export function startPitwallNode(dbFile: string, port: number, cpuProf?: string): Promise<Server> {
  const prof = cpuProf ? ["--cpu-prof", `--cpu-prof-dir=${cpuProf}`] : [];
  return child(
    [...prof, "--import", "tsx", "src/node.ts"],
    {
      DATABASE_URL: `file:${dbFile}`,
      RATE_LIMIT_PER_MINUTE: "1000000",
      ACCESS_LOG: "off",
    },
    port,
  );
}

/** The independent floor on Node (bench/floor/node.ts). */
export function startFloorNode(dbFile: string, port: number): Promise<Server> {
  return child(["--import", "tsx", "bench/floor/node.ts"], { FLOOR_DB: dbFile }, port);
}

/** The Worker bundle as `wrangler deploy` would upload it (minified, with its nodejs_compat imports). */
export function buildWorker(outdir: string): string {
  execFileSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", outdir], {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    stdio: "ignore",
  });
  return join(outdir, "worker.js");
}

/** The SQL of migrations/ in order, one statement per entry (drizzle-kit's breakpoints). */
export function migrationStatements(): string[] {
  const dir = join(ROOT, "migrations");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .flatMap((f) => readFileSync(join(dir, f), "utf8").split("--> statement-breakpoint"))
    .map((s) => s.trim())
    .filter(Boolean);
}

export interface MiniflareServer extends Server {
  mf: Miniflare;
  db(): Promise<D1Database>;
}

/**
 * A Worker on workerd through Miniflare, its D1 persisted in `persist` (so a filled database can be reused).
 * Miniflare runs workerd as a child process; the load generator talks to it directly.
 */
export async function startMiniflare(opts: {
  script: string;
  persist: string;
  port: number;
  vars?: Record<string, string>;
  d1?: string[];
  queues?: {
    producers: Record<string, string>;
    consumers: Record<string, { maxBatchSize?: number; maxBatchTimeout?: number }>;
  };
}): Promise<MiniflareServer> {
  const toml = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
  const vars = Object.fromEntries(
    [...toml.slice(toml.indexOf("[vars]")).matchAll(/^(\w+) = "([^"]*)"$/gm)].map((m) => [m[1]!, m[2]!]),
  );
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: opts.port,
      resourcePersistencePath: opts.persist,
      workers: [
        {
          modules: true,
          scriptPath: opts.script,
          modulesRoot: dirname(opts.script),
          compatibilityDate: /compatibility_date = "([^"]+)"/.exec(toml)![1]!,
          compatibilityFlags: ["nodejs_compat"],
          d1Databases: opts.d1 ?? ["DB"],
          bindings: { ...vars, ...opts.vars },
          ...(opts.queues ? { queueProducers: opts.queues.producers, queueConsumers: opts.queues.consumers } : {}),
        },
      ],
    }),
  );
  const url = (await mf.ready).origin;
  return {
    url,
    mf,
    pid: undefined,
    db: () => mf.getD1Database("DB") as unknown as Promise<D1Database>,
    async stop() {
      await mf.dispose();
    },
  };
}
