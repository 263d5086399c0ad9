/**
 * The property-based fuzzer over openapi/openapi.json (issue 8, item 6). For every operation of the document it
 * generates requests — valid ones from the schemas (spec.ts, arbitrary.ts), with ids of a real tenant's objects as
 * hints, and broken ones: a body with a field dropped, a wrong type, a huge string, odd unicode or an unknown
 * property; bad JSON, no or the wrong content type, an oversized body; empty, malformed or duplicated
 * Authorization and Idempotency-Key headers; odd path and query values, repeated and unknown parameters; every
 * kind of key and none — and checks every answer: a documented status (never a 5xx) with the documented media
 * type, a body matching its documented schema, a documented problem type, and the security headers.
 */
import fc from "fast-check";
import { sealBooking, sealUnsubscribe } from "../../../src/services/channel-tokens";
import type { TenantFixture } from "../fixtures";
import type { Harness } from "../harness";
import { arbitraryFor, fromExample, hinted, mutateValue, oddString, type GenContext } from "./arbitrary";
import { checkAnswer, type SpecOperation } from "./spec";

/** Who sends a case: the keys of a fixture tenant, no key, or a malformed one. */
const CALLERS = [
  "admin",
  "admin",
  "admin",
  "admin",
  "admin",
  "admin",
  "full",
  "dealerBound",
  "decideOnly",
  "publishable",
  "publishableForeign",
  "vehicle",
  "revoked",
  "none",
  "malformed",
] as const;
type Caller = (typeof CALLERS)[number];

type Body = { json: unknown } | { raw: string | Uint8Array; contentType: string | null } | null;

export interface FuzzCase {
  caller: Caller;
  params: Record<string, unknown>;
  query: [string, unknown][];
  headers: [string, string][];
  body: Body;
  /** What was broken on purpose (`valid` when nothing). */
  what: string;
}

export interface FuzzStats {
  requests: number;
  statuses: Record<string, number>;
  serverErrors: number;
  failures: string[];
  ms: number;
}

export const emptyStats = (): FuzzStats => ({ requests: 0, statuses: {}, serverErrors: 0, failures: [], ms: 0 });

export function mergeStats(into: FuzzStats, s: FuzzStats): FuzzStats {
  into.requests += s.requests;
  into.serverErrors += s.serverErrors;
  into.ms += s.ms;
  for (const [k, v] of Object.entries(s.statuses)) into.statuses[k] = (into.statuses[k] ?? 0) + v;
  into.failures.push(...s.failures);
  return into;
}

/** Real ids of the fixture tenant, by the property and parameter names that take them. */
export function hintsOf(a: TenantFixture): GenContext["hints"] {
  return {
    profileId: [a.profileId],
    subject: [a.profileId, a.spareKeyId],
    customerId: [a.customerId],
    visitorId: [a.visitorId, a.browserVisitorId],
    visitorToken: [a.visitorToken],
    vin: [a.vin, "1N4AZ0CP6GC304291", "JN8BT3AB4SW412749"],
    actionId: [a.shownActionId, a.ownActionId, "welcome-content", "lease-renewal"],
    dealerId: [a.dealer.id, a.dealer2.id],
    preferredDealerId: [a.dealer.id],
    decisionId: [a.decisionId],
    keyId: [a.spareKeyId],
    mergeId: [a.mergeId],
    email: ["ann.example@example.com"],
    timeZone: ["Europe/Berlin", "America/Chicago"],
    country: ["DE", "US"],
    occurredAt: [new Date(Date.now() - 3_600_000).toISOString()],
    source: ["fuzz"],
    // issue 10: the fixture's slots (at its second dealer), booking, webhook endpoint and delivery
    slotId: a.slotIds,
    bookingId: [a.bookingId],
    webhookId: [a.webhookId],
    deliveryId: [a.deliveryId],
  };
}

/** Links a person clicks (issue 10): a booking link to the fixture's second slot, and an unsubscribe link. */
async function linkHints(a: TenantFixture): Promise<GenContext["hints"]> {
  const secret = a.tenant.secret;
  if (!secret) return {};
  const booking = await sealBooking(secret, a.tenant.id, {
    p: a.profileId,
    s: a.slotIds[1]!,
    d: a.dealer2.id,
    dec: null,
    a: null,
    exp: Date.now() + 30 * 86_400_000,
  });
  return { token: [booking, await sealUnsubscribe(secret, a.tenant.id, a.profileId)] };
}

const BAD_BODIES: { raw: string | Uint8Array; what: string }[] = [
  { raw: "", what: "empty body" },
  { raw: "{", what: "truncated JSON" },
  { raw: '{"a":1}}', what: "trailing garbage" },
  { raw: "null", what: "JSON null" },
  { raw: "[]", what: "a JSON array" },
  { raw: '"text"', what: "a JSON string" },
  { raw: "\u0000", what: "a NUL byte" },
  { raw: new Uint8Array([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]), what: "UTF-16 bytes" },
  { raw: new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), what: "invalid UTF-8" },
  { raw: `${"[".repeat(5000)}${"]".repeat(5000)}`, what: "5,000 nested arrays" },
  { raw: `${'{"a":'.repeat(3000)}1${"}".repeat(3000)}`, what: "3,000 nested objects" },
];
const CONTENT_TYPES = [
  null,
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/xml",
  "application/json; charset=utf-16",
  "APPLICATION/JSON",
  "application/json-patch+json",
];

