/**
 * The VINs the vPIC test subset must decode exactly like the full database: every VIN of ../shared/data/vins/vins.csv
 * plus the ones our tests use. No Node imports: the workers tests parse the csv with this too.
 */

/** Public test data (see ../shared/data/README.md for its sources and columns). */
export const VINS_CSV_URL = new URL("../../shared/data/vins/vins.csv", import.meta.url);

/** VINs used by tests outside vins.csv. */
export const TEST_VINS: readonly string[] = [
  "1N4AZ0CP6GC304290",
  "5N1AT2MVXLC807279",
  "3N8AP6CB1SL419565",
  "JN8BT3AB4SW412749",
  "JN8BT3BB7TW089619",
  "5N1AT2MT9LC784186",
  "1G1RB6S56HU172687",
];

export interface VinRow { vin: string; make: string; model: string; year: number; valid: string; note: string }

/** The rows of vins.csv (header vin,make,model,year,valid,note,source; fields may be quoted). */
export function parseVinsCsv(text: string): VinRow[] {
  return text.trim().split(/\r?\n/).slice(1).map((line) => {
    const [vin = "", make = "", model = "", year = "", valid = "", note = ""] = splitCsvLine(line);
    return { vin, make, model, year: Number(year), valid, note };
  });
}

function splitCsvLine(line: string): string[] {
  const fields = [""];
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === "," && !quoted) fields.push("");
    else fields[fields.length - 1] += ch;
  }
  return fields;
}

/** Every VIN of the csv (valid, invalid and edge rows) and TEST_VINS, once each, in that order. */
export function subsetVins(rows: readonly VinRow[]): string[] {
  return [...new Set([...rows.map((r) => r.vin), ...TEST_VINS])];
}
