/**
 * JsonLogic → a tree of JavaScript closures (nodes.ts), built once per catalogue version, with the semantics of
 * json-logic-js 2.0.5 (the reference: a differential test holds them equal). Closures rather than generated
 * source because Workers forbid `new Function`; closures are already ~8x faster than re-interpreting the JSON,
 * ~20x when a catalogue's rules are compiled together (see bench/NOTES-engine.md).
 */
import { compileNode, type Fn } from "./nodes";
import { isLogic, operation, OPERATORS, truthy } from "./operators";
import { PREDICATES } from "./predicates";
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
  /** Per rule, `isContextual(ruleSignals(rule))`, found in the same pass (a cold catalogue walks each rule once). */
  contextual: boolean[];
}

/**
 * Compile a catalogue's rules together (each must be valid). A subtree used by several rules is compiled once
 * and remembers its value for the last data object it saw, so within one decision it is evaluated once. Rule
 * data is built afresh per decision and never mutated, which makes the object identity a safe key.
 *
 * One pass over every node (issue 11: a cold isolate's first decision): each subtree gets a number, equal for
 * equal subtrees (`{"!": x}` and `{"!": [x]}` too: they compile to the same closure), from a short key made of
 * its operator, its literal arguments and its children's numbers — so no subtree is stringified once per
 * ancestor. The same pass counts uses and tells contextual subtrees apart.
 */
export function compileRules(rules: readonly unknown[], opts: { fromJson?: boolean } = {}): CompiledRuleSet {
  const numbers = new Map<string, number>();
  /** The number of each operation node (the only nodes looked up again). */
  const idOf = new Map<object, number>();
  const counts: number[] = [];
  const ctx: boolean[] = [];
  const number = (key: string, contextual: boolean): number => {
    let id = numbers.get(key);
    if (id === undefined) {
      id = counts.length;
      numbers.set(key, id);
      counts.push(0);
      ctx.push(contextual);
    }
    return id;
  };
  // Numbers counted while visiting a subtree whose text is remembered (so a repeat can count them again), and
  // whether that subtree is plain JSON (then equal text means an equal tree).
  let trail: number[] | null = null;
  let plainJson = true;
  // A node's key: its operator (or `[` for a list), then each argument — a literal as its JSON, a subtree as `#`
  // and its number (JSON never starts with #). Object.keys once per object: an operation has exactly one own key.
  const visit = (n: object, depth: number): number => {
    let key: string;
    let args: readonly unknown[];
    let op: string | null = null;
    if (Array.isArray(n)) {
      key = "[";
      args = n;
    } else {
      const keys = Object.keys(n);
      if (keys.length !== 1) return number(`o${JSON.stringify(n)}`, true);
      op = keys[0]!;
      const raw = (n as Record<string, unknown>)[op];
      args = Array.isArray(raw) ? raw : [raw];
      key = `{${JSON.stringify(op)}:`;
    }
    const scoped = op === null ? undefined : OPERATORS[op]?.scoped;
    let contextual = true;
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (i > 0) key += ",";
      if (a === null || typeof a !== "object") {
        if (!(typeof a === "string" || typeof a === "boolean" || a === null || Number.isFinite(a))) plainJson = false;
        key += JSON.stringify(a) ?? "undefined";
      } else {
        const c = depth < 1 ? remembered(a, depth + 1) : visit(a, depth + 1);
        key += `#${c}`;
        if (i !== scoped && !ctx[c]) contextual = false;
      }
    }
    if (op === null) return number(key, contextual);
    let id = numbers.get(key);
    if (id === undefined) id = number(key, contextual && contextualOwn(op, args));
    counts[id]!++;
    trail?.push(id);
    idOf.set(n, id);
    return id;
  };
  // With `fromJson` (rules parsed from JSON text, as a catalogue is stored), a rule and its top-level arguments
  // (an `and`'s conjuncts) are first looked up by their JSON text: catalogues repeat whole conditions across
  // actions, and a repeat is counted without being walked again. (Outside JSON, `[undefined]` and `[null]` share
  // a text but not a meaning, so other rules are always walked.)
  const byText = new Map<string, { id: number; counted: number[] }>();
  const remembered = (n: object, depth: number): number => {
    if (!opts.fromJson) return visit(n, depth);
    const text = JSON.stringify(n);
    const seen = byText.get(text);
    if (seen) {
      for (const id of seen.counted) {
        counts[id]!++;
        trail?.push(id);
      }
      if (!Array.isArray(n) && seen.counted.length > 0) idOf.set(n, seen.id);
      return seen.id;
    }
    const [outerTrail, outerPlain] = [trail, plainJson];
    trail = [];
    plainJson = true;
    const id = visit(n, depth);
    const counted = trail;
    if (plainJson) byText.set(text, { id, counted });
    trail = outerTrail;
    trail?.push(...counted);
    plainJson = outerPlain && plainJson;
    return id;
  };
  const ids = rules.map((r) => (r !== null && typeof r === "object" ? remembered(r, 0) : -1));
  const uses = (n: unknown) => (isLogic(n) && !("var" in n) ? (counts[idOf.get(n) ?? -1] ?? 0) : 0);
  const cache = new Map<number, Fn>();
  const shared = (node: unknown): Fn => {
    if (!isLogic(node) || "var" in node) return compileNode(node, shared);
    const id = idOf.get(node);
    if (id === undefined || counts[id]! < 2) return compileNode(node, shared);
    let f = cache.get(id);
    if (!f) cache.set(id, (f = remember(lazy(() => compileNode(node, shared)))));
    return f;
  };
  // Closures are built on first evaluation: a cold isolate's first decision compiles only the rules it evaluates
  // (rule heads let whole groups be skipped), which keeps it inside a Worker's CPU budget.
  const tests = rules.map((r) => (r === null || r === undefined ? () => true : lazy(() => shared(r))));
  const heads = rules.map((r) => headOf(r, uses, shared));
  return { tests, heads, contextual: ids.map((id) => id < 0 || ctx[id]!) };
}

/**
 * Whether an operation itself reads nothing but the request context (its arguments aside): the bottom-up form
 * of ruleSignals + isContextual — no predicate, every variable path under `context`.
 */
function contextualOwn(op: string, args: readonly unknown[]): boolean {
  if (PREDICATES[op]) return false;
  const path = (k: unknown) => typeof k !== "string" || k === "context" || k.startsWith("context.");
  const keys = (a: unknown) => (Array.isArray(a) ? a : [a]).every(path);
  if (op === "var") return path(args[0]);
  if (op === "missing") return args.every(keys);
  if (op === "missing_some") return keys(args[1]);
  return true;
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