/** The arbitrary of cases for one operation. */
export function casesFor(op: SpecOperation, ctx: GenContext): fc.Arbitrary<FuzzCase> {
  // A parameter without hints tries its documented example (the action id the example body names).
  const param = (p: SpecOperation["parameters"][number]) =>
    hinted(p.name, arbitraryFor(p.schema, ctx), {
      ...ctx,
      hints: { ...ctx.hints, [p.name]: ctx.hints[p.name] ?? (p.schema.example ? [p.schema.example] : []) },
    });
  const pathParams = op.parameters.filter((p) => p.in === "path");
  const queryParams = op.parameters.filter((p) => p.in === "query");
  const headerParams = op.parameters.filter((p) => p.in === "header");
  // A path parameter "." or ".." is a dot segment: every URL parser (fetch's too) removes it, so the request
  // would go to another URL (its own 404 or 405), not to this operation.
  const segment = (v: unknown) => v !== "." && v !== ".." && v !== "";
  const params = fc.record(Object.fromEntries(pathParams.map((p) => [p.name, param(p).filter(segment)])));
  const query = fc
    .record(Object.fromEntries(queryParams.map((p) => [p.name, param(p)])), {
      requiredKeys: queryParams.filter((p) => p.required).map((p) => p.name),
    })
    .map((q) => Object.entries(q));
  const headers = fc
    .record(Object.fromEntries(headerParams.map((p) => [p.name, param(p)])), { requiredKeys: [] })
    .map((hs) =>
      Object.entries(hs)
        .filter(([, v]) => v !== null && v !== undefined)
        .map(([k, v]) => [k, asHeader(String(v))] as [string, string]),
    );
  const body: fc.Arbitrary<Body> = op.body
    ? (op.body.example === undefined
        ? arbitraryFor(op.body.schema, ctx)
        : fc.oneof(arbitraryFor(op.body.schema, ctx), fromExample(op.body.schema, op.body.example, ctx))
      ).map((json) => ({ json }))
    : fc.constant(null);
  const valid = fc.record({
    caller: fc.constantFrom(...CALLERS),
    params,
    query,
    headers,
    body,
    what: fc.constant("valid"),
  });

  const broken: fc.Arbitrary<FuzzCase>[] = [];
  if (op.body) {
    broken.push(
      valid.chain((c) =>
        mutateValue((c.body as { json: unknown }).json).map((m) => ({ ...c, body: { json: m.value }, what: m.what })),
      ),
      fc.tuple(valid, fc.constantFrom(...BAD_BODIES)).map(([c, b]) => ({
        ...c,
        body: { raw: b.raw, contentType: "application/json" },
        what: b.what,
      })),
      fc.tuple(valid, fc.constantFrom(...CONTENT_TYPES)).map(([c, ct]) => ({
        ...c,
        body: { raw: JSON.stringify((c.body as { json: unknown }).json), contentType: ct },
        what: `content type ${ct ?? "(none)"}`,
      })),
      valid.map((c) => ({
        ...c,
        body: { raw: `{"pad":"${"x".repeat(1_100_000)}"}`, contentType: "application/json" },
        what: "a 1.1 MB body",
      })),
    );
  }
  // Headers: Authorization and Idempotency-Key empty, malformed or twice; odd Origin and Sec-GPC.
  broken.push(
    fc
      .tuple(
        valid,
        fc.constantFrom(
          ["authorization", ""],
          ["authorization", "Bearer"],
          ["authorization", "Bearer    "],
          ["authorization", "Basic dXNlcjpwYXNz"],
          ["authorization", `Bearer sk_${"A".repeat(200)}`],
          ["authorization", "Bearer pk_short extra"],
          ["idempotency-key", ""],
          ["idempotency-key", "   "],
          ["idempotency-key", "k".repeat(300)],
          ["origin", "null"],
          ["origin", "https://evil.example"],
          ["sec-gpc", "yes"],
          ["x-request-id", "x".repeat(500)],
        ),
        fc.boolean(),
      )
      .map(([c, [name, value], twice]) => ({
        ...c,
        headers: [
          ...c.headers,
          [name, value] as [string, string],
          ...(twice ? [[name, "second"] as [string, string]] : []),
        ],
        what: `${twice ? "duplicated" : "odd"} header ${name}`,
      })),
  );
  if (pathParams.length)
    broken.push(
      fc
        .tuple(
          valid,
          fc.constantFrom(...pathParams.map((p) => p.name)),
          // Never empty or a dot segment: `/v1/keys/` is another URL, not this operation with an odd id.
          fc.oneof(oddString, fc.constant("x".repeat(3000))).filter(segment),
        )
        .map(([c, name, v]) => ({ ...c, params: { ...c.params, [name]: v }, what: `odd path parameter ${name}` })),
    );
  broken.push(
    fc
      .tuple(
        valid,
        fc.oneof(
          fc.constantFrom(...(queryParams.length ? queryParams.map((p) => p.name) : ["unknown"])),
          fc.constant("__proto__"),
        ),
        fc.oneof(oddString, fc.constantFrom("", "0", "-1", "999999999999", "true", "[]")),
      )
      .map(([c, name, v]) => ({
        ...c,
        query: [...c.query, [name, v] as [string, unknown], [name, v] as [string, unknown]],
        what: `repeated or odd query parameter ${name}`,
      })),
  );
  return fc.oneof({ weight: 5, arbitrary: valid }, { weight: 5, arbitrary: fc.oneof(...broken) });
}

