import type { AppConfig } from "./config";
import type { Deps } from "./http/context";
import { OriginCache } from "./http/edge";
import { KeyCache } from "./http/key-cache";
import { RateLimiter, type RateLimit } from "./http/rate-limit";
import type { VinDecoder } from "./domain/vehicle/decode";
import { DecisionLogWriter } from "./services/decision-log";
import { DecisionCaches } from "./services/decisions";
import { VinService } from "./services/vins";
import { SlotCache } from "./services/slot-cache";
import type { Database } from "./store/db";
import { createStore } from "./store";

/** The production dependencies of either runtime; tests override single fields. */
export function buildDeps(
  runtime: Deps["runtime"],
  database: Database,
  config: AppConfig,
  defer: Deps["defer"],
  vinDecoder: VinDecoder | null,
  /** A limit shared across isolates (the Workers Rate Limiting binding); absent: per process/isolate. */
  rateLimiter?: RateLimit,
): Deps {
  const store = createStore(database);
  const now = () => Date.now();
  return {
    runtime,
    store,
    vins: new VinService(store.customers, vinDecoder, now),
    config,
    now,
    random: Math.random,
    decisionCaches: new DecisionCaches(),
    // Workers may not settle one request's promises from another's I/O, so each request writes its own log there.
    decisionLog: runtime === "node" ? new DecisionLogWriter(store) : new DecisionLogWriter(store, 1, 0),
    keyCache: new KeyCache(config.KEY_CACHE_TTL_SECONDS * 1000),
    rateLimiter: rateLimiter ?? new RateLimiter(config.RATE_LIMIT_PER_MINUTE),
    originCache: new OriginCache(),
    // issue 10: replaced by the runtime (Node's worker loop, the Workers Queue); a no-op where neither runs
    outbox: { poke: async () => {} },
    slotCache: new SlotCache(),
    defer,
    ...(config.DEMO_KEYS ? { demo: config.DEMO_KEYS } : {}),
  };
}
