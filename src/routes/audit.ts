import { z } from "zod";
import { AUDIT_ACTIONS, AUDIT_SUBJECTS, decodeCursor, encodeCursor } from "../domain/audit";
import { defineOperation } from "../http/operation";
import { Problem } from "../http/problems";
import type { AuditRow } from "../store/audit";
import { iso } from "./common";

const AuditEntrySchema = z
  .object({
    id: z.string(),
    at: z.string(),
    keyId: z.string().nullable().meta({ description: "The API key that acted; null for the admin CLI" }),
    requestId: z.string().meta({ description: "The request's X-Request-Id (cli:<command> for the admin CLI)" }),
    action: z.enum(AUDIT_ACTIONS),
    subjectType: z.enum(AUDIT_SUBJECTS),
    subjectId: z.string().nullable(),
    personId: z.string().nullable().meta({ description: "The person the entry is about; erased with them" }),
    detail: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({ id: "AuditEntry" });

const MAX_PAGE = 200;

const AuditQuery = z.object({
  subject: z.string().min(1).max(64).optional().meta({
    description: "A profile, key, action or erasure id: entries about it",
    example: "prs_4bQm2kT9xYz01AbCdEfG",
  }),
  action: z.enum(AUDIT_ACTIONS).optional(),
  from: z.iso.datetime({ offset: true }).optional().meta({ description: "At or after this time" }),
  to: z.iso.datetime({ offset: true }).optional().meta({ description: "At or before this time" }),
  cursor: z
    .string()
    .max(64)
    .optional()
    .meta({ description: "`nextCursor` of the previous page", pattern: "^[0-9a-z]{1,12}\\.aud_[0-9A-Za-z]{1,40}$" }),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(50),
});

const view = (r: AuditRow) => ({
  id: r.id,
  at: iso(r.at)!,
  keyId: r.keyId,
  requestId: r.requestId,
  action: r.action,
  subjectType: r.subjectType,
  subjectId: r.subjectId,
  personId: r.personId,
  detail: r.detail ?? null,
});

export const listAudit = defineOperation({
  method: "get",
  path: "/v1/audit",
  auth: { kinds: ["server"], scope: "admin" },
  schema: {
    tags: ["Audit"],
    operationId: "listAudit",
    summary: "The audit log, newest first: who read or changed what, by key id and request id",
    description:
      "Every read of a profile (get, lookup, vehicle), export, erasure, consent change, link and unmerge, key change and catalogue or settings change. Erasing a person removes the entries about them and leaves one `profile.erase` entry without their identifiers.",
    request: { query: AuditQuery },
    responses: {
      "200": {
        description: "A page of entries",
        content: {
          "application/json": {
            schema: z
              .object({
                entries: z.array(AuditEntrySchema),
                nextCursor: z
                  .string()
                  .nullable()
                  .meta({ description: "Pass as `cursor` for the next page; null at the end" }),
              })
              .meta({ id: "AuditPage" }),
          },
        },
      },
    },
  },
  example: {},
  async handle(c, { query }) {
    const before = query.cursor ? decodeCursor(query.cursor) : undefined;
    if (before === null)
      throw new Problem("validation-failed", "query /cursor: not a cursor this API gave", {
        errors: [{ in: "query", pointer: "/cursor", reason: "not a cursor this API gave" }],
      });
    const rows = await c.var.deps.store.audit.list({
      tenantId: c.var.principal.tenantId,
      ...(query.subject ? { subject: query.subject } : {}),
      ...(query.action ? { action: query.action } : {}),
      ...(query.from ? { from: Date.parse(query.from) } : {}),
      ...(query.to ? { to: Date.parse(query.to) } : {}),
      ...(before ? { before } : {}),
      limit: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return c.json({
      entries: page.map(view),
      nextCursor: rows.length > query.limit && last ? encodeCursor(last.at, last.id) : null,
    });
  },
});
