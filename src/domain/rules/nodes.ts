/**
 * One JsonLogic node → a closure, with json-logic-js 2.0.5 semantics (value for value, including its coercions
 * and truthiness). Children are compiled through `child`, so the caller decides about sharing.
 */
import { isLogic, operation, OPERATORS, truthy } from "./operators";
import { PREDICATES, runPredicate } from "./predicates";

export type Fn = (d: any) => unknown;

const isConst = (x: unknown) => !Array.isArray(x) && !isLogic(x);

/** Compile `node`, compiling its children with `child`: compileNode(rule, self) for a plain tree. */
export function compileNode(node: unknown, child: (n: unknown) => Fn): Fn {
  if (Array.isArray(node)) {
    if (node.every(isConst)) return () => node;
    const fs = node.map(child);
    return (d) => fs.map((f) => f(d));
  }
  if (!isLogic(node)) return () => node;
  const { op, args } = operation(node);
  if (PREDICATES[op]) return (d) => runPredicate(op, d, args);
  switch (op) {
    case "var":
      return compileVar(args, child);
    case "if":
    case "?:":
      return compileIf(args.map(child));
    case "and":
      return compileAndOr(args.map(child), false);
    case "or":
      return compileAndOr(args.map(child), true);
    case "filter":
    case "map":
    case "all":
    case "none":
    case "some":
      return compileScoped(op, child(args[0]), child(args[1]));
    case "reduce": {
      const [fl, fs] = [child(args[0]), child(args[1])];
      const fi = args[2] !== undefined ? child(args[2]) : () => null;
      return (d) => {
        const list = fl(d);
        const init = fi(d);
        return Array.isArray(list) ? list.reduce((acc, cur) => fs({ current: cur, accumulator: acc }), init) : init;
      };
    }
  }
  if (!OPERATORS[op]) throw new Error(`Unrecognized operation ${op}`);
  return compileEager(op, args.map(child), args);
}

function compileVar(args: readonly unknown[], child: (n: unknown) => Fn): Fn {
  const [p, dflt] = args;
  if (isConst(p) && isConst(dflt)) return varPath(p, dflt === undefined ? null : dflt);
  const fp = child(p);
  const fd = child(dflt);
  return (d) => lookup(d, fp(d), fd(d));
}

/** json-logic-js `var`: a missing step gives the default; a null leaf is returned as null. */
function lookup(data: any, a: unknown, b: unknown): unknown {
  const nf = b === undefined ? null : b;
  if (a === undefined || a === "" || a === null) return data;
  let x = data;
  for (const k of String(a).split(".")) {
    if (x === null || x === undefined) return nf;
    x = x[k];
    if (x === undefined) return nf;
  }
  return x;
}

function varPath(a: unknown, nf: unknown): Fn {
  if (a === undefined || a === "" || a === null) return (d) => d;
  const parts = String(a).split(".");
  const [k0, k1, k2] = parts as [string, string, string];
  switch (parts.length) {
    case 1:
      return (d) => {
        if (d === null || d === undefined) return nf;
        const v = d[k0];
        return v === undefined ? nf : v;
      };
    case 2:
      return (d) => {
        if (d === null || d === undefined) return nf;
        const x = d[k0];
        if (x === null || x === undefined) return nf;
        const v = x[k1];
        return v === undefined ? nf : v;
      };
    case 3:
      return (d) => {
        if (d === null || d === undefined) return nf;
        const x = d[k0];
        if (x === null || x === undefined) return nf;
        const y = x[k1];
        if (y === null || y === undefined) return nf;
        const v = y[k2];
        return v === undefined ? nf : v;
      };
    default:
      return (d) => lookup(d, a, nf);
  }
}

function compileIf(fs: Fn[]): Fn {
  const n = fs.length;
  return (d) => {
    let i = 0;
    for (; i < n - 1; i += 2) if (truthy(fs[i]!(d))) return fs[i + 1]!(d);
    return n === i + 1 ? fs[i]!(d) : null;
  };
}

function compileAndOr(fs: Fn[], isOr: boolean): Fn {
  if (fs.length === 1) return fs[0]!;
  if (fs.length === 2) {
    const [a, b] = fs as [Fn, Fn];
    return isOr
      ? (d) => {
          const v = a(d);
          return truthy(v) ? v : b(d);
        }
      : (d) => {
          const v = a(d);
          return truthy(v) ? b(d) : v;
        };
  }
  if (fs.length === 3) {
    const [a, b, c] = fs as [Fn, Fn, Fn];
    return (d) => {
      const v = a(d);
      if (truthy(v) === isOr) return v;
      const w = b(d);
      return truthy(w) === isOr ? w : c(d);
    };
  }
  return (d) => {
    let cur: unknown;
    for (let i = 0; i < fs.length; i++) {
      cur = fs[i]!(d);
      if (truthy(cur) === isOr) return cur;
    }
    return cur;
  };
}

