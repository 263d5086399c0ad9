import { afterAll, beforeAll } from "vitest";
import { startReceiver, type Receiver } from "../shared/receiver";
import { webhooksSuite } from "../shared/webhooks";
import { startNodeHarness } from "./harness";

// Short back-off and timeout so that retries happen within the test; the outbox worker loop polls every 25 ms.
let h: Awaited<ReturnType<typeof startNodeHarness>>;
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
  h = await startNodeHarness({ WEBHOOK_BACKOFF_MS: "100", WEBHOOK_TIMEOUT_MS: "400", OUTBOX_POLL_MS: "25" });
});
afterAll(async () => {
  await h.close();
  await receiver.close();
});

// On Node the worker loop in the server delivers by itself: nothing to pump.
webhooksSuite(
  () => h,
  () => receiver.url,
  async () => {},
  100,
);
