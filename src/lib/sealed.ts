/**
 * Sealed tokens under a per-tenant secret, with Web Crypto (the same on Workers and Node): AES-256-GCM for
 * tokens that carry data the holder must neither read nor change (a decision id), HMAC-SHA-256 for tokens
 * whose content may be public but must not be forged (a visitor token). Keys are derived per purpose, so one
 * secret never serves two kinds of token.
 */

const enc = new TextEncoder();
const dec = new TextDecoder();
const keys = new Map<string, Promise<CryptoKey>>();

function derive(secret: string, purpose: string, usage: "aes" | "hmac"): Promise<CryptoKey> {
  const id = `${usage}\u0000${purpose}\u0000${secret}`;
  let k = keys.get(id);
  if (!k) {
    if (keys.size > 1000) keys.clear();
    k = crypto.subtle
      .digest("SHA-256", enc.encode(`pitwall/${purpose}/${secret}`))
      .then((raw) =>
        usage === "aes"
          ? crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt", "decrypt"])
          : crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]),
      );
    keys.set(id, k);
  }
  return k;
}

/** URL-safe base64 without padding. */
export function base64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * The bytes of a base64url text, or null. Only the canonical spelling is accepted: base64 ignores the unused low
 * bits of the last character, so one token could otherwise be spelled several ways (and counted as several ids).
 */
function fromBase64url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4));
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    return base64url(bytes) === text ? bytes : null;
  } catch {
    return null;
  }
}

/** Encrypts `plaintext`, bound to `context` (e.g. the tenant id): `seal(secret, "decision", tenantId, json)`. */
export async function seal(secret: string, purpose: string, context: string, plaintext: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: enc.encode(context) },
    await derive(secret, purpose, "aes"),
    enc.encode(plaintext),
  );
  const out = new Uint8Array(12 + ct.byteLength);
  out.set(iv);
  out.set(new Uint8Array(ct), 12);
  return base64url(out);
}

/** The plaintext of a sealed token, or null when it was not sealed with this secret, purpose and context. */
export async function unseal(secret: string, purpose: string, context: string, token: string): Promise<string | null> {
  const bytes = fromBase64url(token);
  if (!bytes || bytes.length < 12 + 16) return null;
  try {
    const pt = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: bytes.slice(0, 12), additionalData: enc.encode(context) },
      await derive(secret, purpose, "aes"),
      bytes.slice(12),
    );
    return dec.decode(pt);
  } catch {
    return null;
  }
}

/** A MAC of `message` (16 bytes, base64url): `sign(secret, "visitor", "tnt_…|key_…|v_…")`. */
export async function sign(secret: string, purpose: string, message: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await derive(secret, purpose, "hmac"), enc.encode(message));
  return base64url(new Uint8Array(mac).slice(0, 16));
}

/** Whether `mac` is `sign(secret, purpose, message)`, compared in constant time. */
export async function verify(secret: string, purpose: string, message: string, mac: string): Promise<boolean> {
  const want = await sign(secret, purpose, message);
  if (want.length !== mac.length) return false;
  let diff = 0;
  for (let i = 0; i < want.length; i++) diff |= want.charCodeAt(i) ^ mac.charCodeAt(i);
  return diff === 0;
}
