/**
 * The decision engine, pure: no I/O, no clock, no global randomness. The route loads the profile, household,
 * contact logs, compiled catalogue and learner stats, calls `decide`, responds, and afterwards (deferred)
 * logs the decision with `estimatePropensities` and persists `recordContact`.
 */
export { decide, templateDataFor } from "./engine";
export { safeDefault } from "./safe-default";
export type {
  DecisionInput,
  DecisionResult,
  DecidedAction,
  DecisionContextInput,
  Suppression,
  GuardrailName,
} from "./types";
export { compileCatalog, ActionSchema, validateAction } from "./catalog";
export { checkAction } from "./validate-action";
export { DEMO_CATALOG, DEMO_CATALOG_VERSION } from "./demo-catalog";
export type {
  CompiledCatalog,
  CompiledAction,
  CompiledCreative,
  Action,
  ActionInput,
  Creative,
  ActionFault,
} from "./catalog";
export { WebCreativeSchema, InVehicleCreativeSchema, EmailCreativeSchema } from "./action";
export { recordContact, applyOutcome, EMPTY_CONTACT_LOG, OUTCOMES } from "./contacts";
export type { ContactLog, ShownContact, Outcome, OutcomeType } from "./contacts";
export { statsKey, estimatePropensities, boundedSample } from "./learner";
export type { ArmStats, StatsMap, Candidate, CandidateSet, SlotPropensity } from "./learner";
export { seededRandom, sampleBeta, sampleGamma } from "./random";
export { deriveGates, primaryVehicle, ANONYMOUS_GATES } from "./gates";
export { DEFAULT_CONFIG, resolveConfig, type DecideConfig } from "./config";
export { explain, type Reason } from "./explain";
export { DECISION_CHANNELS, ACTION_KINDS, SEGMENTS, CONSENT_CHANNEL, isMarketing } from "./vocabulary";
export type { DecisionChannel, ActionKind, Segment } from "./vocabulary";
