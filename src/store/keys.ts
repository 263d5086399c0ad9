import { and, desc, eq, sql } from "drizzle-orm";
import { KEY_SECRET_LENGTH, KIND_PREFIX, displayPrefix, type KeyKind } from "../domain/keys";
import { newId, randomToken, sha256Hex } from "../lib/crypto";
import type { Database } from "./db";
import { apiKeys } from "./schema";
import type { Scope } from "./scope";

export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type ApiKeyInfo = Omit<ApiKeyRow, "hash">;

export interface NewKey {
  kind: KeyKind;
  name: string;
  scopes?: string[];
  dealerId?: string | null;
  vin?: string | null;
  allowedOrigins?: string[] | null;
  expiresAt?: number | null;
}

/** API keys: the secret is returned once by `create` and only its SHA-256 is stored. */
export class KeyRepo {
  constructor(private readonly d: Database) {}

  async create(scope: Scope, input: NewKey, now: number): Promise<{ key: string; info: ApiKeyInfo }> {
    const key = `${KIND_PREFIX[input.kind]}_${randomToken(KEY_SECRET_LENGTH)}`;
    const row: ApiKeyRow = {
      id: newId("key"),
      tenantId: scope.tenantId,
      kind: input.kind,
      name: input.name,
      prefix: displayPrefix(key),
      hash: await sha256Hex(key),
      scopes: input.kind === "server" ? [...new Set(input.scopes ?? [])] : [],
      dealerId: input.dealerId ?? null,
      vin: input.kind === "vehicle" ? (input.vin ?? null) : null,
      allowedOrigins: input.kind === "publishable" ? (input.allowedOrigins ?? []) : null,
      createdAt: now,
      expiresAt: input.expiresAt ?? null,
      revokedAt: null,
    };
    await this.d.db.insert(apiKeys).values(row);
    const { hash: _hash, ...info } = row;
    return { key, info };
  }

  /** Authentication lookup, by hash only: the caller's tenant is not known yet. */
  async byHash(hash: string): Promise<ApiKeyRow | undefined> {
    return this.d.db.select().from(apiKeys).where(eq(apiKeys.hash, hash)).get();
  }

  /**
   * CORS preflight: whether any active publishable key (of any tenant: a preflight carries no key) allows `origin`.
   * Scans publishable keys' origin lists; the caller caches the answer per isolate.
   */
  async originAllowed(origin: string, now: number): Promise<boolean> {
    const rows = await this.d.db.all<{ ok: number }>(sql`
      select 1 as ok from api_keys k, json_each(k.allowed_origins) o
      where k.kind = 'publishable' and k.revoked_at is null and (k.expires_at is null or k.expires_at > ${now})
        and o.value = ${origin}
      limit 1`);
    return rows.length > 0;
  }

  async list(scope: Scope): Promise<ApiKeyInfo[]> {
    const rows = await this.d.db
      .select()
      .from(apiKeys)
      .where(eq(apiKeys.tenantId, scope.tenantId))
      .orderBy(desc(apiKeys.createdAt));
    return rows.map(({ hash: _hash, ...info }) => info);
  }

  /** Revokes a key of the tenant (idempotent: the first revocation time stays); undefined when not in scope. */
  async revoke(scope: Scope, id: string, now: number): Promise<ApiKeyInfo | undefined> {
    const rows = await this.d.db
      .update(apiKeys)
      .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, ${now})` })
      .where(and(eq(apiKeys.tenantId, scope.tenantId), eq(apiKeys.id, id)))
      .returning();
    const row = rows[0];
    if (!row) return undefined;
    const { hash: _hash, ...info } = row;
    return info;
  }
}
