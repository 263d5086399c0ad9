/** The guardrails, in the order a held-back action reports them: safety of the moment first, then consent. */
import { complaint } from "./complaint";
import { consent } from "./consent";
import { fatigue } from "./fatigue";
import { frequencyCaps } from "./frequency-caps";
import { holdout } from "./holdout";
import { inCarSafety } from "./in-car-safety";
import { postPurchaseCooling } from "./post-purchase-cooling";
import { quietHours } from "./quiet-hours";
import { relevance } from "./relevance";
import { sensitiveCopy } from "./sensitive-copy";
import { serviceCapacity } from "./service-capacity";
import type { Guardrail } from "./types";

export const GUARDRAILS: readonly Guardrail[] = [
  inCarSafety,
  quietHours,
  consent,
  holdout,
  complaint,
  postPurchaseCooling,
  relevance,
  fatigue,
  frequencyCaps,
  sensitiveCopy,
  // issue 10: a service reminder needs open slots where the person books them
  serviceCapacity,
];

/** The bit of each guardrail in `CompiledAction.guards`. */
export const GUARD_BIT: ReadonlyMap<Guardrail, number> = new Map(GUARDRAILS.map((g, i) => [g, 1 << i]));

export type { Guardrail, GuardContext, Check } from "./types";
