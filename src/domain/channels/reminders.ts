/** When a service-reminder email goes out: in the person's local daytime. Pure. */
import { localTime } from "../decide/time";

/** Local daytime in which reminder emails are sent: from 09:00 to 17:00. */
export const SEND_WINDOW = { startMinutes: 9 * 60, endMinutes: 17 * 60 } as const;

/**
 * The send time of a reminder decided at `now` for someone in `zone`: now, inside the local daytime window; else
 * the next 09:00 local. sendTime(Date.UTC(2027, 0, 12, 3), "Europe/Berlin") is 09:00 Berlin that day (08:00 UTC).
 */
export function sendTime(now: number, zone: string | null): { at: number; zone: string } {
  const lt = localTime([zone], now);
  if (lt.minutes >= SEND_WINDOW.startMinutes && lt.minutes < SEND_WINDOW.endMinutes) return { at: now, zone: lt.zone };
  const day = lt.minutes < SEND_WINDOW.startMinutes ? lt.dayStart : lt.dayStart + 86_400_000;
  const at = day + SEND_WINDOW.startMinutes * 60_000;
  // A DST change between midnight and 09:00 moves wall time by its offset: correct by the difference.
  const drift = localTime([zone], at).minutes - SEND_WINDOW.startMinutes;
  return { at: at - drift * 60_000, zone: lt.zone };
}

/** The UTC day a run belongs to (its idempotency key): runDay(0) === "1970-01-01". */
export function runDay(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}
