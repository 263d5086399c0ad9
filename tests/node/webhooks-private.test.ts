/**
 * SSRF: with the default WEBHOOK_PRIVATE_TARGETS=deny a brand's admin cannot make the API's own network a webhook
 * target — not by URL (refused when created, nothing stored) and not by a name that resolves to it (refused at
 * delivery, named in the delivery log). Node only: a Worker's fetch cannot reach private networks, and the creation
 * check is the same code on both runtimes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { guardedWebhookFetch } from "../../src/node";
import { PrivateTargetError } from "../../src/services/outbox";
import { auth, expectProblem, json, makeTenant, type TenantFixture } from "../shared/fixtures";
import { startNodeHarness } from "./harness";

let h: Awaited<ReturnType<typeof startNodeHarness>>;
let a: TenantFixture;
beforeAll(async () => {
  h = await startNodeHarness({ WEBHOOK_PRIVATE_TARGETS: "deny", WEBHOOK_MAX_ATTEMPTS: "1", OUTBOX_POLL_MS: "20" });
  a = await makeTenant(h);
});
afterAll(() => h.close());

describe("webhook targets on a private network (WEBHOOK_PRIVATE_TARGETS=deny, the default)", () => {
  it("refuses a URL on this machine or a private network when the webhook is created, and stores nothing", async () => {
    const before = await (await h.fetch("/v1/webhooks", { headers: auth(a.keys.admin) })).text();
    for (const url of [
      "http://127.0.0.1:8080/hook",
      "http://localhost/hook",
      "https://10.0.0.5/hook",
      "https://169.254.169.254/latest/meta-data/",
      "https://192.168.1.10/hook",
      "https://[::1]/hook",
      "https://[fd00::5]/hook",
      "https://api.localhost/hook",
    ]) {
      const p = await expectProblem(
        await h.fetch("/v1/webhooks", json("POST", { url, events: ["lead.created"] }, auth(a.keys.admin))),
        400,
        "validation-failed",
      );
      expect(JSON.stringify(p), url).toContain("/url");
    }
    expect(await (await h.fetch("/v1/webhooks", { headers: auth(a.keys.admin) })).text()).toBe(before);
    // A public host is fine.
    const ok = await h.fetch(
      "/v1/webhooks",
      json("POST", { url: "https://crm.example.com/hook", events: ["lead.created"] }, auth(a.keys.admin)),
    );
    expect(ok.status).toBe(201);
  });

  it("refuses at delivery a name that resolves to this machine (real DNS), and says so in the delivery log", async () => {
    // The resolver answers for localhost from /etc/hosts on any machine: a name whose address is loopback.
    await expect(guardedWebhookFetch({ WEBHOOK_PRIVATE_TARGETS: "deny" })("https://localhost:9/hook")).rejects.toThrow(
      PrivateTargetError,
    );
    // An endpoint stored before the policy (or by a name that resolved elsewhere when it was created): a lead to it
    // is refused, not sent.
    await h.store.outbox.createWebhook({
      id: "whk_private_by_name",
      tenantId: a.tenant.id,
      url: "https://localhost:9/hook",
      events: ["lead.created"],
      secret: "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3",
      description: null,
      createdAt: Date.now(),
      deletedAt: null,
    });
    const lead = {
      id: `lead-${Date.now().toString(36)}`,
      type: "quote_request",
      occurredAt: new Date().toISOString(),
      identifiers: { customerId: a.customerId },
      data: { model: "Ariya" },
    };
    const res = await h.fetch("/v1/events", json("POST", { events: [lead] }, auth(a.keys.full)));
    expect(res.status).toBe(200);
    let deliveries: { status: string; attempts: { error: string | null }[] }[] = [];
    await expect
      .poll(
        async () => {
          const r = await h.fetch("/v1/webhooks/whk_private_by_name/deliveries", { headers: auth(a.keys.admin) });
          deliveries = ((await r.json()) as { deliveries: typeof deliveries }).deliveries ?? [];
          return deliveries.map((d) => d.status);
        },
        { timeout: 10_000 },
      )
      .toEqual(["failed"]);
    expect(JSON.stringify(deliveries)).toMatch(/refused: the endpoint is on a private network/);
  });
});
