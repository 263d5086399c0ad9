import { and, asc, eq } from "drizzle-orm";
import { newId } from "../lib/crypto";
import type { Database } from "./db";
import { dealers } from "./schema";
import type { Scope } from "./scope";

export type Dealer = typeof dealers.$inferSelect;
export type NewDealer = Omit<Dealer, "id" | "tenantId" | "createdAt">;

/** Dealers of one brand; a dealer-bound scope sees only its own rooftop. */
export class DealerRepo {
  constructor(private readonly d: Database) {}

  private where(scope: Scope) {
    return scope.dealerId
      ? and(eq(dealers.tenantId, scope.tenantId), eq(dealers.id, scope.dealerId))
      : eq(dealers.tenantId, scope.tenantId);
  }

  /** Creates a dealer; undefined when the brand already has one with this code (the unique index decides, atomically). */
  async tryCreate(scope: Scope, input: NewDealer, now: number): Promise<Dealer | undefined> {
    const row: Dealer = { ...input, id: newId("dlr"), tenantId: scope.tenantId, createdAt: now };
    const rows = await this.d.db.insert(dealers).values(row).onConflictDoNothing().returning({ id: dealers.id });
    return rows.length ? row : undefined;
  }

  /** Creates a dealer, or throws when the code is taken (seeds and fixtures). */
  async create(scope: Scope, input: NewDealer, now: number): Promise<Dealer> {
    const row = await this.tryCreate(scope, input, now);
    if (!row) throw new Error(`dealer code ${input.code} is taken`);
    return row;
  }

  async list(scope: Scope): Promise<Dealer[]> {
    return this.d.db.select().from(dealers).where(this.where(scope)).orderBy(asc(dealers.name));
  }

  async get(scope: Scope, id: string): Promise<Dealer | undefined> {
    return this.d.db
      .select()
      .from(dealers)
      .where(and(this.where(scope), eq(dealers.id, id)))
      .get();
  }

  async byCode(scope: Scope, code: string): Promise<Dealer | undefined> {
    return this.d.db
      .select()
      .from(dealers)
      .where(and(this.where(scope), eq(dealers.code, code)))
      .get();
  }
}
