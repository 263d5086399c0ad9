/**
 * The compiled catalogue: actions parsed, rules compiled to closures, templates parsed, context weights and
 * per-channel lists precomputed, once per catalogue version, so a decision only reads memory.
 */
import type { Powertrain } from "../profile/events";
import type { Category } from "../profile/types";
import { compileRules } from "../rules/compile";
import { ruleSignals, type RuleSignals } from "../rules/signals";
import type { Action, Creative, Intrusiveness } from "./action";
import { contextWeight } from "./arbitrate";
import { GUARD_BIT, GUARDRAILS } from "./guardrails/index";
import { sensitivePhrase } from "./sensitive";
import { compileTemplate, type CompiledTemplate, type TemplateData } from "./templates";
import { type ActionFault, checkAction, VALIDATOR_VERSION } from "./validate-action";
import { DECISION_CHANNELS, isMarketing, type ActionKind, type DecisionChannel } from "./vocabulary";

export { ActionSchema, type Action, type ActionInput, type Creative } from "./action";
export { type ActionFault, VALIDATOR_VERSION, validateAction } from "./validate-action";

export interface CompiledCreative {
  render(t: TemplateData): Creative;
  /** The sensitive topic the author's words mention, if any (refused at upsert; held back at decision time). */
  sensitive: string | null;
}

export interface CompiledAction {
  readonly id: string;
  /** Position in `CompiledCatalog.actions`, for per-action arrays on the hot path. */
  readonly index: number;
  readonly kind: ActionKind;
  readonly category: Category;
  readonly value: number;
  readonly lever: number;
  readonly intrusiveness: Intrusiveness;
  readonly householdLevel: boolean;
  readonly powertrains: readonly Powertrain[] | null;
  readonly offBrandService: boolean;
  readonly newVehicleSales: boolean;
  readonly marketing: boolean;
  readonly prior: { readonly alpha: number; readonly beta: number };
  readonly dealerId: string | null;
  readonly overrides: Readonly<Record<string, { disabled?: boolean; lever?: number }>> | null;
  readonly validFrom: number;
  readonly validTo: number;
  readonly caps: Action["caps"];
  /** The compiled rule; eligible when `truthy(test(data))`. Null when the action has no rule (always eligible). */
  readonly test: ((data: unknown) => unknown) | null;
  /** A shared part of the rule that must hold for it to hold (see compileRules), or null. */
  readonly head: ((data: unknown) => unknown) | null;
  readonly signals: RuleSignals;
  /** The rule reads only the request context: usable for unknown visitors, under GPC and in degraded mode. */
  readonly contextual: boolean;
  readonly creatives: Readonly<Partial<Record<DecisionChannel, CompiledCreative>>>;
  /** issue 10: creatives per language tag (`de`, `de-AT`); null when the action has none. */
  readonly localized: Readonly<Record<string, Partial<Record<DecisionChannel, CompiledCreative>>>> | null;
  /** Context weight at `channelIndex(channel) * 2 + (small surface ? 1 : 0)`; an array, so the hot path does no keyed lookups. */
  readonly weights: readonly number[];
  readonly source: Action;
  /** One bit per guardrail that could hold this action back (GUARD_BIT); the others are not asked. */
  readonly guards: number;
}

export interface CompiledCatalog {
  readonly version: string;
  /** Sorted by id, so a replay does not depend on the order the store returned rows in. */
  readonly actions: readonly CompiledAction[];
  /** Per channel, grouped by rule head, then by id. */
  readonly byChannel: Readonly<Record<DecisionChannel, readonly CompiledAction[]>>;
  readonly byId: ReadonlyMap<string, CompiledAction>;
  /** Whether any action counts the household's contacts (if none, the household log is not read). */
  readonly hasHouseholdLevel: boolean;
  /** Stored actions that no longer pass validation; skipped rather than failing every decision. Actions whose
   * only fault is sensitive copy are kept and held back by the sensitive_copy guardrail instead. */
  readonly rejected: readonly { id: string; faults: readonly ActionFault[] }[];
}

