/** libSQL (Node, Turso) adapter: `file:` for the embedded default, `libsql://` + token for Turso. */
import { createClient, type Client } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { countMigrations, type Batchable, type Database, type Db } from "./db";
import * as schema from "./schema";

export const MIGRATIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "../../migrations");

export interface LibsqlDatabase extends Database {
  readonly client: Client;
  close(): void;
}

/** Opens a libSQL database; for `file:` URLs the folder is created and WAL mode switched on. */
export async function openLibsql(url: string, authToken?: string): Promise<LibsqlDatabase> {
  if (url.startsWith("file:")) {
    const path = url.slice("file:".length);
    if (path && path !== ":memory:") mkdirSync(dirname(resolve(path)), { recursive: true });
  }
  const client = createClient(authToken ? { url, authToken } : { url });
  if (url.startsWith("file:")) {
    await client.execute("PRAGMA journal_mode = WAL");
    await client.execute("PRAGMA busy_timeout = 5000");
    await client.execute("PRAGMA synchronous = NORMAL");
    await client.execute("PRAGMA foreign_keys = ON");
  }
  const db = drizzle(client, { schema });
  return {
    kind: "libsql",
    maxParams: 32_000,
    changes: (r) => Number((r as { rowsAffected?: number }).rowsAffected ?? 0),
    client,
    db: db as unknown as Db,
    batch: (items: readonly Batchable[]) => db.batch(items as unknown as Parameters<typeof db.batch>[0]),
    appliedMigrations: () => countMigrations(db as unknown as Db, "__drizzle_migrations"),
    close: () => client.close(),
  };
}

/** Applies migrations/ with Drizzle's migrator (the same SQL files wrangler applies to D1). */
export async function migrateLibsql(database: LibsqlDatabase): Promise<void> {
  await migrate(database.db as never, { migrationsFolder: MIGRATIONS_DIR });
}
