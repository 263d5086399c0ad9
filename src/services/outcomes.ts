/**
 * Outcomes of shown actions. The decision id is sealed (decision-ids.ts), so an outcome is accepted from the
 * moment the answer was sent, without reading the log — but only from a key that could have seen the decision:
 * the same tenant (the id opens only with its secret), the same dealer for a dealer-bound key, the same key for
 * a publishable or vehicle key. The learner counts an outcome once whatever the retries: the outcome's insert
 * must insert or the whole batch rolls back, and the success is added only for the first positive outcome of
 * the action in the decision.
 */
import { applyOutcome, type ContactLog, type OutcomeType } from "../domain/decide/contacts";
import { statsKey } from "../domain/decide/learner";
import type { Principal } from "../http/context";
import { Problem } from "../http/problems";
import type { Store } from "../store";
import { openDecision, type DecisionClaim } from "./decision-ids";
import { withRetries } from "./retry";

const ATTRIBUTION_WINDOW_MS = 60 * 86_400_000;
/** Outcomes are accepted this long after their decision; decision logs are kept as long (retention.ts). */
export const OUTCOME_WINDOW_MS = 90 * 86_400_000;
const POSITIVE: readonly OutcomeType[] = ["click", "accept", "convert"];

export interface OutcomeDeps {
  store: Store;
  principal: Principal;
  now: number;
  /** The caller's tenant secret. */
  secret: string;
  random: () => number;
}

export type Recorded = "new" | "duplicate" | "discarded";

/**
 * Whether a key could have seen a decision: the brand's server keys see all of it; a dealer-bound key only what
 * keys of its dealer decided; a publishable or vehicle key only its own decisions; for OUTCOME_WINDOW_MS.
 */
function seenBy(principal: Principal, claim: DecisionClaim | null, now: number): claim is DecisionClaim {
  return (
    claim !== null &&
    (principal.kind === "server" || claim.k === principal.keyId) &&
    (!principal.dealerId || claim.d === principal.dealerId) &&
    now - claim.at <= OUTCOME_WINDOW_MS
  );
}

/** Records an outcome of a shown action, once; teaches the learner and the person's contact log. */
export async function recordOutcome(
  deps: OutcomeDeps,
  decisionId: string,
  actionId: string,
  type: OutcomeType,
  occurredAt: number,
): Promise<{ decisionId: string; actionId: string; type: OutcomeType; recorded: Recorded }> {
  const { store, principal, now } = deps;
  const tenantId = principal.tenantId;
  const claim = await openDecision(deps.secret, tenantId, decisionId);
  if (!seenBy(principal, claim, now)) throw new Problem("not-found", "No such decision.");
  const shown = claim.a.find(([id]) => id === actionId);
  if (!shown)
    throw new Problem("validation-failed", "That action was not shown in this decision.", {
      errors: [{ in: "body", pointer: "/actionId", reason: "not shown in this decision" }],
    });
  const recorded = await withRetries(
    "record outcome",
    store.database,
    deps.random,
    async () => {
      // The person now: the decision's, or whom they were merged into since.
      let personId = claim.p;
      let state = await store.decisioning.outcomeState(tenantId, decisionId, actionId, type, personId);
      if (state.recorded) return "duplicate" as const;
      for (let hops = 0; personId && !state.person && hops < 5; hops++) {
        const [row] = await store.customers.profilesByIds(tenantId, [personId]);
        if (!row?.mergedInto) break;
        personId = row.mergedInto;
        state = await store.decisioning.outcomeState(tenantId, decisionId, actionId, type, personId);
      }
      // Erased since the decision: nothing is kept about them, not even this.
      if (personId && !state.person) return "discarded" as const;
      const positive = POSITIVE.includes(type);
      await store.database.batch(
        store.decisioning.outcomeStatements(
          { tenantId, decisionId, actionId, type, personId, occurredAt, receivedAt: now },
          positive ? { key: statsKey(actionId, claim.c, claim.g), positiveTypes: POSITIVE } : null,
          personId && state.person && type !== "impression"
            ? {
                personId,
                contactsVersion: state.person.contactsVersion,
                contacts: applyOutcome(
                  (state.person.contacts as ContactLog | null) ?? null,
                  { type, actionId, category: shown[1] },
                  now,
                ),
              }
            : null,
        ),
      );
      return "new" as const;
    },
    tenantId,
  );
  return { decisionId, actionId, type, recorded };
}

/**
 * Attribution by person and action: the latest decision that showed the action within the window among those the
 * caller could have seen (a dealer's key attributes to its dealer's decisions, not to a later one of the car app).
 */
export async function attributeOutcome(
  deps: OutcomeDeps,
  personId: string,
  actionId: string,
  type: OutcomeType,
  occurredAt: number,
) {
  const candidates = await deps.store.decisioning.showing(
    deps.principal.tenantId,
    personId,
    actionId,
    occurredAt - ATTRIBUTION_WINDOW_MS,
  );
  let d: (typeof candidates)[number] | undefined;
  for (const c of candidates)
    if (seenBy(deps.principal, await openDecision(deps.secret, deps.principal.tenantId, c.id), deps.now)) {
      d = c;
      break;
    }
  if (!d)
    throw new Problem("not-found", "No decision showed that action to this person within the attribution window.");
  return recordOutcome(deps, d.id, actionId, type, occurredAt);
}
