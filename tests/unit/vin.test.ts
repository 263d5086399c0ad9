import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import {
  computeCheckDigit,
  isNhtsaException,
  powertrainFromVpic,
  validateVin,
  type DecodedVehicle,
  type VinRule,
} from "../../src/domain/vehicle";
import { createNodeVinDecoder } from "../../src/store/vpic/node";
import exceptions from "../../src/domain/vehicle/vin-exceptions.json";
import { parseVinsCsv, VINS_CSV_URL, type VinRow } from "../fixtures/vins/vins";

// Public test data: tests/fixtures/vins/vins.csv (its README names the sources).
const rows: VinRow[] = parseVinsCsv(readFileSync(fileURLToPath(VINS_CSV_URL), "utf8"));
const validRows = rows.filter((r) => r.valid === "true");
const invalidRows = rows.filter((r) => r.valid === "false");

// The csv's note column states why a row is invalid; "+year-code" rows break two rules, either may be reported.
function rulesForNote(note: string): VinRule[] {
  const rules: VinRule[] = [];
  if (note.startsWith("invalid-check-digit")) rules.push("check_digit");
  if (note.startsWith("invalid-chars")) rules.push("characters");
  if (/year-code/.test(note)) rules.push("model_year");
  if (note.startsWith("invalid-length")) rules.push("length");
  if (note.startsWith("lowercase")) rules.push("lowercase");
  return rules;
}

// Lenient model match: case, spaces and punctuation ignored, either label may contain the other ("RS 5" ~ "RS5").
function sameModel(a: string, b: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, "");
  return norm(a) !== "" && norm(b) !== "" && (norm(a).includes(norm(b)) || norm(b).includes(norm(a)));
}

function refusedRule(vin: string): VinRule | undefined {
  const result = validateVin(vin);
  return result.ok ? undefined : result.rule;
}

describe("validateVin rules", () => {
  const LEAF = "1N4AZ0CP6GC304290";

  it("accepts a real VIN and gives the position-7 model year first", () => {
    expect(validateVin(LEAF)).toEqual({ ok: true, vin: LEAF, modelYears: [2016, 1986] });
    expect(validateVin(` ${LEAF}\n`)).toMatchObject({ ok: true, vin: LEAF });
  });

  it("length: exactly 17 characters", () => {
    expect(refusedRule(LEAF.slice(0, 16))).toBe("length");
    expect(refusedRule(`${LEAF}0`)).toBe("length");
    expect(refusedRule("")).toBe("length");
  });

  it("lowercase: refused, not normalized", () => {
    const result = validateVin(LEAF.toLowerCase());
    expect(result).toMatchObject({ ok: false, rule: "lowercase" });
    expect(result.ok ? "" : result.message).toMatch(/uppercase/);
  });

  it("characters: only A-Z and 0-9, never I, O or Q", () => {
    for (const bad of ["I", "O", "Q", "-", " ", "É"]) {
      expect(refusedRule(`1N4AZ0CP6GC3${bad}4290`), bad).toBe("characters");
    }
  });

  it("model_year: position 10 cannot be U, Z or 0", () => {
    for (const code of ["U", "Z", "0"]) expect(refusedRule(`1N4AZ0CP6${code}C304290`), code).toBe("model_year");
  });

  it("check_digit: 49 CFR 565 weights and transliteration, remainder 10 is X", () => {
    expect(computeCheckDigit(LEAF)).toBe("6");
    expect(computeCheckDigit("1M8GDM9AXKP042788")).toBe("X");
    expect(validateVin("1M8GDM9AXKP042788")).toMatchObject({ ok: true, modelYears: [1989, 2019] });
    expect(validateVin("1N4AZ0CP7GC304290")).toMatchObject({
      ok: false,
      rule: "check_digit",
      message: expect.stringMatching(/expected "6"/),
    });
  });

  it("model years: a digit in position 7 means 1980-2009 first, a letter 2010-2039 first", () => {
    expect(validateVin("11111111111111111")).toMatchObject({ ok: true, modelYears: [2001, 2031] });
    expect(validateVin("1G1RB6S56HU172687")).toMatchObject({ ok: true, modelYears: [2017, 1987] });
  });
});

describe("powertrainFromVpic", () => {
  it("prefers Electrification Level, then fuel types", () => {
    expect(powertrainFromVpic({ electrification: "BEV (Battery Electric Vehicle)", primary: "Gasoline" })).toBe("ev");
    expect(powertrainFromVpic({ electrification: "FCEV (Fuel Cell Electric Vehicle)" })).toBe("ev");
    expect(powertrainFromVpic({ electrification: "PHEV (Plug-in Hybrid Electric Vehicle)" })).toBe("phev");
    expect(powertrainFromVpic({ electrification: "Strong HEV (Hybrid Electric Vehicle)" })).toBe("hybrid");
    expect(powertrainFromVpic({ primary: "Electric" })).toBe("ev");
    expect(powertrainFromVpic({ primary: "Fuel Cell", secondary: "Compressed Hydrogen/Hydrogen" })).toBe("ev");
    expect(powertrainFromVpic({ primary: "Electric", secondary: "Gasoline" })).toBe("phev");
    expect(powertrainFromVpic({ primary: "Gasoline", secondary: "Electric" })).toBe("hybrid");
    expect(powertrainFromVpic({ primary: "Gasoline", secondary: "Flexible Fuel Vehicle (FFV)" })).toBe("ice");
    expect(powertrainFromVpic({ primary: "Diesel" })).toBe("ice");
    expect(powertrainFromVpic({})).toBe("unknown");
  });
});

