/**
 * Admin CLI: `npm run pitwall -- <command> [--flags]`. Works on the libSQL database named by
 * --db or DATABASE_URL (default file:.pitwall/pitwall.db; libsql:// needs DATABASE_AUTH_TOKEN).
 */
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { parse as parseYaml } from "yaml";
import { checkAction, VALIDATOR_VERSION } from "./domain/decide/validate-action";
import { z } from "zod";
import { KEY_KINDS, SCOPES } from "./domain/keys";
import { validateVin } from "./domain/vehicle";
import { DEFAULT_MARKETING_CONSENT, EU_EEA, TenantSettingsSchema } from "./domain/tenant-settings";
import { createStore, type Store } from "./store";
import { migrateLibsql, openLibsql } from "./store/libsql";
import { openD1 } from "./store/d1";
import type { Database } from "./store/db";
import { seedDemo } from "./seed/demo";
import { createNodeVinDecoder } from "./store/vpic/node";
import { sweepRetention } from "./services/retention";
import { VinService } from "./services/vins";
import { cliAudit } from "./services/audit";
import { isTimeZone } from "./routes/common";

const USAGE = `Usage: npm run pitwall -- <command> [flags]

  migrate                                   apply migrations/ to the libSQL database
  seed-demo                                 create the demo brand, dealers and keys (idempotent)
  tenant-create  --slug S --name N --makes M1,M2   create a tenant (an OEM brand and the makes it sells)
  tenant-settings --tenant S [--consent-default opt-in|opt-out] [--opt-in-countries DE,FR|eu-eea] [--opt-out-countries US]
                                            show (and with flags, set) the brand's marketing-consent default
  dealer-create  --tenant S --code C --name N --tz Area/City [--city --country --lat --lon --group]
  key-create     --tenant S --kind server|publishable|vehicle --name N
                 [--scopes a,b] [--dealer CODE] [--vin VIN] [--origins o1,o2] [--expires ISO-8601]
  key-revoke     --tenant S --id key_...
  key-list       --tenant S
  actions-import --tenant S --file catalogue.json|.yaml   upsert every action of the file (validated as the API does)
  retention                                 delete expired decision logs, outcomes and Idempotency-Key records now

  Global: --db URL (else DATABASE_URL, else file:.pitwall/pitwall.db)
          --d1 BINDING [--remote] [--persist-to DIR]   a D1 database of wrangler.toml instead: local (wrangler's
                                            state in .wrangler/state, or DIR) through getPlatformProxy, or --remote, the
                                            deployed database (wrangler login; getPlatformProxy's remote bindings).
                                            migrate runs \`wrangler d1 migrations apply BINDING --local|--remote\`.`;

const options = {
  db: { type: "string" },
  d1: { type: "string" },
  remote: { type: "boolean" },
  "persist-to": { type: "string" },
  slug: { type: "string" },
  name: { type: "string" },
  tenant: { type: "string" },
  code: { type: "string" },
  tz: { type: "string" },
  city: { type: "string" },
  country: { type: "string" },
  lat: { type: "string" },
  lon: { type: "string" },
  group: { type: "string" },
  kind: { type: "string" },
  scopes: { type: "string" },
  dealer: { type: "string" },
  vin: { type: "string" },
  origins: { type: "string" },
  expires: { type: "string" },
  id: { type: "string" },
  makes: { type: "string" },
  file: { type: "string" },
  "consent-default": { type: "string" },
  "opt-in-countries": { type: "string" },
  "opt-out-countries": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

class UsageError extends Error {}
const list = (s?: string) =>
  s
    ? s
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean)
    : undefined;
function need(v: string | undefined, flag: string): string {
  if (!v) throw new UsageError(`--${flag} is required`);
  return v;
}

async function tenantOf(store: Store, slug: string | undefined) {
  const t = await store.tenants.bySlug(need(slug, "tenant"));
  if (!t) throw new UsageError(`no tenant with slug ${slug}`);
  return t;
}

