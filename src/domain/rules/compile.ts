/**
 * JsonLogic → a tree of JavaScript closures (nodes.ts), built once per catalogue version, with the semantics of
 * json-logic-js 2.0.5 (the reference: a differential test holds them equal). Closures rather than generated
 * source because Workers forbid `new Function`; closures are already ~8x faster than re-interpreting the JSON,
 * ~20x when a catalogue's rules are compiled together (see bench/NOTES-engine.md).
 */
import { compileNode, type Fn } from "./nodes";
import { isLogic, operation, truthy } from "./operators";
import { validateRule, type RuleFault } from "./validate";

/** A rule the validator refused; `faults` name each problem. */
export class RuleError extends Error {
  constructor(readonly faults: RuleFault[]) {
    super(faults.map((f) => `${f.path || "/"}: ${f.problem}`).join("; "));
  }
}

/** Compile a rule to a predicate over RuleData; throws RuleError for an invalid rule. `null` is always true. */
export function compileRule(rule: unknown): (data: unknown) => boolean {
  const faults = validateRule(rule);
  if (faults.length > 0) throw new RuleError(faults);
  if (rule === null || rule === undefined) return () => true;
  const f = plain(rule);
  return (d) => truthy(f(d));
}

const plain = (node: unknown): Fn => compileNode(node, plain);

/** Compile without validation and return the raw value, as `jsonLogic.apply` would (tests and tools). */
export function compileExpr(rule: unknown): (data: unknown) => unknown {
  return plain(rule);
}

export interface CompiledRuleSet {
  /** Per rule, an expression whose JsonLogic truthiness is the verdict: `truthy(test(data))`. */
  tests: ((data: unknown) => unknown)[];
  /**
   * Per rule, a shared conjunct (or the whole rule when several actions share it) that must be truthy for the
   * rule to be, or null. Rules with one head can be skipped together after a single evaluation.
   */
  heads: (((data: unknown) => unknown) | null)[];
}

/**
 * Compile a catalogue's rules together (each must be valid). A subtree used by several rules is compiled once
 * and remembers its value for the last data object it saw, so within one decision it is evaluated once. Rule
 * data is built afresh per decision and never mutated, which makes the object identity a safe key.
 */
export function compileRules(rules: readonly unknown[]): CompiledRuleSet {
  const keyOf = structuralKeys();
  const counts = new Map<string, number>();
  const count = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) count(n);
      return;
    }
    if (!isLogic(node)) return;
    const key = keyOf(node);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    for (const a of operation(node).args) count(a);
  };
  rules.forEach(count);
  const cache = new Map<string, Fn>();
  const shared = (node: unknown): Fn => {
    if (!isLogic(node) || "var" in node) return compileNode(node, shared);
    const key = keyOf(node);
    if ((counts.get(key) ?? 0) < 2) return compileNode(node, shared);
    let f = cache.get(key);
    if (!f) cache.set(key, (f = remember(lazy(() => compileNode(node, shared)))));
    return f;
  };
  // Closures are built on first evaluation: a cold isolate's first decision compiles only the rules it evaluates
  // (rule heads let whole groups be skipped), which keeps it inside a Worker's CPU budget.
  const tests = rules.map((r) => (r === null || r === undefined ? () => true : lazy(() => shared(r))));
  const heads = rules.map((r) =>
    headOf(r, (n) => (isLogic(n) && !("var" in n) ? (counts.get(keyOf(n)) ?? 0) : 0), shared),
  );
  return { tests, heads };
}

/**
 * The first shared conjunct of a rule (every conjunct must hold for an `and` to hold), or the whole rule when
 * it is shared. The first, not the most shared: authors put the deciding condition first, and the most
 * common conjunct is usually a broad one ("no open complaint") that filters nothing.
 */
function headOf(rule: unknown, uses: (n: unknown) => number, compile: (n: unknown) => Fn): Fn | null {
  if (!isLogic(rule) || "var" in rule) return null;
  const shared = (n: unknown) => uses(n) >= 2;
  if (shared(rule)) return compile(rule);
  const { op, args } = operation(rule);
  const first = op === "and" ? args.find(shared) : undefined;
  return first === undefined ? null : compile(first);
}

/**
 * A canonical key per subtree, built from its children's keys (each node stringified once, not once per
 * ancestor). `{"!": x}` and `{"!": [x]}` share a key: they compile to the same closure.
 */
function structuralKeys(): (n: unknown) => string {
  const cache = new WeakMap<object, string>();
  const keyOf = (n: unknown): string => {
    if (n === null || typeof n !== "object") return JSON.stringify(n) ?? "undefined";
    let k = cache.get(n);
    if (k !== undefined) return k;
    if (Array.isArray(n)) k = `[${n.map(keyOf).join(",")}]`;
    else if (isLogic(n)) {
      const { op, args } = operation(n);
      k = `{${JSON.stringify(op)}:[${args.map(keyOf).join(",")}]}`;
    } else k = JSON.stringify(n);
    cache.set(n, k);
    return k;
  };
  return keyOf;
}

const UNSEEN = {};

/** A node compiled on its first call (then called directly): lazy(() => compileNode(rule, self)). */
function lazy(make: () => Fn): Fn {
  let f: Fn | null = null;
  return (d) => (f ??= make())(d);
}

/** A node that remembers its value for the last data object (shared subtrees, evaluated once per decision). */
function remember(f: Fn): Fn {
  let lastData: unknown = UNSEEN;
  let lastValue: unknown;
  return (d) => {
    if (d !== lastData) {
      lastValue = f(d);
      lastData = d;
    }
    return lastValue;
  };
}
