/** issue 10: scheduled work over every tenant: the day's service reminders (Cron Trigger on Workers, a timer on Node). */
import type { Deps } from "../http/context";
import { linkPrincipal } from "./bookings";
import { runAllReminders } from "./reminders";

/**
 * The cron of the outbox safety net (wrangler.toml `[triggers]`); every other cron runs retention and reminders.
 * (Not exported from src/worker.ts: workerd takes every named export of the entry module for a handler.)
 */
export const OUTBOX_CRON = "*/10 * * * *";

/** Runs every tenant's service reminders for the day; returns what was sent and skipped. */
export async function runRemindersForAll(
  deps: Deps,
  baseUrl: string,
  defer: (w: Promise<unknown>) => void = deps.defer,
) {
  const total = { tenants: 0, sent: 0, skipped: 0, outbox: 0 };
  for (const tenantId of await deps.store.tenants.ids()) {
    const secret = await deps.store.tenants.secret(tenantId);
    if (!secret) continue;
    const principal = { ...linkPrincipal(tenantId), keyId: "cron", scopes: new Set(["decide"]) };
    const n = await runAllReminders({
      store: deps.store,
      caches: deps.decisionCaches,
      log: deps.decisionLog,
      principal,
      secret,
      now: deps.now(),
      baseUrl,
      defer,
    });
    total.tenants++;
    total.sent += n.sent;
    total.skipped += n.skipped;
    total.outbox += n.outbox;
    if (n.outbox) await deps.outbox.poke(tenantId);
  }
  return total;
}
