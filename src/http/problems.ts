/**
 * One error contract: RFC 9457 problem+json. Every failure the API can answer with is a row of
 * `problemTypes`; responses and the OpenAPI error documentation are both derived from it.
 */
import { z } from "zod";

export const PROBLEM_BASE = "https://pitwall.dev/problems/";

/** The closed table of failures: stable slug -> HTTP status and title. */
export const problemTypes = {
  "validation-failed": { status: 400, title: "The request is not valid" },
  "malformed-json": { status: 400, title: "The request body is not valid JSON" },
  "invalid-vin": { status: 400, title: "The VIN is not valid" },
  "invalid-rule": { status: 400, title: "The eligibility rule is not valid" },
  "sensitive-creative": { status: 400, title: "The creative references a sensitive field" },
  "missing-api-key": { status: 401, title: "An API key is required" },
  "invalid-api-key": { status: 401, title: "The API key is not known" },
  "revoked-api-key": { status: 401, title: "The API key has been revoked" },
  "expired-api-key": { status: 401, title: "The API key has expired" },
  "insufficient-scope": { status: 403, title: "The API key lacks the scope for this operation" },
  "key-kind-not-allowed": { status: 403, title: "This kind of API key cannot call this operation" },
  "origin-not-allowed": { status: 403, title: "The publishable key is not allowed from this origin" },
  "subject-not-allowed": { status: 403, title: "This key may not act for that subject" },
  "channel-not-allowed": { status: 403, title: "This key may not decide on that channel" },
  "dry-run-not-allowed": { status: 403, title: "Only server keys with catalog:write may ask for a dry run" },
  "not-found": { status: 404, title: "Not found" },
  "method-not-allowed": { status: 405, title: "Method not allowed" },
  "idempotency-key-reused": { status: 409, title: "The Idempotency-Key was used with a different request" },
  "already-exists": { status: 409, title: "A resource with that identifier already exists" },
  "key-not-active": { status: 409, title: "The API key is revoked or expired, or changed meanwhile" },
  // issue 10 (channels)
  "slot-unavailable": { status: 409, title: "The service slot is full, closed or has started" },
  "capacity-below-bookings": { status: 409, title: "A slot's capacity cannot drop below its bookings" },
  "booking-not-active": { status: 409, title: "The booking was cancelled" },
  "link-expired": { status: 410, title: "The link has expired" },
  "payload-too-large": { status: 413, title: "The request body is too large" },
  "unsupported-media-type": { status: 415, title: "The request body must be application/json" },
  "rate-limited": { status: 429, title: "Too many requests" },
  "internal-error": { status: 500, title: "Internal error" },
  "service-misconfigured": { status: 503, title: "The service is misconfigured" },
  "store-unavailable": { status: 503, title: "The store is unavailable; retry after the time given" },
  "write-conflict": { status: 503, title: "Concurrent writes kept conflicting; retry after the time given" },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemType = keyof typeof problemTypes;

/** A field that failed validation: `pointer` is a JSON Pointer into the request part named by `in`. */
export interface InvalidParam {
  in: "body" | "query" | "path" | "header";
  pointer: string;
  reason: string;
}

/** Thrown anywhere below a handler; the error handler renders it as problem+json. */
export class Problem extends Error {
  readonly type: ProblemType;
  readonly status: number;
  readonly detail: string | undefined;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    type: ProblemType,
    detail?: string,
    extensions: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) {
    super(detail ?? problemTypes[type].title);
    this.type = type;
    this.status = problemTypes[type].status;
    this.detail = detail;
    this.extensions = extensions;
    this.headers = headers;
  }
}

/** The problem+json body of a Problem, with the request id as `instance` correlation. */
export function problemBody(p: Problem, requestId: string | undefined): Record<string, unknown> {
  return {
    type: PROBLEM_BASE + p.type,
    title: problemTypes[p.type].title,
    status: p.status,
    ...(p.detail ? { detail: p.detail } : {}),
    ...(requestId ? { requestId } : {}),
    ...p.extensions,
  };
}

export const ProblemSchema = z
  .object({
    type: z.string().meta({ example: PROBLEM_BASE + "validation-failed" }),
    title: z.string().meta({ example: problemTypes["validation-failed"].title }),
    status: z.number().int().meta({ example: 400 }),
    detail: z.string().optional().meta({ example: "body /channel: Invalid option" }),
    requestId: z.string().optional().meta({ example: "f1c2d3e4-0000-4000-8000-000000000000" }),
    errors: z
      .array(z.object({ in: z.enum(["body", "query", "path", "header"]), pointer: z.string(), reason: z.string() }))
      .optional(),
  })
  .meta({ id: "Problem" });

/** Problem types every authenticated operation can answer with. */
export const AUTH_PROBLEMS: ProblemType[] = [
  "missing-api-key",
  "invalid-api-key",
  "revoked-api-key",
  "expired-api-key",
  "insufficient-scope",
  "key-kind-not-allowed",
  "rate-limited",
];
/** Problem types every operation can answer with. */
export const COMMON_PROBLEMS: ProblemType[] = ["internal-error"];
/** Problem types of every operation that takes a JSON body. */
export const BODY_PROBLEMS: ProblemType[] = [
  "validation-failed",
  "malformed-json",
  "payload-too-large",
  "unsupported-media-type",
];

/** OpenAPI `responses` entries for the given problem types, grouped by status, from the one table. */
export function problemResponses(types: ProblemType[]) {
  const byStatus = new Map<number, ProblemType[]>();
  for (const t of new Set(types)) {
    const s = problemTypes[t].status;
    byStatus.set(s, [...(byStatus.get(s) ?? []), t]);
  }
  const out: Record<
    string,
    { description: string; content: { "application/problem+json": { schema: typeof ProblemSchema } } }
  > = {};
  for (const [status, ts] of [...byStatus.entries()].sort((a, b) => a[0] - b[0])) {
    out[String(status)] = {
      description: ts.map((t) => `\`${t}\`: ${problemTypes[t].title}`).join("; "),
      content: { "application/problem+json": { schema: ProblemSchema } },
    };
  }
  return out;
}
