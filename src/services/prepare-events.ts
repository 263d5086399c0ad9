/**
 * The first phase of ingestion: each event validated alone (envelope, data, time, dealers, VINs), identifiers
 * normalized (emails and phones hashed with the brand's salt, a visitor token verified and turned into its
 * visitor), so that what follows only sees events it may store.
 */
import type { z } from "zod";
import {
  EVENT_DATA,
  EventEnvelopeSchema,
  SubjectEventEnvelopeSchema,
  type DomainEvent,
} from "../domain/profile/events";
import { FIELD_KIND, HASHED_KINDS, hashInput, normalizeEmail, normalizePhone } from "../domain/profile/identity";
import { eventNamespace, type Ident, type PreparedEvent } from "../domain/profile/resolve";
import type { Principal } from "../http/context";
import { sha256Hex } from "../lib/crypto";
import type { Tenant } from "../store/tenants";
import { visitorOf } from "./visitors";
import type { VinService } from "./vins";

const FUTURE_TOLERANCE_MS = 5 * 60_000;
/** issue 10: events that make a lead for lead management; their contact details travel in the outbox only. */
export const LEAD_TYPES: ReadonlySet<string> = new Set(["quote_request", "test_drive_booked"]);

export interface Reason {
  pointer: string;
  reason: string;
}

export interface PrepareContext {
  tenant: Tenant;
  principal: Principal;
  vins: VinService;
  now: number;
  /** Every event is about this known person (consent changes by profile id): identifiers may be empty. */
  subject?: string;
}

function issuesToReasons(issues: z.core.$ZodIssue[], prefix = ""): Reason[] {
  return issues.map((i) => ({ pointer: prefix + "/" + i.path.map(String).join("/"), reason: i.message }));
}

/** Dealer ids named anywhere in a batch (validated event by event against the brand's dealers). */
export function referencedDealers(raws: readonly unknown[]): string[] {
  const out: string[] = [];
  for (const r of raws) {
    const e = r as { dealerId?: unknown; data?: { dealerId?: unknown; preferredDealerId?: unknown } } | null;
    for (const d of [e?.dealerId, e?.data?.dealerId, e?.data?.preferredDealerId])
      if (typeof d === "string") out.push(d);
  }
  return out;
}

/** Validates and normalizes one event; identifiers leave as stored values (emails/phones hashed). */
export async function prepareEvent(
  raw: unknown,
  index: number,
  ctx: PrepareContext,
  dealers: ReadonlyMap<string, unknown>,
): Promise<PreparedEvent | Reason[]> {
  const env = (ctx.subject ? SubjectEventEnvelopeSchema : EventEnvelopeSchema).safeParse(raw);
  if (!env.success) return issuesToReasons(env.error.issues);
  const e = env.data;
  const dataParsed = EVENT_DATA[e.type].safeParse(e.data);
  if (!dataParsed.success) return issuesToReasons(dataParsed.error.issues, "/data");
  const data = dataParsed.data as Record<string, unknown>;
  const reasons: Reason[] = [];
  const occurredAt = Date.parse(e.occurredAt);
  if (occurredAt > ctx.now + FUTURE_TOLERANCE_MS)
    reasons.push({ pointer: "/occurredAt", reason: "is more than 5 minutes in the future" });

  const p = ctx.principal;
  let dealerId = (data.dealerId as string | undefined) ?? e.dealerId ?? null;
  for (const [ptr, d] of [
    ["/dealerId", e.dealerId],
    ["/data/dealerId", data.dealerId],
    ["/data/preferredDealerId", data.preferredDealerId],
  ] as const) {
    if (typeof d === "string" && !dealers.has(d))
      reasons.push({ pointer: ptr, reason: "no such dealer in this brand" });
    else if (d !== undefined && (p.dealerId || p.kind !== "server") && d !== p.dealerId)
      // Only a brand-wide server key may place a person with a dealer (or take them away from one).
      reasons.push({
        pointer: ptr,
        reason: p.dealerId
          ? "a dealer-bound key may only name its own dealer"
          : `a ${p.kind} key may not name a dealer`,
      });
  }
  if (p.dealerId) dealerId = p.dealerId;

  const ids: Ident[] = [];
  const fields: string[] = [];
  const contact: { email?: string; phone?: string } = {};
  for (const [field, rawValue] of Object.entries(e.identifiers)) {
    if (rawValue === undefined || rawValue === "") continue;
    fields.push(field);
    if (field === "visitorToken") {
      if (!ctx.tenant.secret) throw new Error("the tenant has no secret"); // callerTenant sets it: fail closed
      const visitor = await visitorOf(ctx.tenant.secret, ctx.tenant.id, rawValue, p.kind === "server" ? null : p.keyId);
      if (!visitor)
        reasons.push({ pointer: "/identifiers/visitorToken", reason: "is not a visitor token issued to this key" });
      else if (e.identifiers.visitorId && e.identifiers.visitorId !== visitor)
        reasons.push({ pointer: "/identifiers/visitorId", reason: "names another visitor than visitorToken" });
      else if (!e.identifiers.visitorId) ids.push({ kind: "visitor", value: visitor });
      continue;
    }
    const kind = FIELD_KIND[field as keyof typeof FIELD_KIND];
    let value: string | null = rawValue;
    if (kind === "email") value = normalizeEmail(rawValue);
    else if (kind === "phone") value = normalizePhone(rawValue);
    else if (kind === "vin") {
      const v = ctx.vins.validate(rawValue);
      if (!v.ok) {
        reasons.push({ pointer: "/identifiers/vin", reason: `${v.rule}: ${v.message}` });
        continue;
      }
    }
    if (value === null) {
      reasons.push({
        pointer: `/identifiers/${field}`,
        reason: kind === "email" ? "is not an email address" : "is not an E.164 phone number such as +4930123456",
      });
      continue;
    }
    if (LEAD_TYPES.has(e.type) && (kind === "email" || kind === "phone")) contact[kind] = value;
    ids.push({
      kind,
      value: HASHED_KINDS.has(kind) ? await sha256Hex(hashInput(ctx.tenant.hashSalt, kind, value)) : value,
    });
  }
  const vins = ids.filter((i) => i.kind === "vin").map((i) => i.value);
  if (typeof data.vin === "string") {
    const v = ctx.vins.validate(data.vin);
    if (!v.ok) reasons.push({ pointer: "/data/vin", reason: `${v.rule}: ${v.message}` });
    else if (!vins.includes(data.vin)) vins.push(data.vin);
  }
  if (reasons.length) return reasons;
  const id = eventNamespace({ kind: p.kind, dealerId: p.dealerId, vin: p.vin }, p.keyId) + e.id;
  const event = { id, type: e.type, occurredAt, receivedAt: ctx.now, dealerId, data } as DomainEvent;
  return {
    index,
    event,
    clientId: e.id,
    fields,
    ids,
    vins,
    ...(e.householdRef ? { householdRef: e.householdRef } : {}),
    ...(e.source ? { source: e.source } : {}),
    ...(contact.email || contact.phone ? { contact } : {}),
  };
}