describe("vins.csv", () => {
  it("has the rows its README describes", () => {
    expect(rows).toHaveLength(183);
    expect([validRows.length, invalidRows.length]).toEqual([157, 23]);
  });

  it.each(invalidRows)("refuses $vin ($note) with a matching rule", ({ vin, note }) => {
    const expected = rulesForNote(note);
    expect(expected.length, `no rule known for note "${note}"`).toBeGreaterThan(0);
    expect(expected).toContain(refusedRule(vin));
  });

  it.each(validRows)("accepts $vin with $year as the first candidate year", ({ vin, year }) => {
    expect(validateVin(vin)).toMatchObject({ ok: true, vin, modelYears: [year, expect.any(Number)] });
  });

  // Edge rows: a made-up VIN whose check digit passes, and two NHTSA VIN exceptions (letter in position 9).
  it.each(rows.filter((r) => r.valid === "edge"))("accepts edge row $vin ($note)", ({ vin }) => {
    expect(validateVin(vin).ok).toBe(true);
  });
});

describe("corgi decoder on vins.csv", () => {
  const decoder = createNodeVinDecoder();
  const decoded = new Map<string, DecodedVehicle | null>();

  beforeAll(async () => {
    for (const { vin } of rows.filter((r) => r.valid !== "false")) decoded.set(vin, await decoder.decode(vin));
  }, 120_000);

  it("decodes the Leaf as an EV and the Volt as a plug-in hybrid", () => {
    expect(decoded.get("1N4AZ0CP6GC304290")).toMatchObject({
      make: "Nissan",
      model: "Leaf",
      modelYear: 2016,
      powertrain: "ev",
      wmiKnown: true,
    });
    expect(decoded.get("1G1RB6S56HU172687")).toMatchObject({
      make: "Chevrolet",
      model: "Volt",
      modelYear: 2017,
      powertrain: "phev",
    });
  });

  it.each(validRows)("decodes $vin to make $make and year $year", ({ vin, make, year }) => {
    const vehicle = decoded.get(vin);
    expect(vehicle?.make?.toLowerCase()).toBe(make.toLowerCase());
    expect(vehicle?.modelYear).toBe(year);
  });

  it("agrees with the source's model labels on at least 94% of valid rows", () => {
    const mismatches = validRows.filter((r) => !sameModel(r.model, decoded.get(r.vin)?.model ?? ""));
    const agree = validRows.length - mismatches.length;
    console.log(
      `model agreement ${agree}/${validRows.length} (${((100 * agree) / validRows.length).toFixed(1)}%); mismatches:\n` +
        mismatches
          .map((r) => `  ${r.vin} source "${r.model}" decoded "${decoded.get(r.vin)?.model ?? "-"}"`)
          .join("\n"),
    );
    expect(agree / validRows.length).toBeGreaterThanOrEqual(0.94);
  });

  it("edge rows: an unknown WMI decodes with wmiKnown false; corgi cannot read the NHTSA exceptions", () => {
    expect(decoded.get("11111111111111111")).toMatchObject({
      make: null,
      model: null,
      modelYear: 2001,
      wmiKnown: false,
    });
    expect(decoded.get("KMTGA4SCDRU227656")).toBeNull();
    expect(decoded.get("KMTGB4SDDRU227655")).toBeNull();
  });

  it("decodes each VIN once (cached)", async () => {
    expect(await decoder.decode("1N4AZ0CP6GC304290")).toBe(decoded.get("1N4AZ0CP6GC304290"));
  });
});

describe("NHTSA VIN exceptions (src/domain/vehicle/vin-exceptions.json)", () => {
  it("holds the whole published list with its source and date", () => {
    expect(exceptions.vins.length).toBe(299);
    expect(exceptions.count).toBe(exceptions.vins.length);
    expect(new Set(exceptions.vins).size).toBe(exceptions.vins.length);
    expect(exceptions.source).toMatch(/NHTSA/);
    expect(exceptions.retrieved).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("accepts every listed VIN, each of which fails the plain check-digit computation", () => {
    const refused = exceptions.vins.filter((vin) => !validateVin(vin).ok);
    expect(refused).toEqual([]);
    for (const vin of exceptions.vins) {
      expect(isNhtsaException(vin)).toBe(true);
      expect(vin.charAt(8), vin).not.toBe(computeCheckDigit(vin)); // a real exception, not a valid VIN
      expect(validateVin(vin)).toMatchObject({ ok: true, vin, modelYears: [2024, 1994] });
    }
  });

  it("still refuses a neighbouring VIN that is not on the list", () => {
    // KMTGA4SCDRU227657 is not listed (227656 and 227658 are); nor is a lowercase copy of a listed one.
    expect(exceptions.vins).not.toContain("KMTGA4SCDRU227657");
    expect(validateVin("KMTGA4SCDRU227657")).toMatchObject({ ok: false, rule: "check_digit" });
    expect(validateVin("kmtga4scdru227658")).toMatchObject({ ok: false, rule: "lowercase" });
  });
});
