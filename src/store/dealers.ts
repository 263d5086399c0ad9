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

  async create(scope: Scope, input: NewDealer, now: number): Promise<Dealer> {
    const row: Dealer = { ...input, id: newId("dlr"), tenantId: scope.tenantId, createdAt: now };
    await this.d.db.insert(dealers).values(row);
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
