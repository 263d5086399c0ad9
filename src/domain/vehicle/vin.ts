// VIN validation per 49 CFR 565 (17 characters, check digit in position 9, model-year code in position 10).
// Pure: no I/O and no clock; the model year is returned as candidates, not resolved against "today".
import exceptions from "./vin-exceptions.json";

/** The rule a refused VIN breaks, checked in this order: length, lowercase, characters, model_year, check_digit. */
export type VinRule = "length" | "lowercase" | "characters" | "model_year" | "check_digit";

/** Outcome of validateVin: the accepted VIN with its candidate model years, or the first rule it breaks. */
export type VinValidation =
  | { ok: true; vin: string; modelYears: number[] }
  | { ok: false; rule: VinRule; message: string };

const VIN_LENGTH = 17;
const WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];
// 49 CFR 565.15 transliteration; I, O and Q are never used in a VIN.
const LETTER_VALUES: Record<string, number> = {
  A: 1,
  B: 2,
  C: 3,
  D: 4,
  E: 5,
  F: 6,
  G: 7,
  H: 8,
  J: 1,
  K: 2,
  L: 3,
  M: 4,
  N: 5,
  P: 7,
  R: 9,
  S: 2,
  T: 3,
  U: 4,
  V: 5,
  W: 6,
  X: 7,
  Y: 8,
  Z: 9,
};
// Position-10 codes in cycle order: A = 1980 (and 2010), Y = 2000, 1 = 2001, 9 = 2009 (and 2039).
const MODEL_YEAR_CODES = "ABCDEFGHJKLMNPRSTVWXY123456789";

// Real VINs whose position 9 fails the check digit but which NHTSA publishes as VIN exceptions: clerical errors a
// manufacturer reported, which vPIC exempts from the check-digit error. The whole published list is data, with its
// source and date (vin-exceptions.json, README.md next to it); refresh it from the source, never add VINs by hand.
const NHTSA_VIN_EXCEPTIONS: ReadonlySet<string> = new Set(exceptions.vins);

/** Whether NHTSA lists this (uppercase, 17-character) VIN as a check-digit exception: isNhtsaException("KMTGA4SCDRU227658"). */
export function isNhtsaException(vin: string): boolean {
  return NHTSA_VIN_EXCEPTIONS.has(vin);
}

/** The 49 CFR 565 check digit ('0'-'9' or 'X') for a 17-character VIN of allowed uppercase characters. */
export function computeCheckDigit(vin: string): string {
  let sum = 0;
  for (let i = 0; i < VIN_LENGTH; i++) {
    const ch = vin.charAt(i);
    sum += (LETTER_VALUES[ch] ?? Number(ch)) * (WEIGHTS[i] ?? 0);
  }
  const remainder = sum % 11;
  return remainder === 10 ? "X" : String(remainder);
}

/** Validates a VIN (surrounding whitespace ignored, lowercase refused) and returns its candidate model years. */
export function validateVin(input: string): VinValidation {
  const vin = input.trim();
  if (vin.length !== VIN_LENGTH) {
    return refuse("length", `A VIN has ${VIN_LENGTH} characters, this one has ${vin.length}`);
  }
  const lowercase = positionsOf(vin, /[a-z]/);
  if (lowercase.length > 0) {
    return refuse("lowercase", `A VIN must be uppercase (lowercase at position ${lowercase.join(", ")})`);
  }
  const bad = positionsOf(vin, /[^A-HJ-NPR-Z0-9]/);
  if (bad.length > 0) {
    return refuse("characters", `A VIN uses only A-Z and 0-9 without I, O or Q (not at position ${bad.join(", ")})`);
  }
  const yearCode = vin.charAt(9);
  if (!MODEL_YEAR_CODES.includes(yearCode)) {
    return refuse(
      "model_year",
      `Position 10 must be a model-year code; "${yearCode}" is not one (U, Z and 0 never are)`,
    );
  }
  const expected = computeCheckDigit(vin);
  if (vin.charAt(8) !== expected && !NHTSA_VIN_EXCEPTIONS.has(vin)) {
    return refuse("check_digit", `Check digit (position 9) is "${vin.charAt(8)}", expected "${expected}"`);
  }
  return { ok: true, vin, modelYears: modelYearCandidates(vin) };
}

// Both years of the 30-year cycle, most likely first: for cars, MPVs and trucks up to 10,000 lb GVWR a letter in
// position 7 means 2010-2039 and a digit 1980-2009 (49 CFR 565); other vehicle types may be the other year.
function modelYearCandidates(vin: string): number[] {
  const early = 1980 + MODEL_YEAR_CODES.indexOf(vin.charAt(9));
  return /[A-Z]/.test(vin.charAt(6)) ? [early + 30, early] : [early, early + 30];
}

/** 1-based positions of the characters matching `pattern` (one character, no flags); [] fast when none does. */
function positionsOf(vin: string, pattern: RegExp): number[] {
  if (!pattern.test(vin)) return []; // the valid VIN's path: one scan, no array per character
  return [...vin].flatMap((ch, i) => (pattern.test(ch) ? [i + 1] : []));
}

function refuse(rule: VinRule, message: string): VinValidation {
  return { ok: false, rule, message };
}
