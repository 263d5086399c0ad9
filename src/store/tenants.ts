import { and, eq, isNull } from "drizzle-orm";
import { newId, randomToken } from "../lib/crypto";
import { readTenantSettings, type TenantSettings } from "../domain/tenant-settings";
import type { Batchable, Database } from "./db";
import { tenants } from "./schema";

export type Tenant = typeof tenants.$inferSelect;

/** Tenants (OEM brands) are created by the platform operator through the CLI, not the API. */
export class TenantRepo {
  constructor(private readonly d: Database) {}

  async create(
    input: { slug: string; name: string; makes?: string[]; settings?: TenantSettings },
    now: number,
  ): Promise<Tenant> {
    const makes = [...new Set((input.makes ?? []).map((m) => m.trim().toUpperCase()).filter(Boolean))];
    const row: Tenant = {
      id: newId("tnt"),
      slug: input.slug,
      name: input.name,
      hashSalt: randomToken(32),
      makes,
      createdAt: now,
      settings: input.settings ?? {},
      secret: randomToken(43),
    };
    await this.d.db.insert(tenants).values(row);
    return row;
  }

  async bySlug(slug: string): Promise<Tenant | undefined> {
    return this.d.db.select().from(tenants).where(eq(tenants.slug, slug)).get();
  }

  /** Every tenant's id (the Cron Trigger's reminder run visits each). */
  async ids(): Promise<string[]> {
    return (await this.d.db.select({ id: tenants.id }).from(tenants)).map((r) => r.id);
  }

  async byId(id: string): Promise<Tenant | undefined> {
    return this.d.db.select().from(tenants).where(eq(tenants.id, id)).get();
  }

  /** The brand's settings, read fresh (decisions read them with the person instead). */
  async settings(id: string): Promise<TenantSettings> {
    const row = await this.d.db.select({ settings: tenants.settings }).from(tenants).where(eq(tenants.id, id)).get();
    return readTenantSettings(row?.settings);
  }

  /** A statement replacing the brand's settings, for the caller's batch (with its audit entry). */
  putSettings(id: string, settings: TenantSettings): Batchable {
    return this.d.db.update(tenants).set({ settings }).where(eq(tenants.id, id));
  }

  /** The tenant's secret (sealed decision ids, visitor tokens), created on first use for older tenants. */
  async secret(id: string): Promise<string | null> {
    const row = await this.d.db.select({ secret: tenants.secret }).from(tenants).where(eq(tenants.id, id)).get();
    if (!row) return null;
    if (row.secret) return row.secret;
    await this.d.db
      .update(tenants)
      .set({ secret: randomToken(43) })
      .where(and(eq(tenants.id, id), isNull(tenants.secret)));
    return (
      (await this.d.db.select({ secret: tenants.secret }).from(tenants).where(eq(tenants.id, id)).get())?.secret ?? null
    );
  }
}
