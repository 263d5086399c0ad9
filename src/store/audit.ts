/** The audit log: entries are written in the batch of the change they record, read newest first, erased with the person. */
import { and, desc, eq, gte, inArray, lt, lte, or, sql, type SQL } from "drizzle-orm";
import type { AuditAction, AuditEntry } from "../domain/audit";
import { raw, type Batchable, type Database } from "./db";
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

const INSERT_AUDIT = `insert into audit_log (id, tenant_id, at, key_id, request_id, action, subject_type, subject_id,
  person_id, detail) values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)`;

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

  private queue: { e: AuditEntry; done: (error?: unknown) => void }[] = [];
  private scheduled = false;

  /**
   * Writes one entry now (after a read), and settles once it is committed. On libSQL (Node) the entries of the
   * reads that reach this point in the same turn of the event loop are committed together, in one transaction
   * (group commit: one WAL commit for many lookups instead of one each — issue 11); each read still answers only
   * after its own entry is on record. On D1 each request writes its own (a request may not settle another's
   * promises on Workers).
   */
  async record(e: AuditEntry): Promise<void> {
    if (this.d.kind !== "libsql") {
      await this.d.batch([this.raw(e)]);
      return;
    }
    await new Promise<void>((resolve, reject) => {
      this.queue.push({ e, done: (error) => (error === undefined ? resolve() : reject(error)) });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.queue.splice(0, this.queue.length);
    try {
      await this.d.batch(batch.map((b) => this.raw(b.e)));
      for (const b of batch) b.done();
    } catch (error) {
      for (const b of batch) b.done(error ?? new Error("audit write failed"));
    }
  }

  private raw(e: AuditEntry): Batchable {
    return raw(INSERT_AUDIT, [
      e.id,
      e.tenantId,
      e.at,
      e.keyId,
      e.requestId,
      e.action,
      e.subjectType,
      e.subjectId,
      e.personId,
      e.detail === null || e.detail === undefined ? null : JSON.stringify(e.detail),
    ]);
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
