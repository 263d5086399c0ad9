/** Static checks of a JsonLogic rule at upsert: a bad rule is refused, naming the path and the problem. */
import { isLogic, operation, OPERATORS, type ArgType } from "./operators";
import { PARAM_TEXT, paramOk, PREDICATES } from "./predicates";
import { VAR_ROOTS } from "./data";

export type RuleFaultKind =
  | "not-logic"
  | "unknown-operator"
  | "arity"
  | "unknown-variable"
  | "argument-type"
  | "scope"
  | "too-complex";

/** One fault: `path` is a JSON pointer into the rule, e.g. "/and/1/lease_ends_within/0". */
export interface RuleFault {
  path: string;
  kind: RuleFaultKind;
  problem: string;
}

/** Limits of a rule's size. */
export const MAX_DEPTH = 24;
export const MAX_NODES = 400;
const ROOTS = Object.keys(VAR_ROOTS).join(", ");

type Scope = "root" | "item" | "reduce";
const esc = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");
const isScalar = (v: unknown) => v === null || ["string", "number", "boolean"].includes(typeof v);

/**
 * Faults of a rule; empty when it compiles. Example:
 * `validateRule({"lease_ends_within": ["soon"]})` → `[{path: "/lease_ends_within/0", kind: "argument-type", …}]`.
 */
export function validateRule(rule: unknown): RuleFault[] {
  const faults: RuleFault[] = [];
  if (rule === null || typeof rule === "boolean") return faults;
  if (!isLogic(rule)) {
    faults.push({
      path: "",
      kind: "not-logic",
      problem: "a rule is one JsonLogic operation (an object with one operator key), a boolean or null",
    });
    return faults;
  }
  const st = { nodes: 0 };
  walk(rule, "", 0, "root", faults, st);
  return faults;
}

function walk(
  node: unknown,
  path: string,
  depth: number,
  scope: Scope,
  faults: RuleFault[],
  st: { nodes: number },
): void {
  if (++st.nodes === MAX_NODES + 1 || depth === MAX_DEPTH + 1) {
    faults.push({
      path,
      kind: "too-complex",
      problem: `rules are limited to ${MAX_NODES} nodes and depth ${MAX_DEPTH}`,
    });
  }
  if (st.nodes > MAX_NODES || depth > MAX_DEPTH) return;
  if (Array.isArray(node)) {
    node.forEach((el, i) => {
      walk(el, `${path}/${i}`, depth + 1, scope, faults, st);
    });
    return;
  }
  if (typeof node !== "object" || node === null) return;
  if (!isLogic(node)) {
    faults.push({ path, kind: "not-logic", problem: "an object must have exactly one key, its operator" });
    return;
  }
  const { op, args, wrapped } = operation(node);
  const base = `${path}/${esc(op)}`;
  const at = (i: number) => (wrapped ? base : `${base}/${i}`);
  const pred = PREDICATES[op];
  if (pred) {
    if (scope !== "root")
      faults.push({
        path: base,
        kind: "scope",
        problem: `${op} reads the decision's gates; use it outside map/filter/all/none/some/reduce`,
      });
    if (args.length < pred.required || args.length > pred.params.length) {
      faults.push({ path: base, kind: "arity", problem: `${op} takes ${arity(pred.required, pred.params.length)}` });
    }
    args.forEach((a, i) => {
      const t = pred.params[i];
      if (t && !paramOk(t, a))
        faults.push({ path: at(i), kind: "argument-type", problem: `${op} expects ${PARAM_TEXT[t]} here (a literal)` });
    });
    return;
  }
  const spec = OPERATORS[op];
  if (!spec) {
    faults.push({ path: base, kind: "unknown-operator", problem: `unknown operator '${op}'` });
    return;
  }
  if (args.length < spec.min || args.length > spec.max) {
    faults.push({ path: base, kind: "arity", problem: `${op} takes ${arity(spec.min, spec.max)}` });
  }
  args.forEach((a, i) => {
    const t = spec.types[Math.min(i, spec.types.length - 1)]!;
    const inner: Scope = spec.scoped === i ? (op === "reduce" ? "reduce" : "item") : scope;
    const object = typeof a === "object" && a !== null;
    if (op === "var" && i === 0) checkPath(a, at(i), scope, faults);
    else if ((op === "missing" || op === "missing_some") && t === "keys") checkKeys(a, at(i), scope, faults);
    else if (!object || Array.isArray(a)) {
      if (!literalOk(t, a))
        faults.push({ path: at(i), kind: "argument-type", problem: `${op} expects ${TYPE_TEXT[t]} here` });
    }
    if (object && (t !== "keys" || isLogic(a))) walk(a, at(i), depth + 1, inner, faults, st);
  });
}

const TYPE_TEXT: Record<ArgType, string> = {
  any: "a value",
  scalar: "a string, number, boolean or null",
  number: "a number",
  list: "an array or an operation giving one",
  listOrString: "an array or a string",
  path: "a variable path",
  keys: "variable paths",
};

function literalOk(t: ArgType, v: unknown): boolean {
  switch (t) {
    case "any":
      return true;
    case "scalar":
      return isScalar(v);
    case "number":
      return typeof v === "number" || (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)));
    case "list":
      return Array.isArray(v);
    case "listOrString":
      return Array.isArray(v) || typeof v === "string";
    default:
      return isScalar(v);
  }
}

function checkKeys(a: unknown, path: string, scope: Scope, faults: RuleFault[]): void {
  if (Array.isArray(a)) {
    a.forEach((k, i) => {
      checkPath(k, `${path}/${i}`, scope, faults);
    });
  } else checkPath(a, path, scope, faults);
}

function checkPath(a: unknown, path: string, scope: Scope, faults: RuleFault[]): void {
  if (isLogic(a) || !(a === undefined || a === null || typeof a === "string" || typeof a === "number")) {
    faults.push({ path, kind: "argument-type", problem: "a variable path must be a literal string" });
    return;
  }
  if (scope === "item") return;
  const parts = a === undefined || a === null || a === "" ? [] : String(a).split(".");
  const root = parts[0];
  if (scope === "reduce") {
    if (root !== "current" && root !== "accumulator")
      faults.push({ path, kind: "unknown-variable", problem: "inside reduce, read 'current' or 'accumulator'" });
    return;
  }
  if (root === undefined || !(root in VAR_ROOTS)) {
    faults.push({
      path,
      kind: "unknown-variable",
      problem: `unknown variable root '${root ?? ""}'; use one of ${ROOTS}`,
    });
    return;
  }
  const fields = VAR_ROOTS[root as keyof typeof VAR_ROOTS];
  const field = parts[1];
  if (fields && field !== undefined && !fields.has(field)) {
    faults.push({ path, kind: "unknown-variable", problem: `unknown field '${root}.${field}'` });
  }
}

const arity = (min: number, max: number) =>
  min === max
    ? `${min} argument${min === 1 ? "" : "s"}`
    : max === Infinity
      ? `at least ${min} argument${min === 1 ? "" : "s"}`
      : `${min} to ${max} arguments`;
