/** decide(): the pure decision. Gates → guardrails → rules → learner → arbitration → copy and reasons. */
import type { Gates, RuleData } from "../rules/data";
import { truthy } from "../rules/operators";
import { firstCategory, isSmallSurface, needsDiversity, selectSlate } from "./arbitrate";
import { creativeFor, type CompiledAction } from "./catalog";
import { DEFAULT_CONFIG, type DecideConfig } from "./config";
import { explain } from "./explain";
import { anyMakeService, deriveGates, primaryVehicle } from "./gates";
import { GUARD_BIT, GUARDRAILS, type Check, type GuardContext } from "./guardrails/index";
import { marketingRuleData, ruleDataFor } from "./guardrails/consent";
import { publicReasons, sensitiveReasons } from "./guardrails/sensitive-copy";
import { boundedSample, Posteriors, thompsonScores, type Candidate } from "./learner";
import type { TemplateData } from "./templates";
import { localTime, type LocalTime } from "./time";
import type { DecidedAction, DecisionInput, DecisionResult, GuardrailName, Suppression } from "./types";
import { categoryIndex, channelIndex, type Segment } from "./vocabulary";

const MAX_LIMIT = 10;

/** What templates may render for this decision: under GPC nothing from the profile. */
export function templateDataFor(input: DecisionInput, gates: Gates | null): TemplateData {
  const useProfile = !input.gpc && input.profile !== null;
  return {
    vehicle: useProfile ? primaryVehicle(input.profile!.vehicles) : null,
    dealerName: input.dealer?.name ?? null,
    gates: useProfile ? gates : null,
    contextModel: input.context.model ?? null,
    slots: input.serviceSlots?.slots.length ? input.serviceSlots : null,
  };
}

/**
 * Decide the next best actions for one person (or visitor) on one channel, now. Pure: time and randomness come
 * in through `input.now` and `input.rng`; the same input and rng seed give the same result.
 */
export function decide(input: DecisionInput): DecisionResult {
  const cfg = input.config ?? DEFAULT_CONFIG;
  const { catalog, channel, now, profile } = input;
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
    local: () =>
      (local ??= localTime([profile?.consent.timeZone, input.dealer?.timeZone, input.context.timeZone], now)),
    templateData: () => (td ??= templateDataFor(input, gates)),
    note: (text, sensitive = false) => void notes.push({ text, sensitive }),
    defer: (text) => {
      deferred = true;
      notes.push({ text, sensitive: false });
    },
  };
  const show = input.showSuppressed && input.keyKind === "server";
  const guards = prepareGuardrails(ctx, show);
  const suppressed: Suppression[] = [];
  const { eligible, levers } =
    guards.everything && !show ? { eligible: [], levers: [] } : screen(input, data, guards, show ? suppressed : null);
  const { items, shown, scores, diverse, first } = rank(input, cfg, segment, eligible, levers);

  const tdata = ctx.templateData();
  const sensitive = input.showSensitive === true && input.keyKind === "server";
  const reasonGates = input.gpc ? null : gates;
  const anyMakeGates = reasonGates ? anyMakeService(reasonGates) : null;
  // issue 10: the request's language, else the person's
  const locale = input.context.locale ?? profile?.consent.locale ?? null;
  const actions: DecidedAction[] = shown.map((i, slot) => {
    const a = eligible[i]!;
    const why = explain(a, a.offBrandService ? anyMakeGates : reasonGates, data.context);
    return {
      id: a.id,
      kind: a.kind,
      category: a.category,
      slot,
      creative: creativeFor(a, channel, locale).render(tdata),
      score: Number(scores[i]!.toPrecision(4)),
      reasons: publicReasons(why),
      sensitiveReasons: sensitiveReasons(why, sensitive),
    };
  });
  const visible = notes.filter((x) => sensitive || !x.sensitive).map((x) => x.text);
  return {
    actions,
    suppressed,
    notes: [...new Set(visible)],
    segment,
    ttl: deferred ? cfg.deferredTtlSeconds : cfg.ttlSeconds[channel],
    candidates: { items, shown, diverse, epsilon: cfg.learner.epsilon, band: cfg.learner.band, first },
    catalogVersion: catalog.version,
  };
}

interface Prepared {
  checks: Check[];
  names: GuardrailName[];
  bits: number[];
  /** A guardrail holds every action back (moving car, quiet hours). */
  everything: boolean;
}

function prepareGuardrails(ctx: GuardContext, show: boolean): Prepared {
  const p: Prepared = { checks: [], names: [], bits: [], everything: false };
  for (const g of GUARDRAILS) {
    const c = g.prepare(ctx);
    if (!c) continue;
    p.checks.push(c);
    p.names.push(g.name);
    p.bits.push(GUARD_BIT.get(g)!);
    p.everything ||= c.everything === true;
    // Nothing can be shown: unless asked what was held back, the other guardrails need not run.
    if (p.everything && !show) break;
  }
  return p;
}

