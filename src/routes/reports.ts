import { z } from "zod";
import { lastCompleteMonth } from "../domain/report/driving";
import { drivingReportHtml, REPORT_CSP } from "../embed/report-html";
import { defineOperation } from "../http/operation";
import { Problem } from "../http/problems";
import { auditRead } from "../services/audit";
import { callerScope } from "../services/context";
import { loadDrivingReport } from "../services/reports";

const Economy = z.enum(["kWh/100 km", "L/100 km"]);
const DrivingReportSchema = z
  .object({
    vin: z.string(),
    month: z.string().meta({ example: "2026-11" }),
    vehicle: z.object({
      make: z.string().nullable(),
      model: z.string().nullable(),
      year: z.number().int().nullable(),
      powertrain: z.enum(["ev", "phev", "hybrid", "ice", "unknown"]),
    }),
    distance: z.object({
      km: z.number(),
      trips: z.number().int(),
      drivingMinutes: z.number().int(),
      previousMonthKm: z.number(),
      changePercent: z.number().nullable(),
    }),
    economy: z
      .array(
        z.object({
          unit: Economy,
          value: z.number(),
          previousMonth: z.number().nullable(),
          changePercent: z.number().nullable(),
          sameModel: z
            .object({ model: z.string(), vehicles: z.number().int(), value: z.number(), differencePercent: z.number() })
            .nullable()
            .meta({ description: "Other vehicles of the model in the brand this month; null below 3 vehicles" }),
        }),
      )
      .meta({ description: "One entry per energy the trips reported: electricity (EV, PHEV) and/or fuel" }),
    daily: z.array(z.object({ day: z.string(), km: z.number() })),
    odometer: z.number().nullable(),
    service: z.object({ kind: z.string(), due: z.string().nullable(), mileage: z.number().nullable() }).nullable(),
    recalls: z.array(z.string()),
    software: z
      .object({ installed: z.string().nullable(), available: z.string().nullable(), critical: z.boolean() })
      .nullable(),
    drivers: z
      .array(
        z.object({
          driverProfileId: z.string(),
          label: z.string(),
          trips: z.number().int(),
          km: z.number(),
          shareOfDistancePercent: z.number(),
          economy: z.array(z.object({ unit: Economy, value: z.number() })),
        }),
      )
      .nullable()
      .meta({
        description:
          "How each driver (the head unit's driver profile) compares; null without the consent of every household member",
      }),
    notes: z.array(z.string()),
  })
  .meta({ id: "DrivingReport" });

export const getDrivingReport = defineOperation({
  method: "get",
  path: "/v1/vehicles/:vin/report",
  auth: { kinds: ["server", "vehicle"], scope: "profiles:read" },
  problems: ["invalid-vin", "not-found", "subject-not-allowed"],
  schema: {
    tags: ["Vehicles"],
    operationId: "getDrivingReport",
    summary: "The monthly driving report of a vehicle: distance, economy, service, recalls, software, drivers",
    description:
      "From the vehicle's `trip_summary` events (a trip counts in the local month of its start): distance and economy against last month and against the other vehicles of the same model in the brand (at least 3), upcoming service, open recalls, software updates, and — only when every member of the household gave `driverComparisonConsent` — how each driver compares. `Accept: text/html` answers a self-contained HTML document (inline SVG chart, no script) for an email or an in-app view. A vehicle key reads only its own VIN's report; a dealer-bound key only its dealer's vehicles; server keys need profiles:read. The report is not marketing: driving data reaches marketing rules only with `drivingDataConsent`.",
    request: {
      params: z.object({
        vin: z.string().min(1).max(32).meta({ description: "A VIN", example: "1N4AZ0CP6GC304290" }),
      }),
      query: z.object({
        month: z
          .string()
          .regex(/^\d{4}-(0[1-9]|1[0-2])$/, "must be a month, YYYY-MM")
          .optional()
          .meta({ description: "YYYY-MM (default: the last complete month, UTC)", example: "2026-11" }),
      }),
    },
    responses: {
      "200": {
        description: "The report (JSON, or HTML for `Accept: text/html`)",
        content: {
          "application/json": { schema: DrivingReportSchema },
          "text/html": { schema: z.string().meta({ description: "A self-contained HTML document" }) },
        },
      },
    },
  },
  example: {},
  async handle(c, { params, query }) {
    const p = c.var.principal;
    const { deps } = c.var;
    const vin = deps.vins.valid(params.vin as string).vin;
    if (p.kind === "vehicle" && vin !== p.vin)
      throw new Problem("subject-not-allowed", "A vehicle key may only read its own VIN's report.");
    const month = (query.month as string | undefined) ?? lastCompleteMonth(deps.now());
    const found = await loadDrivingReport(deps.store, callerScope(c), vin, month);
    if (!found) throw new Problem("not-found", "No such vehicle in your scope.");
    await auditRead(c, "vehicle.report", {
      subjectType: "vehicle",
      subjectId: vin,
      personId: found.personId,
      detail: { month },
    });
    const accept = c.req.header("accept") ?? "";
    if (/text\/html/i.test(accept) && !/^\s*application\/json/i.test(accept))
      return c.html(drivingReportHtml(found.report), 200, { "Content-Security-Policy": REPORT_CSP });
    return c.json(found.report);
  },
});
