/** docs/rules.md and the spec's rule documentation are generated from the engine's own tables and cannot drift. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import spec from "../../openapi/openapi.json";
import { CONFIG_DESCRIPTIONS, DEFAULT_CONFIG } from "../../src/domain/decide/config";
import { TEMPLATE_FIELDS } from "../../src/domain/decide/templates";
import { GATE_FIELDS, ROOT_FIELDS, VAR_ROOTS } from "../../src/domain/rules/data";
import { PREDICATES } from "../../src/domain/rules/predicates";
import { predicateSignature, rulesMarkdown } from "../../src/domain/rules/reference";
import { validateRule } from "../../src/domain/rules/validate";

const doc = readFileSync(fileURLToPath(new URL("../../docs/rules.md", import.meta.url).href), "utf8");

describe("docs/rules.md", () => {
  it("is what `npm run docs` writes from the code (regenerate and commit on failure)", () => {
    expect(doc).toBe(rulesMarkdown());
  });

  it("names every predicate with its arguments, and each example is a valid rule", () => {
    for (const [name, p] of Object.entries(PREDICATES)) {
      expect(doc).toContain(`\`${predicateSignature(name)}\``);
      expect(p.description.length, name).toBeGreaterThan(20);
      expect(validateRule(p.example), name).toEqual([]);
    }
  });

  it("names every variable a rule may read, and the validator accepts exactly those", () => {
    for (const root of Object.keys(VAR_ROOTS)) expect(doc).toContain(`\`${root}\``);
    for (const [root, fields] of Object.entries(ROOT_FIELDS)) {
      for (const f of Object.keys(fields ?? {})) {
        expect(doc).toContain(`\`${root}.${f}\``);
        expect(validateRule({ var: `${root}.${f}` }), `${root}.${f}`).toEqual([]);
      }
    }
    // Positive control: a name the tables do not hold is refused, so the list above is the whole vocabulary.
    expect(validateRule({ var: "gates.undocumentedGate" })).toMatchObject([{ kind: "unknown-variable" }]);
    expect(doc).toContain("`gates.offBrandServiceDue`");
    expect(doc).toMatch(/### Which vehicle `vehicle` is\n\n`vehicle` is the person's primary vehicle/);
  });

  it("names every template field with its fallback, and the defaults", () => {
    for (const [f, x] of Object.entries(TEMPLATE_FIELDS)) {
      expect(doc).toContain(`\`{{${f}}}\``);
      if (x.fallback) expect(doc).toContain(`\`${x.fallback}\``);
    }
    for (const k of Object.keys(DEFAULT_CONFIG)) expect(CONFIG_DESCRIPTIONS).toHaveProperty(k);
    expect(doc).toContain(`${DEFAULT_CONFIG.defaultQuietHours.start}–${DEFAULT_CONFIG.defaultQuietHours.end}`);
    expect(doc).toContain(`| \`inCarMaxChars\` | ${DEFAULT_CONFIG.inCarMaxChars} |`);
    expect(doc).toContain(`channel \`email\` | ${DEFAULT_CONFIG.caps.perChannel.email!.perDay}/day`);
  });
});

describe("the OpenAPI document", () => {
  const schemas = spec.components.schemas as Record<string, { properties?: Record<string, { description?: string }> }>;
  it("documents the rule language on Action.rule: every predicate and every gate", () => {
    const rule = schemas.Action!.properties!.rule!.description!;
    for (const name of Object.keys(PREDICATES)) expect(rule).toContain(predicateSignature(name));
    for (const g of Object.keys(GATE_FIELDS)) expect(rule).toContain(`gates.${g}`);
    expect(rule).toContain("docs/rules.md");
  });

  it("documents the template fields on every creative", () => {
    for (const id of ["WebCreative", "InVehicleCreative", "EmailCreative"]) {
      const d = (schemas[id] as { description?: string }).description ?? "";
      for (const f of Object.keys(TEMPLATE_FIELDS)) expect(d, id).toContain(f);
    }
  });
});
