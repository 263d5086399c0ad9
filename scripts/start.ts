/**
 * `npm start`: the embedded default. Node + a libSQL file under .pitwall/, migrations applied,
 * the demo seeded, keys printed, served on PORT (8787). Offline, no account.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { closeOnSignal, nodeConfigFromEnv, startOrExit } from "../src/node";
import { createStore } from "../src/store";
import { migrateLibsql, openLibsql } from "../src/store/libsql";
import {
  createDemoKeys,
  createSiteKey,
  DEMO_VIN,
  demoConfig,
  followDemoPort,
  seedDemo,
  type DemoKeys,
} from "../src/seed/demo";
import { createNodeVinDecoder } from "../src/store/vpic/node";
import { VinService } from "../src/services/vins";

// Local development: a webhook may point at a receiver on this machine (deployments keep the default, deny).
process.env.WEBHOOK_PRIVATE_TARGETS ??= "allow";
const config = nodeConfigFromEnv();
const database = await openLibsql(config.DATABASE_URL, config.DATABASE_AUTH_TOKEN);
await migrateLibsql(database);
const store = createStore(database);
const seeded = await seedDemo(
  { store, vins: new VinService(store.customers, createNodeVinDecoder(), Date.now) },
  Date.now(),
  config.PORT || 8787,
);

// Keys are stored hashed; keep the demo's plaintext beside a local database file so each start can print them.
const dbFile = config.DATABASE_URL.startsWith("file:") ? resolve(config.DATABASE_URL.slice(5)) : null;
const keysFile = dbFile ? resolve(dirname(dbFile), "demo-keys.json") : null;
let keys: DemoKeys | null = seeded.keys;
if (!keys && keysFile && existsSync(keysFile)) keys = JSON.parse(readFileSync(keysFile, "utf8")) as DemoKeys;
if (!keys) keys = await createDemoKeys(store, seeded.tenant, Date.now(), config.PORT || 8787);
// Keys files written before the demo site's backend key existed get one.
keys.site ??= await createSiteKey(store, seeded.tenant, Date.now());
if (keysFile) writeFileSync(keysFile, JSON.stringify(keys, null, 2), { mode: 0o600 });

const s = await startOrExit(config, database);
closeOnSignal(s);
// The demo publishable key follows the port actually served (PORT=9123, or a free one for PORT=0).
const origins = (await followDemoPort(store, seeded.tenant, keys.publishable, s.port)) ?? (await createFreshOrigins());
async function createFreshOrigins(): Promise<string[]> {
  // The printed key belongs to an older database: issue a new set for this one.
  keys = await createDemoKeys(store, seeded.tenant, Date.now(), s.port);
  if (keysFile) writeFileSync(keysFile, JSON.stringify(keys, null, 2), { mode: 0o600 });
  return (await followDemoPort(store, seeded.tenant, keys.publishable, s.port)) ?? [];
}

// Demo mode (local only): the /demo pages hand out the demo keys.
s.deps.demo = demoConfig({ ...keys, site: keys.site ?? (await createSiteKey(store, seeded.tenant, Date.now())) });

console.log(`
Pitwall is serving the demo brand "${seeded.tenant.name}" on Node + libSQL${seeded.events ? `\n  seeded: 2 dealers, the demo catalogue and ${seeded.events} demo events` : ""}

  API       ${s.url}
  Docs      ${s.url}/docs
  Demos     ${s.url}/demo  (configurator, in-car, dealer site; demo mode, local only)
  OpenAPI   ${s.url}/openapi.json
  Health    ${s.url}/health
  Database  ${dbFile ?? config.DATABASE_URL.replace(/\/\/[^@/]*@/, "//")}

  Demo keys (local only):
  admin (sk_)        ${keys.admin}
  publishable (pk_)  ${keys.publishable}   origins: ${origins.join(", ")}
  vehicle (vk_)      ${keys.vehicle}   VIN ${DEMO_VIN}

  Try: curl -s ${s.url}/v1/dealers -H "Authorization: Bearer ${keys.admin}"
  Typed client: PITWALL_URL=${s.url} PITWALL_KEY=${keys.admin} npx tsx clients/typescript/example.ts

  One JSON access-log line per request follows (ACCESS_LOG=off to silence). Stop with Ctrl+C.
`);
