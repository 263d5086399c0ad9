import type { AppConfig } from "./config";
import type { Deps } from "./http/context";
import { KeyCache } from "./http/key-cache";
import { RateLimiter } from "./http/rate-limit";
import type { Database } from "./store/db";
import { createStore } from "./store";

/** The production dependencies of either runtime; tests override single fields. */
export function buildDeps(runtime: Deps["runtime"], database: Database, config: AppConfig, defer: Deps["defer"]): Deps {
  return {
    runtime,
    store: createStore(database),
    config,
    now: () => Date.now(),
    random: Math.random,
    keyCache: new KeyCache(config.KEY_CACHE_TTL_SECONDS * 1000),
    rateLimiter: new RateLimiter(config.RATE_LIMIT_PER_MINUTE),
    defer,
  };
}
