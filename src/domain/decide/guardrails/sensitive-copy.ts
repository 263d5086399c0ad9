/**
 * Sensitive copy: what reaches a browser (publishable key) or a car (vehicle key) never mentions a sensitive
 * trigger, even when the action was chosen because of one: sensitive reasons are dropped for those keys (a
 * neutral one stands in when none is left). Copy is shown to the person or read out by staff on every channel,
 * so a creative whose words touch a sensitive topic (refused at upsert, but possibly stored earlier) is held
 * back for every key.
 */
import type { KeyKind } from "../../keys";
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

/** The sensitive reasons, for server keys only: what staff must know but never say. */
export function sensitiveReasons(reasons: readonly Reason[], keyKind: KeyKind): string[] {
  return keyKind === "server" ? reasons.filter((r) => r.sensitive).map((r) => r.text) : [];
}

/** Reasons as a key may see them: publicReasons([{text: "Asked about a loan payoff", sensitive: true}], "publishable") → ["Suggested for you"]. */
export function publicReasons(reasons: readonly Reason[], keyKind: KeyKind): string[] {
  const out: string[] = [];
  for (const r of reasons) if ((keyKind === "server" || !r.sensitive) && !out.includes(r.text)) out.push(r.text);
  return out.length > 0 ? out : [NEUTRAL_REASON];
}
