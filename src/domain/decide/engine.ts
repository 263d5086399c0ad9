/** decide(): the pure decision. Gates → guardrails → rules → learner → arbitration → copy and reasons. */
import type { Gates } from "../rules/data";
import { truthy } from "../rules/operators";
import { isSmallSurface, needsDiversity, selectSlate } from "./arbitrate";
import type { CompiledAction } from "./catalog";
import { DEFAULT_CONFIG } from "./config";
import { explain } from "./explain";
import { deriveGates, primaryVehicle } from "./gates";
import { GUARD_BIT, GUARDRAILS, type Check, type GuardContext } from "./guardrails/index";
import { ruleDataFor } from "./guardrails/consent";
import { publicReasons, sensitiveReasons } from "./guardrails/sensitive-copy";
import { boundedSample, posterior, thompsonScores, type Candidate } from "./learner";
import type { TemplateData } from "./templates";
import { localTime, type LocalTime } from "./time";
import type { DecidedAction, DecisionInput, DecisionResult, GuardrailName, Suppression } from "./types";
import { categoryIndex, type Segment } from "./vocabulary";

const MAX_LIMIT = 10;

/** What templates may render for this decision: under GPC nothing from the profile. */
export function templateDataFor(input: DecisionInput, gates: Gates | null): TemplateData {
  const useProfile = !input.gpc && input.profile !== null;
  return {
    vehicle: useProfile ? primaryVehicle(input.profile!.vehicles) : null,
    dealerName: input.dealer?.name ?? null,
    gates: useProfile ? gates : null,
    contextModel: input.context.model ?? null,
  };
}

/**
 * Decide the next best actions for one person (or visitor) on one channel, now. Pure: time and randomness come
 * in through `input.now` and `input.rng`; the same input and rng seed give the same result.
 */
export function decide(input: DecisionInput): DecisionResult {
  const cfg = input.config ?? DEFAULT_CONFIG;
  const { catalog, channel, now, rng, profile } = input;
  const notes: { text: string; sensitive: boolean }[] = [];
  let deferred = false;
  const gates = profile ? deriveGates(profile, input.household, now, cfg) : null;
  const segment: Segment = input.gpc || !gates ? "anonymous" : (gates.stage as Segment);
  const data = ruleDataFor(input, gates);
  let local: LocalTime | undefined;
  let td: TemplateData | undefined;
  const ctx: GuardContext = {
    input,
    cfg,
    gates,
    local: () => (local ??= localTime([profile?.consent.timeZone, input.dealer?.timeZone, input.context.timeZone], now)),
    templateData: () => (td ??= templateDataFor(input, gates)),
    note: (text, sensitive = false) => void notes.push({ text, sensitive }),
    defer: (text) => {
      deferred = true;
      notes.push({ text, sensitive: false });
    },
  };
  const show = input.showSuppressed && input.keyKind === "server";
  const checks: Check[] = [];
  const names: GuardrailName[] = [];
  const bits: number[] = [];
  let everything = false;
  for (const g of GUARDRAILS) {
    const c = g.prepare(ctx);
    if (!c) continue;
    checks.push(c);
    names.push(g.name);
    bits.push(GUARD_BIT.get(g)!);
    // Nothing can be shown (moving car, quiet hours): unless asked what was held back, stop here.
    everything ||= c.everything === true;
    if (everything && !show) break;
  }

  const suppressed: Suppression[] = [];
  const eligible: CompiledAction[] = [];
  const levers: number[] = [];
  const dealerId = input.dealer?.id ?? null;
  const nChecks = checks.length;
  const list = everything && !show ? [] : catalog.byChannel[channel];
  let head: ((d: unknown) => unknown) | null = null;
  let headHolds = true;
  // Indexed loops on the hot path: array iterators allocate a result object per step when not optimized away.
  for (let k = 0; k < list.length; k++) {
    const a = list[k]!;
    if (a.head !== null) {
      if (a.head !== head) {
        head = a.head;
        headHolds = holds(head, data);
      }
      if (!headHolds) continue;
    }
    if (a.dealerId !== null && a.dealerId !== dealerId) continue;
    let lever = a.lever;
    if (a.overrides !== null && dealerId !== null) {
      const o = a.overrides[dealerId];
      if (o?.disabled) continue;
      if (o?.lever !== undefined) lever = o.lever;
    }
    if (now < a.validFrom || now >= a.validTo) continue;
    // Rules first: most actions fail their rule, and a held-back action is reported only if it was eligible.
    if (a.test !== null && !passes(a, data, show ? suppressed : null)) continue;
    let held = -1;
    let reason: string | null = null;
    for (let i = 0; i < nChecks; i++) {
      if ((a.guards & bits[i]!) === 0) continue;
      reason = checks[i]!(a);
      if (reason !== null) {
        held = i;
        break;
      }
    }
    if (held >= 0) {
      if (show) suppressed.push({ id: a.id, guardrail: names[held]!, reason: reason! });
      continue;
    }
    eligible.push(a);
    levers.push(lever);
  }

  const small = isSmallSurface(channel, input.placement);
  const n = eligible.length;
  const items: Candidate[] = new Array(n);
  const cats: number[] = new Array(n);
  const { epsilon, band } = cfg.learner;
  for (let i = 0; i < n; i++) {
    const a = eligible[i]!;
    const [alpha, beta] = posterior(input.stats, catalog, a, channel, segment);
    const base = a.weights[channel]![small ? 1 : 0] * a.value * levers[i]!;
    items[i] = { id: a.id, category: a.category, alpha, beta, base };
    cats[i] = categoryIndex(a.category);
  }
  const diverse = needsDiversity(channel);
  const limit = Math.max(0, Math.min(MAX_LIMIT, Math.floor(input.limit)));
  const scores = thompsonScores(items, limit, diverse, band, rng);
  const shown = selectSlate(scores, cats, limit, diverse, epsilon, rng);
  for (const i of shown) if (Number.isNaN(scores[i]!)) scores[i] = boundedSample(items[i]!.alpha, items[i]!.beta, band, rng) * items[i]!.base;

  const tdata = ctx.templateData();
  const reasonGates = input.gpc ? null : gates;
  const actions: DecidedAction[] = shown.map((i, slot) => {
    const a = eligible[i]!;
    const why = explain(a, reasonGates, data.context);
    return {
      id: a.id,
      kind: a.kind,
      category: a.category,
      slot,
      creative: a.creatives[channel]!.render(tdata),
      score: Number(scores[i]!.toPrecision(4)),
      reasons: publicReasons(why, input.keyKind),
      sensitiveReasons: sensitiveReasons(why, input.keyKind),
    };
  });
  const visible = notes.filter((x) => input.keyKind === "server" || !x.sensitive).map((x) => x.text);
  return {
    actions,
    suppressed,
    notes: [...new Set(visible)],
    segment,
    ttl: deferred ? cfg.deferredTtlSeconds : cfg.ttlSeconds[channel],
    candidates: { items, shown, diverse, epsilon, band },
    catalogVersion: catalog.version,
  };
}

/** Whether a rule head holds; one that throws does not (the full rule then reports the error, if asked). */
function holds(head: (d: unknown) => unknown, data: unknown): boolean {
  try {
    return truthy(head(data));
  } catch {
    return true;
  }
}

/** A rule that throws holds its action back (fail closed) and, when reporting, says so. */
function passes(a: CompiledAction, data: unknown, report: Suppression[] | null): boolean {
  try {
    return truthy(a.test!(data));
  } catch {
    report?.push({ id: a.id, guardrail: "rule_error", reason: "the rule failed to evaluate" });
    return false;
  }
}
