/** Schemas shared by several operations. */
import { z } from "zod";

/** Epoch ms -> ISO 8601 for responses. */
export const iso = (ms: number | null | undefined): string | null => (ms == null ? null : new Date(ms).toISOString());

/** Whether the runtime knows this IANA time zone (Intl is the same tz database on Workers and Node). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return tz.includes("/") || tz === "UTC";
  } catch {
    return false;
  }
}

export const TimeZone = z.string().max(64).refine(isTimeZone, "must be an IANA time zone such as Europe/Berlin");

export const IdParam = (name: string, prefix: string, example: string) =>
  z.object({
    [name]: z
      .string()
      .min(1)
      .max(64)
      .meta({ description: `A ${prefix}_ id`, example }),
  });

/** The characters and length of a VIN (49 CFR 565), for the OpenAPI document; the check digit is checked by the server. */
export const VIN_PATTERN = "^[A-HJ-NPR-Z0-9]{17}$";

/**
 * JSON Schema for "exactly one of these properties" (the object keeps them all optional in `properties`), so that
 * generated clients and fuzzers see the rule the validator enforces: exactlyOneOf(["a", "b"]) →
 * [{ required: ["a"] }, { required: ["b"] }] under `oneOf`.
 */
export function exactlyOneOf(keys: readonly string[]) {
  return keys.map((k) => ({ required: [k] }));
}
