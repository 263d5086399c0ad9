/**
 * Service-reminder emails (runServiceReminders, and the Cron Trigger on Workers). For each owner who may be due
 * for service, a decision on the email channel among service reminders only, through the same engine and the
 * same conditional contact write as decide (a reminder counts as a contact: consent, quiet hours at the send time,
 * caps), made for the send time in the person's local daytime. The payload — customer id, copy in the person's
 * language, 2–3 slots with booking links, an unsubscribe link — is claimed for the day (`reminder_sends`) and
 * sent to webhooks (`service_reminder.due`) in the batch that records the contact: a second run the same day
 * returns the same payloads and contacts nobody twice.
 */
import { runDay, sendTime } from "../domain/channels/reminders";
import type { Principal } from "../http/context";
import type { Store } from "../store";
import type { Batchable } from "../store/db";
import { sealUnsubscribe } from "./channel-tokens";
import { dealersOf } from "./dealer-cache";
import type { DecisionSink } from "./decision-log";
import { decideNow, type DecisionCaches } from "./decisions";
import { outboxMessage, outboxStatements } from "./outbox";
import { SlotCache } from "./slot-cache";

export interface ReminderDeps {
  store: Store;
  caches: DecisionCaches;
  log: DecisionSink;
  principal: Principal;
  /** The tenant's secret (unsubscribe links). */
  secret: string;
  now: number;
  baseUrl: string;
  defer: (p: Promise<unknown>) => void;
}

export interface ReminderRun {
  day: string;
  payloads: Record<string, unknown>[];
  skipped: { profileId: string; reason: string }[];
  /** Pass as `cursor` for the next page; null when every candidate was visited. */
  nextCursor: string | null;
  /** Outbox messages written (the dispatcher is woken when there are any). */
  outbox: number;
}

/** One page of a day's run. */
export async function runServiceReminders(
  deps: ReminderDeps,
  opts: { cursor?: string | undefined; limit: number },
): Promise<ReminderRun> {
  const { store, principal, now } = deps;
  const tenantId = principal.tenantId;
  const day = runDay(now);
  const candidates = await store.channels.reminderCandidates(
    { tenantId, dealerId: principal.dealerId },
    opts.cursor ?? "",
    opts.limit,
  );
  const sent = await store.channels.sentOn(
    tenantId,
    day,
    candidates.map((c) => c.id),
  );
  const dealers = await dealersOf(store, tenantId, now);
  // Slots are looked up as of the send time: a cache of this run's own, so the isolate's cache keeps its clock.
  const slots = new SlotCache();
  const out: ReminderRun = { day, payloads: [], skipped: [], nextCursor: null, outbox: 0 };
  for (const c of candidates) {
    const already = sent.get(c.id);
    if (already) {
      out.payloads.push(already);
      continue;
    }
    const zone = c.time_zone ?? (c.dealer_id ? dealers.get(c.dealer_id)?.timeZone : null) ?? null;
    const send = sendTime(now, zone);
    const unsubscribeUrl = `${deps.baseUrl}/v1/unsubscribe/${await sealUnsubscribe(deps.secret, tenantId, c.id)}`;
    let payload: Record<string, unknown> | null = null;
    const decided = await decideNow(
      {
        store,
        caches: deps.caches,
        principal,
        now: send.at,
        deadlineMs: 10_000,
        defer: deps.defer,
        log: deps.log,
        slots,
        baseUrl: deps.baseUrl,
      },
      {
        subject: { kind: "person", value: c.id },
        channel: "email",
        placements: ["email"],
        context: {},
        limit: 1,
        dryRun: false,
        gpc: false,
        audience: { inCar: false, dryRun: false, showSensitive: false, showSuppressed: true },
        onlyKinds: ["service_reminder"],
        withContact: (decisionId, placed): Batchable[] => {
          const a = placed[0]?.result.actions[0];
          if (!a) return [];
          const { slots: offered, ...email } = a.creative as unknown as { slots?: unknown[] } & Record<string, string>;
          payload = {
            profileId: c.id,
            customerId: c.customer_id,
            day,
            sendAt: new Date(send.at).toISOString(),
            timeZone: send.zone,
            decisionId,
            actionId: a.id,
            email,
            slots: offered ?? [],
            unsubscribeUrl,
          };
          return [
            ...store.channels.claimSend(tenantId, day, c.id, payload, now),
            ...outboxStatements(store, outboxMessage(tenantId, "service_reminder.due", c.id, payload, now)),
          ];
        },
      },
    );
    const shown = decided.placed[0]?.result.actions[0];
    if (!decided.degraded && shown && payload) {
      out.payloads.push(payload);
      out.outbox++;
      continue;
    }
    // A run of the same day elsewhere may have won the claim: its payload is the one.
    const other = (await store.channels.sentOn(tenantId, day, [c.id])).get(c.id);
    if (other) out.payloads.push(other);
    else
      out.skipped.push({
        profileId: c.id,
        reason: decided.degraded
          ? "the store was unavailable; the next run tries again"
          : decided.placed[0]?.result.suppressed.map((s) => `${s.guardrail}: ${s.reason}`).join("; ") ||
            "no service reminder is due",
      });
  }
  if (candidates.length === opts.limit) out.nextCursor = candidates.at(-1)!.id;
  return out;
}

/** Every page of a tenant's run (the Cron Trigger; Node's hourly job). */
export async function runAllReminders(deps: ReminderDeps, pageSize = 200, maxPages = 50) {
  let cursor: string | undefined;
  const total = { sent: 0, skipped: 0, outbox: 0 };
  for (let i = 0; i < maxPages; i++) {
    const r = await runServiceReminders(deps, { cursor, limit: pageSize });
    total.sent += r.payloads.length;
    total.skipped += r.skipped.length;
    total.outbox += r.outbox;
    if (!r.nextCursor) break;
    cursor = r.nextCursor;
  }
  return total;
}
