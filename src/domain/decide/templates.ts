/**
 * Creative templates: `{{path}}` or `{{path|fallback}}` over a small whitelist of fields. Only these fields can
 * ever be rendered, so copy cannot leak a sensitive value even if a template slipped past validation.
 */
import type { VehicleFacts } from "../profile/types";
import type { Gates } from "../rules/data";
import type { SlotChoice } from "../channels/slots";

export interface TemplateData {
  vehicle: VehicleFacts | null;
  dealerName: string | null;
  gates: Gates | null;
  contextModel: string | null;
  /** issue 10: the open service slots a reminder carries (absent or null: none looked up). */
  slots?: SlotChoice | null;
}

interface Field {
  /** What it renders (docs/rules.md and the OpenAPI document are generated from it). */
  description: string;
  get(t: TemplateData): string | number | null | undefined;
  fallback: string;
  /** The longest value the field renders, for the worst-case payload check at upsert. */
  maxLen: number;
}

/** "4 months" from 30 days on, else "12 days". */
const span = (days: number | null | undefined, months: number | null | undefined) =>
  days == null
    ? null
    : months != null && months >= 1 && days >= 30
      ? `${months} month${months === 1 ? "" : "s"}`
      : `${days} day${days === 1 ? "" : "s"}`;
const nonNegative = (n: number | null | undefined) => (n == null ? null : Math.max(0, n));
const words = (s: string | null | undefined) => (s ? s.replace(/_/g, " ") : null);

export const TEMPLATE_FIELDS: Readonly<Record<string, Field>> = {
  "vehicle.make": {
    description: "Make of the primary vehicle (`vehicle`).",
    get: (t) => t.vehicle?.make,
    fallback: "",
    maxLen: 16,
  },
  "vehicle.model": {
    description: "Model of the primary vehicle.",
    get: (t) => t.vehicle?.model,
    fallback: "your vehicle",
    maxLen: 24,
  },
  "vehicle.year": {
    description: "Model year of the primary vehicle.",
    get: (t) => t.vehicle?.year,
    fallback: "",
    maxLen: 4,
  },
  "dealer.name": {
    description: "Name of the dealer the decision is for.",
    get: (t) => t.dealerName,
    fallback: "your dealer",
    maxLen: 40,
  },
  "context.model": {
    description: "`context.model` of the request.",
    get: (t) => t.contextModel,
    fallback: "this model",
    maxLen: 24,
  },
  "gates.leaseEndsIn": {
    description: "Time to the lease end, in words: `4 months` from 30 days on, else `12 days`.",
    get: (t) => span(t.gates?.leaseEndsInDays, t.gates?.leaseEndsInMonths),
    fallback: "a few months",
    maxLen: 12,
  },
  "gates.warrantyEndsIn": {
    description: "Time to the warranty end, in words.",
    get: (t) => span(t.gates?.warrantyEndsInDays, t.gates?.warrantyEndsInMonths),
    fallback: "a few months",
    maxLen: 12,
  },
  "gates.leaseEndsInMonths": {
    description: "Months to the lease end.",
    get: (t) => t.gates?.leaseEndsInMonths,
    fallback: "a few",
    maxLen: 5,
  },
  "gates.leaseEndsInDays": {
    description: "Days to the lease end.",
    get: (t) => t.gates?.leaseEndsInDays,
    fallback: "a few",
    maxLen: 5,
  },
  "gates.warrantyEndsInMonths": {
    description: "Months to the warranty end.",
    get: (t) => t.gates?.warrantyEndsInMonths,
    fallback: "a few",
    maxLen: 5,
  },
  "gates.serviceDueInDays": {
    description: "Days to the next service (0 when overdue).",
    get: (t) => nonNegative(t.gates?.serviceDueInDays),
    fallback: "a few",
    maxLen: 5,
  },
  "gates.nextServiceKind": {
    description: "Kind of the next service, in words (`oil change`).",
    get: (t) => words(t.gates?.nextServiceKind),
    fallback: "scheduled service",
    maxLen: 24,
  },
  "gates.openRecalls": {
    description: "Number of open recalls (the fallback reads `an open recall`).",
    get: (t) => t.gates?.openRecalls || null,
    fallback: "an",
    maxLen: 2,
  },
  "gates.configuredModel": {
    description: "The model the person configured last.",
    get: (t) => t.gates?.configuredModel,
    fallback: "the model you built",
    maxLen: 24,
  },
  // ---- issue 10: service reminders carry open slots (the creative's `slots` has each with its booking link)
  "slots.first": {
    description: "The first open service slot a reminder carries, in the person's time zone (`Tue, Jan 14, 9:00 AM`).",
    get: (t) => t.slots?.slots[0]?.label,
    fallback: "soon",
    maxLen: 32,
  },
  "slots.count": {
    description: "How many open slots the reminder carries (2–3).",
    get: (t) => t.slots?.slots.length || null,
    fallback: "a few",
    maxLen: 1,
  },
  "slots.dealer": {
    description: "The dealer whose slots the reminder carries (the person's, or the next one with capacity).",
    get: (t) => t.slots?.dealerName,
    fallback: "your dealer",
    maxLen: 40,
  },
};

/** Every value the fields render for this decision (for checks that need not look at each creative). */
export function templateValues(t: TemplateData): string[] {
  const out: string[] = [];
  for (const f of Object.values(TEMPLATE_FIELDS)) {
    const v = f.get(t);
    if (v !== null && v !== undefined && v !== "") out.push(String(v));
  }
  return out;
}

export interface TemplateRef {
  path: string;
  fallback: string | null;
}

export interface CompiledTemplate {
  render(t: TemplateData): string;
  refs: readonly TemplateRef[];
  /** Rendered length when every field is at its longest. */
  maxLength: number;
  /** The author's own words (text and fallbacks), for the sensitive-phrase check. */
  literal: string;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.]+)\s*(?:\|([^}]*))?\}\}/g;

/** Parse a template once; unknown fields render their fallback or nothing. compileTemplate("Hi {{dealer.name}}"). */
export function compileTemplate(src: string): CompiledTemplate {
  const parts: (string | ((t: TemplateData) => string))[] = [];
  const refs: TemplateRef[] = [];
  let maxLength = 0;
  let literal = "";
  let last = 0;
  for (const m of src.matchAll(PLACEHOLDER)) {
    const text = src.slice(last, m.index);
    parts.push(text);
    const path = m[1]!;
    const fallback = m[2]?.trim() ?? null;
    literal += `${text} ${fallback ?? ""} `;
    refs.push({ path, fallback });
    const field = TEMPLATE_FIELDS[path];
    const fb = fallback ?? field?.fallback ?? "";
    parts.push((t) => {
      const v = field?.get(t);
      return v === null || v === undefined || v === "" ? fb : String(v);
    });
    maxLength += text.length + Math.max(field?.maxLen ?? 0, fb.length);
    last = m.index + m[0].length;
  }
  const tail = src.slice(last);
  literal += tail;
  maxLength += tail.length;
  if (refs.length === 0) return { render: () => src, refs, maxLength: src.length, literal: src };
  parts.push(tail);
  const render = (t: TemplateData) => {
    let out = "";
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      out += typeof p === "string" ? p : p(t);
    }
    return out;
  };
  return { render, refs, maxLength, literal };
}
