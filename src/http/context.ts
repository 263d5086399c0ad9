import type { Context } from "hono";
import type { AppConfig } from "../config";
import type { DemoConfig } from "../embed/demo-config";
import type { KeyKind } from "../domain/keys";
import type { DecisionSink } from "../services/decision-log";
import type { DecisionCaches } from "../services/decisions";
import type { OutboxNotifier } from "../services/outbox";
import type { SlotCache } from "../services/slot-cache";
import type { VinService } from "../services/vins";
import type { Store } from "../store";
import type { AccessLogLine } from "./access-log";
import type { OriginCache } from "./edge";
import type { KeyCache } from "./key-cache";
import type { RateLimit } from "./rate-limit";

/** Everything a handler may reach; built once per isolate/process, replaced in tests. */
export interface Deps {
  runtime: "workers" | "node";
  store: Store;
  config: AppConfig;
  /** Epoch milliseconds. */
  now: () => number;
  /** Uniform [0, 1). */
  random: () => number;
  keyCache: KeyCache;
  /** Catalogue, learner statistics and dealers, cached per isolate. */
  decisionCaches: DecisionCaches;
  /** Where decision logs go after responses (a write-behind on Node, one request's own batch on Workers). */
  decisionLog: DecisionSink;
  /** VIN validation and cached decoding (the decoder itself is runtime-specific). */
  vins: VinService;
  /** Per-key request limit: the Workers Rate Limiting binding when bound, else in memory. */
  rateLimiter: RateLimit;
  /** Origins some active publishable key allows, cached per isolate for CORS preflights. */
  originCache: OriginCache;
  /** Runs work after the response on runtimes without an ExecutionContext (Node). */
  defer: (work: Promise<unknown>) => void;
  /** Receives one access-log line per request (Node; Workers have their own request logs). */
  accessLog?: (line: AccessLogLine) => void;
  /** Demo mode (local only): the demo keys the /demo pages hand out; absent, /demo answers 404 (src/embed/demo.ts). */
  demo?: DemoConfig;
  /** issue 10: wakes the webhook dispatcher after a change wrote outbox messages (Node loop; Workers Queue). */
  outbox: OutboxNotifier;
  /** issue 10: open service slots per tenant, cached per isolate for decisions. */
  slotCache: SlotCache;
  /** Serves a file of swagger-ui-dist for /docs (Node; on Workers they are static assets). */
  swaggerUiFile?: (file: string, request: Request) => Response | null | Promise<Response>;
}

/** The authenticated caller. */
export interface Principal {
  keyId: string;
  tenantId: string;
  kind: KeyKind;
  scopes: Set<string>;
  dealerId: string | null;
  vin: string | null;
  origin: string | null;
}

export type AppEnv = {
  Variables: { deps: Deps; principal: Principal; requestId: string; startedAt: number };
};
export type AppContext = Context<AppEnv>;

/** issue 10: wakes the webhook dispatcher (after the response) when a change wrote outbox messages. */
export function pokeOutbox(c: AppContext, messages = 1): void {
  if (messages > 0) defer(c, c.var.deps.outbox.poke(c.var.principal?.tenantId ?? ""));
}

/** issue 10: the origin of links a person clicks (booking, unsubscribe): PUBLIC_BASE_URL, else the request's. */
export function publicBase(c: AppContext): string {
  return c.var.deps.config.PUBLIC_BASE_URL ?? new URL(c.req.url).origin;
}

/** Defers work past the response: waitUntil on Workers, the process's deferral on Node. */
export function defer(c: AppContext, work: Promise<unknown>): void {
  if (c.var.deps.runtime === "node") c.var.deps.defer(work);
  else c.executionCtx.waitUntil(work);
}