/**
 * Compile a catalogue version; call once per version and cache it. compileCatalog(DEMO_CATALOG, "v1").
 * `checkedWith[i]` is the VALIDATOR_VERSION that `actions[i]` passed when it was stored: an action checked by the
 * current version is taken as it is (it is the validator's own output); any other is checked again here.
 */
export function compileCatalog(
  actions: readonly unknown[],
  version: string,
  checkedWith: readonly (string | null | undefined)[] = [],
): CompiledCatalog {
  const accepted: Action[] = [];
  const checked = new Set<Action>();
  const rejected: { id: string; faults: ActionFault[] }[] = [];
  for (let i = 0; i < actions.length; i++) {
    const input = actions[i];
    if (checkedWith[i] === VALIDATOR_VERSION && input !== null && typeof input === "object") {
      accepted.push(input as Action);
      checked.add(input as Action);
      continue;
    }
    const { action, faults } = checkAction(input);
    // Copy stored before the phrase list grew stays in the catalogue but is held back at decision time.
    if (action && faults.every((f) => f.type === "sensitive-copy")) accepted.push(action);
    else rejected.push({ id: String((input as { id?: unknown })?.id ?? "?"), faults });
  }
  const count = new Map<string, number>();
  for (const a of accepted) count.set(a.id, (count.get(a.id) ?? 0) + 1);
  for (const [id, n] of count) {
    if (n > 1)
      rejected.push({
        id,
        faults: [{ type: "invalid", pointer: "/id", reason: `${n} actions share this id; all are set aside` }],
      });
  }
  // Sorted by id with the built-in string order (UTF-16 code units, as `<` compares), not a comparator per pair.
  const once = new Map<string, Action>();
  for (const a of accepted) if (count.get(a.id) === 1) once.set(a.id, a);
  const unique = [...once.keys()].sort().map((id) => once.get(id)!);
  // Actions taken as stored are JSON values (the store keeps them as JSON text).
  const { tests, heads, contextual } = compileRules(
    unique.map((a) => a.rule),
    { fromJson: unique.every((a) => checked.has(a)) },
  );
  // Context weights depend on kind and intrusiveness only: one frozen array per pair, shared.
  const weightsOf = new Map<string, readonly number[]>();
  const weights = (a: Action) => {
    const key = `${a.kind}/${a.intrusiveness}`;
    let w = weightsOf.get(key);
    if (!w) weightsOf.set(key, (w = contextWeights(a)));
    return w;
  };
  const compiled = unique.map((a, i) =>
    compileAction(a, a.rule === null ? null : tests[i]!, heads[i]!, contextual[i]!, weights(a), i, checked.has(a)),
  );
  // Per channel, actions that share a rule head sit together, so a false head skips them with one evaluation.
  // One stable sort by head (ties stay in id order), then each channel's actions in that order.
  const headOrder = new Map(heads.filter(Boolean).map((h, i) => [h, i] as const));
  const rank = compiled.map((a) => (a.head === null ? -1 : headOrder.get(a.head)!));
  const grouped = compiled.slice().sort((x, y) => rank[x.index]! - rank[y.index]!);
  const byChannel = {} as Record<DecisionChannel, readonly CompiledAction[]>;
  for (const c of DECISION_CHANNELS) byChannel[c] = Object.freeze(grouped.filter((a) => a.creatives[c] !== undefined));
  return Object.freeze({
    version,
    actions: Object.freeze(compiled),
    byChannel: Object.freeze(byChannel),
    byId: new Map(compiled.map((a) => [a.id, a])),
    hasHouseholdLevel: compiled.some((a) => a.householdLevel),
    rejected: Object.freeze(rejected),
  });
}

function contextWeights(a: Action): readonly number[] {
  return Object.freeze(
    DECISION_CHANNELS.flatMap((c) => [
      contextWeight(a.kind, a.intrusiveness, c, false),
      contextWeight(a.kind, a.intrusiveness, c, true),
    ]),
  );
}

