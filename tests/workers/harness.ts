import { createExecutionContext, env, SELF, waitOnExecutionContext } from "cloudflare:test";
import { createApp } from "../../src/app";
import { ConfigSchema, parseConfig } from "../../src/config";
import { buildDeps } from "../../src/deps";
import { createStore } from "../../src/store";
import { openD1 } from "../../src/store/d1";
import { createD1VinDecoder } from "../../src/store/vpic/d1";
import { Faults, faultyD1 } from "../shared/faults";
import type { Harness } from "../shared/harness";

/** Requests go through the Worker entry (wrangler.toml main) in workerd; fixtures go straight to its D1. */
export function workersHarness(): Harness {
  return {
    runtime: "workers",
    origin: "http://pitwall.test",
    store: createStore(openD1(env.DB)),
    fetch: (path, init) => SELF.fetch(new Request("http://pitwall.test" + path, init)),
  };
}

/**
 * The app inside workerd over the real D1 binding and the VPIC decoder, built here so a test may reach its
 * dependencies (demo mode on and off, the VIN service), one execution context per request as in production.
 */
export function appWorkersHarness(): Harness {
  const config = parseConfig(ConfigSchema, env as unknown as Record<string, unknown>);
  const deps = buildDeps(
    "workers",
    openD1(env.DB),
    config,
    (w) => void w.catch(() => {}),
    createD1VinDecoder(env.VPIC),
  );
  const app = createApp(deps);
  return {
    runtime: "workers",
    origin: "http://pitwall.test",
    store: deps.store,
    vins: deps.vins,
    async fetch(path, init) {
      const ctx = createExecutionContext();
      const res = await app.fetch(new Request("http://pitwall.test" + path, init), env, ctx);
      await waitOnExecutionContext(ctx);
      return res;
    },
    setDemo(demo) {
      if (demo) deps.demo = demo;
      else delete deps.demo;
    },
  };
}

/**
 * The app inside workerd over the real D1 binding wrapped in `faults` (latency, failures), one execution
 * context per request so that waitUntil work runs as it does in production; `settle` waits for all of it.
 */
export function faultyWorkersHarness(
  vars: Record<string, string> = {},
  opts: { decodeVins?: boolean } = {},
): Harness & { faults: Faults } {
  const faults = new Faults();
  const config = parseConfig(ConfigSchema, { ...(env as unknown as Record<string, unknown>), ...vars });
  const deps = buildDeps(
    "workers",
    openD1(faultyD1(env.DB, faults)),
    config,
    (w) => void w.catch(() => {}),
    // VIN decoding against the VPIC subset (vpic-setup.ts) when a suite needs makes and powertrains (issue 10)
    opts.decodeVins ? createD1VinDecoder(env.VPIC) : null,
  );
  const app = createApp(deps);
  const pending = new Set<Promise<void>>();
  return {
    runtime: "workers",
    origin: "http://pitwall.test",
    faults,
    store: deps.store,
    async fetch(path, init) {
      const ctx = createExecutionContext();
      const res = await app.fetch(new Request("http://pitwall.test" + path, init), env, ctx);
      const p = waitOnExecutionContext(ctx);
      pending.add(p);
      void p.finally(() => pending.delete(p));
      return res;
    },
    async settle() {
      while (pending.size) await Promise.all([...pending]);
    },
  };
}