function compileScoped(op: string, fl: Fn, fs: Fn): Fn {
  switch (op) {
    case "filter":
      return (d) => {
        const l = fl(d);
        return Array.isArray(l) ? l.filter((x) => truthy(fs(x))) : [];
      };
    case "map":
      return (d) => {
        const l = fl(d);
        return Array.isArray(l) ? l.map((x) => fs(x)) : [];
      };
    case "all":
      return (d) => {
        const l = fl(d);
        return Array.isArray(l) && l.length > 0 && l.every((x) => truthy(fs(x)));
      };
    case "none":
      return (d) => {
        const l = fl(d);
        return !Array.isArray(l) || !l.some((x) => truthy(fs(x)));
      };
    default:
      return (d) => {
        const l = fl(d);
        return Array.isArray(l) && l.some((x) => truthy(fs(x)));
      };
  }
}

type Bin = (a: any, b: any) => unknown;
// JsonLogic's == and != are JavaScript's loose equality, on purpose (json-logic-js semantics).
const BINARY: Record<string, Bin> = {
  // biome-ignore lint/suspicious/noDoubleEquals: JsonLogic's == is loose equality
  "==": (a, b) => a == b,
  "===": (a, b) => a === b,
  // biome-ignore lint/suspicious/noDoubleEquals: JsonLogic's != is loose inequality
  "!=": (a, b) => a != b,
  "!==": (a, b) => a !== b,
  ">": (a, b) => a > b,
  ">=": (a, b) => a >= b,
  "/": (a, b) => a / b,
  "%": (a, b) => a % b,
  in: (a, b) => (!b || typeof b.indexOf === "undefined" ? false : b.indexOf(a) !== -1),
};

function compileEager(op: string, fs: Fn[], raw: readonly unknown[]): Fn {
  const bin = BINARY[op];
  if (bin) return binary(bin, fs, raw);
  if ((op === "<" || op === "<=") && fs.length === 2)
    return binary(op === "<" ? (a, b) => a < b : (a, b) => a <= b, fs, raw);
  const [fa, fb] = fs as [Fn, Fn];
  switch (op) {
    case "!":
      return (d) => !truthy(fa(d));
    case "!!":
      return (d) => truthy(fa(d));
    case "-":
      return fs.length === 1 ? (d) => -(fa(d) as number) : (d) => (fa(d) as number) - (fb(d) as number);
  }
  const impl = NARY[op]!;
  return (d) =>
    impl(
      fs.map((f) => f(d)),
      d,
    );
}

/** A binary operator, with the common "variable against a literal" case unrolled. */
function binary(f: Bin, fs: Fn[], raw: readonly unknown[]): Fn {
  const [fa, fb] = fs as [Fn, Fn];
  if (isConst(raw[1])) {
    const b = raw[1];
    return (d) => f(fa(d), b);
  }
  return (d) => f(fa(d), fb(d));
}

const pf = (x: unknown) => parseFloat(x as string);
const NARY: Record<string, (v: any[], d: any) => unknown> = {
  "<": ([a, b, c]) => (c === undefined ? a < b : a < b && b < c),
  "<=": ([a, b, c]) => (c === undefined ? a <= b : a <= b && b <= c),
  "+": (v) => v.reduce((a, b) => pf(a) + pf(b), 0),
  "*": (v) => v.reduce((a, b) => pf(a) * pf(b)),
  min: (v) => Math.min(...v),
  max: (v) => Math.max(...v),
  merge: (v) => v.reduce((a: unknown[], b) => a.concat(b), []),
  cat: (v) => Array.prototype.join.call(v, ""),
  substr: ([s, start, end]) => {
    if (end < 0) {
      const t = String(s).substr(start);
      return t.substr(0, t.length + end);
    }
    return String(s).substr(start, end);
  },
  missing: (v, d) => missingKeys(d, Array.isArray(v[0]) ? v[0] : v),
  missing_some: ([need, options], d) => {
    const opts = Array.isArray(options) ? options : [options];
    const miss = missingKeys(d, Array.isArray(opts[0]) ? opts[0] : opts);
    return (options as unknown[]).length - miss.length >= need ? [] : miss;
  },
};

function missingKeys(d: unknown, keys: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const k of keys) {
    const v = Array.isArray(k) ? lookup(d, k[0], k[1]) : lookup(d, k, undefined);
    if (v === null || v === "") out.push(k);
  }
  return out;
}
