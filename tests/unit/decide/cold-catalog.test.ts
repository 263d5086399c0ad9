/**
 * Issue 11 (a cold isolate's first decision under 10 ms of CPU): compileCatalog does less up front — one pass over
 * the rules numbers equal subtrees instead of stringifying each subtree once per ancestor, finds contextual rules
 * in that pass, and leaves `signals` to first use. These tests hold the cheaper catalogue equal to the full work:
 * the same rule heads and per-channel order as the string-keyed reference, the same contextual verdicts as
 * ruleSignals, and the same decisions as an eagerly compiled catalogue.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catalogue200 } from "../../../bench/fixtures";
import { decide } from "../../../src/domain/decide";
import { compileCatalog, VALIDATOR_VERSION } from "../../../src/domain/decide/catalog";
import { DEMO_CATALOG } from "../../../src/domain/decide/demo-catalog";
import { seededRandom } from "../../../src/domain/decide/random";
import { checkAction } from "../../../src/domain/decide/validate-action";
import { DECISION_CHANNELS } from "../../../src/domain/decide/vocabulary";
import { compileRules } from "../../../src/domain/rules/compile";
import { isLogic, operation } from "../../../src/domain/rules/operators";
import { isContextual, ruleSignals } from "../../../src/domain/rules/signals";
import { evLessee, household, input, offBrandOnly, rogueOwner, shopper } from "./fixtures";
import { HAND_CORPUS, randomRules } from "./rule-corpus";

/** The string-keyed head analysis compileRules used before: each rule's head as its canonical key, or null. */
function referenceHeads(rules: readonly unknown[]): (string | null)[] {
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
  const counts = new Map<string, number>();
  const count = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) count(n);
      return;
    }
    if (!isLogic(node)) return;
    counts.set(keyOf(node), (counts.get(keyOf(node)) ?? 0) + 1);
    for (const a of operation(node).args) count(a);
  };
  rules.forEach(count);
  const shared = (n: unknown) => isLogic(n) && !("var" in n) && (counts.get(keyOf(n)) ?? 0) >= 2;
  return rules.map((rule) => {
    if (!isLogic(rule) || "var" in rule) return null;
    if (shared(rule)) return keyOf(rule);
    const { op, args } = operation(rule);
    const first = op === "and" ? args.find(shared) : undefined;
    return first === undefined ? null : keyOf(first);
  });
}

/** Rules that exercise what ruleSignals treats specially: missing, missing_some, element scopes, var forms. */
const SIGNAL_CASES: unknown[] = [
  { missing: ["context.model", "context.page"] },
  { missing: ["context.model", "gates.stage"] },
  { missing: [["context.model"], "context.page"] },
  { missing_some: [1, ["context.model", "context.page"]] },
  { missing_some: [1, ["context.model", "vehicle.model"]] },
  { some: [{ var: "context.models" }, { "==": [{ var: "" }, "Ariya"] }] },
  { some: [{ var: "vehicles" }, { "==": [{ var: "powertrain" }, "ev"] }] },
  { var: "context" },
  { var: "contextual.model" },
  { var: ["context.model", "Leaf"] },
  { var: ["context.model", { var: "gates.stage" }] },
  { var: [{ cat: ["context.", "model"] }] },
  { var: "" },
  { "!": { var: "context.model" } },
  { "!": [{ var: "context.model" }] },
  { and: [{ "!": { var: "context.model" } }, { "!": [{ var: "context.model" }] }] },
  { lease_ends_within: [90] },
  { and: [{ "==": [{ var: "context.model" }, "Ariya"] }, { service_due: [] }] },
  { in: ["Ariya", ["Ariya", "Leaf"]] },
  true,
  false,
  null,
];

const stored = (actions: readonly unknown[]) => {
  const rows = actions.map((a) => JSON.stringify(checkAction(a).action));
  return compileCatalog(
    rows.map((r) => JSON.parse(r)),
    "v1",
    rows.map(() => VALIDATOR_VERSION),
  );
};

