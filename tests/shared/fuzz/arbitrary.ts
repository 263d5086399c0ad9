/**
 * JSON Schema (as openapi/openapi.json writes it) → fast-check arbitrary, for the keywords the document uses:
 * `$ref`, `type` (one or a list: nullable), `const`, `enum`, `pattern` (fc.stringMatching), `format` (date-time,
 * date, uri), `minLength`/`maxLength`, `minimum`/`maximum`/`exclusiveMinimum`, `items`/`minItems`/`maxItems`,
 * `properties`/`required`/`additionalProperties`/`minProperties`, `oneOf`/`anyOf` (a union of schemas, or — beside
 * `properties` — "exactly one of these" requirements, generated so that exactly one holds), `allOf`. Anything else
 * generates any JSON value. Property names with hints (ids of real objects) take a hinted value most of the time,
 * so that requests reach real data and not only 404s.
 *
 * And the mutations that make a valid value invalid: drop a field, a value of the wrong type, a huge string, odd
 * unicode, an unknown property.
 */
import fc from "fast-check";
import { spec, type Schema } from "./spec";

export interface GenContext {
  /** Property or parameter name → real values to try. */
  hints: Record<string, readonly unknown[]>;
  /** Now, for dates near it. */
  now: number;
}

const DAY = 86_400_000;

function resolve(s: Schema): Schema {
  let out = s;
  for (let i = 0; out && typeof out.$ref === "string" && i < 20; i++) {
    const name = out.$ref.split("/").pop()!;
    const { $ref: _ref, ...rest } = out;
    out = { ...spec.components.schemas[name], ...rest };
  }
  return out ?? {};
}

/** "Exactly one of" beside properties: a member's requirements added, the other members' alone-keys left out. */
function withMember(base: Schema, member: Schema, all: Schema[]): Schema {
  const { oneOf: _o, anyOf: _a, ...rest } = base;
  const m = resolve(member);
  // Both apply (as allOf would): a member's property schema adds to the base's, it does not replace it.
  const properties: Record<string, Schema> = { ...(rest.properties ?? {}) };
  for (const [k, v] of Object.entries((m.properties ?? {}) as Record<string, Schema>))
    properties[k] = { ...(properties[k] ? resolve(properties[k]) : {}), ...v };
  const required = new Set<string>([...(rest.required ?? []), ...(m.required ?? [])]);
  for (const other of all)
    if (other !== member)
      for (const k of resolve(other).required ?? [])
        if (!required.has(k) && !(m.properties && k in m.properties)) delete properties[k];
  return { ...rest, type: "object", properties, required: [...required] };
}

function stringArb(s: Schema, ctx: GenContext): fc.Arbitrary<string> {
  const min = s.minLength ?? 0;
  const max = s.maxLength ?? 48;
  if (s.format === "date-time" || s.format === "date") {
    const near = fc.date({ min: new Date(ctx.now - 400 * DAY), max: new Date(ctx.now + 60_000), noInvalidDate: true });
    // Years 0001-9999: RFC 3339 has no others (extended years are a mutation's business).
    const any = fc.date({
      min: new Date("0001-01-01T00:00:00Z"),
      max: new Date("9999-12-31T23:59:59Z"),
      noInvalidDate: true,
    });
    return fc
      .oneof({ weight: 4, arbitrary: near }, { weight: 1, arbitrary: any })
      .map((d) => (s.format === "date" ? d.toISOString().slice(0, 10) : d.toISOString()));
  }
  if (s.format === "uri") return fc.webUrl().filter((u) => u.length <= max);
  if (typeof s.pattern === "string")
    return fc.stringMatching(new RegExp(s.pattern)).filter((x) => x.length >= min && x.length <= max);
  return fc.string({ minLength: min, maxLength: Math.min(max, min + 48) });
}

