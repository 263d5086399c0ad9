/**
 * The one Drizzle schema (SQLite dialect) shared by D1 and libSQL.
 * Timestamps are epoch milliseconds; JSON columns hold small, validated documents.
 * Every index says which query it serves.
 */
import { sql } from "drizzle-orm";
import { index, integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** An OEM brand: the unit of data ownership. */
export const tenants = sqliteTable("tenants", {
  id: text("id").primaryKey(),
  slug: text("slug").notNull(),
  name: text("name").notNull(),
  /** Per-tenant salt for hashing emails and phone numbers: the same address is unlinkable across brands. */
  hashSalt: text("hash_salt").notNull(),
  createdAt: integer("created_at").notNull(),
}, (t) => [
  // CLI: find a tenant by its slug
  uniqueIndex("tenants_slug_uq").on(t.slug),
]);

/** A rooftop of one brand. A multi-brand group has one record per brand, linked by groupId. */
export const dealers = sqliteTable("dealers", {
  id: text("id").primaryKey(),
  tenantId: text("tenant_id").notNull().references(() => tenants.id),
  code: text("code").notNull(),
  name: text("name").notNull(),
  timeZone: text("time_zone").notNull(),
  city: text("city"),
  country: text("country"),
  latitude: real("latitude"),
  longitude: real("longitude"),
  groupId: text("group_id"),
  createdAt: integer("created_at").notNull(),
}, (t) => [
  // listDealers: a tenant's dealers by name; the code is unique within a brand
  uniqueIndex("dealers_tenant_code_uq").on(t.tenantId, t.code),
  // dealers of one group within a brand (never across brands)
  index("dealers_tenant_group_idx").on(t.tenantId, t.groupId),
]);

/** API keys: only the SHA-256 of the key is stored; the prefix is for display. */
export const apiKeys = sqliteTable("api_keys", {
  id: text("id").primaryKey(),
  tenantId: text("tenant_id").notNull().references(() => tenants.id),
  kind: text("kind", { enum: ["server", "publishable", "vehicle"] }).notNull(),
  name: text("name").notNull(),
  prefix: text("prefix").notNull(),
  hash: text("hash").notNull(),
  scopes: text("scopes", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
  dealerId: text("dealer_id").references(() => dealers.id),
  vin: text("vin"),
  allowedOrigins: text("allowed_origins", { mode: "json" }).$type<string[]>(),
  createdAt: integer("created_at").notNull(),
  expiresAt: integer("expires_at"),
  revokedAt: integer("revoked_at"),
}, (t) => [
  // authenticate: every request looks its key up by hash
  uniqueIndex("api_keys_hash_uq").on(t.hash),
  // listKeys: a tenant's keys, newest first
  index("api_keys_tenant_created_idx").on(t.tenantId, t.createdAt),
]);
