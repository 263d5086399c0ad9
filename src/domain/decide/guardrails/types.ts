/** The guardrail contract: prepared once per decision, then a cheap check per action. */
import type { Gates } from "../../rules/data";
import type { CompiledAction } from "../catalog";
import type { DecideConfig } from "../config";
import type { TemplateData } from "../templates";
import type { LocalTime } from "../time";
import type { DecisionInput, GuardrailName } from "../types";

export interface GuardContext {
  readonly input: DecisionInput;
  readonly cfg: DecideConfig;
  /** Null for an unknown visitor. Guardrails may read gates even under GPC: they protect, they do not target. */
  readonly gates: Gates | null;
  /** The person's local time (their zone, else the dealer's, else the request's), computed on first use. */
  local(): LocalTime;
  templateData(): TemplateData;
  /** A note for the response; sensitive notes reach server keys only. */
  note(text: string, sensitive?: boolean): void;
  /** A "not now" note: the caller should ask again soon (short TTL). */
  defer(text: string): void;
}

/** The reason an action is held back, or null to let it through. */
export type Check = ((a: CompiledAction) => string | null) & { readonly everything?: boolean };

/** A check that holds every action back (a moving car, quiet hours): decide() then need not evaluate a single rule. */
export function holdEverything(reason: string): Check {
  return Object.assign(() => reason, { everything: true });
}

export interface Guardrail {
  readonly name: GuardrailName;
  /** Whether this guardrail could ever hold `a` back (absent: any action); evaluated once per catalogue version. */
  concerns?(a: CompiledAction): boolean;
  /** Null when this guardrail holds nothing back in this decision (the common case costs nothing per action). */
  prepare(ctx: GuardContext): Check | null;
}
