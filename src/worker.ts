/** Workers entry (wrangler.toml `main`): the app over D1, built once per isolate; retention on a Cron Trigger. */
import { createApp, type App } from "./app";
import { ConfigError, ConfigSchema, parseConfig } from "./config";
import { buildDeps } from "./deps";
import type { Deps } from "./http/context";
import { createD1VinDecoder } from "./store/vpic/d1";
import { PROBLEM_BASE, problemTypes } from "./http/problems";
import { sweepRetention } from "./services/retention";
import { openD1 } from "./store/d1";
import { BindingRateLimiter } from "./http/rate-limit";
import { API_CSP } from "./http/edge";
import { consumeWake, type OutboxWake } from "./services/outbox";
import { OUTBOX_CRON, runRemindersForAll } from "./services/jobs";

let built: { db: D1Database; app: App; deps: Deps } | undefined;

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

/** The isolate's app and dependencies for `env` (built on first use, or when the binding changed). */
function build(env: Env): NonNullable<typeof built> {
  if (!built || built.db !== env.DB) {
    if (!env.DB) throw new ConfigError("Invalid configuration:\n  DB: the D1 binding is missing (see wrangler.toml)");
    const config = parseConfig(ConfigSchema, env as unknown as Record<string, unknown>);
    const deps = buildDeps(
      "workers",
      openD1(env.DB),
      config,
      (work) => void work.catch((e) => console.error(String(e))),
      env.VPIC ? createD1VinDecoder(env.VPIC) : null,
      env.RATE_LIMITER ? new BindingRateLimiter(env.RATE_LIMITER, 60) : undefined,
    ); // handlers defer through executionCtx.waitUntil
    // Deployed and under wrangler dev, /docs/swagger-ui/* never reaches the Worker (static assets are served
    // first); where no asset layer runs in front (the vitest integration) the app asks the binding.
    // issue 10: a change that wrote outbox messages sends its tenant's id to the Queue; the consumer delivers.
    const queue = env.WEBHOOKS;
    if (queue)
      deps.outbox = {
        poke: async (tenantId) => {
          await queue.send({ tenantId } satisfies OutboxWake);
        },
      };
    const assets = env.ASSETS;
    if (assets) deps.swaggerUiFile = (_file, request) => assets.fetch(request);
    built = { db: env.DB, app: createApp(deps), deps };
  }
  return built;
}

export default {
  async fetch(request, env, ctx): Promise<Response> {
    let app: App;
    try {
      app = build(env).app;
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      console.error(e.message);
      return misconfigured(e.message.replace(/\n\s*/g, " "));
    }
    return app.fetch(request, env, ctx);
  },

  /**
   * The Cron Triggers (wrangler.toml `[triggers]`): hourly, expired decisions, outcomes and Idempotency-Key records,
   * and the day's service reminders (idempotent per day); every 10 minutes, a wake-up for tenants with deliveries
   * due (a safety net: a change and each retry send their own Queue message).
   */
  async scheduled(controller, env, ctx): Promise<void> {
    const { deps } = build(env);
    if (controller.cron === OUTBOX_CRON) {
      ctx.waitUntil(
        deps.store.outbox
          .dueTenants(controller.scheduledTime)
          .then((due) => Promise.all(due.map((d) => deps.outbox.poke(d.tenantId)))),
      );
      return;
    }
    ctx.waitUntil(
      sweepRetention(deps.store, controller.scheduledTime).then((n) =>
        console.log(JSON.stringify({ level: "info", msg: "retention", cron: controller.cron, ...n })),
      ),
    );
    const logs: Promise<unknown>[] = [];
    ctx.waitUntil(
      runRemindersForAll(deps, deps.config.PUBLIC_BASE_URL ?? "http://127.0.0.1:8787", (w) => void logs.push(w))
        .then(async (n) => {
          await Promise.allSettled(logs);
          console.log(JSON.stringify({ level: "info", msg: "service reminders", cron: controller.cron, ...n }));
        })
        .catch((e) => console.error(JSON.stringify({ level: "error", msg: "reminders failed", error: String(e) }))),
    );
  },

  /**
   * issue 10: the Queue consumer (wrangler.toml `[[queues.consumers]]`): each message names a tenant whose due
   * deliveries are sent now; when retries remain (back-off), a delayed message wakes it again for the earliest.
   * A store failure retries the message itself.
   */
  async queue(batch, env, _ctx): Promise<void> {
    const { deps } = build(env);
    for (const msg of batch.messages) {
      try {
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
} satisfies ExportedHandler<Env, OutboxWake>;
