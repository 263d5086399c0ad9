import { z } from "zod";
import { KEY_KINDS, SCOPES } from "../domain/keys";
import type { ApiKeyInfo } from "../store/keys";
import { defineOperation } from "../http/operation";
import type { AppContext } from "../http/context";
import { Problem } from "../http/problems";
import { audit } from "../services/audit";
import { IdParam, VIN_PATTERN, iso } from "./common";

const Origin = z
  .string()
  .max(200)
  .regex(/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/, "must be an origin such as https://dealer.example");

export const KeyInfoSchema = z
  .object({
    id: z.string(),
    kind: z.enum(KEY_KINDS),
    name: z.string(),
    prefix: z
      .string()
      .meta({ description: "The first characters of the key, for recognising it", example: "sk_a1B2c3" }),
    scopes: z.array(z.string()),
    dealerId: z.string().nullable(),
    vin: z.string().nullable(),
    allowedOrigins: z.array(z.string()).nullable(),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    previousSecretExpiresAt: z
      .string()
      .nullable()
      .meta({ description: "After a rotation: until when the previous secret still works (null: it does not)" }),
  })
  .meta({ id: "ApiKeyInfo" });

const NewKeySchema = z
  .object({
    kind: z.enum(KEY_KINDS),
    name: z.string().min(1).max(100),
    scopes: z.array(z.enum(SCOPES)).max(SCOPES.length).optional().meta({ description: "Server keys only" }),
    dealerId: z
      .string()
      .min(1)
      .max(64)
      .nullish()
      .meta({ description: "Bind a server key to one dealer: it sees only that dealer's customers" }),
    vin: z.string().min(1).max(32).nullish().meta({
      description:
        "Vehicle keys: the one VIN it may act for, validated like every VIN (49 CFR 565 and NHTSA's exceptions); a VIN that fails is `400 invalid-vin` naming the rule",
      pattern: VIN_PATTERN,
    }),
    allowedOrigins: z
      .array(Origin)
      .min(1)
      .max(20)
      .nullish()
      .meta({ description: "Publishable keys: origins allowed to use it" }),
    expiresAt: z.iso.datetime({ offset: true }).nullish(),
  })
  .superRefine((k, ctx) => {
    const need = (ok: boolean, path: string, message: string) =>
      ok || ctx.addIssue({ code: "custom", path: [path], message });
    need(k.kind !== "server" || (k.scopes?.length ?? 0) > 0, "scopes", "a server key needs at least one scope");
    need(k.kind === "server" || !k.scopes?.length, "scopes", "only server keys carry scopes");
    need(
      k.kind !== "publishable" || (k.allowedOrigins?.length ?? 0) > 0,
      "allowedOrigins",
      "a publishable key needs allowed origins",
    );
    need(k.kind !== "vehicle" || Boolean(k.vin), "vin", "a vehicle key is bound to one VIN");
    need(!(k.dealerId && k.scopes?.includes("admin")), "scopes", "a dealer-bound key cannot be an admin key");
  })
  .meta({
    // What each kind needs, for generated clients and fuzzers (the validator above enforces the same).
    oneOf: [
      { properties: { kind: { const: "server" }, scopes: { type: "array", minItems: 1 } }, required: ["scopes"] },
      {
        properties: { kind: { const: "publishable" }, allowedOrigins: { type: "array", minItems: 1 } },
        required: ["allowedOrigins"],
      },
      { properties: { kind: { const: "vehicle" }, vin: { type: "string" } }, required: ["vin"] },
    ],
  });

const toDto = ({ tenantId: _tenant, previousExpiresAt, ...k }: ApiKeyInfo) => ({
  ...k,
  createdAt: iso(k.createdAt)!,
  expiresAt: iso(k.expiresAt),
  revokedAt: iso(k.revokedAt),
  previousSecretExpiresAt: iso(previousExpiresAt),
});

/** A key's audit subject: its id, kind and name (never a secret, never a VIN). */
const keySubject = (k: Pick<ApiKeyInfo, "id" | "kind" | "name">, detail: Record<string, unknown> = {}) => ({
  subjectType: "key" as const,
  subjectId: k.id,
  detail: { kind: k.kind, name: k.name, ...detail },
});

/** Forgets a changed key in this isolate's caches (other isolates follow within KEY_CACHE_TTL_SECONDS). */
function forget(c: AppContext, keyId: string): void {
  c.var.deps.keyCache.evictKeyId(keyId);
  c.var.deps.originCache.clear();
}

