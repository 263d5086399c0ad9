/**
 * The fuzzer's own parts: the schema → arbitrary translator generates values its schema accepts (so "valid" cases
 * are valid as the document defines them), mutations change the value, and the answer checker fails on each kind
 * of wrong answer.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arbitraryFor, fromExample, mutateValue } from "../shared/fuzz/arbitrary";
import { checkAnswer, specOperations, validatorFor } from "../shared/fuzz/spec";

const ctx = { hints: {}, now: Date.now() };

describe("fuzzer: schema → arbitrary", () => {
  for (const op of specOperations()) {
    const schemas = [
      ...(op.body ? [["body", op.body.schema] as const] : []),
      ...op.parameters.map((p) => [`${p.in} ${p.name}`, p.schema] as const),
    ];
    for (const [where, schema] of schemas)
      it(`${op.id}: generated ${where} values validate against the document`, () => {
        const validate = validatorFor(schema);
        fc.assert(
          fc.property(arbitraryFor(schema, ctx), (v) => {
            if (!validate(v)) throw new Error(`${JSON.stringify(v).slice(0, 300)}: ${JSON.stringify(validate.errors)}`);
          }),
          { numRuns: 60, seed: 42 },
        );
      });
  }

  for (const op of specOperations().filter((o) => o.body?.example !== undefined))
    it(`${op.id}: the document's example with properties varied validates against the document`, () => {
      const validate = validatorFor(op.body!.schema);
      fc.assert(
        fc.property(fromExample(op.body!.schema, op.body!.example, ctx), (v) => {
          if (!validate(v)) throw new Error(`${JSON.stringify(v).slice(0, 300)}: ${JSON.stringify(validate.errors)}`);
        }),
        { numRuns: 40, seed: 42 },
      );
    });

  it("a mutation changes the value", () => {
    const value = { a: "x", b: [1, { c: "y" }], d: true };
    fc.assert(
      fc.property(mutateValue(value), (m) => {
        expect(JSON.stringify(m.value)).not.toBe(JSON.stringify(value));
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});

describe("fuzzer: the answer checker", () => {
  const op = specOperations().find((o) => o.id === "getDealer")!;
  const dealer = {
    id: "dlr_1",
    code: "A",
    name: "A",
    timeZone: "Europe/Berlin",
    city: null,
    country: null,
    latitude: null,
    longitude: null,
    groupId: null,
    createdAt: "2026-01-01T00:00:00.000Z",
  };
  const problem = (type: string, status: number) =>
    JSON.stringify({ type: `https://pitwall.dev/problems/${type}`, title: "t", status });

  it("accepts a documented answer", () => {
    expect(checkAnswer(op, 200, "application/json", JSON.stringify(dealer))).toEqual([]);
    expect(checkAnswer(op, 404, "application/problem+json", problem("not-found", 404))).toEqual([]);
  });
  it("fails a 5xx, an undocumented status, a wrong media type, a body off its schema, an undocumented problem", () => {
    expect(checkAnswer(op, 500, "application/problem+json", problem("internal-error", 500))).toContain("a 500");
    expect(checkAnswer(op, 409, "application/problem+json", problem("already-exists", 409))[0]).toMatch(
      /not documented/,
    );
    expect(checkAnswer(op, 200, "text/html", JSON.stringify(dealer))[0]).toMatch(/content type/);
    expect(checkAnswer(op, 200, "application/json", JSON.stringify({ ...dealer, code: 1 }))[0]).toMatch(/schema/);
    expect(checkAnswer(op, 404, "application/problem+json", problem("invalid-vin", 404))[0]).toMatch(
      /not documented for 404/,
    );
    expect(checkAnswer(op, 404, "application/problem+json", problem("not-found", 400))[0]).toMatch(/problem status/);
  });
});
