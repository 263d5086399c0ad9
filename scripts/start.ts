/**
 * `npm start`: the embedded default. Node + a libSQL file under .pitwall/, migrations applied,
 * the demo seeded, keys printed, served on :8787. Offline, no account.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { closeOnSignal, nodeConfigFromEnv, startNode } from "../src/node";
import { createStore } from "../src/store";
import { migrateLibsql, openLibsql } from "../src/store/libsql";
import { createDemoKeys, seedDemo, type DemoKeys } from "../src/seed/demo";
import { createNodeVinDecoder } from "../src/store/vpic/node";
import { VinService } from "../src/services/vins";

const config = nodeConfigFromEnv();
const database = await openLibsql(config.DATABASE_URL, config.DATABASE_AUTH_TOKEN);
await migrateLibsql(database);
const store = createStore(database);
const seeded = await seedDemo(
  { store, vins: new VinService(store.customers, createNodeVinDecoder(), Date.now) },
  Date.now(),
);

// Keys are stored hashed; keep the demo's plaintext beside a local database file so each start can print them.
const keysFile = config.DATABASE_URL.startsWith("file:")
  ? resolve(dirname(config.DATABASE_URL.slice(5)), "demo-keys.json")
  : null;
let keys: DemoKeys | null = seeded.keys;
if (!keys && keysFile && existsSync(keysFile)) keys = JSON.parse(readFileSync(keysFile, "utf8")) as DemoKeys;
if (!keys) keys = await createDemoKeys(store, seeded.tenant, Date.now());
if (keysFile) writeFileSync(keysFile, JSON.stringify(keys, null, 2), { mode: 0o600 });

const s = await startNode(config, database);
closeOnSignal(s);
console.log(`
Pitwall is serving the demo brand "${seeded.tenant.name}" (Node + libSQL ${config.DATABASE_URL})${seeded.events ? `\n  seeded: 2 dealers, the demo catalogue and ${seeded.events} demo events` : ""}

  API      ${s.url}
  Docs     ${s.url}/docs
  OpenAPI  ${s.url}/openapi.json
  Health   ${s.url}/health

  Demo keys (local only):
  admin (sk_)        ${keys.admin}
  publishable (pk_)  ${keys.publishable}   origins: http://localhost:8787, http://127.0.0.1:8787, http://localhost:5173
  vehicle (vk_)      ${keys.vehicle}   VIN 1N4AZ0CP6GC304290

  Try: curl -s ${s.url}/v1/dealers -H "Authorization: Bearer ${keys.admin}"
`);
