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

const GATE_KEYS: Record<keyof Gates, true> = {
  stage: true,
  powertrain: true,
  powertrains: true,
  onBrandVehicles: true,
  offBrandVehicles: true,
  leaseEndsInDays: true,
  leaseEndsInMonths: true,
  warrantyEndsInDays: true,
  warrantyEndsInMonths: true,
  loanEndsInDays: true,
  equityEstimate: true,
  positiveEquity: true,
  serviceDueInDays: true,
  serviceDue: true,
  nextServiceKind: true,
  expensiveServiceAhead: true,
  daysSinceService: true,
  offBrandServiceDue: true,
  offBrandServiceDueInDays: true,
  offBrandNextServiceKind: true,
  openRecalls: true,
  updateAvailable: true,
  criticalUpdate: true,
  loanPayoffInquirySeen: true,
  modelConfiguredRecently: true,
  configuredModel: true,
  configuredDaysAgo: true,
  daysSincePurchase: true,
  openComplaint: true,
};
const CONTEXT_KEYS: Record<keyof RuleContext, true> = {
  channel: true,
  placement: true,
  page: true,
  model: true,
  locale: true,
};
const VEHICLE_KEYS: Record<keyof VehicleFacts, true> = {
  vin: true,
  make: true,
  model: true,
  year: true,
  powertrain: true,
  onBrand: true,
  relation: true,
  since: true,
  condition: true,
  dealerId: true,
  warrantyEnd: true,
  leaseEnd: true,
  loan: true,
  appraisal: true,
  odometer: true,
  economy: true,
  batterySoh: true,
  troubleCodes: true,
  software: true,
  updateAvailable: true,
  nextService: true,
  openRecalls: true,
  lastServiceAt: true,
  serviceVisits: true,
};
const PROFILE_KEYS: Record<keyof Profile, true> = {
  v: true,
  stage: true,
  firstAt: true,
  lastAt: true,
  lastKey: true,
  events: true,
  dealerId: true,
  interest: true,
  vehicles: true,
  loanPayoffInquiryAt: true,
  lastPurchaseAt: true,
  voice: true,
  advocacy: true,
  social: true,
  consent: true,
};
const HOUSEHOLD_KEYS: Record<keyof HouseholdDoc, true> = { members: true, vehicles: true, openComplaints: true };

/** The variable roots a rule may read, each with the names allowed one level down (null: any). */
export const VAR_ROOTS: Readonly<Record<keyof RuleData, ReadonlySet<string> | null>> = {
  profile: new Set(Object.keys(PROFILE_KEYS)),
  vehicle: new Set(Object.keys(VEHICLE_KEYS)),
  vehicles: null,
  household: new Set(Object.keys(HOUSEHOLD_KEYS)),
  gates: new Set(Object.keys(GATE_KEYS)),
  context: new Set(Object.keys(CONTEXT_KEYS)),
};