/** The data an action the dealer performs on any make (`offBrandService`) sees: service gates over every vehicle. */
function anyMakeData(data: RuleData): RuleData {
  return data.gates?.offBrandServiceDue ? { ...data, gates: anyMakeService(data.gates) } : data;
}

/** The hot loop: the channel's actions that pass dealer scope, validity, their rule and every guardrail. */
function screen(input: DecisionInput, data: RuleData, g: Prepared, report: Suppression[] | null) {
  const list = input.catalog.byChannel[input.channel];
  const eligible: CompiledAction[] = [];
  const levers: number[] = [];
  const dealerId = input.dealer?.id ?? null;
  const now = input.now;
  const n = g.checks.length;
  const exclude = input.exclude;
  let head: ((d: unknown) => unknown) | null = null;
  let headData: RuleData = data;
  let headHolds = true;
  let anyMake: RuleData | null = null;
  // Marketing rules see driving data only with the person's drivingDataConsent.
  let mkt: RuleData | null = null;
  let mktAnyMake: RuleData | null = null;
  // Indexed loops: array iterators allocate a result object per step when not optimized away.
  for (let k = 0; k < list.length; k++) {
    const a = list[k]!;
    const d = a.marketing
      ? a.offBrandService
        ? (mktAnyMake ??= anyMakeData((mkt ??= marketingRuleData(data))))
        : (mkt ??= marketingRuleData(data))
      : a.offBrandService
        ? (anyMake ??= anyMakeData(data))
        : data;
    if (a.head !== null) {
      if (a.head !== head || d !== headData) {
        head = a.head;
        headData = d;
        headHolds = holds(head, d);
      }
      if (!headHolds) continue;
    }
    if (a.dealerId !== null && a.dealerId !== dealerId) continue;
    if (exclude?.has(a.id)) continue;
    let lever = a.lever;
    if (a.overrides !== null && dealerId !== null) {
      const o = a.overrides[dealerId];
      if (o?.disabled) continue;
      if (o?.lever !== undefined) lever = o.lever;
    }
    if (now < a.validFrom || now >= a.validTo) continue;
    // Rules first: most actions fail their rule, and a held-back action is reported only if it was eligible.
    if (a.test !== null && !passes(a, d, report)) continue;
    let held = -1;
    let reason: string | null = null;
    for (let i = 0; i < n && held < 0; i++) {
      if ((a.guards & g.bits[i]!) === 0) continue;
      reason = g.checks[i]!(a);
      if (reason !== null) held = i;
    }
    if (held >= 0) {
      report?.push({ id: a.id, guardrail: g.names[held]!, reason: reason! });
      continue;
    }
    eligible.push(a);
    levers.push(lever);
  }
  return { eligible, levers };
}

/** Candidates with their posteriors and base (weight × value × lever), Thompson scores, and the slate. */
function rank(
  input: DecisionInput,
  cfg: DecideConfig,
  segment: Segment,
  eligible: readonly CompiledAction[],
  levers: readonly number[],
) {
  const { catalog, channel, rng } = input;
  const { epsilon, band } = cfg.learner;
  const arms = new Posteriors(input.stats, catalog, channel, segment);
  const weightAt = channelIndex(channel) * 2 + (isSmallSurface(channel, input.placement) ? 1 : 0);
  const n = eligible.length;
  const items: Candidate[] = new Array(n);
  const cats: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const a = eligible[i]!;
    items[i] = {
      id: a.id,
      category: a.category,
      alpha: arms.alpha(a),
      beta: arms.beta(a),
      base: a.weights[weightAt]! * a.value * levers[i]!,
    };
    cats[i] = categoryIndex(a.category);
  }
  const diverse = needsDiversity(channel);
  const limit = Math.max(0, Math.min(MAX_LIMIT, Math.floor(input.limit)));
  const scores = thompsonScores(items, limit, diverse, band, rng);
  // Safety outranks marketing on small surfaces: an eligible safety action takes the first slot.
  const first = firstCategory(channel, input.placement);
  const firstIndex = first === null ? -1 : categoryIndex(first);
  if (firstIndex >= 0)
    for (let i = 0; i < n; i++)
      if (cats[i] === firstIndex && Number.isNaN(scores[i]!))
        scores[i] = boundedSample(items[i]!.alpha, items[i]!.beta, band, rng) * items[i]!.base;
  const shown = selectSlate(scores, cats, limit, diverse, epsilon, rng, firstIndex);
  // An exploration pick may be an action that could not win on score, and so was not sampled yet.
  for (const i of shown)
    if (Number.isNaN(scores[i]!))
      scores[i] = boundedSample(items[i]!.alpha, items[i]!.beta, band, rng) * items[i]!.base;
  return { items, shown, scores, diverse, first };
}

/** Whether a rule head holds. One that throws counts as holding: the full rule then runs, fails closed and reports. */
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
