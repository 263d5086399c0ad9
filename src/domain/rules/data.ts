/**
 * The data a rule sees, built once per decision. Rule authors write JsonLogic against these roots;
 * under GPC only `context` is present.
 */
import type { Powertrain } from "../profile/events";
import type { HouseholdDoc, Profile, Stage, VehicleFacts } from "../profile/types";
import type { DecisionChannel } from "../decide/vocabulary";

/** Time-relative facts derived at decision time (see decide/gates.ts); days are whole days from `now`. */
export interface Gates {
  stage: Stage | "anonymous";
  powertrain: Powertrain | "unknown" | null;
  powertrains: Powertrain[];
  onBrandVehicles: number;
  offBrandVehicles: number;
  leaseEndsInDays: number | null;
  leaseEndsInMonths: number | null;
  warrantyEndsInDays: number | null;
  warrantyEndsInMonths: number | null;
  loanEndsInDays: number | null;
  equityEstimate: number | null;
  positiveEquity: boolean;
  serviceDueInDays: number | null;
  serviceDue: boolean;
  nextServiceKind: string | null;
  expensiveServiceAhead: boolean;
  daysSinceService: number | null;
  offBrandServiceDue: boolean;
  /** Days to the soonest due service of an off-brand vehicle (0 when due by mileage), or null. */
  offBrandServiceDueInDays: number | null;
  /** The kind of that service ("oil_change"), or null. */
  offBrandNextServiceKind: string | null;
  openRecalls: number;
  updateAvailable: boolean;
  criticalUpdate: boolean;
  loanPayoffInquirySeen: boolean;
  modelConfiguredRecently: boolean;
  configuredModel: string | null;
  configuredDaysAgo: number | null;
  daysSincePurchase: number | null;
  openComplaint: boolean;
}

export interface RuleContext {
  channel: DecisionChannel;
  placement: string;
  page: string | null;
  model: string | null;
  locale: string | null;
}

export interface RuleData {
  context: RuleContext;
  profile?: Profile;
  vehicle?: VehicleFacts | null;
  vehicles?: readonly VehicleFacts[];
  household?: HouseholdDoc | null;
  gates?: Gates;
}

