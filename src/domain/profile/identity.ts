/** Identifier normalization: the edge of the system. Emails and phones leave here only to be hashed. */
import { z } from "zod";

export const IDENTITY_KINDS = ["visitor", "customer", "email", "phone", "device", "vin"] as const;
export type IdentityKind = (typeof IDENTITY_KINDS)[number];

/** Identifier field name on events -> identity kind. */
export const FIELD_KIND = {
  visitorId: "visitor",
  customerId: "customer",
  email: "email",
  phone: "phone",
  deviceId: "device",
  vin: "vin",
} as const;

/** Kinds stored only as a salted SHA-256. */
export const HASHED_KINDS: ReadonlySet<IdentityKind> = new Set(["email", "phone"]);

const emailSchema = z.email();

/** Lowercased, trimmed email, or null when it is not an address: normalizeEmail(" Ann@Example.COM ") === "ann@example.com". */
export function normalizeEmail(raw: string): string | null {
  const e = raw.trim().toLowerCase();
  return emailSchema.safeParse(e).success ? e : null;
}

/** E.164 after removing spaces, dashes, dots and parentheses, or null: normalizePhone("+1 (619) 555-0100") === "+16195550100". */
export function normalizePhone(raw: string): string | null {
  const p = raw.replace(/[\s().-]/g, "");
  return /^\+[1-9]\d{6,14}$/.test(p) ? p : null;
}

/** The value stored for a hashed identifier: `sha256(salt + ":" + kind + ":" + normalized)`, computed by the caller. */
export function hashInput(salt: string, kind: IdentityKind, normalized: string): string {
  return `${salt}:${kind}:${normalized}`;
}
