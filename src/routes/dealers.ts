import { z } from "zod";
import type { Dealer } from "../store/dealers";
import { defineOperation } from "../http/operation";
import { Problem } from "../http/problems";
import { IdParam, TimeZone, iso } from "./common";

export const DealerSchema = z
  .object({
    id: z.string(),
    code: z.string(),
    name: z.string(),
    timeZone: z.string(),
    city: z.string().nullable(),
    country: z.string().nullable(),
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
    groupId: z
      .string()
      .nullable()
      .meta({ description: "Links the records of one multi-brand dealer group within this brand" }),
    createdAt: z.string(),
  })
  .meta({ id: "Dealer" });

const NewDealerSchema = z.object({
  code: z
    .string()
    .min(1)
    .max(32)
    .regex(/^[A-Za-z0-9_-]+$/),
  name: z.string().min(1).max(200),
  timeZone: TimeZone,
  city: z.string().max(100).nullish(),
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/, "must be an ISO 3166-1 alpha-2 country code such as DE")
    .toUpperCase()
    .nullish()
    .meta({ description: "ISO 3166-1 alpha-2" }),
  latitude: z.number().min(-90).max(90).nullish(),
  longitude: z.number().min(-180).max(180).nullish(),
  groupId: z.string().max(64).nullish(),
});

const toDto = ({ tenantId: _tenant, ...d }: Dealer) => ({ ...d, createdAt: iso(d.createdAt)! });

export const listDealers = defineOperation({
  method: "get",
  path: "/v1/dealers",
  auth: { kinds: ["server"] },
  schema: {
    tags: ["Dealers"],
    operationId: "listDealers",
    summary: "List the brand's dealers (a dealer-bound key sees only its own)",
    responses: {
      "200": {
        description: "Dealers",
        content: { "application/json": { schema: z.object({ dealers: z.array(DealerSchema) }) } },
      },
    },
  },
  example: {},
  async handle(c) {
    const p = c.var.principal;
    const rows = await c.var.deps.store.dealers.list({ tenantId: p.tenantId, dealerId: p.dealerId });
    return c.json({ dealers: rows.map(toDto) });
  },
});

export const getDealer = defineOperation({
  method: "get",
  path: "/v1/dealers/:dealerId",
  auth: { kinds: ["server"] },
  problems: ["not-found"],
  schema: {
    tags: ["Dealers"],
    operationId: "getDealer",
    summary: "Get one dealer of the brand",
    request: { params: IdParam("dealerId", "dlr", "dlr_4bQm2kT9xYz01AbCdEfG") },
    responses: { "200": { description: "The dealer", content: { "application/json": { schema: DealerSchema } } } },
  },
  example: {},
  async handle(c, data) {
    const p = c.var.principal;
    const row = await c.var.deps.store.dealers.get(
      { tenantId: p.tenantId, dealerId: p.dealerId },
      data.params.dealerId as string,
    );
    if (!row) throw new Problem("not-found", "No such dealer.");
    return c.json(toDto(row));
  },
});

export const createDealer = defineOperation({
  method: "post",
  path: "/v1/dealers",
  auth: { kinds: ["server"], scope: "admin" },
  problems: ["already-exists"],
  schema: {
    tags: ["Dealers"],
    operationId: "createDealer",
    summary: "Create a dealer (rooftop) of the brand",
    request: { body: { content: { "application/json": { schema: NewDealerSchema } } } },
    responses: { "201": { description: "Created", content: { "application/json": { schema: DealerSchema } } } },
  },
  example: {
    body: {
      code: "MUC-01",
      name: "Autohaus Isar",
      timeZone: "Europe/Berlin",
      city: "Munich",
      country: "DE",
      latitude: 48.14,
      longitude: 11.58,
      groupId: null,
    },
  },
  async handle(c, { body }) {
    const p = c.var.principal;
    if (p.dealerId) throw new Problem("insufficient-scope", "A dealer-bound key cannot create dealers.");
    const scope = { tenantId: p.tenantId };
    const row = await c.var.deps.store.dealers.tryCreate(
      scope,
      {
        code: body.code,
        name: body.name,
        timeZone: body.timeZone,
        city: body.city ?? null,
        country: body.country ?? null,
        latitude: body.latitude ?? null,
        longitude: body.longitude ?? null,
        groupId: body.groupId ?? null,
      },
      c.var.deps.now(),
    );
    if (!row)
      throw new Problem("already-exists", `Dealer code ${body.code} is taken in this brand.`, {
        errors: [{ in: "body", pointer: "/code", reason: "already exists" }],
      });
    return c.json(toDto(row), 201);
  },
});