/** Every gate a rule may read as `gates.<name>`, with its meaning (docs/rules.md is generated from this). */
export const GATE_FIELDS: Readonly<Record<keyof Gates, string>> = {
  stage:
    "Lifecycle stage: `prospect`, `shopper`, `owner` or `lapsed` (an owner with no on-brand activity for `lapsedDays`).",
  powertrain: "Powertrain of `vehicle` (ev, phev, hybrid, ice or unknown); null without vehicles.",
  powertrains: "Every known powertrain among the person's vehicles, on- and off-brand.",
  onBrandVehicles: "How many of the person's vehicles are of the brand's makes.",
  offBrandVehicles: "How many of the person's vehicles are of other makes (serviced or appraised here, or owned).",
  leaseEndsInDays: "Days until the earliest lease end still ahead on an on-brand vehicle (0 = today); null if none.",
  leaseEndsInMonths: "`leaseEndsInDays` in months (days / 30.44, rounded); null if none.",
  warrantyEndsInDays: "Days until the earliest warranty end still ahead on an on-brand vehicle; null if none.",
  warrantyEndsInMonths: "`warrantyEndsInDays` in months; null if none.",
  loanEndsInDays: "Days until the earliest loan end still ahead on an on-brand vehicle; null if none.",
  equityEstimate:
    "Sensitive. The latest trade-in appraisal minus the loan balance left on that car (amortized linearly from start to end); null without an appraisal.",
  positiveEquity: "Sensitive. `equityEstimate` is above zero.",
  serviceDueInDays:
    "Days until the soonest next service of an on-brand vehicle (negative when overdue, at most 0 when due by mileage); null if none is known.",
  serviceDue:
    "An on-brand vehicle's next service is due: within `serviceDueWindowDays` days, or its odometer within `serviceDueMileageWindow` of the due mileage.",
  nextServiceKind: "The kind of that soonest service (as sent in `service_due`, e.g. `oil_change`); null if none.",
  expensiveServiceAhead:
    "A major service of an on-brand vehicle (estimated at `expensiveServiceCost` or more, or a major kind listed below) is due within `expensiveServiceWindowDays` days or by mileage.",
  daysSinceService: "Days since the last service visit of an on-brand vehicle; null if never serviced.",
  offBrandServiceDue:
    "An off-brand vehicle (another make, e.g. a household's Chevrolet) has a service due by the same windows as `serviceDue`. For an action with `offBrandService: true` the service gates (`serviceDue`, `serviceDueInDays`, `nextServiceKind`, and so the `service_due` predicate) cover off-brand vehicles too, so a plain `service_due` rule offers an off-brand car's due oil change.",
  offBrandServiceDueInDays:
    "Days until the soonest service due on an off-brand vehicle (negative when overdue); null if none is due.",
  offBrandNextServiceKind: "The kind of that off-brand service; null if none is due.",
  openRecalls: "Open recall campaigns over all the person's vehicles, on- and off-brand.",
  updateAvailable: "A software update is available for an on-brand vehicle.",
  criticalUpdate: "That update is flagged critical.",
  loanPayoffInquirySeen:
    "Sensitive. The person asked about paying off the loan within `loanPayoffWindowDays` days. Creatives may never mention it.",
  modelConfiguredRecently: "The person configured a build within `configuredRecentlyDays` days.",
  configuredModel: "The most recently configured model; null if none.",
  configuredDaysAgo: "Days since the last configured build; null if none.",
  daysSincePurchase: "Days since the person's last purchase; null if none.",
  openComplaint: "The person, or anyone in the household, has an open complaint.",
};

/** The request context: every decision has it, also for anonymous visitors and under GPC. */
export const CONTEXT_FIELDS: Readonly<Record<keyof RuleContext, string>> = {
  channel: "The decision channel: web_configurator, dealer_site, in_vehicle, email, app or service_lane.",
  placement: "The caller's slot name, e.g. `hero`.",
  page: "`context.page` of the request (the page the visitor is on), else null.",
  model: "`context.model` of the request (the model the page is about), else null.",
  locale: "`context.locale` of the request, e.g. `en-US`, else null.",
};

/** Fields of a vehicle (`vehicle`, and each element of `vehicles`). */
export const VEHICLE_FIELDS: Readonly<Record<keyof VehicleFacts, string>> = {
  vin: "The VIN.",
  make: "Make, decoded offline from the VIN (vPIC); null if unknown.",
  model: "Model, decoded from the VIN; null if unknown.",
  year: "Model year; null if unknown.",
  powertrain: "ev, phev, hybrid, ice or unknown.",
  onBrand: "The make is one of the tenant's makes.",
  relation: "owned, leased, financed, serviced (only serviced here) or appraised (for trade-in).",
  since: "When the relation began (epoch ms).",
  condition: "new or used, from the purchase.",
  dealerId: "The selling or servicing dealer.",
  warrantyEnd: "Warranty end date (YYYY-MM-DD).",
  leaseEnd: "Lease end date (YYYY-MM-DD).",
  loan: "Sensitive. `{amount, termMonths, end, start}` of the loan.",
  appraisal: "Sensitive. `{value, at}` of the latest trade-in appraisal.",
  odometer: "Latest odometer reading.",
  economy:
    "Driving data: `{value, unit}` of the latest consumption reading. Marketing rules see it only with `drivingDataConsent`.",
  batterySoh: "Battery state of health in percent (EVs).",
  troubleCodes:
    "Driving data: how many OBD-II trouble codes the last snapshot carried. Marketing rules see it only with `drivingDataConsent`.",
  software: "Installed software version.",
  updateAvailable: "`{version, critical}` of an available update.",
  driving:
    "Driving data: `[{month, trips, km, kwh, l}]` per local month from trip summaries, newest first (3 months). Marketing rules see it only with `drivingDataConsent`.",
  nextService: "`{kind, due, mileage, cost}` of the next service due.",
  openRecalls: "Open recall campaign ids.",
  lastServiceAt: "Last service visit (epoch ms).",
  serviceVisits: "Number of service visits.",
};

