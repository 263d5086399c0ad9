/**
 * The audit vocabulary: what is recorded, about what. Pure: no I/O. Every read of a person's data, export, erasure,
 * consent change, link and unmerge, key change and catalogue or settings change is one entry, by key id and request id.
 */
export const AUDIT_ACTIONS = [
  "profile.read",
  "profile.lookup",
  "profile.export",
  "profile.erase",
  "vehicle.read",
  "vehicle.report",
  "consent.change",
  "identities.link",
  "profile.unmerge",
  "key.create",
  "key.revoke",
  "key.rotate",
  "key.update",
  "action.upsert",
  "action.delete",
  "settings.update",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_SUBJECTS = ["profile", "vehicle", "erasure", "key", "action", "settings"] as const;
export type AuditSubjectType = (typeof AUDIT_SUBJECTS)[number];

/** Who acted and when: the key, the request, the tenant, the time. */
export interface AuditStamp {
  tenantId: string;
  /** Null for the admin CLI. */
  keyId: string | null;
  requestId: string;
  at: number;
}

/** What an entry is about. `personId`: the person it concerns (erased with them), never another person's id in `detail`. */
export interface AuditSubject {
  subjectType: AuditSubjectType;
  subjectId: string | null;
  personId?: string | null;
  detail?: Record<string, unknown> | null;
}

export interface AuditEntry extends AuditStamp, Required<AuditSubject> {
  id: string;
  action: AuditAction;
}

/** One entry: auditEntry("aud_1", stamp, "profile.read", { subjectType: "profile", subjectId: "prs_1", personId: "prs_1" }). */
export function auditEntry(id: string, stamp: AuditStamp, action: AuditAction, subject: AuditSubject): AuditEntry {
  return {
    id,
    ...stamp,
    action,
    subjectType: subject.subjectType,
    subjectId: subject.subjectId,
    personId: subject.personId ?? null,
    detail: subject.detail ?? null,
  };
}

/** A page cursor: the (at, id) of the last entry shown, opaque to clients. */
export function encodeCursor(at: number, id: string): string {
  return `${at.toString(36)}.${id}`;
}

/** The (at, id) of a cursor, or null when it is not one: decodeCursor(encodeCursor(5, "aud_x")) → { at: 5, id: "aud_x" }. */
export function decodeCursor(cursor: string): { at: number; id: string } | null {
  const m = /^([0-9a-z]{1,12})\.(aud_[0-9A-Za-z]{1,40})$/.exec(cursor);
  if (!m) return null;
  const at = Number.parseInt(m[1]!, 36);
  return Number.isFinite(at) ? { at, id: m[2]! } : null;
}