/** Runs one command; returns what to print. */
export async function runCli(argv: string[], env: Record<string, string | undefined> = process.env): Promise<string> {
  const { values: f, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  const command = positionals[0];
  if (!command || f.help) return USAGE;
  const url = f.d1
    ? `D1 ${f.d1}${f.remote ? " (remote)" : " (local)"}`
    : (f.db ?? env.DATABASE_URL ?? "file:.pitwall/pitwall.db");
  const target = f.d1
    ? await openD1Target(f.d1, Boolean(f.remote), f["persist-to"])
    : await openLibsqlTarget(url, env.DATABASE_AUTH_TOKEN);
  const database = target.database;
  const store = createStore(database);
  const now = Date.now();
  try {
    switch (command) {
      case "migrate":
        await target.migrate();
        return `migrations applied to ${url} (${await database.appliedMigrations()} in all)`;
      case "seed-demo": {
        await target.migrate();
        const r = await seedDemo(
          { store, vins: new VinService(store.customers, createNodeVinDecoder(), Date.now) },
          now,
        );
        return r.keys
          ? JSON.stringify({ tenant: r.tenant.slug, keys: r.keys }, null, 2)
          : `demo tenant ${r.tenant.slug} already exists; its keys were printed when it was created`;
      }
      case "tenant-create": {
        const slug = z
          .string()
          .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, "lowercase letters, digits and dashes")
          .parse(need(f.slug, "slug"));
        if (await store.tenants.bySlug(slug)) throw new UsageError(`tenant ${slug} exists`);
        const t = await store.tenants.create({ slug, name: need(f.name, "name"), makes: list(f.makes) ?? [] }, now);
        return JSON.stringify({ id: t.id, slug: t.slug, name: t.name, makes: t.makes });
      }
      case "tenant-settings": {
        const t = await tenantOf(store, f.tenant);
        const current = await store.tenants.settings(t.id);
        const countries = (s?: string) =>
          s === undefined ? undefined : s.trim().toLowerCase() === "eu-eea" ? [...EU_EEA] : (list(s) ?? []);
        const asked = [f["consent-default"], f["opt-in-countries"], f["opt-out-countries"]].some(
          (x) => x !== undefined,
        );
        if (!asked) return JSON.stringify(current);
        const prior = current.marketingConsent ?? DEFAULT_MARKETING_CONSENT;
        const next = TenantSettingsSchema.parse({
          ...current,
          marketingConsent: {
            default: f["consent-default"] ?? prior.default,
            optInCountries: countries(f["opt-in-countries"]) ?? prior.optInCountries,
            optOutCountries: countries(f["opt-out-countries"]) ?? prior.optOutCountries,
          },
        });
        await database.batch([
          store.tenants.putSettings(t.id, next),
          store.audit.insert(
            cliAudit(t.id, command, now, "settings.update", { subjectType: "settings", subjectId: t.id, detail: next }),
          ),
        ]);
        return JSON.stringify(next);
      }
      case "dealer-create": {
        const t = await tenantOf(store, f.tenant);
        const tz = need(f.tz, "tz");
        if (!isTimeZone(tz)) throw new UsageError(`--tz ${tz} is not an IANA time zone`);
        const d = await store.dealers.tryCreate(
          { tenantId: t.id },
          {
            code: need(f.code, "code"),
            name: need(f.name, "name"),
            timeZone: tz,
            city: f.city ?? null,
            country: f.country ?? null,
            latitude: f.lat ? Number(f.lat) : null,
            longitude: f.lon ? Number(f.lon) : null,
            groupId: f.group ?? null,
          },
          now,
        );
        if (!d) throw new UsageError(`dealer code ${f.code} is taken in ${t.slug}`);
        return JSON.stringify({ id: d.id, code: d.code, name: d.name });
      }
      case "key-create": {
        const t = await tenantOf(store, f.tenant);
        const kind = z.enum(KEY_KINDS).parse(need(f.kind, "kind"));
        const scopes = z.array(z.enum(SCOPES)).parse(list(f.scopes) ?? []);
        if (kind === "server" && scopes.length === 0) throw new UsageError("a server key needs --scopes");
        if (kind === "publishable" && !f.origins) throw new UsageError("a publishable key needs --origins");
        if (kind === "vehicle" && !f.vin) throw new UsageError("a vehicle key needs --vin");
        const vin = kind === "vehicle" && f.vin ? validateVin(f.vin) : null;
        if (vin && !vin.ok)
          throw new UsageError(`--vin ${f.vin} is not a valid VIN (rule ${vin.rule}): ${vin.message}`);
        const dealer = f.dealer ? await store.dealers.byCode({ tenantId: t.id }, f.dealer) : undefined;
        if (f.dealer && !dealer) throw new UsageError(`no dealer ${f.dealer} in ${t.slug}`);
        if (dealer && scopes.includes("admin")) throw new UsageError("a dealer-bound key cannot be an admin key");
        const expiresAt = f.expires ? Date.parse(f.expires) : null;
        if (expiresAt !== null && Number.isNaN(expiresAt)) throw new UsageError("--expires must be an ISO-8601 time");
        const { key, info } = await store.keys.create(
          { tenantId: t.id },
          {
            kind,
            name: need(f.name, "name"),
            scopes,
            dealerId: dealer?.id ?? null,
            vin: vin?.ok ? vin.vin : null,
            allowedOrigins: list(f.origins) ?? null,
            expiresAt,
          },
          now,
          (k) => [
            store.audit.insert(
              cliAudit(t.id, command, now, "key.create", {
                subjectType: "key",
                subjectId: k.id,
                detail: { kind: k.kind, name: k.name, scopes: k.scopes, dealerId: k.dealerId },
              }),
            ),
          ],
        );
        return `${key}\n(shown once; id ${info.id}, prefix ${info.prefix})`;
      }
      case "key-revoke": {
        const t = await tenantOf(store, f.tenant);
        const current = await store.keys.get({ tenantId: t.id }, need(f.id, "id"));
        if (!current) throw new UsageError(`no key ${f.id} in ${t.slug}`);
        const info = await store.keys.revoke({ tenantId: t.id }, current.id, now, [
          store.audit.insert(
            cliAudit(t.id, command, now, "key.revoke", {
              subjectType: "key",
              subjectId: current.id,
              detail: { kind: current.kind, name: current.name },
            }),
          ),
        ]);
        if (!info) throw new UsageError(`no key ${f.id} in ${t.slug}`);
        return `revoked ${info.id} (${info.prefix})`;
      }
      case "key-list": {
        const t = await tenantOf(store, f.tenant);
        const rows = await store.keys.list({ tenantId: t.id });
        return rows
          .map((k) =>
            [
              k.id,
              k.prefix + "…",
              k.kind,
              k.scopes.join(",") || "-",
              k.revokedAt ? "revoked" : k.expiresAt && k.expiresAt < now ? "expired" : "active",
            ].join("\t"),
          )
          .join("\n");
      }
      case "actions-import": {
        const t = await tenantOf(store, f.tenant);
        const path = need(f.file, "file");
        const text = readFileSync(path, "utf8");
        const parsed: unknown = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
        const list = Array.isArray(parsed) ? parsed : (parsed as { actions?: unknown[] })?.actions;
        if (!Array.isArray(list)) throw new UsageError("the file must hold a list of actions (or { actions: [...] })");
        const problems: string[] = [];
        const valid = list.flatMap((raw, i) => {
          const { action, faults } = checkAction(raw);
          if (action && !faults.length) return [action];
          problems.push(
            `actions[${i}]${action ? ` (${action.id})` : ""}: ${faults.map((x) => `${x.pointer} ${x.reason}`).join("; ")}`,
          );
          return [];
        });
        if (problems.length) throw new UsageError(`nothing imported:\n${problems.join("\n")}`);
        for (const a of valid)
          await store.decisioning.putAction(
            {
              tenantId: t.id,
              id: a.id,
              dealerId: a.dealerId ?? null,
              doc: a,
              updatedAt: now,
              checkedWith: VALIDATOR_VERSION,
            },
            [
              store.audit.insert(
                cliAudit(t.id, command, now, "action.upsert", {
                  subjectType: "action",
                  subjectId: a.id,
                  detail: { kind: a.kind, category: a.category, dealerId: a.dealerId ?? null, file: path },
                }),
              ),
            ],
          );
        return `imported ${valid.length} actions into ${t.slug} (catalogue version ${await store.decisioning.catalogVersion(t.id)})`;
      }
      case "retention": {
        const n = await sweepRetention(store, now);
        return `expired: ${n.decisions} decisions, ${n.outcomes} outcomes, ${n.idempotencyKeys} Idempotency-Key records`;
      }
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } finally {
    await target.close();
  }
}

interface Target {
  database: Database;
  migrate(): Promise<void>;
  close(): Promise<void>;
}

async function openLibsqlTarget(url: string, token: string | undefined): Promise<Target> {
  const database = await openLibsql(url, token);
  return {
    database,
    migrate: () => migrateLibsql(database),
    close: async () => {
      database.close();
      await database.closed();
    },
  };
}

/** Where wrangler keeps local D1 state (`wrangler d1 … --local --persist-to DIR` and getPlatformProxy agree). */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** A D1 binding of wrangler.toml, local (Miniflare's state) or remote (the deployed database), as a Database. */
async function openD1Target(binding: string, remote: boolean, persistTo: string | undefined): Promise<Target> {
  const { getPlatformProxy } = await import("wrangler");
  let configPath: string | undefined;
  if (remote) {
    // getPlatformProxy makes a binding remote when the config says `remote = true`: a copy of wrangler.toml that
    // says so for this binding only, beside the original (relative paths stay right), removed on close.
    const text = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
    const marked = text.replace(
      new RegExp(`(\\[\\[d1_databases\\]\\]\\s*\\nbinding = "${binding}"\\n)`),
      "$1remote = true\n",
    );
    if (marked === text) throw new UsageError(`no D1 binding ${binding} in wrangler.toml`);
    configPath = join(ROOT, `.wrangler-remote-${process.pid}.toml`);
    writeFileSync(configPath, marked);
  }
  try {
    const proxy = await getPlatformProxy<Record<string, unknown>>({
      ...(configPath ? { configPath } : {}),
      persist: persistTo ? { path: join(persistTo, "v3") } : true,
      remoteBindings: remote,
    });
    const d1 = proxy.env[binding] as D1Database | undefined;
    if (!d1 || typeof (d1 as { prepare?: unknown }).prepare !== "function") {
      await proxy.dispose();
      throw new UsageError(`no D1 binding ${binding} in wrangler.toml`);
    }
    return {
      database: openD1(d1),
      async migrate() {
        const args = ["d1", "migrations", "apply", binding, remote ? "--remote" : "--local"];
        if (!remote && persistTo) args.push("--persist-to", persistTo);
        execFileSync(process.execPath, [join(ROOT, "node_modules/wrangler/bin/wrangler.js"), ...args], {
          cwd: ROOT,
          stdio: ["ignore", "ignore", "inherit"],
          env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
        });
      },
      close: () => proxy.dispose(),
    };
  } finally {
    if (configPath) rmSync(configPath, { force: true });
  }
}

/** The one line to print for a failed command: what was wrong, and where the usage is. */
export function errorLine(e: unknown): string {
  const usage =
    e instanceof UsageError || e instanceof z.ZodError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
  const msg = e instanceof z.ZodError ? e.issues.map((i) => i.message).join("; ") : (e as Error).message;
  const text = (usage ? msg : String((e as Error).message ?? e)).split("\n")[0];
  return `pitwall: ${text}${usage ? " (npm run pitwall -- --help for usage)" : ""}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runCli(process.argv.slice(2)).then(
    (out) => console.log(out),
    (e) => {
      console.error(errorLine(e));
      // actions-import lists every faulty action after its one-line summary.
      const rest = e instanceof UsageError ? e.message.split("\n").slice(1) : [];
      if (rest.length) console.error(rest.join("\n"));
      process.exit(2);
    },
  );
}