const KeyParam = IdParam("keyId", "key", "key_4bQm2kT9xYz01AbCdEfG");

export const listKeys = defineOperation({
  method: "get",
  path: "/v1/keys",
  auth: { kinds: ["server"], scope: "admin" },
  schema: {
    tags: ["Keys"],
    operationId: "listKeys",
    summary: "List the brand's API keys (prefix and scopes, never the secret)",
    responses: {
      "200": {
        description: "Keys",
        content: { "application/json": { schema: z.object({ keys: z.array(KeyInfoSchema) }) } },
      },
    },
  },
  example: {},
  async handle(c) {
    const rows = await c.var.deps.store.keys.list({ tenantId: c.var.principal.tenantId });
    return c.json({ keys: rows.map(toDto) });
  },
});

export const createKey = defineOperation({
  method: "post",
  path: "/v1/keys",
  auth: { kinds: ["server"], scope: "admin" },
  problems: ["invalid-vin"],
  schema: {
    tags: ["Keys"],
    operationId: "createKey",
    summary: "Create an API key; the secret is in this response only",
    request: { body: { content: { "application/json": { schema: NewKeySchema } } } },
    responses: {
      "201": {
        description: "Created. Store `key` now: only its hash is kept.",
        content: {
          "application/json": { schema: KeyInfoSchema.extend({ key: z.string() }).meta({ id: "CreatedApiKey" }) },
        },
      },
    },
  },
  example: {
    body: { kind: "publishable", name: "Dealer site widget", allowedOrigins: ["https://www.autohaus-isar.example"] },
  },
  async handle(c, { body }) {
    const p = c.var.principal;
    const { store, now, vins } = c.var.deps;
    // A vehicle key for a VIN that fails validation could never be used: every call with it would fail.
    const vin = body.kind === "vehicle" && body.vin ? vins.valid(body.vin).vin : body.vin;
    if (body.dealerId && !(await store.dealers.get({ tenantId: p.tenantId }, body.dealerId))) {
      throw new Problem("validation-failed", "No such dealer in this brand.", {
        errors: [{ in: "body", pointer: "/dealerId", reason: "no such dealer" }],
      });
    }
    const expiresAt = body.expiresAt ? Date.parse(body.expiresAt) : null;
    const { key, info } = await store.keys.create({ tenantId: p.tenantId }, { ...body, vin, expiresAt }, now(), (k) => [
      store.audit.insert(audit(c, "key.create", keySubject(k, { scopes: k.scopes, dealerId: k.dealerId }))),
    ]);
    if (info.kind === "publishable") c.var.deps.originCache.clear();
    return c.json({ ...toDto(info), key }, 201);
  },
});

export const revokeKey = defineOperation({
  method: "delete",
  path: "/v1/keys/:keyId",
  auth: { kinds: ["server"], scope: "admin" },
  problems: ["not-found"],
  schema: {
    tags: ["Keys"],
    operationId: "revokeKey",
    summary: "Revoke an API key (idempotent)",
    request: { params: KeyParam },
    responses: {
      "200": { description: "The revoked key", content: { "application/json": { schema: KeyInfoSchema } } },
    },
  },
  example: {},
  async handle(c, { params }) {
    const { store, now } = c.var.deps;
    const scope = { tenantId: c.var.principal.tenantId };
    const current = await store.keys.get(scope, params.keyId as string);
    if (!current) throw new Problem("not-found", "No such key.");
    const info = await store.keys.revoke(scope, current.id, now(), [
      store.audit.insert(audit(c, "key.revoke", keySubject(current))),
    ]);
    if (!info) throw new Problem("not-found", "No such key.");
    forget(c, info.id);
    return c.json(toDto(info));
  },
});

/** How long the previous secret keeps working after a rotation, unless the request says otherwise. */
export const DEFAULT_ROTATION_OVERLAP_SECONDS = 86_400;
const MAX_ROTATION_OVERLAP_SECONDS = 7 * 86_400;