describe("compileRules (one numbering pass)", () => {
  const corpora: [string, unknown[]][] = [
    ["hand corpus + generated rules", [...HAND_CORPUS, ...randomRules(400), ...SIGNAL_CASES]],
    ["the 200-action bench catalogue", catalogue200().map((a) => a.rule ?? null)],
    ["the demo catalogue", DEMO_CATALOG.map((a) => a.rule ?? null)],
    ["generated rules repeated (every rule shared)", [...randomRules(100, "twice"), ...randomRules(100, "twice")]],
  ];

  const modes = corpora.flatMap(([name, rules]) => [
    [name, rules, false],
    [`${name}, as JSON`, rules.map((r) => JSON.parse(JSON.stringify(r))), true],
  ]) as [string, unknown[], boolean][];

  it.each(modes)("gives the heads of the string-keyed reference: %s", (_, rules, fromJson) => {
    const { heads } = compileRules(rules, { fromJson });
    const ref = referenceHeads(rules);
    expect(heads.map((h) => h === null)).toEqual(ref.map((k) => k === null));
    for (let i = 0; i < rules.length; i++)
      for (let j = i + 1; j < rules.length; j++)
        if (ref[i] !== null && ref[j] !== null)
          expect(heads[i] === heads[j], `${JSON.stringify(rules[i])} / ${JSON.stringify(rules[j])}`).toBe(
            ref[i] === ref[j],
          );
    if (rules.length >= 200) expect(heads.filter(Boolean).length).toBeGreaterThan(20);
  });

  it.each(modes)("tells contextual rules apart as ruleSignals does: %s", (_, rules, fromJson) => {
    const { contextual } = compileRules(rules, { fromJson });
    expect(contextual).toEqual(rules.map((r) => isContextual(ruleSignals(r))));
  });

  it("never takes a rule outside JSON for another with the same text", () => {
    const rules = [{ in: [{ var: "context.model" }, [null]] }, { in: [{ var: "context.model" }, [undefined]] }];
    const { heads } = compileRules([...rules, ...rules]);
    expect(heads[0]).toBe(heads[2]);
    expect(heads[1]).toBe(heads[3]);
    expect(heads[0]).not.toBe(heads[1]);
    expect(referenceHeads([...rules, ...rules])).toEqual([
      expect.stringContaining("null"),
      expect.stringContaining("undefined"),
      expect.stringContaining("null"),
      expect.stringContaining("undefined"),
    ]);
  });

  it("finds both verdicts in the cases it must tell apart", () => {
    const { contextual } = compileRules(SIGNAL_CASES);
    expect(contextual.filter(Boolean).length).toBeGreaterThanOrEqual(8);
    expect(contextual.filter((c) => !c).length).toBeGreaterThanOrEqual(8);
  });
});

describe("a catalogue compiled lazily decides as one compiled eagerly", () => {
  const actions = [...catalogue200(), ...DEMO_CATALOG.map((a) => ({ ...a, id: `demo-${a.id}` }))];
  /** Every lazy part forced before the first decision: creatives compiled, signals found, rules compiled. */
  const eager = (() => {
    const cat = compileCatalog(actions, "v1"); // unchecked: validated again, creatives compiled at once
    for (const a of cat.actions) {
      void a.signals;
      for (const f of [a.test, a.head])
        try {
          f?.({});
        } catch {
          // compiled on the call; a rule may throw on empty data
        }
    }
    return cat;
  })();
  const lazy = stored(actions);

  it("holds the same per-action facts and per-channel order", () => {
    expect(lazy.actions.map((a) => a.id)).toEqual(eager.actions.map((a) => a.id));
    for (const c of DECISION_CHANNELS)
      expect(lazy.byChannel[c].map((a) => a.id)).toEqual(eager.byChannel[c].map((a) => a.id));
    for (const a of lazy.actions) {
      const e = eager.byId.get(a.id)!;
      expect({ s: a.signals, c: a.contextual, g: a.guards, w: a.weights }, a.id).toEqual({
        s: ruleSignals(e.source.rule),
        c: e.contextual,
        g: e.guards,
        w: e.weights,
      });
    }
  });

  it("gives the same decision for any person, channel, key and seed (property)", () => {
    const people = [null, evLessee(), rogueOwner(), shopper(), offBrandOnly()];
    fc.assert(
      fc.property(
        fc.record({
          person: fc.integer({ min: 0, max: people.length - 1 }),
          channel: fc.constantFrom(...DECISION_CHANNELS),
          placement: fc.constantFrom("widget", "hero"),
          limit: fc.integer({ min: 1, max: 10 }),
          gpc: fc.boolean(),
          showSuppressed: fc.boolean(),
          withHousehold: fc.boolean(),
          model: fc.constantFrom(undefined, "Ariya", "Rogue", "Leaf"),
          seed: fc.string({ maxLength: 8 }),
        }),
        (p) => {
          const over = (catalog: typeof lazy) =>
            input({
              catalog,
              profile: people[p.person]!,
              household: p.withHousehold ? household(0) : null,
              channel: p.channel,
              placement: p.placement,
              limit: p.limit,
              gpc: p.gpc,
              showSuppressed: p.showSuppressed,
              context: p.model ? { model: p.model } : {},
              rng: seededRandom(p.seed),
            });
          expect(decide(over(lazy))).toEqual(decide(over(eager)));
        },
      ),
      { numRuns: 300 },
    );
  });
});
