import { z } from "zod";
import { MIGRATION_TAGS } from "../store/db";
import { defineOperation } from "../http/operation";

const Health = z
  .object({
    status: z.enum(["ok", "degraded", "unavailable"]),
    store: z.object({ reachable: z.boolean(), kind: z.enum(["d1", "libsql"]) }),
    schema: z.object({
      applied: z.number().int(),
      expected: z.number().int(),
      latest: z.string().nullable(),
      upToDate: z.boolean(),
    }),
    build: z.object({ version: z.string(), runtime: z.enum(["workers", "node"]) }),
  })
  .meta({ id: "Health" });

export const getHealth = defineOperation({
  method: "get",
  path: "/health",
  auth: null,
  problems: ["method-not-allowed"],
  schema: {
    tags: ["Operations"],
    operationId: "getHealth",
    summary: "Health: store reachable, schema version, build version",
    description:
      "No key needed. 200 when the store answers and its schema is current; 503 otherwise, with the same body.",
    responses: {
      "200": { description: "Healthy", content: { "application/json": { schema: Health } } },
      "503": { description: "Store unreachable or schema behind", content: { "application/json": { schema: Health } } },
    },
  },
  example: {},
  async handle(c) {
    const { store, config, runtime } = c.var.deps;
    let applied = 0;
    let reachable = true;
    try {
      applied = await store.database.appliedMigrations();
    } catch (e) {
      reachable = false;
      console.error(JSON.stringify({ level: "error", msg: "health: store unreachable", error: String(e) }));
    }
    const expected = MIGRATION_TAGS.length;
    const upToDate = reachable && applied >= expected;
    const body = {
      status: !reachable ? "unavailable" : upToDate ? "ok" : "degraded",
      store: { reachable, kind: store.database.kind },
      schema: { applied, expected, latest: applied > 0 ? (MIGRATION_TAGS[applied - 1] ?? null) : null, upToDate },
      build: { version: config.BUILD_VERSION, runtime },
    } satisfies z.infer<typeof Health>;
    return c.json(body, upToDate ? 200 : 503);
  },
});
