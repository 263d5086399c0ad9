import jsonLogic from "json-logic-js";
import { beforeAll, describe, expect, it } from "vitest";
import { compileExpr, compileRule, compileRules, RuleError } from "../../../src/domain/rules/compile";
import { truthy } from "../../../src/domain/rules/operators";
import { installPredicates } from "../../../src/domain/rules/predicates";
import { isContextual, ruleSignals } from "../../../src/domain/rules/signals";
import { validateRule } from "../../../src/domain/rules/validate";
import { dataCorpus, HAND_CORPUS, randomRules } from "./rule-corpus";

beforeAll(() => installPredicates(jsonLogic));

function outcome(f: () => unknown): { value?: unknown; threw?: boolean } {
  try {
    return { value: f() };
  } catch {
    return { threw: true };
  }
}

describe("compiled rules agree with json-logic-js (differential)", () => {
  const data = dataCorpus(60);
  const rules = [...HAND_CORPUS, ...randomRules(400)];

  it("every corpus rule is valid", () => {
    for (const rule of rules) expect(validateRule(rule), JSON.stringify(rule)).toEqual([]);
  });

  it("gives the same truthiness and the same value for every rule on every data object", () => {
    let compared = 0;
    for (const rule of rules) {
      const test = compileRule(rule);
      const expr = compileExpr(rule);
      for (const d of data) {
        const ref = outcome(() => jsonLogic.apply(rule as never, d));
        const got = outcome(() => expr(d));
        expect(got, `${JSON.stringify(rule)} on ${JSON.stringify(d.gates ?? d.context)}`).toEqual(ref);
        if (!ref.threw) expect(test(d)).toBe(jsonLogic.truthy(ref.value));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(40_000);
  });

  it("compiled together (shared subtrees remembered per data object), every rule still agrees", () => {
    const { tests, heads } = compileRules(rules);
    for (let i = 0; i < rules.length; i++) {
      for (const d of data) {
        const ref = jsonLogic.truthy(jsonLogic.apply(rules[i] as never, d));
        expect(truthy(tests[i]!(d)), JSON.stringify(rules[i])).toBe(ref);
        // A head is a necessary condition: when it fails, the rule fails.
        if (heads[i] && !truthy(heads[i]!(d))) expect(ref).toBe(false);
      }
    }
    expect(heads.filter(Boolean).length).toBeGreaterThan(20);
  });

  it("the random rules are not trivially constant (both outcomes occur)", () => {
    const outcomes = randomRules(400).map((rule) => new Set(data.map((d) => compileRule(rule)(d))));
    expect(outcomes.filter((s) => s.size === 2).length).toBeGreaterThan(150);
  });
});

describe("validateRule names the path and the problem", () => {
  it("refuses an unknown operator", () => {
    expect(validateRule({ and: [{ lease_ends_within: [90] }, { lease_ends_soon: [] }] })).toEqual([
      { path: "/and/1/lease_ends_soon", kind: "unknown-operator", problem: "unknown operator 'lease_ends_soon'" },
    ]);
  });

  it("refuses `log`, which would do I/O", () => {
    expect(validateRule({ log: "x" })[0]?.kind).toBe("unknown-operator");
  });

  it("refuses a wrong arity", () => {
    expect(validateRule({ "==": [1] })).toMatchObject([
      { path: "/==", kind: "arity", problem: "== takes 2 arguments" },
    ]);
    expect(validateRule({ lease_ends_within: [] })).toMatchObject([{ path: "/lease_ends_within", kind: "arity" }]);
  });

  it("refuses an unknown variable root or gate, naming it", () => {
    expect(validateRule({ var: "customer.age" })).toMatchObject([
      { path: "/var", kind: "unknown-variable", problem: expect.stringContaining("'customer'") },
    ]);
    expect(validateRule({ "<": [{ var: "gates.leaseEndDays" }, 90] })).toMatchObject([
      { path: "/</0/var", kind: "unknown-variable", problem: "unknown field 'gates.leaseEndDays'" },
    ]);
  });

  it("lets element scopes read their element, and reduce its accumulator", () => {
    expect(validateRule({ some: [{ var: "vehicles" }, { "==": [{ var: "powertrain" }, "ev"] }] })).toEqual([]);
    expect(
      validateRule({ reduce: [{ var: "vehicles" }, { "+": [{ var: "accumulator" }, { var: "year" }] }, 0] })[0]?.kind,
    ).toBe("unknown-variable");
  });

  it("refuses bad argument types", () => {
    expect(validateRule({ lease_ends_within: ["soon"] })).toMatchObject([
      { path: "/lease_ends_within/0", kind: "argument-type" },
    ]);
    expect(validateRule({ powertrain_is: ["diesel"] })).toMatchObject([
      { path: "/powertrain_is/0", kind: "argument-type" },
    ]);
    expect(validateRule({ ">": [{ var: "gates.openRecalls" }, [1]] })).toMatchObject([
      { path: "/>/1", kind: "argument-type" },
    ]);
    expect(validateRule({ var: { cat: ["ga", "tes"] } })[0]).toMatchObject({
      kind: "argument-type",
      problem: "a variable path must be a literal string",
    });
    expect(validateRule({ some: ["ev", { var: "" }] })[0]).toMatchObject({ path: "/some/0", kind: "argument-type" });
  });

  it("refuses objects that are not operations, predicates inside element scopes, and runaway rules", () => {
    expect(validateRule({ a: 1, b: 2 })[0]?.kind).toBe("not-logic");
    expect(validateRule({ "==": [{ a: 1, b: 2 }, 1] })[0]).toMatchObject({ path: "/==/0", kind: "not-logic" });
    expect(validateRule({ some: [{ var: "vehicles" }, { open_recall: [] }] })[0]?.kind).toBe("scope");
    let deep: unknown = true;
    for (let i = 0; i < 40; i++) deep = { "!": [deep] };
    expect(validateRule(deep)[0]?.kind).toBe("too-complex");
  });

  it("compileRule throws a RuleError carrying the faults", () => {
    expect(() => compileRule({ nope: [] })).toThrow(RuleError);
    expect(compileRule(null)({ context: {} })).toBe(true);
  });
});

describe("predicates and signals", () => {
  const gates = {
    leaseEndsInDays: 151,
    serviceDue: false,
    serviceDueInDays: 40,
    configuredDaysAgo: 3,
    configuredModel: "Ariya",
    powertrain: "ev",
  };
  const d = { context: {}, gates };

  it("read the gates, and are false without them (anonymous, GPC)", () => {
    expect(compileRule({ lease_ends_within: [180] })(d)).toBe(true);
    expect(compileRule({ lease_ends_within: [90] })(d)).toBe(false);
    expect(compileRule({ service_due: [] })(d)).toBe(false);
    expect(compileRule({ service_due: [45] })(d)).toBe(true);
    expect(compileRule({ model_configured_recently: [7, "ARIYA"] })(d)).toBe(true);
    expect(compileRule({ lease_ends_within: [180] })({ context: {} })).toBe(false);
  });

  it("lists what a rule reads and tells contextual rules apart", () => {
    const s = ruleSignals({
      and: [
        { lease_ends_within: [180] },
        { var: "context.model" },
        { some: [{ var: "vehicles" }, { var: "onBrand" }] },
      ],
    });
    expect(s).toEqual({ predicates: ["lease_ends_within"], vars: ["context.model", "vehicles"] });
    expect(isContextual(s)).toBe(false);
    expect(isContextual(ruleSignals({ "!!": [{ var: "context.model" }] }))).toBe(true);
  });
});
