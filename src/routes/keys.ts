import { z } from "zod";
import { KEY_KINDS, SCOPES } from "../domain/keys";
import type { ApiKeyInfo } from "../store/keys";
import { defineOperation } from "../http/operation";
import { Problem } from "../http/problems";
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
  })
  .meta({ id: "ApiKeyInfo" });

const NewKeySchema = z
  .object({
    kind: z.enum(KEY_KINDS),
    name: z.string().min(1).max(100),
    scopes: z.array(z.enum(SCOPES)).max(SCOPES.length).optional().meta({ description: "Server keys only" }),
    dealerId: z
      .string()
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

const toDto = ({ tenantId: _tenant, ...k }: ApiKeyInfo) => ({
  ...k,
  createdAt: iso(k.createdAt)!,
  expiresAt: iso(k.expiresAt),
  revokedAt: iso(k.revokedAt),
});

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
    const { key, info } = await store.keys.create({ tenantId: p.tenantId }, { ...body, vin, expiresAt }, now());
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
    request: { params: IdParam("keyId", "key", "key_4bQm2kT9xYz01AbCdEfG") },
    responses: {
      "200": { description: "The revoked key", content: { "application/json": { schema: KeyInfoSchema } } },
    },
  },
  example: {},
  async handle(c, { params }) {
    const { store, now, keyCache } = c.var.deps;
    const info = await store.keys.revoke({ tenantId: c.var.principal.tenantId }, params.keyId as string, now());
    if (!info) throw new Problem("not-found", "No such key.");
    keyCache.evictKeyId(info.id);
    c.var.deps.originCache.clear();
    return c.json(toDto(info));
  },
});