/** An arbitrary for the values a schema accepts (most of them: strings are kept short). */
export function arbitraryFor(schema: Schema, ctx: GenContext, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  if (depth > 8) return fc.constant(null);
  if ("const" in s) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  const union = (s.oneOf ?? s.anyOf) as Schema[] | undefined;
  if (union?.length) {
    if (s.properties || s.type === "object")
      return fc.oneof(...union.map((m) => arbitraryFor(withMember(s, m, union), ctx, depth)));
    return fc.oneof(...union.map((m) => arbitraryFor(m, ctx, depth + 1)));
  }
  if (Array.isArray(s.allOf)) {
    const merged: Schema = {
      ...s,
      allOf: undefined,
      properties: { ...(s.properties ?? {}) },
      required: [...(s.required ?? [])],
    };
    for (const m of (s.allOf as Schema[]).map(resolve)) {
      const { properties, required, ...rest } = m;
      Object.assign(merged, rest);
      Object.assign(merged.properties, properties ?? {});
      merged.required.push(...(required ?? []));
    }
    return arbitraryFor(merged, ctx, depth);
  }
  if (Array.isArray(s.type)) return fc.oneof(...s.type.map((t: string) => arbitraryFor({ ...s, type: t }, ctx, depth)));
  switch (s.type) {
    case "object":
      return objectArb(s, ctx, depth);
    case "array": {
      const minLength = s.minItems ?? 0;
      const maxLength = Math.min(s.maxItems ?? minLength + 3, minLength + 3);
      return fc.array(arbitraryFor(s.items ?? {}, ctx, depth + 1), { minLength, maxLength });
    }
    case "string":
      return stringArb(s, ctx);
    case "integer": {
      const min = s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : (s.minimum ?? -1_000);
      return fc.integer({ min, max: s.maximum ?? Math.max(min, 0) + 100_000 });
    }
    case "number":
      return fc.double({
        min: s.exclusiveMinimum ?? s.minimum ?? -1e6,
        max: s.maximum ?? 1e6,
        minExcluded: s.exclusiveMinimum !== undefined,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    default:
      return s.properties ? objectArb(s, ctx, depth) : fc.jsonValue({ maxDepth: 2 });
  }
}

function objectArb(s: Schema, ctx: GenContext, depth: number): fc.Arbitrary<unknown> {
  const props = (s.properties ?? {}) as Record<string, Schema>;
  const names = Object.keys(props);
  if (!names.length && s.additionalProperties && typeof s.additionalProperties === "object")
    return fc.dictionary(fc.string({ maxLength: 12 }), arbitraryFor(s.additionalProperties, ctx, depth + 1), {
      maxKeys: 3,
    });
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const name of names) model[name] = hinted(name, arbitraryFor(props[name]!, ctx, depth + 1), ctx);
  const requiredKeys = ((s.required ?? []) as string[]).filter((k) => k in model);
  let out: fc.Arbitrary<Record<string, unknown>> = fc.record(model, { requiredKeys });
  if (s.minProperties) out = out.filter((o) => Object.keys(o).length >= s.minProperties);
  return out;
}

/** A real value for a name that has hints, most of the time. */
export function hinted(name: string, base: fc.Arbitrary<unknown>, ctx: GenContext): fc.Arbitrary<unknown> {
  const hints = ctx.hints[name];
  if (!hints?.length) return base;
  return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...hints) }, { weight: 1, arbitrary: base });
}

/**
 * The document's example with up to two of its schema's properties given generated (or hinted) values, or left out
 * when optional:
 * valid requests that get past the checks the document cannot state (a creative's template, a rule), to the code
 * behind them.
 */
export function fromExample(schema: Schema, example: unknown, ctx: GenContext): fc.Arbitrary<unknown> {
  const resolved = resolve(schema);
  const props = (resolved.properties ?? {}) as Record<string, Schema>;
  const required = new Set<string>(resolved.required ?? []);
  // Properties an "exactly one of" rule names stay as the example has them (varying one could break the rule).
  const ruled = new Set<string>(
    ((resolved.oneOf ?? resolved.anyOf ?? []) as Schema[]).flatMap((m) => [
      ...(m.required ?? []),
      ...Object.keys(m.properties ?? {}),
    ]),
  );
  const names = Object.keys(props).filter((n) => !ruled.has(n));
  if (!names.length || !example || typeof example !== "object" || Array.isArray(example)) return fc.constant(example);
  return fc.subarray(names, { maxLength: Math.min(2, names.length) }).chain((picked) =>
    fc
      .tuple(
        ...picked.map((n) => {
          const value = hinted(n, arbitraryFor(props[n]!, ctx), ctx);
          return required.has(n) ? value : fc.option(value, { nil: undefined, freq: 4 });
        }),
      )
      .map((values) => {
        const out: Record<string, unknown> = { ...(example as Record<string, unknown>) };
        for (const [i, n] of picked.entries()) out[n] = values[i];
        return out;
      }),
  );
}

