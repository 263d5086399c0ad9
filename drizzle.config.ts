import { defineConfig } from "drizzle-kit";

// drizzle-kit generates SQL into migrations/; wrangler (D1) and Drizzle's migrator (libSQL) apply the same files.
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/store/schema.ts",
  out: "./migrations",
});
