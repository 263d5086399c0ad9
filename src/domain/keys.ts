/** API key kinds, scopes and their wire format. Pure: no I/O. */

export const KEY_KINDS = ["server", "publishable", "vehicle"] as const;
export type KeyKind = (typeof KEY_KINDS)[number];

export const SCOPES = ["decide", "events:write", "profiles:read", "profiles:erase", "catalog:write", "admin"] as const;
export type Scope = (typeof SCOPES)[number];

/** The prefix tells the kind: sk_ server, pk_ publishable (browsers), vk_ vehicle (in-car apps). */
export const KIND_PREFIX: Record<KeyKind, string> = { server: "sk", publishable: "pk", vehicle: "vk" };
const PREFIX_KIND: Record<string, KeyKind> = { sk: "server", pk: "publishable", vk: "vehicle" };

export const KEY_SECRET_LENGTH = 32;
const KEY_PATTERN = /^(sk|pk|vk)_([0-9A-Za-z]{32})$/;

/** The kind of a well-formed key, or null: keyKindOf("pk_" + 32 base62 chars) === "publishable". */
export function keyKindOf(key: string): KeyKind | null {
  const m = KEY_PATTERN.exec(key);
  return m ? PREFIX_KIND[m[1]!]! : null;
}

/** The display prefix kept in the database: kind prefix and the first 6 secret characters. */
export function displayPrefix(key: string): string {
  return key.slice(0, 9);
}

/** What a key may do: publishable keys decide and send events, vehicle keys the same for their VIN. */
export function effectiveScopes(kind: KeyKind, scopes: readonly string[]): Set<string> {
  if (kind === "publishable" || kind === "vehicle") return new Set(["decide", "events:write"]);
  return new Set(scopes);
}

/** Whether a key's scopes grant `needed`; `admin` grants every scope. */
export function grants(scopes: Set<string>, needed: Scope): boolean {
  return scopes.has(needed) || scopes.has("admin");
}

/** Server keys with `decide` and `profiles:read` see what the guardrails held back (it can name a complaint). */
export function canSeeSuppressed(kind: KeyKind, scopes: Set<string>): boolean {
  return kind === "server" && grants(scopes, "decide") && grants(scopes, "profiles:read");
}
