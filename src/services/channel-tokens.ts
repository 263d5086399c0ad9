/**
 * Tokens in links a person clicks without an API key: booking a service slot, and unsubscribing from service
 * reminders. Sealed with the tenant's secret like decision ids (src/lib/sealed.ts, AES-GCM, a purpose of their
 * own, bound to the tenant id), so a link reveals nothing (no person id) and cannot be forged or altered.
 * Format: `bk1.<tenant id>.<sealed>` / `us1.<tenant id>.<sealed>` — the tenant id says whose secret opens it.
 */
import { randomToken } from "../lib/crypto";
import { seal, unseal } from "../lib/sealed";

export interface BookingClaim {
  v: 1;
  /** Random: the link's id; a booking made with it is unique per id (single use). */
  t: string;
  p: string;
  s: string;
  d: string;
  /** The decision that offered the slot and its action (for attribution); null from bookSlot. */
  dec: string | null;
  a: string | null;
  /** Expiry, epoch ms. */
  exp: number;
}

export interface UnsubscribeClaim {
  v: 1;
  p: string;
  /** The channel the link came in: email. */
  c: "email";
}

const TOKEN = /^(bk1|us1)\.(tnt_[0-9A-Za-z]{20})\.([A-Za-z0-9_-]{40,2000})$/;
/** Longest token this service issues (a booking link with its decision id is about 800 characters). */
export const MAX_CHANNEL_TOKEN = 2100;

/** The tenant a token names (to find the secret that opens it), or null when it is not one. */
export function tokenTenant(token: string, kind: "bk1" | "us1"): string | null {
  const m = TOKEN.exec(token);
  return m && m[1] === kind ? m[2]! : null;
}

/** A booking link's token. */
export async function sealBooking(secret: string, tenantId: string, claim: Omit<BookingClaim, "v" | "t">) {
  const full: BookingClaim = { v: 1, t: randomToken(16), ...claim };
  return `bk1.${tenantId}.${await seal(secret, "booking", tenantId, JSON.stringify(full))}`;
}

export async function openBooking(secret: string, tenantId: string, token: string): Promise<BookingClaim | null> {
  const m = TOKEN.exec(token);
  if (m?.[1] !== "bk1" || m[2] !== tenantId) return null;
  const text = await unseal(secret, "booking", tenantId, m[3]!);
  const c = text ? (JSON.parse(text) as BookingClaim) : null;
  return c?.v === 1 ? c : null;
}

/** An unsubscribe link's token (no expiry: an old email's link still works). */
export async function sealUnsubscribe(secret: string, tenantId: string, personId: string) {
  const claim: UnsubscribeClaim = { v: 1, p: personId, c: "email" };
  return `us1.${tenantId}.${await seal(secret, "unsubscribe", tenantId, JSON.stringify(claim))}`;
}

export async function openUnsubscribe(secret: string, tenantId: string, token: string) {
  const m = TOKEN.exec(token);
  if (m?.[1] !== "us1" || m[2] !== tenantId) return null;
  const text = await unseal(secret, "unsubscribe", tenantId, m[3]!);
  const c = text ? (JSON.parse(text) as UnsubscribeClaim) : null;
  return c?.v === 1 ? c : null;
}
