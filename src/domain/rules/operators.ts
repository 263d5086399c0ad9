/** The JsonLogic operators this engine accepts (json-logic-js 2.0 minus `log`, which does I/O), with their arity. */

/** What a literal argument must be; an operation in that place is always accepted. */
export type ArgType = "any" | "scalar" | "number" | "list" | "listOrString" | "path" | "keys";

export interface OperatorSpec {
  min: number;
  max: number;
  /** Literal type per argument; the last one applies to the rest. */
  types: readonly ArgType[];
  /** Index of the argument evaluated once per element (map, filter, all, none, some, reduce). */
  scoped?: number;
}

const n = Infinity;
const op = (min: number, max: number, types: readonly ArgType[], scoped?: number): OperatorSpec =>
  scoped === undefined ? { min, max, types } : { min, max, types, scoped };

export const OPERATORS: Readonly<Record<string, OperatorSpec>> = {
  var: op(0, 2, ["path", "scalar"]),
  missing: op(1, n, ["keys"]),
  missing_some: op(2, 2, ["number", "keys"]),
  if: op(2, n, ["any"]),
  "?:": op(2, n, ["any"]),
  "==": op(2, 2, ["scalar"]),
  "===": op(2, 2, ["scalar"]),
  "!=": op(2, 2, ["scalar"]),
  "!==": op(2, 2, ["scalar"]),
  "!": op(1, 1, ["any"]),
  "!!": op(1, 1, ["any"]),
  and: op(1, n, ["any"]),
  or: op(1, n, ["any"]),
  ">": op(2, 2, ["scalar"]),
  ">=": op(2, 2, ["scalar"]),
  "<": op(2, 3, ["scalar"]),
  "<=": op(2, 3, ["scalar"]),
  max: op(1, n, ["number"]),
  min: op(1, n, ["number"]),
  "+": op(1, n, ["number"]),
  "-": op(1, 2, ["number"]),
  "*": op(1, n, ["number"]),
  "/": op(2, 2, ["number"]),
  "%": op(2, 2, ["number"]),
  map: op(2, 2, ["list", "any"], 1),
  filter: op(2, 2, ["list", "any"], 1),
  all: op(2, 2, ["list", "any"], 1),
  none: op(2, 2, ["list", "any"], 1),
  some: op(2, 2, ["list", "any"], 1),
  reduce: op(2, 3, ["list", "any", "any"], 1),
  merge: op(1, n, ["any"]),
  in: op(2, 2, ["scalar", "listOrString"]),
  cat: op(1, n, ["scalar"]),
  substr: op(2, 3, ["scalar", "number"]),
};

/** JsonLogic's truthiness: an empty array is false, everything else as in JavaScript. */
export function truthy(v: unknown): boolean {
  return Array.isArray(v) ? v.length > 0 : !!v;
}

/** Whether a value is an operation: an object (not an array) with exactly one key. */
export function isLogic(x: unknown): x is Record<string, unknown> {
  if (typeof x !== "object" || x === null || Array.isArray(x)) return false;
  let keys = 0;
  for (const k in x) if (Object.hasOwn(x, k) && ++keys > 1) return false;
  return keys === 1;
}

/** The operator of an operation and its arguments, with JsonLogic's unary sugar (`{"!": x}` is `{"!": [x]}`). */
export function operation(node: Record<string, unknown>): { op: string; args: readonly unknown[]; wrapped: boolean } {
  const op = Object.keys(node)[0]!;
  const raw = node[op];
  return Array.isArray(raw) ? { op, args: raw, wrapped: false } : { op, args: [raw], wrapped: true };
}
