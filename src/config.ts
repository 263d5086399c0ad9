/**
 * Configuration, validated once at start. A bad value refuses to serve, naming the variable.
 * Both runtimes read the same names: Workers from wrangler.toml vars/secrets, Node from process.env.
 */
import { z } from "zod";
import { DemoConfigSchema } from "./embed/demo-config";

const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);

export const ConfigSchema = z.object({
  /** Requests per key per minute, per isolate/process. */
  RATE_LIMIT_PER_MINUTE: int(6000, 1, 1_000_000),
  /** How long a verified key stays cached in memory; 0 disables the cache. */
  KEY_CACHE_TTL_SECONDS: int(10, 0, 3600),
  /** Largest accepted JSON body. */
  BODY_LIMIT_BYTES: int(1_048_576, 1024, 10_485_760),
  /** Deadline for the store on the decision path, after which decide answers in degraded mode. */
  DECIDE_DEADLINE_MS: int(150, 10, 10_000),
  BUILD_VERSION: z.string().min(1).default("dev"),
  /**
   * Demo mode, local only: JSON {publishable, vehicle, vin, site} of the demo keys the /demo pages hand out
   * (`npm run dev:worker` passes it to wrangler dev; `npm start` sets it in process). Never set it in production.
   */
  DEMO_KEYS: z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (s === undefined) return undefined;
      try {
        return DemoConfigSchema.parse(JSON.parse(s));
      } catch {
        ctx.addIssue({ code: "custom", message: "must be JSON {publishable, vehicle, vin, site} of the demo keys" });
        return z.NEVER;
      }
    }),
  // ---- issue 10 (channels)
  /** Origin of booking and unsubscribe links when no request gives one (the Cron Trigger); default: the request's. */
  PUBLIC_BASE_URL: z
    .string()
    .regex(/^https?:\/\/[^/\s]+$/, "must be an origin such as https://api.example.com (no path)")
    .optional(),
  /** Webhook retries: the first waits this long, each next one twice as long (at most an hour). */
  WEBHOOK_BACKOFF_MS: int(5000, 1, 3_600_000),
  /** Attempts per delivery before it is marked failed (replayable). */
  WEBHOOK_MAX_ATTEMPTS: int(10, 1, 50),
  /** How long one delivery attempt may take before it counts as failed. */
  WEBHOOK_TIMEOUT_MS: int(10_000, 100, 60_000),
  /**
   * Webhook endpoints on this machine or a private network (loopback, RFC 1918, link-local, CGNAT, ULA): `deny`
   * refuses them when created and, on Node, when a name resolves to one at delivery; `allow` for local development
   * and tests only (`npm start` sets it).
   */
  WEBHOOK_PRIVATE_TARGETS: z.enum(["deny", "allow"]).default("deny"),
  /** Node: how often the outbox worker looks for due deliveries (a change wakes it at once). */
  OUTBOX_POLL_MS: int(1000, 10, 60_000),
  /**
   * Workers, past one database (docs/scale.md): which D1 binding serves a request, by its host name — one D1 per
   * brand or per region, each holding its brands whole (keys included, so every batch stays in one database).
   * JSON `{"eu.api.example.com": "DB_EU"}`; a host not listed uses `DB`.
   */
  D1_SHARDS: z
    .string()
    .default("{}")
    .transform((s, ctx) => {
      try {
        const v = JSON.parse(s) as unknown;
        if (v && typeof v === "object" && !Array.isArray(v) && Object.values(v).every((b) => typeof b === "string"))
          return v as Record<string, string>;
      } catch {}
      ctx.addIssue({
        code: "custom",
        message: 'must be a JSON object of host name to D1 binding, e.g. {"eu.api.example.com":"DB_EU"}',
      });
      return z.NEVER;
    }),
});
export type AppConfig = z.infer<typeof ConfigSchema>;

export const NodeConfigSchema = ConfigSchema.extend({
  PORT: int(8787, 0, 65535),
  HOST: z.string().default("127.0.0.1"),
  /** `file:` path for an embedded libSQL database, or `libsql://`/`https://` for Turso/sqld. */
  DATABASE_URL: z
    .string()
    .default("file:.pitwall/pitwall.db")
    .refine(
      (u) => /^(file:|libsql:\/\/|https?:\/\/|wss?:\/\/)/.test(u),
      "must start with file:, libsql://, http(s):// or ws(s)://",
    ),
  DATABASE_AUTH_TOKEN: z.string().optional(),
  /** One JSON line per request on stdout (method, path, status, duration, request id, key id). */
  ACCESS_LOG: z.enum(["on", "off"]).default("on"),
  /** libSQL's write transactions on a worker thread (src/store/libsql-writer.ts), beside the event loop. */
  LIBSQL_WRITER_THREAD: z.enum(["on", "off"]).default("on"),
}).superRefine((c, ctx) => {
  if (c.DATABASE_URL.startsWith("libsql://") && !c.DATABASE_AUTH_TOKEN) {
    ctx.addIssue({
      code: "custom",
      path: ["DATABASE_AUTH_TOKEN"],
      message: "is required for a libsql:// (Turso) database",
    });
  }
});
export type NodeConfig = z.infer<typeof NodeConfigSchema>;

/** Thrown when configuration does not validate; its message names every bad variable. */
export class ConfigError extends Error {}

/** Parse config from a flat record of strings; empty strings count as unset. */
export function parseConfig<S extends z.ZodType>(schema: S, source: Record<string, unknown>): z.infer<S> {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== "" && v !== undefined));
  const r = schema.safeParse(cleaned);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join(".") || "(config)"}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  return r.data;
}
