import { z } from "zod";
import { TenantSettingsSchema, type TenantSettings } from "../domain/tenant-settings";
import { defineOperation } from "../http/operation";
import { audit } from "../services/audit";

const SettingsView = z
  .object({
    marketingConsent: z
      .object({
        default: z.enum(["opt-in", "opt-out"]),
        optInCountries: z.array(z.string()),
        optOutCountries: z.array(z.string()),
      })
      .meta({ description: "Absent: opt-out everywhere (only an explicit opt-out blocks marketing)" })
      .optional(),
    holdout: z
      .object({ share: z.number() })
      .meta({ description: "Absent: no holdout group (everyone may get marketing)" })
      .optional(),
  })
  .meta({ id: "TenantSettingsView" });

const view = (s: TenantSettings) => s;

export const getSettings = defineOperation({
  method: "get",
  path: "/v1/settings",
  auth: { kinds: ["server"], scope: "admin" },
  schema: {
    tags: ["Settings"],
    operationId: "getSettings",
    summary: "The brand's settings: its marketing-consent default (opt-in or opt-out, per country) and holdout group",
    responses: { "200": { description: "Settings", content: { "application/json": { schema: SettingsView } } } },
  },
  example: {},
  async handle(c) {
    return c.json(view(await c.var.deps.store.tenants.settings(c.var.principal.tenantId)));
  },
});

export const putSettings = defineOperation({
  method: "put",
  path: "/v1/settings",
  auth: { kinds: ["server"], scope: "admin" },
  schema: {
    tags: ["Settings"],
    operationId: "putSettings",
    summary: "Replace the brand's settings; decisions follow at once",
    description:
      "`marketingConsent`: where opt-in applies (the person's country if known, else the dealer's), a person with no recorded consent for a channel gets no marketing on it. A country in `optInCountries`/`optOutCountries` takes that rule, any other the `default`. `holdout.share`: the share of households (a person without one counts alone) held out of marketing to measure its lift (`getUplift`); safety, service and information still reach them.",
    request: { body: { content: { "application/json": { schema: TenantSettingsSchema } } } },
    responses: {
      "200": { description: "The settings now", content: { "application/json": { schema: SettingsView } } },
    },
  },
  example: {
    body: {
      marketingConsent: { default: "opt-out", optInCountries: ["DE", "FR", "IT", "ES", "NL"], optOutCountries: [] },
      holdout: { share: 0.05 },
    },
  },
  async handle(c, { body }) {
    const { store } = c.var.deps;
    const tenantId = c.var.principal.tenantId;
    await store.database.batch([
      store.tenants.putSettings(tenantId, body),
      store.audit.insert(audit(c, "settings.update", { subjectType: "settings", subjectId: tenantId, detail: body })),
    ]);
    return c.json(view(body));
  },
});
