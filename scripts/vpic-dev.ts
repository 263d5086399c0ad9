/**
 * `npx tsx scripts/vpic-dev.ts [--force]`: loads corgi's full vPIC database, with the VPIC_INDEXES, into the local D1
 * that `wrangler dev` (and `npm run dev:worker`) binds as VPIC, so VINs decode locally. Offline, no account.
 *
 * `wrangler d1 execute --local --file` with a dump of the database runs for more than 14 minutes
 * (bench/NOTES-vin.md), so this writes into miniflare's SQLite file for that database directly: it finds the file
 * by writing a probe row through the binding (getPlatformProxy), then copies every table with ATTACH and
 * INSERT ... SELECT and creates the indexes. Stop `wrangler dev` first. Skipped when already loaded (--force reloads).
 */
import { randomUUID } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { getPlatformProxy } from "wrangler";
import type { DatabaseSync } from "node:sqlite";
import { createD1VinDecoder } from "../src/store/vpic/d1";
import { ensureVpicDb, openSqlite } from "../src/store/vpic/node";

process.env.WRANGLER_SEND_METRICS ??= "false";
const D1_DIR = ".wrangler/state/v3/d1/miniflare-D1DatabaseObject";
const PROBE = "pitwall_vpic_probe";
const force = process.argv.includes("--force");

let t = performance.now();
const source = await ensureVpicDb();
console.log(`vPIC source: ${source} (${(performance.now() - t).toFixed(0)} ms)`);

// 1. Which file is VPIC's? Write a probe through the binding and look for it.
const token = randomUUID();
let proxy = await getPlatformProxy<Env>({ persist: true });
try {
  await proxy.env.VPIC.batch([
    proxy.env.VPIC.prepare(`CREATE TABLE IF NOT EXISTS ${PROBE} (token TEXT)`),
    proxy.env.VPIC.prepare(`INSERT INTO ${PROBE} VALUES (?)`).bind(token),
  ]);
} finally {
  await proxy.dispose();
}
const file = readdirSync(D1_DIR)
  .filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite")
  .map((f) => join(D1_DIR, f))
  .find((f) => {
    const db = openSqlite(f, { readOnly: true });
    try {
      return (
        db.prepare(`SELECT 1 FROM sqlite_master WHERE name = ?`).get(PROBE) &&
        db.prepare(`SELECT 1 FROM ${PROBE} WHERE token = ?`).get(token)
      );
    } finally {
      db.close();
    }
  });
if (!file) throw new Error(`VPIC's local D1 file not found in ${D1_DIR}`);

// 2. Copy the tables and indexes (unless they are there already).
const db = openSqlite(file);
try {
  db.exec(`DROP TABLE ${PROBE}`);
  db.prepare("ATTACH DATABASE ? AS src").run(source);
  const objects = db
    .prepare("SELECT type, name, sql FROM src.sqlite_master WHERE sql IS NOT NULL ORDER BY type = 'index', rowid")
    .all() as { type: string; name: string; sql: string }[];
  if (!force && loaded(db, objects)) {
    console.log(`${file}: already holds the vPIC data (--force reloads it)`);
  } else {
    t = performance.now();
    db.exec("BEGIN");
    for (const { type, name, sql } of objects) {
      if (type === "table") {
        db.exec(`DROP TABLE IF EXISTS main."${name}"`);
        db.exec(sql);
        db.exec(`INSERT INTO main."${name}" SELECT * FROM src."${name}"`);
      } else {
        db.exec(sql);
      }
    }
    db.exec("COMMIT");
    console.log(
      `${file}: loaded ${objects.filter((o) => o.type === "table").length} tables and ${objects.filter((o) => o.type === "index").length} indexes in ${(performance.now() - t).toFixed(0)} ms`,
    );
  }
  db.exec("DETACH DATABASE src");
} finally {
  db.close();
}

function loaded(db: DatabaseSync, objects: { type: string; name: string }[]): boolean {
  const have = new Set(
    db
      .prepare("SELECT name FROM main.sqlite_master")
      .all()
      .map((r) => String(r.name)),
  );
  if (!objects.every((o) => have.has(o.name))) return false;
  const count = (schema: string) => Number(db.prepare(`SELECT count(*) AS n FROM ${schema}.Pattern`).get()?.n);
  return count("main") === count("src");
}

// 3. Check through the binding, as the Worker will see it.
proxy = await getPlatformProxy<Env>({ persist: true });
try {
  const decoder = createD1VinDecoder(proxy.env.VPIC);
  t = performance.now();
  const leaf = await decoder.decode("1N4AZ0CP6GC304290");
  console.log(`decoded 1N4AZ0CP6GC304290 through the VPIC binding in ${(performance.now() - t).toFixed(0)} ms:`, leaf);
  if (leaf?.model !== "Leaf") throw new Error("the VPIC binding does not decode the Leaf");
} finally {
  await proxy.dispose();
}
console.log("Done: `npm run dev:worker` (or `wrangler dev`) now decodes VINs.");