export const rotateKey = defineOperation({
  method: "post",
  path: "/v1/keys/:keyId/rotate",
  auth: { kinds: ["server"], scope: "admin" },
  problems: ["not-found", "key-not-active"],
  schema: {
    tags: ["Keys"],
    operationId: "rotateKey",
    summary:
      "Rotate a key's secret; the key id (and what is bound to it) stays, the old secret works for an overlap window",
    description: `The new secret is in this response only. The previous secret keeps working for \`overlapSeconds\` (default ${DEFAULT_ROTATION_OVERLAP_SECONDS} = 24 h, at most 7 days; 0 ends it at once — in other isolates within KEY_CACHE_TTL_SECONDS). A second rotation replaces the previous secret: only the last two secrets are ever valid. A revoked or expired key cannot be rotated (409).`,
    request: {
      params: KeyParam,
      body: {
        content: {
          "application/json": {
            schema: z.object({
              overlapSeconds: z
                .number()
                .int()
                .min(0)
                .max(MAX_ROTATION_OVERLAP_SECONDS)
                .default(DEFAULT_ROTATION_OVERLAP_SECONDS)
                .meta({ description: "How long the previous secret keeps working" }),
            }),
          },
        },
      },
    },
    responses: {
      "200": {
        description: "Rotated. Store `key` now: only its hash is kept.",
        content: {
          "application/json": { schema: KeyInfoSchema.extend({ key: z.string() }).meta({ id: "RotatedApiKey" }) },
        },
      },
    },
  },
  example: { body: { overlapSeconds: 3600 } },
  async handle(c, { params, body }) {
    const { store, now } = c.var.deps;
    const scope = { tenantId: c.var.principal.tenantId };
    const t = now();
    const current = await store.keys.get(scope, params.keyId as string);
    if (!current) throw new Problem("not-found", "No such key.");
    if (
      (current.revokedAt !== null && current.revokedAt <= t) ||
      (current.expiresAt !== null && current.expiresAt <= t)
    )
      throw new Problem("key-not-active", "A revoked or expired key cannot be rotated; create a new one.");
    const overlapMs = body.overlapSeconds * 1000;
    const out = await store.keys.rotate(scope, current, t, overlapMs, (rotated, k) => [
      store.audit.insertIf(
        audit(c, "key.rotate", keySubject(k, { previousSecretExpiresAt: iso(k.previousExpiresAt) })),
        rotated,
      ),
    ]);
    if (!out) throw new Problem("key-not-active", "The key was rotated by another request at the same time; retry.");
    forget(c, current.id);
    return c.json({ ...toDto(out.info), key: out.key });
  },
});

export const updateKey = defineOperation({
  method: "patch",
  path: "/v1/keys/:keyId",
  auth: { kinds: ["server"], scope: "admin" },
  problems: ["not-found"],
  schema: {
    tags: ["Keys"],
    operationId: "updateKey",
    summary: "Rename a key, or edit a publishable key's allowed origins without re-issuing it",
    description:
      "Takes effect at once in the isolate that answered, elsewhere within KEY_CACHE_TTL_SECONDS (and 30 s for CORS preflights).",
    request: {
      params: KeyParam,
      body: {
        content: {
          "application/json": {
            schema: z
              .object({
                name: z.string().min(1).max(100).optional(),
                allowedOrigins: z
                  .array(Origin)
                  .min(1)
                  .max(20)
                  .optional()
                  .meta({ description: "Publishable keys only: replaces the list" }),
              })
              .strict()
              .refine((b) => b.name !== undefined || b.allowedOrigins !== undefined, "give name or allowedOrigins")
              .meta({ minProperties: 1 }),
          },
        },
      },
    },
    responses: {
      "200": { description: "The key now", content: { "application/json": { schema: KeyInfoSchema } } },
    },
  },
  example: { body: { allowedOrigins: ["https://www.autohaus-isar.example", "https://service.autohaus-isar.example"] } },
  async handle(c, { params, body }) {
    const { store } = c.var.deps;
    const scope = { tenantId: c.var.principal.tenantId };
    const current = await store.keys.get(scope, params.keyId as string);
    if (!current) throw new Problem("not-found", "No such key.");
    if (body.allowedOrigins && current.kind !== "publishable")
      throw new Problem("validation-failed", "Only publishable keys have allowed origins.", {
        errors: [{ in: "body", pointer: "/allowedOrigins", reason: `a ${current.kind} key has no allowed origins` }],
      });
    const change = {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.allowedOrigins ? { allowedOrigins: [...new Set(body.allowedOrigins)] } : {}),
    };
    const info = await store.keys.update(scope, current.id, change, [
      store.audit.insert(
        audit(
          c,
          "key.update",
          keySubject(
            { ...current, ...change },
            {
              changed: Object.keys(change),
              ...(change.allowedOrigins ? { allowedOrigins: change.allowedOrigins } : {}),
            },
          ),
        ),
      ),
    ]);
    if (!info) throw new Problem("not-found", "No such key.");
    forget(c, info.id);
    return c.json(toDto(info));
  },
});
