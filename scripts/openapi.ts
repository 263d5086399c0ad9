/** Writes openapi/openapi.json from the code (the document /openapi.json serves). */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createApp } from "../src/app";
import type { Deps } from "../src/http/context";

// Generating the document touches no dependency; a bare object suffices.
const app = createApp({} as Deps);
const res = await app.request("/openapi.json");
const spec = await res.json();
writeFileSync(
  fileURLToPath(new URL("../openapi/openapi.json", import.meta.url).href),
  JSON.stringify(spec, null, 2) + "\n",
);
console.log(`openapi/openapi.json: ${Object.keys((spec as { paths: object }).paths).length} paths`);