/** Fields of the compact profile (`profile`). */
export const PROFILE_FIELDS: Readonly<Record<keyof Profile, string>> = {
  v: "Profile format version (1).",
  stage: "Stage as projected from events (see `gates.stage` for the one at decision time, with `lapsed`).",
  firstAt: "First event (epoch ms).",
  lastAt: "Latest event (epoch ms).",
  lastKey: "Internal: sort key of the last applied event.",
  events: "Number of events projected.",
  dealerId:
    "The person's dealer: the preferred one, else the dealer of their latest on-brand vehicle, else the last seen.",
  interest: "`{pageViews, models[], powertrains, lastConfiguredAt, quotes, lastQuoteAt, testDrives, lastTestDriveAt}`.",
  vehicles: "All vehicles (the same array as `vehicles`).",
  loanPayoffInquiryAt: "Sensitive. When the person last asked about paying off the loan.",
  lastPurchaseAt: "Last purchase (epoch ms).",
  voice: "`{lastScore, lastSurveyAt, verbatims, openComplaints[], lastComplaintAt}`.",
  advocacy: "`{referrals, converted}`.",
  social: "`{mentions, positive, neutral, negative, lastAt}`.",
  consent:
    "Consent and preferences: marketing per channel, objection, quiet hours, time zone, language, notInterested, service reminders.",
  serviceBooking: "`{bookingId, dealerId, at}` of the latest booked service slot (null once cancelled).",
};

/** Fields of the household document (`household`). */
export const HOUSEHOLD_FIELDS: Readonly<Record<keyof HouseholdDoc, string>> = {
  members: "Person ids of the household (the CRM's `householdRef`).",
  vehicles: "Every member's vehicles, off-brand ones too: `{vin, make, model, year, powertrain, onBrand, personId}`.",
  openComplaints: "Open complaints across the members.",
};

/** What each variable root holds. */
export const ROOT_DESCRIPTIONS: Readonly<Record<keyof RuleData, string>> = {
  context: "The request: always present, also for anonymous visitors and under Global Privacy Control.",
  gates: "Time-relative facts computed at decision time from the profile and the request's clock.",
  profile: "The person's compact profile.",
  vehicle: "The person's primary vehicle (see below); null without vehicles.",
  vehicles: "All the person's vehicles, on- and off-brand; any field of a vehicle inside map/filter/some/all/none.",
  household: "The household the person belongs to; null if none.",
};

/** The fields of each root, for validation and docs (null: any path below the root). */
export const ROOT_FIELDS: Readonly<Record<keyof RuleData, Readonly<Record<string, string>> | null>> = {
  profile: PROFILE_FIELDS,
  vehicle: VEHICLE_FIELDS,
  vehicles: null,
  household: HOUSEHOLD_FIELDS,
  gates: GATE_FIELDS,
  context: CONTEXT_FIELDS,
};

/** The variable roots a rule may read, each with the names allowed one level down (null: any). */
export const VAR_ROOTS: Readonly<Record<keyof RuleData, ReadonlySet<string> | null>> = {
  profile: new Set(Object.keys(PROFILE_FIELDS)),
  vehicle: new Set(Object.keys(VEHICLE_FIELDS)),
  vehicles: null,
  household: new Set(Object.keys(HOUSEHOLD_FIELDS)),
  gates: new Set(Object.keys(GATE_FIELDS)),
  context: new Set(Object.keys(CONTEXT_FIELDS)),
};
