/**
 * Visitor tokens: a publishable key acts only for visitors Pitwall issued to it. `decide` without a subject
 * gives a browser a new visitor id and a token that binds tenant, key and visitor under the tenant's secret
 * (HMAC); the widget keeps the token and names its visitor by it. Knowing someone's visitor id is not enough.
 * Format: `pv1.<key id>.<visitor id>.<mac>`.
 */
import { newId } from "../lib/crypto";
import { sign, verify } from "../lib/sealed";

const TOKEN = /^pv1\.(key_[0-9A-Za-z]{20})\.(v_[0-9A-Za-z]{20})\.([0-9A-Za-z_-]{22})$/;
const message = (tenantId: string, keyId: string, visitorId: string) => `${tenantId}|${keyId}|${visitorId}`;

/** A new visitor for a publishable key, and its token. */
export async function issueVisitor(secret: string, tenantId: string, keyId: string) {
  const visitorId = newId("v");
  const mac = await sign(secret, "visitor", message(tenantId, keyId, visitorId));
  return { visitorId, visitorToken: `pv1.${keyId}.${visitorId}.${mac}` };
}

/**
 * The visitor id of a token this tenant issued — to `keyId` when given (a publishable key accepts only its own
 * visitors; a server key of the tenant accepts any) — or null.
 */
export async function visitorOf(
  secret: string,
  tenantId: string,
  token: string,
  keyId: string | null,
): Promise<string | null> {
  const m = TOKEN.exec(token);
  if (!m) return null;
  const [, issuer, visitorId, mac] = m as unknown as [string, string, string, string];
  if (keyId !== null && issuer !== keyId) return null;
  return (await verify(secret, "visitor", message(tenantId, issuer, visitorId), mac)) ? visitorId : null;
}

/** The visitor id a token names, unverified (for the read that precedes the check): null when malformed. */
export function tokenVisitor(token: string): string | null {
  return TOKEN.exec(token)?.[2] ?? null;
}
