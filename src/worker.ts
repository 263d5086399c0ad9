/**
 * Workers entry (wrangler.toml `main`): the app over D1 (one binding per shard), built once per isolate; retention,
 * service reminders and webhook wake-ups on Cron Triggers; decision logs and webhook deliveries through Queues.
 */
import { createApp, type App } from "./app";
import { type AppConfig, ConfigError, ConfigSchema, parseConfig } from "./config";
import { buildDeps } from "./deps";
import type { Deps } from "./http/context";
import { createD1VinDecoder } from "./store/vpic/d1";
import { PROBLEM_BASE, problemTypes } from "./http/problems";
import { sweepRetention } from "./services/retention";
import { openD1 } from "./store/d1";
import { BindingRateLimiter } from "./http/rate-limit";
import { API_CSP } from "./http/edge";
import { warmUp } from "./warm-up";
import { DecisionLogWriter } from "./services/decision-log";
import {
  consumeDecisionLogs,
  DECISION_LOG_QUEUE_NAME,
  type LogBatch,
  type LogQueue,
  QueueDecisionSink,
} from "./services/decision-queue";
import { createStore } from "./store";
import { consumeWake, type OutboxWake } from "./services/outbox";
import { OUTBOX_CRON, runRemindersForAll } from "./services/jobs";

/** A webhook wake-up names its tenant and the shard (D1 binding) that holds it. */
type ShardWake = OutboxWake & { db?: string };
const WEBHOOKS_QUEUE_NAME = "pitwall-webhooks";

function misconfigured(message: string): Response {
  const p = problemTypes["service-misconfigured"];
  return new Response(
    JSON.stringify({ type: PROBLEM_BASE + "service-misconfigured", title: p.title, status: p.status, detail: message }),
    {
      status: p.status,
      headers: {
        "content-type": "application/problem+json",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Content-Security-Policy": API_CSP,
        "Cache-Control": "no-store",
      },
    },
  );
}

/** Dependencies per D1 binding (a shard), built on first use in this isolate (again if the binding changed). */
const built = new Map<string, { db: D1Database; queue: unknown; deps: Deps }>();
const configs = new WeakMap<object, AppConfig>();

/** The shard's binding name for a request's host (config D1_SHARDS; `DB` when not listed). */
function shardOf(config: AppConfig, url: string): string {
  return config.D1_SHARDS[new URL(url).hostname] ?? "DB";
}

/** The dependencies of one shard (D1 binding `name`) of `env`; throws ConfigError when misconfigured. */
function depsOf(env: Env, name: string): Deps {
  let config = configs.get(env);
  if (!config) configs.set(env, (config = parseConfig(ConfigSchema, env as unknown as Record<string, unknown>)));
  const db = (env as unknown as Record<string, D1Database | undefined>)[name];
  const queue = (env as unknown as { DECISION_LOG_QUEUE?: LogQueue }).DECISION_LOG_QUEUE;
  const hit = built.get(name);
  if (hit && hit.db === db && hit.queue === queue) return hit.deps;
  if (!db) throw new ConfigError(`Invalid configuration:\n  ${name}: the D1 binding is missing (see wrangler.toml)`);
  const deps = buildDeps(
    "workers",
    openD1(db),
    config,
    (work) => void work.catch((e) => console.error(String(e))),
    env.VPIC ? createD1VinDecoder(env.VPIC) : null,
    env.RATE_LIMITER ? new BindingRateLimiter(env.RATE_LIMITER, 60) : undefined,
  ); // handlers defer through executionCtx.waitUntil
  // Past one database: decision logs go to a Queue whose consumer writes them in batches (decision-queue.ts).
  if (queue) deps.decisionLog = new QueueDecisionSink(queue, deps.decisionLog, name);
  // issue 10: a change that wrote outbox messages sends its tenant's id (and shard) to the Queue; the consumer delivers.
  const webhooks = env.WEBHOOKS;
  if (webhooks)
    deps.outbox = {
      poke: async (tenantId) => {
        await webhooks.send({ tenantId, db: name } satisfies ShardWake);
      },
    };
  // Deployed and under wrangler dev, /docs/swagger-ui/* never reaches the Worker (static assets are served
  // first); where no asset layer runs in front (the vitest integration) the app asks the binding.
  const assets = env.ASSETS;
  if (assets) deps.swaggerUiFile = (_file, request) => assets.fetch(request);
  built.set(name, { db, queue, deps });
  return deps;
}

/** The dependencies for a request: its host's shard. */
function depsFor(env: Env, url: string): Deps {
  depsOf(env, "DB"); // validates the configuration first
  return depsOf(env, shardOf(configs.get(env)!, url));
}

