/** Writes openapi/openapi.json from the code (the document /openapi.json serves). */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createApp, DEFAULT_SERVER } from "../src/app";
import type { Deps } from "../src/http/context";

// Generating the document touches no dependency; a bare object suffices.
const app = createApp({} as Deps);
const res = await app.request("/openapi.json");
// The served document names the origin it was served from; the committed one keeps a stable server.
const spec = { ...((await res.json()) as { paths: object }), servers: [DEFAULT_SERVER] };
writeFileSync(
  fileURLToPath(new URL("../openapi/openapi.json", import.meta.url).href),
  JSON.stringify(spec, null, 2) + "\n",
);
console.log(`openapi/openapi.json: ${Object.keys(spec.paths).length} paths`);