function compileAction(
  a: Action,
  test: ((data: unknown) => unknown) | null,
  head: ((data: unknown) => unknown) | null,
  contextual: boolean,
  weights: readonly number[],
  index: number,
  checked: boolean,
): CompiledAction {
  // What the rule reads is wanted only to explain a shown action: found on first use.
  let signals: RuleSignals | null = null;
  const creatives: Partial<Record<DecisionChannel, CompiledCreative>> = {};
  for (const c of DECISION_CHANNELS) {
    const src = a.channels[c];
    if (!src) continue;
    creatives[c] = checked ? lazyCreative(src) : compileCreative(src);
  }
  let localized: Record<string, Partial<Record<DecisionChannel, CompiledCreative>>> | null = null;
  for (const [locale, l] of Object.entries(a.locales ?? {})) {
    const set: Partial<Record<DecisionChannel, CompiledCreative>> = {};
    for (const c of DECISION_CHANNELS) {
      const src = l.channels[c];
      if (src) set[c] = checked ? lazyCreative(src) : compileCreative(src);
    }
    (localized ??= {})[locale] = set;
  }
  const action = {
    id: a.id,
    index,
    kind: a.kind,
    category: a.category,
    value: a.value,
    lever: a.lever,
    intrusiveness: a.intrusiveness,
    householdLevel: a.householdLevel,
    powertrains: a.powertrains ?? null,
    offBrandService: a.offBrandService,
    newVehicleSales: a.newVehicleSales,
    marketing: isMarketing(a),
    prior: a.prior,
    dealerId: a.dealerId ?? null,
    overrides: a.dealerOverrides ?? null,
    validFrom: a.validFrom ? Date.parse(a.validFrom) : -Infinity,
    validTo: a.validTo ? Date.parse(a.validTo) : Infinity,
    caps: a.caps,
    test,
    head,
    get signals(): RuleSignals {
      return (signals ??= ruleSignals(a.rule));
    },
    contextual,
    creatives,
    localized,
    weights,
    source: a,
    guards: 0,
  };
  for (const g of GUARDRAILS) if (!g.concerns || g.concerns(action)) action.guards |= GUARD_BIT.get(g)!;
  return Object.freeze(action);
}

/**
 * The creative of `a` on `channel` in `locale`: the exact tag, else its language, else the default.
 * creativeFor(a, "email", "de-AT") uses `locales["de-AT"]`, else `locales.de`, else `channels.email`.
 */
export function creativeFor(a: CompiledAction, channel: DecisionChannel, locale: string | null): CompiledCreative {
  if (locale && a.localized) {
    const exact = a.localized[locale]?.[channel];
    if (exact) return exact;
    const lang = a.localized[locale.split(/[-_]/)[0]!.toLowerCase()]?.[channel];
    if (lang) return lang;
  }
  return a.creatives[channel]!;
}

/**
 * A creative of an action checked at upsert: its copy passed the sensitive-phrase check, and its templates are
 * parsed on first render (a cold isolate's first decision renders only what it shows).
 */
function lazyCreative(src: Record<string, unknown>): CompiledCreative {
  let compiled: CompiledCreative | null = null;
  return { sensitive: null, render: (t) => (compiled ??= compileCreative(src)).render(t) };
}

function compileCreative(src: Record<string, unknown>): CompiledCreative {
  const fields: [string, CompiledTemplate][] = [];
  let buttons: CompiledTemplate[] | null = null;
  let imageUrl: string | undefined;
  for (const [k, v] of Object.entries(src)) {
    if (k === "imageUrl") imageUrl = v as string;
    else if (k === "buttons") buttons = (v as string[]).map(compileTemplate);
    else fields.push([k, compileTemplate(v as string)]);
  }
  const literals = [...fields.map(([, t]) => t.literal), ...(buttons ?? []).map((b) => b.literal)].join(" \n ");
  return {
    sensitive: sensitivePhrase(literals),
    render(t) {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < fields.length; i++) out[fields[i]![0]] = fields[i]![1].render(t);
      if (buttons) out.buttons = buttons.map((b) => b.render(t));
      if (imageUrl !== undefined) out.imageUrl = imageUrl;
      return out as unknown as Creative;
    },
  };
}
