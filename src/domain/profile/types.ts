/**
 * The compact profile: one row per person, read in one indexed query at decision time. Times are epoch ms,
 * calendar dates YYYY-MM-DD. It holds facts derived from events; time-relative judgements ("lease ends in 4
 * months") are made at decision time with the request's clock.
 */
import type { Powertrain } from "./events";

export type Stage = "prospect" | "shopper" | "owner" | "lapsed";
export type Channel = "email" | "sms" | "push" | "in_vehicle" | "web";
export type Category = "sales" | "service" | "retention" | "info" | "safety";

export interface VehicleFacts {
  vin: string;
  make: string | null;
  model: string | null;
  year: number | null;
  powertrain: Powertrain | "unknown";
  onBrand: boolean;
  /** How the person relates to the car: owned outright, leased, financed, only serviced, or appraised for trade-in. */
  relation: "owned" | "leased" | "financed" | "serviced" | "appraised";
  since: number;
  condition?: "new" | "used";
  dealerId?: string;
  warrantyEnd?: string;
  leaseEnd?: string;
  loan?: { amount: number; termMonths: number; end: string; start: number };
  appraisal?: { value: number; at: number };
  odometer?: number;
  economy?: { value: number; unit: string };
  batterySoh?: number;
  troubleCodes?: number;
  software?: string;
  updateAvailable?: { version: string; critical: boolean };
  /** Issue 10: driving per local month from trip summaries, newest first (at most 3 months). Driving data. */
  driving?: DrivingMonth[];
  nextService?: { kind: string; due?: string; mileage?: number; cost?: number };
  openRecalls: string[];
  lastServiceAt?: number;
  serviceVisits: number;
}

/** One local month of a vehicle's trips (sums; km, kWh and litres rounded to 3 decimals). */
export interface DrivingMonth {
  month: string;
  trips: number;
  km: number;
  kwh: number;
  l: number;
}

export interface ConsentState {
  /** Per channel: true granted, false denied, absent never asked. */
  marketing: Partial<Record<Channel, boolean>>;
  profilingObjection: boolean;
  drivingDataConsent: boolean;
  locationDataConsent: boolean;
  /** Issue 10: consent to compare this person's driving with the household's other drivers (absent: not given). */
  driverComparisonConsent?: boolean;
  quietHours: { start: string; end: string } | null;
  preferredDealerId: string | null;
  preferredChannel: string | null;
  timeZone: string | null;
  notInterested: Category[];
  updatedAt: number | null;
  /** The person's country (ISO 3166-1 alpha-2), when they gave it: it decides the brand's marketing-consent rule. */
  country?: string | null;
  // ---- issue 10
  /** The person's language (`de`, `de-AT`): creatives in that language when the action has them. */
  locale?: string | null;
  /** False once the person unsubscribed from service reminders (email and app); absent: allowed. */
  reminders?: boolean;
}

export interface Profile {
  v: 1;
  stage: Stage;
  firstAt: number;
  lastAt: number;
  /** Sort key of the last applied event: `${occurredAt}|${id}`; an older event triggers a replay. */
  lastKey: string;
  events: number;
  dealerId: string | null;
  interest: {
    pageViews: number;
    models: { model: string; trim?: string; powertrain: Powertrain; price?: number; at: number }[];
    powertrains: Partial<Record<Powertrain, number>>;
    lastConfiguredAt: number | null;
    quotes: number;
    lastQuoteAt: number | null;
    testDrives: number;
    lastTestDriveAt: number | null;
  };
  vehicles: VehicleFacts[];
  loanPayoffInquiryAt: number | null;
  lastPurchaseAt: number | null;
  voice: {
    lastScore: number | null;
    lastSurveyAt: number | null;
    verbatims: number;
    openComplaints: string[];
    lastComplaintAt: number | null;
  };
  advocacy: { referrals: number; converted: number };
  social: { mentions: number; positive: number; neutral: number; negative: number; lastAt: number | null };
  consent: ConsentState;
  /** issue 10: the person's latest booked service slot (cancelled: null); absent before any booking. */
  serviceBooking?: { bookingId: string; dealerId: string | null; at: number } | null;
}

/** What decisioning needs of the household: its members, all their vehicles, and open complaints. */
export interface HouseholdDoc {
  members: string[];
  vehicles: (Pick<VehicleFacts, "vin" | "make" | "model" | "year" | "powertrain" | "onBrand"> & { personId: string })[];
  openComplaints: number;
}

/** Decoded VIN data the projection may use (looked up before projecting, never on the decision path). */
export interface VinInfo {
  make: string | null;
  model: string | null;
  year: number | null;
  powertrain: Powertrain | "unknown";
}
