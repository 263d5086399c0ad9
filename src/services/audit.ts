/** Audit entries for a request: stamped with the caller's key id, the request id, the tenant and the time. */
import { auditEntry, type AuditAction, type AuditEntry, type AuditStamp, type AuditSubject } from "../domain/audit";
import type { AppContext } from "../http/context";
import { newId } from "../lib/crypto";

/** Who is acting in this request, and when. */
export function auditStamp(c: AppContext): AuditStamp {
  const p = c.var.principal;
  return { tenantId: p.tenantId, keyId: p.keyId, requestId: c.var.requestId, at: c.var.deps.now() };
}

/** A new entry for this request: audit(c, "key.revoke", { subjectType: "key", subjectId: id }). */
export function audit(c: AppContext, action: AuditAction, subject: AuditSubject): AuditEntry {
  return auditEntry(newId("aud"), auditStamp(c), action, subject);
}

/** An entry stamped outside a request (the admin CLI): no key, the command as request id. */
export function cliAudit(tenantId: string, command: string, at: number, action: AuditAction, subject: AuditSubject) {
  return auditEntry(newId("aud"), { tenantId, keyId: null, requestId: `cli:${command}`, at }, action, subject);
}

/** Records a read after it happened (a read is no batch): the data leaves only once its reading is on record. */
export async function auditRead(c: AppContext, action: AuditAction, subject: AuditSubject): Promise<void> {
  await c.var.deps.store.audit.record(audit(c, action, subject));
}
