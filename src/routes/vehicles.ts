import { z } from "zod";
import { defineOperation } from "../http/operation";
import { Problem } from "../http/problems";
import { auditRead } from "../services/audit";
import { callerScope, serviceContext } from "../services/context";

const VinParam = z.object({
  vin: z.string().min(1).max(32).meta({ description: "A VIN", example: "1N4AZ0CP6GC304290" }),
});

const DecodedVin = z
  .object({
    vin: z.string(),
    valid: z.literal(true),
    modelYearCandidates: z.array(z.number().int()),
    decoded: z
      .object({
        make: z.string().nullable(),
        model: z.string().nullable(),
        modelYear: z.number().int(),
        body: z.string().nullable(),
        powertrain: z.enum(["ev", "phev", "hybrid", "ice", "unknown"]),
        trim: z.string().nullable().optional(),
        wmiKnown: z.boolean(),
      })
      .nullable()
      .meta({ description: "null when no decoder knows this VIN (or none is configured on this runtime)" }),
  })
  .meta({ id: "DecodedVin" });

export const decodeVin = defineOperation({
  method: "get",
  path: "/v1/vins/:vin",
  auth: { kinds: ["server"] },
  problems: ["invalid-vin"],
  schema: {
    tags: ["Vehicles"],
    operationId: "decodeVin",
    summary: "Validate and decode any VIN offline (no personal data touched)",
    description:
      "Rules: length (17), lowercase (VINs are uppercase), characters (no I, O, Q), model_year (position 10), check_digit (49 CFR 565, position 9).",
    request: { params: VinParam },
    responses: {
      "200": { description: "Valid, with the decode", content: { "application/json": { schema: DecodedVin } } },
    },
  },
  example: {},
  async handle(c, { params }) {
    const { vins } = c.var.deps;
    const v = vins.valid(params.vin as string);
    const decoded = (await vins.decodeMany([v.vin])).get(v.vin) ?? null;
    return c.json({ vin: v.vin, valid: true as const, modelYearCandidates: v.modelYears, decoded });
  },
});

export const getVehicle = defineOperation({
  method: "get",
  path: "/v1/vehicles/:vin",
  auth: { kinds: ["server"], scope: "profiles:read" },
  problems: ["invalid-vin", "not-found"],
  schema: {
    tags: ["Vehicles"],
    operationId: "getVehicle",
    summary: "A vehicle in the caller's scope: decoded data, status and gates",
    request: { params: VinParam },
    responses: {
      "200": {
        description: "The vehicle",
        content: {
          "application/json": {
            schema: z
              .object({
                vin: z.string(),
                profileId: z.string(),
                householdId: z.string().nullable(),
                vehicle: z.record(z.string(), z.unknown()),
              })
              .meta({ id: "VehicleView" }),
          },
        },
      },
    },
  },
  example: {},
  async handle(c, { params }) {
    const ctx = await serviceContext(c);
    const v = ctx.vins.valid(params.vin as string);
    const found = await ctx.store.customers.byIdentity(callerScope(c), "vin", v.vin);
    const vehicle = found?.profile.doc?.vehicles.find((x) => x.vin === v.vin);
    if (!found || !vehicle) throw new Problem("not-found", "No such vehicle in your scope.");
    await auditRead(c, "vehicle.read", { subjectType: "vehicle", subjectId: v.vin, personId: found.profile.id });
    return c.json({
      vin: v.vin,
      profileId: found.profile.id,
      householdId: found.profile.householdId,
      vehicle: vehicle as unknown as Record<string, unknown>,
    });
  },
});
