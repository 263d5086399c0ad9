/**
 * The independent floor on Node, outside Pitwall's code: bare Hono + @libsql/client, one indexed point read of a
 * profile-sized (~1.5 KB) JSON row, returned as JSON. The bench (bench/run.ts) creates and fills the file.
 * Env: FLOOR_DB (file path), PORT.
 */
import { serve } from "@hono/node-server";
import { createClient } from "@libsql/client";
import { Hono } from "hono";

const client = createClient({ url: `file:${process.env.FLOOR_DB}` });
await client.execute("PRAGMA journal_mode = WAL");
const app = new Hono();
app.get("/rows/:id", async (c) => {
  const rs = await client.execute({ sql: "select id, doc from rows where id = ?", args: [c.req.param("id")] });
  const row = rs.rows[0];
  if (!row) return c.json({ error: "not found" }, 404);
  return c.json({ id: row.id, doc: JSON.parse(String(row.doc)) });
});
app.get("/health", (c) => c.json({ ok: true }));
serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 8797), hostname: "127.0.0.1" });
