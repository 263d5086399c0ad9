/**
 * Sealed tokens under a per-tenant secret, with node:crypto (Node, and Workers under nodejs_compat; synchronous,
 * where Web Crypto cost a thread-pool job per decision — 9% of the server's CPU under load, issue 11): AES-256-GCM for
 * tokens that carry data the holder must neither read nor change (a decision id), HMAC-SHA-256 for tokens
 * whose content may be public but must not be forged (a visitor token). Keys are derived per purpose, so one
 * secret never serves two kinds of token.
 */
import { randomBytes } from "./crypto";
import { createCipheriv, createDecipheriv, createHash, createHmac, createSecretKey, type KeyObject } from "node:crypto";

const keys = new Map<string, KeyObject>();

/** The 32-byte key of one purpose under one secret (SHA-256 of both), cached as a key object. */
function derive(secret: string, purpose: string): KeyObject {
  const id = `${purpose}\u0000${secret}`;
  let k = keys.get(id);
  if (!k) {
    if (keys.size > 1000) keys.clear();
    k = createSecretKey(createHash("sha256").update(`pitwall/${purpose}/${secret}`, "utf8").digest());
    keys.set(id, k);
  }
  return k;
}

/** URL-safe base64 without padding. */
export function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url");
}

/**
 * The bytes of a base64url text, or null. Only the canonical spelling is accepted: base64 ignores the unused low
 * bits of the last character, so one token could otherwise be spelled several ways (and counted as several ids).
 */
function fromBase64url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const bytes = Buffer.from(text, "base64url");
    return base64url(bytes) === text ? bytes : null;
  } catch {
    return null;
  }
}

/** Encrypts `plaintext`, bound to `context` (e.g. the tenant id): `seal(secret, "decision", tenantId, json)`. */
export async function seal(secret: string, purpose: string, context: string, plaintext: string): Promise<string> {
  const iv = randomBytes(12); // a fresh 96-bit nonce per token, from the CSPRNG pool
  const c = createCipheriv("aes-256-gcm", derive(secret, purpose), iv);
  c.setAAD(Buffer.from(context, "utf8"));
  // iv ‖ ciphertext ‖ tag: the layout Web Crypto's AES-GCM produced, so ids sealed before still open.
  return base64url(Buffer.concat([iv, c.update(plaintext, "utf8"), c.final(), c.getAuthTag()]));
}

/** The plaintext of a sealed token, or null when it was not sealed with this secret, purpose and context. */
export async function unseal(secret: string, purpose: string, context: string, token: string): Promise<string | null> {
  const bytes = fromBase64url(token);
  if (!bytes || bytes.length < 12 + 16) return null;
  try {
    const d = createDecipheriv("aes-256-gcm", derive(secret, purpose), bytes.subarray(0, 12));
    d.setAAD(Buffer.from(context, "utf8"));
    d.setAuthTag(bytes.subarray(bytes.length - 16));
    return Buffer.concat([d.update(bytes.subarray(12, bytes.length - 16)), d.final()]).toString("utf8");
  } catch {
    return null;
  }
}

/** A MAC of `message` (16 bytes, base64url): `sign(secret, "visitor", "tnt_…|key_…|v_…")`. */
export async function sign(secret: string, purpose: string, message: string): Promise<string> {
  const mac = createHmac("sha256", derive(secret, purpose)).update(message, "utf8").digest();
  return base64url(mac.subarray(0, 16));
}

/** Whether `mac` is `sign(secret, purpose, message)`, compared in constant time. */
export async function verify(secret: string, purpose: string, message: string, mac: string): Promise<boolean> {
  const want = await sign(secret, purpose, message);
  if (want.length !== mac.length) return false;
  let diff = 0;
  for (let i = 0; i < want.length; i++) diff |= want.charCodeAt(i) ^ mac.charCodeAt(i);
  return diff === 0;
}
