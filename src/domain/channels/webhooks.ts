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

/**
 * Whether a webhook's host names this machine or a private network: `localhost` (and `*.localhost`), IPv4 literals
 * in 0/8, 10/8, 100.64/10 (carrier-grade NAT), 127/8, 169.254/16 (link-local, cloud metadata), 172.16/12,
 * 192.168/16, 198.18/15 and 224/3 (multicast, reserved), IPv6 `::`, `::1`, fc00::/7, fe80::/10 and IPv4-mapped
 * addresses of those. A brand's admin must not make the API's own network its target (SSRF).
 */
export function isPrivateHost(hostname: string): boolean {
  const h = hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, "")
    .replace(/\.$/, "");
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 198 && (b === 18 || b === 19)) ||
      a >= 224
    );
  }
  if (!h.includes(":")) return false;
  if (h === "::" || h === "::1") return true;
  const mapped = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(h);
  if (mapped) return isPrivateHost(mapped[1]!);
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(h);
  if (hex) {
    const n = (Number.parseInt(hex[1]!, 16) << 16) | Number.parseInt(hex[2]!, 16);
    return isPrivateHost([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join("."));
  }
  const first = Number.parseInt(h.split(":")[0] || "0", 16);
  return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80;
}
