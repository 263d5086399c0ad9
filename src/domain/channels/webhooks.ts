/** The webhook vocabulary and delivery policy. Pure. */

/** Event types an endpoint may subscribe to (`*`: all of them). */
export const WEBHOOK_EVENTS = [
  "lead.created",
  "booking.created",
  "booking.cancelled",
  "service_reminder.due",
  "consent.changed",
  "profile.erased",
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const WEBHOOK_EVENT_DESCRIPTIONS: Readonly<Record<WebhookEvent, string>> = {
  "lead.created":
    "A quote request or a booked test drive: the person (customer id when known), the model, the dealer, and the contact details the event carried (held only until every endpoint has the message).",
  "booking.created": "A service slot was booked (bookSlot or a booking link), with the decision that offered it.",
  "booking.cancelled": "A booking was cancelled (or moved: rescheduling cancels one and books another).",
  "service_reminder.due":
    "A service-reminder email to send (runServiceReminders): customer id, send time in the person's daytime, copy, slots with booking links, unsubscribe link.",
  "consent.changed": "A person's consent changed (an API call, an event, or an unsubscribe link).",
  "profile.erased": "A person was erased: the customer ids to erase downstream.",
};

/**
 * When attempt `n + 1` is due after attempt `n` failed: `base` doubling, at most an hour, with ±20% jitter from
 * `jitter` in [0, 1). retryDelayMs(0, 5000, 0.5) === 5000.
 */
export function retryDelayMs(attempt: number, base: number, jitter: number): number {
  const d = Math.min(3_600_000, base * 2 ** attempt);
  return Math.round(d * (0.8 + 0.4 * jitter));
}
