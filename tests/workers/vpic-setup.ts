/// <reference types="vite/client" />
// Storage is isolated per test file: each file's VPIC D1 gets the vPIC test subset (tests/fixtures/vpic, made by
// scripts/vpic-subset.ts), so the Worker decodes every VIN of vins.csv and of our tests as with corgi's full data.
import { env } from "cloudflare:test";
import subsetSql from "../fixtures/vpic/vpic-subset.sql?raw";

// One statement a line (multi-row INSERTs under D1's 100 kB statement limit), run as one batch (a transaction).
const statements = subsetSql.split("\n").filter((line) => line !== "" && !line.startsWith("--"));
await env.VPIC.batch(statements.map((sql) => env.VPIC.prepare(sql)));
