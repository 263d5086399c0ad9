/**
 * Holdout: a person in the brand's control group (randomized by household, domain/learning/holdout.ts) gets no
 * marketing, so that its lift can be measured; safety, service and information still reach them.
 */
import type { Guardrail } from "./types";

export const HOLDOUT_REASON = "in the brand's holdout group: no marketing, so its effect can be measured";

export const holdout: Guardrail = {
  name: "holdout",
  concerns: (a) => a.marketing,
  prepare({ input }) {
    if (!input.holdout) return null;
    return (a) => (a.marketing ? HOLDOUT_REASON : null);
  },
};
