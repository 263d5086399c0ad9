/** Shared bench helpers: start Pitwall on Node + libSQL or on workerd + local D1, with a tenant and a key. */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getPlatformProxy } from "wrangler";
import { createStore, type Store } from "../src/store";
import { openD1 } from "../src/store/d1";
import { migrateLibsql, openLibsql } from "../src/store/libsql";

export interface Target {
  runtime: "node" | "workers";
  url: string;
  key: string;
  tenantId: string;
  store: Store;
  stop(): Promise<void>;
}

async function tenantWithKey(store: Store) {
  const t = await store.tenants.create(
    { slug: `bench-${Date.now()}`, name: "Bench Motors", makes: ["NISSAN", "INFINITI"] },
    Date.now(),
  );
  const scope = { tenantId: t.id };
  await store.dealers.create(
    scope,
    {
      code: "B1",
      name: "Bench Nissan",
      timeZone: "America/Chicago",
      city: null,
      country: "US",
      latitude: null,
      longitude: null,
      groupId: null,
    },
    Date.now(),
  );
  const k = await store.keys.create(scope, { kind: "server", name: "bench", scopes: ["admin"] }, Date.now());
  return { tenantId: t.id, key: k.key };
}

/** Node + libSQL file: the server runs in its own process (as in production), the load generator in this one. */
export async function startNodeTarget(port = 8798): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), "pitwall-bench-"));
  const url = `file:${join(dir, "bench.db")}`;
  const db = await openLibsql(url);
  await migrateLibsql(db);
  const store = createStore(db);
  const { tenantId, key } = await tenantWithKey(store);
  const prof = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...prof, "--import", "tsx", "src/node.ts"], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      PORT: String(port),
      RATE_LIMIT_PER_MINUTE: "1000000",
      ACCESS_LOG: "off",
      LIBSQL_WRITER_THREAD: process.env.LIBSQL_WRITER_THREAD ?? "on",
    },
    stdio: "inherit",
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForHealth(base);
  return {
    runtime: "node",
    url: base,
    key,
    tenantId,
    store,
    async stop() {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
      db.close();
    },
  };
}

async function waitForHealth(base: string) {
  for (let i = 0; i < 240; i++) {
    if (
      await fetch(base + "/health").then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${base} did not become healthy`);
}

/** workerd + local D1 through `wrangler dev`, persisted to a fresh folder. */
export async function startWorkersTarget(port = 8799): Promise<Target> {
  const persist = mkdtempSync(join(tmpdir(), "pitwall-bench-d1-"));
  const env = { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" };
  execFileSync("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", persist], {
    env,
    stdio: "ignore",
  });
  const proxy = await getPlatformProxy<Env>({ persist: { path: join(persist, "v3") } });
  const store = createStore(openD1(proxy.env.DB));
  const { tenantId, key } = await tenantWithKey(store);
  const child: ChildProcess = spawn(
    "npx",
    [
      "wrangler",
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--persist-to",
      persist,
      "--var",
      "RATE_LIMIT_PER_MINUTE:1000000",
      "--log-level",
      "error",
    ],
    { env, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url);
  return {
    runtime: "workers",
    url,
    key,
    tenantId,
    store,
    async stop() {
      process.kill(-child.pid!, "SIGTERM"); // wrangler dev and its workerd children
      await proxy.dispose();
    },
  };
}

/** Percentile of a sorted array. */
export function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}
