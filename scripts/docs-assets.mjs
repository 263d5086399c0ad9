// Copies the files of swagger-ui-dist that /docs needs into .assets/docs/swagger-ui/, the Workers Static
// Assets directory (wrangler.toml [assets]). Run by wrangler itself before dev and deploy ([build] command)
// and by vitest.config.ts before the workers tests. Plain Node (no TypeScript) so it runs anywhere.
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
/** Must match SWAGGER_UI_FILES in src/http/docs.ts (a test checks it). */
export const FILES = ["swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"];
export const ASSETS_DIR = join(root, ".assets");

export function buildDocsAssets() {
  const pkg = dirname(createRequire(join(root, "package.json")).resolve("swagger-ui-dist/package.json"));
  const out = join(ASSETS_DIR, "docs", "swagger-ui");
  mkdirSync(out, { recursive: true });
  for (const f of FILES) copyFileSync(join(pkg, f), join(out, f));
  const version = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8")).version;
  return { out, version };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { out, version } = buildDocsAssets();
  console.log(`docs assets: swagger-ui-dist ${version} -> ${out}`);
}
