/** What a rule reads: the predicates it calls and the variable paths it names (outside element scopes). */
import { isLogic, operation, OPERATORS } from "./operators";
import { PREDICATES } from "./predicates";

export interface RuleSignals {
  predicates: readonly string[];
  vars: readonly string[];
}

/**
 * The signals of a valid rule, for explanations and to tell contextual rules apart.
 * Example: `ruleSignals({"and": [{"lease_ends_within": [180]}, {"var": "context.model"}]})`
 * → `{predicates: ["lease_ends_within"], vars: ["context.model"]}`.
 */
export function ruleSignals(rule: unknown): RuleSignals {
  const predicates = new Set<string>();
  const vars = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n);
      return;
    }
    if (!isLogic(node)) return;
    const { op, args } = operation(node);
    if (PREDICATES[op]) predicates.add(op);
    else if (op === "var" && typeof args[0] === "string") vars.add(args[0]);
    else if (op === "missing") for (const a of args) collectKeys(a, vars);
    else if (op === "missing_some") collectKeys(args[1], vars);
    const scoped = OPERATORS[op]?.scoped;
    args.forEach((a, i) => {
      if (i !== scoped) walk(a);
    });
  };
  walk(rule);
  return { predicates: [...predicates], vars: [...vars] };
}

function collectKeys(a: unknown, into: Set<string>): void {
  for (const k of Array.isArray(a) ? a : [a]) if (typeof k === "string") into.add(k);
}

/** True when a rule reads nothing but the request context (safe for degraded mode and GPC). */
export function isContextual(s: RuleSignals): boolean {
  return s.predicates.length === 0 && s.vars.every((v) => v === "context" || v.startsWith("context."));
}
