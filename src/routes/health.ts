import { z } from "zod";
import { MIGRATION_TAGS } from "../store/db";
import { faultName } from "../store/conflicts";
import { defineOperation } from "../http/operation";

/** How long /health waits for each store probe: it answers within a second even when the store does not. */
const PROBE_MS = 400;

const Health = z
  .object({
    status: z.enum(["ok", "degraded", "unavailable"]),
    store: z.object({
      reachable: z.boolean(),
      writable: z.boolean().nullable().meta({
        description: "A write could start now (libSQL probes the write lock); null when the runtime cannot tell",
      }),
      kind: z.enum(["d1", "libsql"]),
      fault: z
        .string()
        .nullable()
        .meta({ description: "The store fault writes are meeting (e.g. database is locked), until one succeeds" }),
      faultSince: z.string().nullable(),
    }),
    writes: z.object({
      conflictsExhausted: z
        .number()
        .int()
        .meta({ description: "Writes answered 503 in the last minute because concurrent writers kept winning" }),
      lastConflict: z.string().nullable().meta({ description: "Which write, and when" }),
      decisionLogBacklog: z.number().int().meta({ description: "Decisions waiting to be logged (store unavailable)" }),
      decisionLogDropped: z.number().int().meta({ description: "Decision logs given up on since start" }),
    }),
    schema: z.object({
      applied: z.number().int(),
      expected: z.number().int(),
      latest: z.string().nullable(),
      upToDate: z.boolean(),
    }),
    build: z.object({ version: z.string(), runtime: z.enum(["workers", "node"]) }),
  })
  .meta({ id: "Health" });

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error("health probe timed out")), ms))),
  ]).finally(() => clearTimeout(timer));
}

export const getHealth = defineOperation({
  method: "get",
  path: "/health",
  auth: null,
  problems: ["method-not-allowed"],
  schema: {
    tags: ["Operations"],
    operationId: "getHealth",
    summary: "Health: store reachable and writable, write conflicts, schema version, build version",
    description:
      "No key needed; answers within a second. 200 when the store answers, takes writes and its schema is current (`degraded` when writes recently gave up on conflicts); 503 otherwise, with the same body naming the fault.",
    responses: {
      "200": { description: "Healthy", content: { "application/json": { schema: Health } } },
      "503": {
        description: "Store unreachable or not taking writes, or schema behind",
        content: { "application/json": { schema: Health } },
      },
    },
  },
  example: {},
  async handle(c) {
    const { store, config, runtime, decisionLog, now } = c.var.deps;
    const database = store.database;
    let applied = 0;
    let reachable = true;
    const [read, write] = await Promise.allSettled([
      within(database.appliedMigrations(), PROBE_MS),
      within(database.probeWrite(), PROBE_MS),
    ]);
    if (read.status === "fulfilled") applied = read.value;
    else {
      reachable = false;
      console.error(
        JSON.stringify({ level: "error", msg: "health: store unreachable", error: faultName(read.reason) }),
      );
    }
    const t = now();
    const snap = database.health.snapshot(t);
    const probe = write.status === "fulfilled" ? write.value : { ok: false, error: write.reason };
    const writable = probe === null ? (snap.writeFault ? false : null) : probe.ok;
    const fault = probe && !probe.ok ? faultName(probe.error) : (snap.writeFault?.fault ?? null);
    const expected = MIGRATION_TAGS.length;
    const upToDate = reachable && applied >= expected;
    const serving = upToDate && writable !== false;
    const backlog = decisionLog.backlog();
    const body = {
      status: !reachable ? "unavailable" : !serving || snap.conflictsExhausted.lastMinute > 0 ? "degraded" : "ok",
      store: {
        reachable,
        writable,
        kind: database.kind,
        fault,
        faultSince: fault && snap.writeFault ? new Date(snap.writeFault.since).toISOString() : null,
      },
      writes: {
        conflictsExhausted: snap.conflictsExhausted.lastMinute,
        lastConflict: snap.conflictsExhausted.last
          ? `${snap.conflictsExhausted.last.what} at ${new Date(snap.conflictsExhausted.last.at).toISOString()}`
          : null,
        decisionLogBacklog: backlog.pending,
        decisionLogDropped: backlog.dropped,
      },
      schema: { applied, expected, latest: applied > 0 ? (MIGRATION_TAGS[applied - 1] ?? null) : null, upToDate },
      build: { version: config.BUILD_VERSION, runtime },
    } satisfies z.infer<typeof Health>;
    return c.json(body, serving ? 200 : 503);
  },
});