// Global scope (isolate start-up, not a request's CPU budget — issue 11): the app with its routes and schemas is
// built here, and the engine's code is compiled by a warm-up; the first request only adds its env's bindings.
const app: App = createApp((c) => depsFor(c.env as Env, c.req.url));
warmUp();

/**
 * Queue consumers by queue name: the `queue` handler dispatches each batch to the consumer of its queue. Not
 * exported: workerd refuses to start a main module with a named export that is not a handler.
 */
const QUEUE_CONSUMERS: Record<string, (batch: MessageBatch, env: Env) => Promise<void>> = {
  [DECISION_LOG_QUEUE_NAME]: async (batch, env) => {
    const writers = new Map<string, DecisionLogWriter | null>();
    const writerFor = (db: string) => {
      if (!writers.has(db)) {
        const binding = (env as unknown as Record<string, D1Database | undefined>)[db];
        writers.set(db, binding ? new DecisionLogWriter(createStore(openD1(binding)), 1, 0) : null);
      }
      return writers.get(db)!;
    };
    await consumeDecisionLogs(batch as unknown as LogBatch, writerFor);
  },
  /**
   * issue 10: each message names a tenant (and its shard) whose due webhook deliveries are sent now; when retries
   * remain (back-off), a delayed message wakes it again for the earliest. A store failure retries the message.
   */
  [WEBHOOKS_QUEUE_NAME]: async (batch, env) => {
    for (const msg of (batch as MessageBatch<ShardWake>).messages) {
      try {
        const deps = depsOf(env, msg.body.db ?? "DB");
        const { nextInSeconds } = await consumeWake(deps.store, deps.config, deps.now, deps.random, msg.body);
        if (nextInSeconds !== null && env.WEBHOOKS)
          await env.WEBHOOKS.send(msg.body, { delaySeconds: Math.max(1, nextInSeconds) });
        msg.ack();
      } catch (e) {
        console.error(JSON.stringify({ level: "warn", msg: "outbox: consumer failed", error: String(e) }));
        msg.retry({ delaySeconds: 5 });
      }
    }
  },
};

export default {
  async fetch(request, env, ctx): Promise<Response> {
    try {
      depsFor(env, request.url);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      console.error(e.message);
      return misconfigured(e.message.replace(/\n\s*/g, " "));
    }
    return app.fetch(request, env, ctx);
  },

  /**
   * The Cron Triggers (wrangler.toml `[triggers]`), on every shard (D1_SHARDS): hourly, expired decisions, outcomes
   * and Idempotency-Key records, and the day's service reminders (idempotent per day); every 10 minutes, a wake-up
   * for tenants with deliveries due (a safety net: a change and each retry send their own Queue message).
   */
  async scheduled(controller, env, ctx): Promise<void> {
    depsOf(env, "DB");
    for (const name of new Set(["DB", ...Object.values(configs.get(env)!.D1_SHARDS)])) {
      const deps = depsOf(env, name);
      if (controller.cron === OUTBOX_CRON) {
        ctx.waitUntil(
          deps.store.outbox
            .dueTenants(controller.scheduledTime)
            .then((due) => Promise.all(due.map((d) => deps.outbox.poke(d.tenantId)))),
        );
        continue;
      }
      ctx.waitUntil(
        sweepRetention(deps.store, controller.scheduledTime).then((n) =>
          console.log(JSON.stringify({ level: "info", msg: "retention", cron: controller.cron, db: name, ...n })),
        ),
      );
      const logs: Promise<unknown>[] = [];
      ctx.waitUntil(
        runRemindersForAll(deps, deps.config.PUBLIC_BASE_URL ?? "http://127.0.0.1:8787", (w) => void logs.push(w))
          .then(async (n) => {
            await Promise.allSettled(logs);
            console.log(
              JSON.stringify({ level: "info", msg: "service reminders", cron: controller.cron, db: name, ...n }),
            );
          })
          .catch((e) => console.error(JSON.stringify({ level: "error", msg: "reminders failed", error: String(e) }))),
      );
    }
  },

  /** Queue batches, each to the consumer of its queue (QUEUE_CONSUMERS). */
  async queue(batch, env, _ctx): Promise<void> {
    const consume = QUEUE_CONSUMERS[batch.queue];
    if (!consume) {
      console.error(JSON.stringify({ level: "error", msg: "no consumer for this queue", queue: batch.queue }));
      batch.retryAll({ delaySeconds: 60 });
      return;
    }
    await consume(batch, env);
  },
} satisfies ExportedHandler<Env>;
