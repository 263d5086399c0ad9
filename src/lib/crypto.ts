/** Web Crypto helpers that run unchanged on Workers and Node 20+. */

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** `n` characters of base62 from the platform CSPRNG, e.g. randomToken(32). */
export function randomToken(n: number): string {
  const out: string[] = [];
  const buf = new Uint8Array(n * 2);
  while (out.length < n) {
    crypto.getRandomValues(buf);
    for (const b of buf) {
      if (b < 248 && out.length < n) out.push(ALPHABET[b % 62]!); // 248 = 4*62: no modulo bias
    }
  }
  return out.join("");
}

/** A prefixed random id, e.g. newId("dlr") -> "dlr_3kT9...". */
export function newId(prefix: string): string {
  return `${prefix}_${randomToken(20)}`;
}

/** Lowercase hex SHA-256 of a UTF-8 string. */
export async function sha256Hex(input: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(input));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
