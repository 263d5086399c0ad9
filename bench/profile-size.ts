/**
 * Profile size of the demo population (seeded through the ingestion path), as stored: bytes of the JSON doc.
 * Usage: npx tsx bench/profile-size.ts
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNodeVinDecoder } from "../src/store/vpic/node";
import { seedDemo } from "../src/seed/demo";
import { VinService } from "../src/services/vins";
import { createStore } from "../src/store";
import { migrateLibsql, openLibsql } from "../src/store/libsql";
import { pct } from "./lib";

const db = await openLibsql(`file:${join(mkdtempSync(join(tmpdir(), "pitwall-size-")), "size.db")}`);
await migrateLibsql(db);
const store = createStore(db);
await seedDemo({ store, vins: new VinService(store.customers, createNodeVinDecoder(), Date.now) }, Date.now());
const rows = await db.client.execute(
  "select id, length(cast(doc as blob)) as bytes, doc from profiles where doc is not null",
);
const sizes = rows.rows.map((r) => Number(r.bytes)).sort((a, b) => a - b);
const owners = rows.rows
  .filter((r) => JSON.parse(String(r.doc)).stage !== "prospect" && JSON.parse(String(r.doc)).vehicles.length > 0)
  .map((r) => Number(r.bytes))
  .sort((a, b) => a - b);
console.log(
  JSON.stringify({
    profiles: sizes.length,
    bytes: { median: pct(sizes, 50), p95: pct(sizes, 95), max: sizes.at(-1) },
    owners: { count: owners.length, median: pct(owners, 50), max: owners.at(-1) },
  }),
);
db.close();
