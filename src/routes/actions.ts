import { z } from "zod";
import { ActionSchema } from "../domain/decide/action";
import { checkAction, VALIDATOR_VERSION } from "../domain/decide/validate-action";
import { defineOperation } from "../http/operation";
import { Problem, type ProblemType } from "../http/problems";
import { audit } from "../services/audit";
import type { ActionPut } from "../store/decisioning";
import { iso } from "./common";

const ActionParam = z.object({
  actionId: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[a-z0-9]+(?:[-_][a-z0-9]+)*$/, "a lowercase slug")
    .meta({ example: "lease-renewal" }),
});
const ActionView = z
  .object({ id: z.string(), dealerId: z.string().nullable(), updatedAt: z.string(), action: ActionSchema })
  .meta({ id: "CatalogueEntry" });

const view = (r: ActionPut) => ({
  id: r.id,
  dealerId: r.dealerId,
  updatedAt: iso(r.updatedAt)!,
  action: r.doc as z.infer<typeof ActionSchema>,
});

export const listActions = defineOperation({
  method: "get",
  path: "/v1/actions",
  auth: { kinds: ["server"], scope: "catalog:write" },
  schema: {
    tags: ["Catalogue"],
    operationId: "listActions",
    summary: "The action catalogue and its version (a dealer-bound key sees the brand's actions and its own)",
    responses: {
      "200": {
        description: "The catalogue",
        content: {
          "application/json": { schema: z.object({ version: z.number().int(), actions: z.array(ActionView) }) },
        },
      },
    },
  },
  example: {},
  async handle(c) {
    const p = c.var.principal;
    const { version, rows } = await c.var.deps.store.decisioning.catalog(p.tenantId);
    return c.json({
      version,
      actions: rows.filter((r) => !r.dealerId || !p.dealerId || r.dealerId === p.dealerId).map(view),
    });
  },
});

/** The problem for a refused action: sensitive copy and bad rules have types of their own. */
function refusal(faults: ReturnType<typeof checkAction>["faults"]): Problem {
  const type: ProblemType = faults.some((f) => f.type === "sensitive-field" || f.type === "sensitive-copy")
    ? "sensitive-creative"
    : faults.some((f) => f.type === "rule")
      ? "invalid-rule"
      : "validation-failed";
  const shown =
    type === "validation-failed"
      ? faults
      : faults.filter((f) => (type === "invalid-rule" ? f.type === "rule" : f.type.startsWith("sensitive")));
  return new Problem(type, shown.map((f) => `${f.pointer}: ${f.reason}`).join("; "), {
    errors: faults.map((f) => ({ in: "body", pointer: f.pointer, reason: f.reason })),
  });
}

export const upsertAction = defineOperation({
  method: "put",
  path: "/v1/actions/:actionId",
  auth: { kinds: ["server"], scope: "catalog:write" },
  problems: ["invalid-rule", "sensitive-creative"],
  schema: {
    tags: ["Catalogue"],
    operationId: "upsertAction",
    summary: "Create or replace an action; rules and creatives are validated, and the catalogue version moves",
    request: { params: ActionParam, body: { content: { "application/json": { schema: ActionSchema } } } },
    responses: {
      "200": {
        description: "Stored",
        content: { "application/json": { schema: ActionView.extend({ version: z.number().int() }) } },
      },
    },
  },
  validateBody: z.record(z.string(), z.unknown()),
  example: {
    body: {
      id: "lease-renewal",
      kind: "offer",
      category: "sales",
      channels: {
        dealer_site: {
          title: "Your lease ends soon",
          body: "Explore a new {{vehicle.model}} with loyalty pricing.",
          cta: "See offers",
        },
        email: {
          subject: "Your lease ends in {{gates.leaseEndsInMonths}} months",
          body: "Talk to {{dealer.name}} about what comes next.",
        },
      },
      rule: { lease_ends_within: [180] },
      value: 3000,
      lever: 1.2,
      intrusiveness: "medium",
      caps: { perWeek: 2 },
      newVehicleSales: true,
    },
  },
  async handle(c, { params, body }) {
    const p = c.var.principal;
    const id = params.actionId as string;
    if (body.id !== undefined && body.id !== id) {
      throw new Problem("validation-failed", "The body's id differs from the path.", {
        errors: [{ in: "body", pointer: "/id", reason: "must equal the path's actionId" }],
      });
    }
    const { action, faults } = checkAction({ ...body, id, ...(p.dealerId ? { dealerId: p.dealerId } : {}) });
    if (!action || faults.length) throw refusal(faults);
    const { store, now } = c.var.deps;
    const existing = await store.decisioning.action(p.tenantId, id);
    if (p.dealerId && existing && existing.dealerId !== p.dealerId)
      throw new Problem("insufficient-scope", "A dealer-bound key may change only its dealer's own actions.");
    if (action.dealerId && !(await store.dealers.get({ tenantId: p.tenantId }, action.dealerId))) {
      throw new Problem("validation-failed", "No such dealer.", {
        errors: [{ in: "body", pointer: "/dealerId", reason: "no such dealer in this brand" }],
      });
    }
    const row = { tenantId: p.tenantId, id, dealerId: action.dealerId ?? null, doc: action, updatedAt: now() };
    const version = await store.decisioning.putAction({ ...row, checkedWith: VALIDATOR_VERSION }, [
      store.audit.insert(
        audit(c, "action.upsert", {
          subjectType: "action",
          subjectId: id,
          detail: { created: !existing, kind: action.kind, category: action.category, dealerId: row.dealerId },
        }),
      ),
    ]);
    return c.json({ ...view(row), version });
  },
});

export const deleteAction = defineOperation({
  method: "delete",
  path: "/v1/actions/:actionId",
  auth: { kinds: ["server"], scope: "catalog:write" },
  problems: ["not-found"],
  schema: {
    tags: ["Catalogue"],
    operationId: "deleteAction",
    summary: "Remove an action from the catalogue",
    request: { params: ActionParam },
    responses: {
      "200": {
        description: "Removed",
        content: { "application/json": { schema: z.object({ id: z.string(), deleted: z.literal(true) }) } },
      },
    },
  },
  example: {},
  async handle(c, { params }) {
    const p = c.var.principal;
    const { store, now } = c.var.deps;
    const id = params.actionId as string;
    const existing = await store.decisioning.action(p.tenantId, id);
    if (!existing || (p.dealerId && existing.dealerId !== p.dealerId))
      throw new Problem("not-found", "No such action.");
    await store.decisioning.deleteAction(p.tenantId, id, now(), [
      store.audit.insert(audit(c, "action.delete", { subjectType: "action", subjectId: id })),
    ]);
    return c.json({ id, deleted: true as const });
  },
});
