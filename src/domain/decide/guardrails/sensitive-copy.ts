/**
 * Sensitive copy: what is shown to the person or read out by staff never mentions a sensitive trigger, even when
 * the action was chosen because of one. `reasons` never carry a sensitive reason, whoever asks (a console shows them
 * as "why", which an advisor may read out; a neutral reason stands in when none is left); the sensitive ones go to
 * `sensitiveReasons`, for server keys with `profiles:read` only. A creative whose words touch a sensitive topic
 * (refused at upsert, but possibly stored earlier) is held back for every key.
 */
import type { Reason } from "../explain";
import { NEUTRAL_REASON } from "../sensitive";
import type { Guardrail } from "./types";

export const sensitiveCopy: Guardrail = {
  name: "sensitive_copy",
  concerns: (a) => Object.values(a.creatives).some((c) => c?.sensitive),
  prepare({ input }) {
    const channel = input.channel;
    return (a) => {
      const topic = a.creatives[channel]?.sensitive;
      return topic ? `the copy mentions ${topic}` : null;
    };
  },
};

/** The sensitive reasons, when the audience may see them (`show`): what staff must know but never say. */
export function sensitiveReasons(reasons: readonly Reason[], show: boolean): string[] {
  return show ? reasons.filter((r) => r.sensitive).map((r) => r.text) : [];
}

/** Reasons anyone may see or hear: publicReasons([{text: "Asked about a loan payoff", sensitive: true}]) → ["Suggested for you"]. */
export function publicReasons(reasons: readonly Reason[]): string[] {
  const out: string[] = [];
  for (const r of reasons) if (!r.sensitive && !out.includes(r.text)) out.push(r.text);
  return out.length > 0 ? out : [NEUTRAL_REASON];
}