// ---- mutations --------------------------------------------------------------------------------------------

type Path = (string | number)[];

/** Every node of a JSON value, containers included, with the path to it. */
function nodes(v: unknown, path: Path = [], out: { path: Path; value: unknown }[] = []) {
  out.push({ path, value: v });
  if (Array.isArray(v)) for (const [i, x] of v.entries()) nodes(x, [...path, i], out);
  else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) nodes(x, [...path, k], out);
  return out;
}

function setAt(root: unknown, path: Path, value: unknown, remove = false): unknown {
  if (!path.length) return value;
  const copy = structuredClone(root) as any;
  let node = copy;
  for (const p of path.slice(0, -1)) node = node[p];
  const last = path[path.length - 1]!;
  if (remove) Array.isArray(node) ? node.splice(last as number, 1) : delete node[last];
  else node[last] = value;
  return copy;
}

/** Strings that have broken parsers, databases and renderers before. */
export const ODD_STRINGS = [
  "",
  " ",
  "\u0000",
  "\ud800",
  "\udfff\ud800",
  "\u202eevil",
  "\ufeffbom",
  "e\u0301\u0301\u0301\u0301",
  "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
  "👩‍👩‍👧‍👦".repeat(20),
  "'; drop table profiles; --",
  '"',
  "\\",
  "../../etc/passwd",
  "%00%2F",
  "<script>alert(1)</script>",
  "null",
  "-1",
  "1e309",
  "NaN",
  "__proto__",
  "constructor",
  "\r\nX-Injected: 1",
  "+010000-01-01T00:00:00.000Z",
  "2026-02-30T25:61:00Z",
  "-000001-12-31T23:59:59.999Z",
];

export const oddString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...ODD_STRINGS),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }),
);

const otherTypeValue = fc.constantFrom<unknown>(0, -1, 1.5, 2 ** 53 + 1, "x", true, false, null, [], {}, [1, "a"], {
  a: 1,
});

/** A JSON value with one thing wrong, and what it was. */
export function mutateValue(value: unknown): fc.Arbitrary<{ value: unknown; what: string }> {
  const all = nodes(value);
  const fields = all.filter((n) => n.path.length && typeof n.path[n.path.length - 1] === "string");
  const strings = all.filter((n) => typeof n.value === "string");
  const objects = all.filter((n) => n.value && typeof n.value === "object" && !Array.isArray(n.value));
  const options: fc.Arbitrary<{ value: unknown; what: string }>[] = [
    fc.tuple(fc.nat(), otherTypeValue).map(([i, v]) => {
      const n = all[i % all.length]!;
      return { value: setAt(value, n.path, v), what: `wrong type at /${n.path.join("/")}` };
    }),
  ];
  if (fields.length)
    options.push(
      fc.nat().map((i) => {
        const n = fields[i % fields.length]!;
        return { value: setAt(value, n.path, undefined, true), what: `dropped /${n.path.join("/")}` };
      }),
    );
  if (strings.length)
    options.push(
      fc.tuple(fc.nat(), fc.constantFrom(257, 4_097, 70_000)).map(([i, len]) => {
        const n = strings[i % strings.length]!;
        return {
          value: setAt(value, n.path, "A".repeat(len)),
          what: `${len}-character string at /${n.path.join("/")}`,
        };
      }),
      fc.tuple(fc.nat(), oddString).map(([i, s]) => {
        const n = strings[i % strings.length]!;
        return { value: setAt(value, n.path, s), what: `odd string at /${n.path.join("/")}` };
      }),
    );
  if (objects.length)
    options.push(
      fc
        .tuple(fc.nat(), fc.constantFrom("__proto__", "constructor", "extra", "$where"), fc.jsonValue())
        .map(([i, k, v]) => {
          const n = objects[i % objects.length]!;
          const copy = structuredClone(value) as any;
          let node = copy;
          for (const p of n.path) node = node[p];
          Object.defineProperty(node, k, { value: v, enumerable: true, configurable: true, writable: true });
          return { value: copy, what: `unknown property ${k} at /${n.path.join("/")}` };
        }),
    );
  return fc.oneof(...options);
}
