/**
 * `npm run dev:worker`: the same demo on workerd with a local D1 (wrangler dev). Applies the migrations
 * with `wrangler d1 migrations apply --local`, loads the vPIC data into the local VPIC D1, seeds through
 * the D1 binding of getPlatformProxy, prints the demo keys and runs `wrangler dev` on :8787. Offline; no account.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { getPlatformProxy } from "wrangler";
import { createDemoKeys, createSiteKey, demoConfig, followDemoPort, seedDemo, type DemoKeys } from "../src/seed/demo";
import { createStore } from "../src/store";
import { openD1 } from "../src/store/d1";
import { createNodeVinDecoder } from "../src/store/vpic/node";
import { VinService } from "../src/services/vins";
import { buildDocsAssets } from "./docs-assets.mjs";

process.env.WRANGLER_SEND_METRICS ??= "false";
const port = Number(process.env.PORT ?? 8787);
// /docs serves Swagger UI's files as static assets (wrangler.toml [assets]); wrangler dev rebuilds them too.
buildDocsAssets();
execFileSync("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local"], {
  stdio: "inherit",
  env: { ...process.env, CI: "true" },
});
// The Worker decodes VINs from its own VPIC D1 (corgi's vPIC data, ~86 MB): loaded once, skipped when present.
execFileSync("npx", ["tsx", "scripts/vpic-dev.ts"], { stdio: "inherit" });

const proxy = await getPlatformProxy<Env>({ persist: true });
const store = createStore(openD1(proxy.env.DB));
const seeded = await seedDemo(
  { store, vins: new VinService(store.customers, createNodeVinDecoder(), Date.now) },
  Date.now(),
  port,
);
const keysFile = ".wrangler/demo-keys.json";
let keys: DemoKeys | null =
  seeded.keys ?? (existsSync(keysFile) ? (JSON.parse(readFileSync(keysFile, "utf8")) as DemoKeys) : null);
keys ??= await createDemoKeys(store, seeded.tenant, Date.now(), port);
keys.site ??= await createSiteKey(store, seeded.tenant, Date.now());
writeFileSync(keysFile, JSON.stringify(keys, null, 2), { mode: 0o600 });
// The demo publishable key follows the port served.
const origins = (await followDemoPort(store, seeded.tenant, keys.publishable, port)) ?? [];
await proxy.dispose();

console.log(`
Pitwall on workerd + local D1 (wrangler dev): http://127.0.0.1:${port}  docs: http://127.0.0.1:${port}/docs
  demos (demo mode, local only): http://127.0.0.1:${port}/demo
  admin (sk_)        ${keys.admin}
  publishable (pk_)  ${keys.publishable}   origins: ${origins.join(", ")}
  vehicle (vk_)      ${keys.vehicle}
  Stop with Ctrl+C (or x in wrangler's prompt).
`);
// Demo mode for this local run only: the /demo pages get the demo keys through the DEMO_KEYS var.
const demoVar = `DEMO_KEYS:${JSON.stringify(demoConfig({ ...keys, site: keys.site }))}`;
const dev = spawn("npx", ["wrangler", "dev", "--ip", "127.0.0.1", "--port", String(port), "--var", demoVar], {
  stdio: "inherit",
});
dev.on("exit", (code) => process.exit(code ?? 0));
