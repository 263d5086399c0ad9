/**
 * Per-key rate limits hold across isolates on Workers: two apps built as two isolates would build them (each with its
 * own memory) share the Workers Rate Limiting binding as miniflare runs it locally (limit 3 a minute), so the fourth
 * request with one key is 429 whichever isolate it reaches. Without the binding each isolate would count alone.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { ConfigSchema, parseConfig } from "../../src/config";
import { buildDeps } from "../../src/deps";
import { BindingRateLimiter } from "../../src/http/rate-limit";
import { openD1 } from "../../src/store/d1";
import { auth, expectProblem, makeTenant } from "../shared/fixtures";
import { workersHarness } from "./harness";

const config = parseConfig(ConfigSchema, { RATE_LIMIT_PER_MINUTE: "3" });
const isolate = (shared: boolean) =>
  createApp(
    buildDeps(
      "workers",
      openD1(env.DB),
      config,
      () => {},
      null,
      shared ? new BindingRateLimiter(env.RATE_LIMITER_TEST, 60) : undefined,
    ),
  );

async function call(app: ReturnType<typeof createApp>, key: string): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request("http://pitwall.test/v1/dealers", { headers: auth(key) }), env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe("per-key rate limit on Workers (Rate Limiting binding)", () => {
  it("holds across isolates: the 4th request of a key is 429 with Retry-After, whichever isolate it reaches", async () => {
    const a = await makeTenant(workersHarness());
    const [one, two] = [isolate(true), isolate(true)];
    // The binding counts in fixed windows on the wall clock: do not start the four requests just before one rolls over.
    const into = Date.now() % 60_000;
    if (into > 55_000) await new Promise((r) => setTimeout(r, 60_000 - into + 100));
    const statuses = [];
    for (const app of [one, two, one]) statuses.push((await call(app, a.keys.full)).status);
    expect(statuses).toEqual([200, 200, 200]);
    const over = await call(two, a.keys.full);
    await expectProblem(over, 429, "rate-limited");
    const wait = Number(over.headers.get("retry-after"));
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(60);
    expect((await call(one, a.keys.admin)).status).toBe(200); // another key has its own budget
  });

  it("positive control: without the binding each isolate counts alone, so two isolates let 6 through", async () => {
    const a = await makeTenant(workersHarness());
    const [one, two] = [isolate(false), isolate(false)];
    const statuses = [];
    for (let i = 0; i < 3; i++) for (const app of [one, two]) statuses.push((await call(app, a.keys.full)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    await expectProblem(await call(one, a.keys.full), 429, "rate-limited");
  });
});
