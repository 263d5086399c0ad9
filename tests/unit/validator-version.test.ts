// Stored actions are compiled without being checked again while VALIDATOR_VERSION stands (catalog.ts). This test
// fingerprints everything the checks depend on, so a change to them cannot ship without a new version.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ActionSchema } from "../../src/domain/decide/action";
import { compileCatalog } from "../../src/domain/decide/catalog";
import { DEFAULT_CONFIG } from "../../src/domain/decide/config";
import { DEMO_CATALOG } from "../../src/domain/decide/demo-catalog";
import { FIELDS, PHRASES } from "../../src/domain/decide/sensitive";
import { TEMPLATE_FIELDS } from "../../src/domain/decide/templates";
import { checkAction, EMOJI, URL_LIKE, VALIDATOR_VERSION } from "../../src/domain/decide/validate-action";
import { VAR_ROOTS } from "../../src/domain/rules/data";
import { OPERATORS } from "../../src/domain/rules/operators";
import { PREDICATES } from "../../src/domain/rules/predicates";
import { MAX_DEPTH, MAX_NODES } from "../../src/domain/rules/validate";

/** The fingerprint recorded for each validator version. Bump VALIDATOR_VERSION, then add the new line. */
const RECORDED: Record<string, string> = {
  "2026-12-01.1": "588eac3d5b0a8910",
  // issue 10: rules may read vehicle.driving (monthly totals from trip summaries)
  "2026-12-01.2": "e7b70bb3e739bad1",
  // issue 10: creatives per language (`locales`) are checked like `channels`; slot template fields (with .2's vehicle.driving)
  "2026-12-01.3": "e3695c778d2eaab2",
};

function fingerprint(): string {
  const inputs = {
    schema: z.toJSONSchema(ActionSchema, { io: "input" }),
    phrases: PHRASES.map((p) => [p.pattern.source, p.pattern.flags, p.label]),
    fields: FIELDS.map((p) => [p.pattern.source, p.pattern.flags, p.label]),
    templates: Object.entries(TEMPLATE_FIELDS).map(([k, f]) => [k, f.fallback, f.maxLen]),
    roots: Object.entries(VAR_ROOTS).map(([k, v]) => [k, v ? [...v].sort() : null]),
    operators: Object.entries(OPERATORS).map(([k, o]) => [k, o.min, o.max, o.types, o.scoped ?? null]),
    predicates: Object.entries(PREDICATES).map(([k, p]) => [k, p.required, p.params]),
    inCar: [DEFAULT_CONFIG.inCarMaxChars, DEFAULT_CONFIG.inCarMaxButtons, DEFAULT_CONFIG.inCarMaxButtonChars],
    text: [URL_LIKE.source, URL_LIKE.flags, EMOJI.source, EMOJI.flags],
    limits: [MAX_DEPTH, MAX_NODES],
  };
  return createHash("sha256").update(JSON.stringify(inputs)).digest("hex").slice(0, 16);
}

describe("validator version", () => {
  it("names the fingerprint of the checks it stands for (a changed check needs a new VALIDATOR_VERSION)", () => {
    expect(
      RECORDED[VALIDATOR_VERSION],
      `the checks changed: bump VALIDATOR_VERSION in src/domain/decide/validate-action.ts and record ${fingerprint()}`,
    ).toBe(fingerprint());
  });

  it("an action checked by the current version compiles as stored; any other version is checked again", () => {
    const stored = DEMO_CATALOG.map((a) => checkAction(a).action!);
    // Copy that a later phrase list refuses: trusted under the version it passed, checked again otherwise.
    const risky = { ...stored[0]!, id: "risky", channels: { email: { subject: "Paying off your loan?", body: "x" } } };
    const trusted = compileCatalog([...stored, risky], "v1", [...stored.map(() => VALIDATOR_VERSION), "old"]);
    expect(trusted.actions).toHaveLength(stored.length + 1);
    expect(trusted.byId.get("risky")!.creatives.email!.sensitive).toBe("loan payoff inquiry");
    const all = compileCatalog([...stored, risky], "v1", [...stored.map(() => VALIDATOR_VERSION), VALIDATOR_VERSION]);
    expect(all.byId.get("risky")!.creatives.email!.sensitive).toBeNull();
    // A trusted creative renders like a checked one.
    const td = { vehicle: null, dealerName: "Bay Nissan", gates: null, contextModel: null };
    for (const a of stored) {
      for (const c of Object.keys(a.channels) as (keyof typeof a.channels)[]) {
        const fresh = compileCatalog([a], "x").byId.get(a.id)!.creatives[c]!.render(td);
        expect(trusted.byId.get(a.id)!.creatives[c]!.render(td)).toEqual(fresh);
      }
    }
  });
});
