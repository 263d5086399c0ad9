/**
 * Degraded mode, when the profile could not be loaded in time: contextual actions only (rules that read nothing
 * but the request), low intrusiveness, no service or safety claims about a car we cannot see, nothing with caps
 * of its own (a contact that cannot be counted must not use one up), and nothing on channels that reach out
 * (email, app, in-car), where consent and quiet hours cannot be checked without a profile.
 */
import type { RuleData } from "../rules/data";
import { truthy } from "../rules/operators";
import type { CompiledCatalog } from "./catalog";
import { hasOwnCaps } from "./contacts";
import { DEFAULT_CONFIG } from "./config";
import { explain } from "./explain";
import { publicReasons } from "./guardrails/sensitive-copy";
import type { DecisionContextInput, DecisionResult } from "./types";
import { INTERRUPTIVE, type DecisionChannel } from "./vocabulary";

/** A deterministic contextual answer: safeDefault(catalog, "web_configurator", { model: "Ariya" }, now). */
export function safeDefault(
  catalog: CompiledCatalog,
  channel: DecisionChannel,
  context: DecisionContextInput & { placement?: string },
  now: number,
  limit = 3,
): DecisionResult {
  const notes = ["degraded mode: contextual default, no profile used"];
  const result = (actions: DecisionResult["actions"]): DecisionResult => ({
    actions,
    suppressed: [],
    notes,
    segment: "anonymous",
    ttl: DEFAULT_CONFIG.deferredTtlSeconds,
    candidates: { items: [], shown: [], diverse: false, epsilon: 0, band: 0 },
    catalogVersion: catalog.version,
  });
  if (INTERRUPTIVE.has(channel)) {
    notes.push(`nothing on ${channel} in degraded mode`);
    return result([]);
  }
  const data: RuleData = {
    context: {
      channel,
      placement: context.placement ?? "default",
      page: context.page ?? null,
      model: context.model ?? null,
      locale: context.locale ?? null,
    },
  };
  const picks = catalog.byChannel[channel]
    .filter(
      (a) =>
        a.contextual &&
        a.intrusiveness === "low" &&
        a.dealerId === null &&
        a.powertrains === null &&
        (a.category === "sales" || a.category === "info") &&
        !hasOwnCaps(a.caps, channel) &&
        now >= a.validFrom &&
        now < a.validTo &&
        safeTest(a.test, data),
    )
    .sort((x, y) => y.value * y.lever - x.value * x.lever || (x.id < y.id ? -1 : 1))
    .slice(0, Math.max(0, Math.min(10, limit)));
  const td = { vehicle: null, dealerName: null, gates: null, contextModel: context.model ?? null };
  return result(
    picks.map((a, slot) => ({
      id: a.id,
      kind: a.kind,
      category: a.category,
      slot,
      creative: a.creatives[channel]!.render(td),
      score: a.value * a.lever,
      reasons: publicReasons(explain(a, null, data.context)),
      sensitiveReasons: [],
    })),
  );
}

function safeTest(test: ((d: unknown) => unknown) | null, data: RuleData): boolean {
  try {
    return test === null || truthy(test(data));
  } catch {
    return false;
  }
}
