/** Crypto helpers that run unchanged on Workers (nodejs_compat) and Node. */
import { createHash } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** CSPRNG bytes drawn 4 KB at a time (one getRandomValues per ~100 ids instead of one per id), each used once. */
const pool = new Uint8Array(4096);
let poolAt = pool.length;

/**
 * `n` fresh CSPRNG bytes from the pool (each byte handed out once), e.g. an AES-GCM nonce: one getRandomValues per
 * 4 KB rather than one per call (a call per decision id cost ~4% of a decision's CPU, issue 11).
 */
export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = nextByte();
  return out;
}

function nextByte(): number {
  if (poolAt === pool.length) {
    crypto.getRandomValues(pool);
    poolAt = 0;
  }
  const b = pool[poolAt]!;
  pool[poolAt++] = 0; // a byte handed out is not kept in memory
  return b;
}

/** `n` characters of base62 from the platform CSPRNG, e.g. randomToken(32). */
export function randomToken(n: number): string {
  let out = "";
  while (out.length < n) {
    const b = nextByte();
    if (b < 248) out += ALPHABET[b % 62]!; // 248 = 4*62: no modulo bias
  }
  return out;
}

/** A prefixed random id, e.g. newId("dlr") -> "dlr_3kT9...". */
export function newId(prefix: string): string {
  return `${prefix}_${randomToken(20)}`;
}

/**
 * A prefixed id that sorts by creation time: 8 base62 characters of epoch ms (the alphabet is in ASCII order, so
 * string order is time order for 6,900 years), then 12 random ones (71 bits), e.g. newSortableId("prs", now)
 * -> "prs_0VcarsBwRys2mex6EjRc". The same length and characters as newId. For ids that are keys of B-trees written
 * in bulk (people, households, merges): a batch's new rows land side by side at the end of each index that leads
 * with them (profiles' key; events by person and by origin; identities by person) instead of one random page
 * each, which was most of the pages an ingestion COMMIT wrote (issue 11, docs/scale.md). The id reveals when it was
 * made, to the millisecond — as `createdAt` does.
 */
export function newSortableId(prefix: string, now: number): string {
  let t = "";
  for (let v = Math.max(0, Math.floor(now)), i = 0; i < 8; i++, v = Math.floor(v / 62)) t = ALPHABET[v % 62]! + t;
  return `${prefix}_${t}${randomToken(12)}`;
}

/**
 * Lowercase hex SHA-256 of a UTF-8 string. node:crypto's hash (Workers provide it under nodejs_compat) is
 * synchronous: Web Crypto's digest costs a thread-pool job per call, 4.5% of the server's CPU under load when
 * every request hashed its key that way (issue 11).
 */
export async function sha256Hex(input: string): Promise<string> {
  return createHash("sha256").update(input, "utf8").digest("hex");
}