/** Header values must be Latin-1 for fetch: odd characters become `?`. */
function asHeader(v: string): string {
  return v.replace(/[^\t\x20-\x7e\x80-\xff]/g, "?").slice(0, 1000);
}

/** encodeURIComponent that survives lone surrogates (sent as U+FFFD). */
function encode(v: unknown): string {
  return encodeURIComponent(
    String(v).replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd"),
  );
}

export interface FuzzTarget {
  h: Harness;
  a: TenantFixture;
}

/** The request of a case. */
export function requestOf(op: SpecOperation, c: FuzzCase, t: FuzzTarget): [string, RequestInit] {
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => encode(c.params[name] ?? ""));
  const qs = c.query
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${encode(k)}=${encode(v)}`)
    .join("&");
  const headers = new Headers();
  const keys = t.a.keys;
  const key: Record<Caller, string | null> = {
    admin: keys.admin,
    full: keys.full,
    dealerBound: keys.dealerBound,
    decideOnly: keys.decideOnly,
    publishable: keys.publishable,
    publishableForeign: keys.publishable,
    vehicle: keys.vehicle,
    revoked: keys.revoked,
    none: null,
    malformed: "sk_short",
  };
  const k = key[c.caller];
  if (k) headers.append("authorization", `Bearer ${k}`);
  if (c.caller === "publishable") headers.append("origin", t.a.origin);
  if (c.caller === "publishableForeign") headers.append("origin", "https://evil.example");
  for (const [name, value] of c.headers) {
    if (name === "authorization" && headers.has(name) && value !== "second") headers.set(name, value);
    else headers.append(name, value);
  }
  // Redirects are answers too: see them, do not follow them.
  const init: RequestInit = { method: op.method, headers, redirect: "manual" };
  if (c.body) {
    if ("json" in c.body) {
      init.body = JSON.stringify(c.body.json) ?? "";
      headers.set("content-type", "application/json");
    } else {
      init.body = c.body.raw as BodyInit;
      if (c.body.contentType) headers.set("content-type", c.body.contentType);
    }
  }
  return [path + (qs ? `?${qs}` : ""), init];
}

/** Sends one case and returns what is wrong with the answer. */
export async function runCase(op: SpecOperation, c: FuzzCase, t: FuzzTarget, stats: FuzzStats): Promise<string[]> {
  const [url, init] = requestOf(op, c, t);
  let res: Response;
  try {
    res = await t.h.fetch(url, init);
  } catch (e) {
    // A request fetch refuses to send (a header it forbids) tests nothing of the server.
    if (e instanceof TypeError) return [];
    throw e;
  }
  const text = await res.text();
  stats.requests++;
  stats.statuses[res.status] = (stats.statuses[res.status] ?? 0) + 1;
  if (res.status >= 500) stats.serverErrors++;
  const wrong = checkAnswer(op, res.status, res.headers.get("content-type"), text);
  if (res.headers.get("x-content-type-options") !== "nosniff") wrong.push("no X-Content-Type-Options: nosniff");
  if (!res.headers.get("x-request-id")) wrong.push("no X-Request-Id");
  if (wrong.length) {
    const line = `${op.id} ${init.method} ${url.slice(0, 200)} (${c.caller}, ${c.what}) → ${res.status}: ${wrong.join("; ")}`;
    stats.failures.push(line);
    return [line];
  }
  return [];
}

/**
 * Fuzzes one operation with `runs` cases (plus any shrinking after a failure). The stats count every request; a
 * wrong answer leaves fast-check's report — the seed and the smallest failing case — in `error`.
 */
export async function fuzzOperation(
  op: SpecOperation,
  t: FuzzTarget,
  opts: { runs: number; seed: number },
): Promise<FuzzStats & { error: string | null }> {
  const stats = emptyStats();
  const t0 = Date.now();
  const ctx: GenContext = { hints: { ...hintsOf(t.a), ...(await linkHints(t.a)) }, now: Date.now() };
  let error: string | null = null;
  try {
    await fc.assert(
      fc.asyncProperty(casesFor(op, ctx), async (c) => {
        const wrong = await runCase(op, c, t, stats);
        if (wrong.length) throw new Error(wrong.join("\n"));
      }),
      { numRuns: opts.runs, seed: opts.seed },
    );
  } catch (e) {
    error = (e as Error).message;
  }
  stats.ms = Date.now() - t0;
  return { ...stats, error };
}
