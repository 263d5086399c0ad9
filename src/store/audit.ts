/** The audit log: entries are written in the batch of the change they record, read newest first, erased with the person. */
import { and, desc, eq, gte, inArray, lt, lte, or, sql, type SQL } from "drizzle-orm";
import type { AuditAction, AuditEntry } from "../domain/audit";
import type { Batchable, Database } from "./db";
import { auditLog } from "./schema";

export type AuditRow = typeof auditLog.$inferSelect;

export interface AuditQuery {
  tenantId: string;
  /** A person, key, action or erasure id: entries whose subject or person it is. */
  subject?: string;
  action?: AuditAction;
  from?: number;
  to?: number;
  /** Entries strictly older than this (at, id). */
  before?: { at: number; id: string };
  limit: number;
}

export class AuditRepo {
  constructor(private readonly d: Database) {}

  /** A statement for the change's own batch. */
  insert(e: AuditEntry): Batchable {
    return this.d.db.insert(auditLog).values(e);
  }

  /** A statement inserting the entry only if `condition` holds when it runs (after the batch's earlier statements). */
  insertIf(e: AuditEntry, condition: SQL): Batchable {
    // Values in the table's column order (insert ... select names every column in that order).
    return this.d.db.insert(auditLog).select(sql`
      select ${e.id}, ${e.tenantId}, ${e.at}, ${e.keyId}, ${e.requestId}, ${e.action}, ${e.subjectType}, ${e.subjectId},
             ${e.personId}, ${e.detail === null ? null : JSON.stringify(e.detail)}
      where ${condition}`);
  }

  /** Writes one entry now (after a read). */
  async record(e: AuditEntry): Promise<void> {
    await this.d.db.insert(auditLog).values(e);
  }

  /** A page of entries, newest first. */
  async list(q: AuditQuery): Promise<AuditRow[]> {
    const where = [eq(auditLog.tenantId, q.tenantId)];
    if (q.subject) where.push(or(eq(auditLog.personId, q.subject), eq(auditLog.subjectId, q.subject))!);
    if (q.action) where.push(eq(auditLog.action, q.action));
    if (q.from !== undefined) where.push(gte(auditLog.at, q.from));
    if (q.to !== undefined) where.push(lte(auditLog.at, q.to));
    if (q.before)
      where.push(or(lt(auditLog.at, q.before.at), and(eq(auditLog.at, q.before.at), lt(auditLog.id, q.before.id)))!);
    return this.d.db
      .select()
      .from(auditLog)
      .where(and(...where))
      .orderBy(desc(auditLog.at), desc(auditLog.id))
      .limit(q.limit);
  }

  /** Erasure: every entry about these people goes (the caller adds the one saying that an erasure happened). */
  eraseStatements(tenantId: string, personIds: readonly string[]): Batchable[] {
    return [
      this.d.db
        .delete(auditLog)
        .where(and(eq(auditLog.tenantId, tenantId), inArray(auditLog.personId, [...personIds]))),
    ];
  }
}
