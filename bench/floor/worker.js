// The independent floor on workerd, outside Pitwall's code: a minimal Worker doing one indexed point read of a
// profile-sized (~1.5 KB) JSON row through a D1 prepared statement, returned as JSON. Run by bench/run.ts with
// Miniflare directly (no wrangler dev proxy).
let stmt;
export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (pathname === "/health") return Response.json({ ok: true });
    stmt ??= env.DB.prepare("select id, doc from rows where id = ?");
    const row = await stmt.bind(pathname.slice("/rows/".length)).first();
    if (!row) return Response.json({ error: "not found" }, { status: 404 });
    return Response.json({ id: row.id, doc: JSON.parse(row.doc) });
  },
};
