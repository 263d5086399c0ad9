/**
 * Sealed decision ids. An answered decision must exist for its outcomes the moment the answer is sent, before
 * (or without) its log row: the id itself carries what the outcome path needs — person, the key that asked and
 * its dealer, the subject, channel, segment, the actions shown and where, the time — sealed with AES-GCM under
 * the tenant's secret and bound to the tenant id. It opens without a read; it reveals nothing to its holder (a
 * browser learns no person id); it cannot be forged or altered. The log may be written later (write-behind on
 * Node, waitUntil on Workers) or through a queue.
 */
import type { Category } from "../domain/profile/types";
import type { DecisionChannel, Segment } from "../domain/decide/vocabulary";
import { randomToken } from "../lib/crypto";
import { seal, unseal } from "../lib/sealed";

export interface DecisionClaim {
  v: 1;
  /** Random; seeds the decision's random streams. */
  n: string;
  /** Epoch ms. */
  at: number;
  /** The person decided for, or null (an unknown visitor, degraded mode). */
  p: string | null;
  /** The key that asked, and the dealer it is bound to. */
  k: string;
  d: string | null;
  /** A publishable key's visitor or a vehicle key's VIN. */
  s: string | null;
  c: DecisionChannel;
  g: Segment;
  /** Placements of the page, in the order asked. */
  pl: string[];
  /** Shown actions: id, category, index into `pl`. */
  a: [string, Category, number][];
  /** Degraded answer. */
  deg?: 1;
}

const PREFIX = "dec_";
/** Longest id this service issues (about 300 characters for a three-action page; the path allows 1024). */
export const MAX_DECISION_ID = 1024;

/** A new nonce for a decision. */
export const decisionNonce = () => randomToken(16);

/** The sealed id of a decision. */
export async function sealDecision(secret: string, tenantId: string, claim: DecisionClaim): Promise<string> {
  return PREFIX + (await seal(secret, "decision", tenantId, JSON.stringify(claim)));
}

/** What a decision id says, or null when this tenant did not issue it. */
export async function openDecision(secret: string, tenantId: string, id: string): Promise<DecisionClaim | null> {
  if (!id.startsWith(PREFIX) || id.length > MAX_DECISION_ID) return null;
  const text = await unseal(secret, "decision", tenantId, id.slice(PREFIX.length));
  if (!text) return null;
  try {
    const c = JSON.parse(text) as DecisionClaim;
    return c.v === 1 ? c : null;
  } catch {
    return null;
  }
}
