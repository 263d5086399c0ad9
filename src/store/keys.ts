import { and, desc, eq, or, sql, type SQL } from "drizzle-orm";
import { KEY_SECRET_LENGTH, KIND_PREFIX, displayPrefix, type KeyKind } from "../domain/keys";
import { newId, randomToken, sha256Hex } from "../lib/crypto";
import { classify, expectChanged } from "./conflicts";
import type { Batchable, Database } from "./db";
import { apiKeys } from "./schema";
import type { Scope } from "./scope";

export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type ApiKeyInfo = Omit<ApiKeyRow, "hash" | "previousHash">;

/** A row without its secrets' hashes. */
const info = ({ hash: _hash, previousHash: _previous, ...rest }: ApiKeyRow): ApiKeyInfo => rest;

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

  /** Creates a key (with `extra` statements, e.g. its audit entry, in the same batch); the secret is returned once. */
  async create(
    scope: Scope,
    input: NewKey,
    now: number,
    extra: (info: ApiKeyInfo) => Batchable[] = () => [],
  ): Promise<{ key: string; info: ApiKeyInfo }> {
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
      previousHash: null,
      previousExpiresAt: null,
    };
    await this.d.batch([this.d.db.insert(apiKeys).values(row), ...extra(info(row))]);
    return { key, info: info(row) };
  }

  /**
   * Authentication lookup, by hash only (the caller's tenant is not known yet): the current secret, or the previous
   * one during a rotation's overlap (the caller checks `previousExpiresAt` when `row.hash !== hash`).
   */
  async byHash(hash: string): Promise<ApiKeyRow | undefined> {
    return this.d.db
      .select()
      .from(apiKeys)
      .where(or(eq(apiKeys.hash, hash), eq(apiKeys.previousHash, hash)))
      .get();
  }

  /** A key of the tenant, with its hash (rotation compares it), or undefined. */
  async get(scope: Scope, id: string): Promise<ApiKeyRow | undefined> {
    return this.d.db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.tenantId, scope.tenantId), eq(apiKeys.id, id)))
      .get();
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
    return rows.map(info);
  }

  /**
   * Revokes a key of the tenant (idempotent: the first revocation time stays), with `extra` statements in the same
   * batch; undefined when not in scope.
   */
  async revoke(scope: Scope, id: string, now: number, extra: Batchable[] = []): Promise<ApiKeyInfo | undefined> {
    return this.changeThenRead(
      scope,
      id,
      this.d.db
        .update(apiKeys)
        .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, ${now})` })
        .where(and(eq(apiKeys.tenantId, scope.tenantId), eq(apiKeys.id, id))),
      extra,
    );
  }

  /**
   * Runs `change` (an update of one key of the tenant) with `extra` in one batch that aborts when no key matched
   * (so nothing of `extra`, an audit entry, is written for a key that is not there), then reads the key back.
   * Read back rather than RETURNING: batch results are the drivers' own on D1 and libSQL.
   */
  private async changeThenRead(scope: Scope, id: string, change: Batchable, extra: Batchable[]) {
    try {
      await this.d.batch([change, expectChanged(this.d.db, "no such key", 1), ...extra]);
    } catch (e) {
      if (classify(e) === "conflict") return undefined;
      throw e;
    }
    const row = await this.get(scope, id);
    return row ? info(row) : undefined;
  }

  /**
   * Rotates a key's secret, keeping its id (visitor tokens and decision ids are bound to it): the new secret replaces
   * the current one, which stays valid until `now + overlapMs` (replacing any earlier previous secret). Conditional
   * on the secret read by the caller (`expectedHash`), so two concurrent rotations cannot both win; `extra` runs in
   * the same batch, guarded by `rotated(newHash)`. Undefined when another rotation got there first.
   */
  async rotate(
    scope: Scope,
    current: ApiKeyRow,
    now: number,
    overlapMs: number,
    extra: (rotated: SQL, info: ApiKeyInfo) => Batchable[] = () => [],
  ): Promise<{ key: string; info: ApiKeyInfo } | undefined> {
    const key = `${KIND_PREFIX[current.kind]}_${randomToken(KEY_SECRET_LENGTH)}`;
    const hash = await sha256Hex(key);
    const next: ApiKeyRow = {
      ...current,
      prefix: displayPrefix(key),
      hash,
      previousHash: overlapMs > 0 ? current.hash : null,
      previousExpiresAt: overlapMs > 0 ? now + overlapMs : null,
    };
    const rotated = sql`exists (select 1 from api_keys where id = ${current.id} and hash = ${hash})`;
    const [res] = await this.d.batch([
      this.d.db
        .update(apiKeys)
        .set({
          prefix: next.prefix,
          hash: next.hash,
          previousHash: next.previousHash,
          previousExpiresAt: next.previousExpiresAt,
        })
        .where(and(eq(apiKeys.tenantId, scope.tenantId), eq(apiKeys.id, current.id), eq(apiKeys.hash, current.hash))),
      ...extra(rotated, info(next)),
    ]);
    return this.d.changes(res) > 0 ? { key, info: info(next) } : undefined;
  }

  /** Changes a key's name and/or a publishable key's allowed origins, with `extra` statements in the same batch. */
  async update(
    scope: Scope,
    id: string,
    change: { name?: string; allowedOrigins?: string[] },
    extra: Batchable[] = [],
  ): Promise<ApiKeyInfo | undefined> {
    return this.changeThenRead(
      scope,
      id,
      this.d.db
        .update(apiKeys)
        .set(change)
        .where(and(eq(apiKeys.tenantId, scope.tenantId), eq(apiKeys.id, id))),
      extra,
    );
  }

  /** Replaces the allowed origins of one of the tenant's publishable keys; undefined when there is none by that id. */
  async setAllowedOrigins(scope: Scope, id: string, origins: string[]): Promise<ApiKeyInfo | undefined> {
    const rows = await this.d.db
      .update(apiKeys)
      .set({ allowedOrigins: [...new Set(origins)] })
      .where(and(eq(apiKeys.tenantId, scope.tenantId), eq(apiKeys.id, id), eq(apiKeys.kind, "publishable")))
      .returning();
    const row = rows[0];
    if (!row) return undefined;
    const { hash: _hash, ...info } = row;
    return info;
  }
}
