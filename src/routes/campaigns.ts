/** issue 10: service-reminder emails, as payloads for the CRM's email service (which holds the addresses). */
import { z } from "zod";
import { defer, pokeOutbox, publicBase } from "../http/context";
import { defineOperation } from "../http/operation";
import { callerTenant } from "../services/context";
import { runServiceReminders } from "../services/reminders";

const ReminderPayload = z
  .object({
    profileId: z.string(),
    customerId: z.string().nullable().meta({ description: "The CRM's customer id: its email service has the address" }),
    day: z.string(),
    sendAt: z.string().meta({ description: "When to send: now or the next 09:00–17:00 in the person's time zone" }),
    timeZone: z.string(),
    decisionId: z.string(),
    actionId: z.string(),
    email: z
      .object({ subject: z.string(), body: z.string() })
      .meta({ description: "In the person's language when the action has it" }),
    slots: z.array(z.record(z.string(), z.unknown())).meta({
      description:
        "2–3 open slots: label in the person's time zone, start, dealer, bookUrl (signed, single-use, expiring)",
    }),
    unsubscribeUrl: z
      .string()
      .meta({ description: "Records the consent change (no more reminder or marketing emails)" }),
  })
  .meta({ id: "ServiceReminderPayload" });

export const runServiceRemindersOp = defineOperation({
  method: "post",
  path: "/v1/campaigns/service-reminders/run",
  auth: { kinds: ["server"], scope: "decide" },
  problems: ["store-unavailable"],
  schema: {
    tags: ["Service"],
    operationId: "runServiceReminders",
    summary: "Service-reminder emails for owners due for service, scheduled in each owner's local daytime",
    description:
      "Through the same engine and conditional contact write as decide (consent, quiet hours at the send time, caps; a reminder counts as a contact), service reminders only, with 2–3 open slots and an unsubscribe link. Idempotent per day (UTC): a second run the same day returns the same payloads and contacts nobody twice. Each payload also goes to webhooks as `service_reminder.due`. A page at a time (`cursor`); on Workers a Cron Trigger runs every page hourly. A dealer-bound key runs its own dealer's owners.",
    request: {
      body: {
        content: {
          "application/json": {
            schema: z
              .object({
                cursor: z.string().max(64).optional(),
                limit: z.number().int().min(1).max(500).default(100),
              })
              .strict(),
          },
        },
      },
    },
    responses: {
      "200": {
        description: "The day's payloads of this page, who was skipped and why",
        content: {
          "application/json": {
            schema: z.object({
              day: z.string(),
              payloads: z.array(ReminderPayload),
              skipped: z.array(z.object({ profileId: z.string(), reason: z.string() })),
              nextCursor: z.string().nullable(),
            }),
          },
        },
      },
    },
  },
  example: { body: { limit: 100 } },
  async handle(c, { body }) {
    const tenant = await callerTenant(c);
    const { deps } = c.var;
    const run = await runServiceReminders(
      {
        store: deps.store,
        caches: deps.decisionCaches,
        log: deps.decisionLog,
        principal: c.var.principal,
        secret: tenant.secret ?? "",
        now: deps.now(),
        baseUrl: publicBase(c),
        defer: (w) => defer(c, w),
      },
      { cursor: body.cursor, limit: body.limit },
    );
    pokeOutbox(c, run.outbox);
    const { outbox: _n, ...out } = run;
    return c.json(out as never);
  },
});
