import { env, SELF } from "cloudflare:test";
import { createStore } from "../../src/store";
import { openD1 } from "../../src/store/d1";
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
