import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from "cloudflare:test";
import worker from "../../src/worker";
import { retentionSuite } from "../shared/retention";
import { workersHarness } from "./harness";

const h = workersHarness();
// The Worker's Cron Trigger (wrangler.toml [triggers]): the `scheduled` handler, as workerd calls it.
retentionSuite(
  () => h,
  async (_x, now) => {
    const ctx = createExecutionContext();
    await worker.scheduled!(createScheduledController({ scheduledTime: now, cron: "17 * * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
  },
);
