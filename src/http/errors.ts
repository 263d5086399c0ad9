/** The one error handler: every failure leaves as problem+json with the request id. */
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { InputValidationException, MultiException } from "chanfana";
import type { AppEnv } from "./context";
import { Problem, problemBody, type InvalidParam } from "./problems";

const PART_NAMES: Record<string, InvalidParam["in"]> = {
  body: "body",
  query: "query",
  params: "path",
  headers: "header",
};

/** RFC 6901 pointer of a validation path below its request part. */
function pointer(path: readonly string[]): string {
  return "/" + path.map((p) => p.replace(/~/g, "~0").replace(/\//g, "~1")).join("/");
}

/** chanfana's validation failures, turned into one 400 problem naming every failing field. */
function fromValidation(e: MultiException | InputValidationException): Problem {
  const list = e instanceof MultiException ? e.errors : [e];
  const errors: InvalidParam[] = list.map((x) => {
    const path = ((x as unknown as { path?: unknown[] }).path ?? []).map(String);
    const [part = "body", ...rest] = path;
    return { in: PART_NAMES[part] ?? "body", pointer: pointer(rest), reason: x.message };
  });
  const detail = errors.map((x) => `${x.in} ${x.pointer}: ${x.reason}`).join("; ");
  return new Problem("validation-failed", detail, { errors });
}

/** Renders a Problem as an RFC 9457 response. */
export function problemResponse(c: Context<AppEnv>, p: Problem): Response {
  const res = new Response(JSON.stringify(problemBody(p, c.var.requestId)), {
    status: p.status,
    headers: { "content-type": "application/problem+json", ...p.headers },
  });
  if (c.var.requestId) res.headers.set("X-Request-Id", c.var.requestId);
  return res;
}

export const onError: ErrorHandler<AppEnv> = (err, c) => {
  if (err instanceof Problem) return problemResponse(c, err);
  if (err instanceof MultiException || err instanceof InputValidationException)
    return problemResponse(c, fromValidation(err));
  if (err instanceof HTTPException && err.status < 500) {
    const type = err.status === 413 ? "payload-too-large" : err.status === 404 ? "not-found" : "validation-failed";
    return problemResponse(c, new Problem(type, err.message || undefined));
  }
  // Unexpected: log everything, answer nothing but the request id.
  console.error(
    JSON.stringify({
      level: "error",
      requestId: c.var.requestId,
      path: c.req.path,
      error: String(err),
      stack: (err as Error)?.stack,
    }),
  );
  return problemResponse(
    c,
    new Problem("internal-error", "An unexpected error occurred; quote the request id when reporting it."),
  );
};

/** A path matcher per registered route, to answer 405 (with Allow) instead of 404 for a wrong method. */
export function notFoundOr405(routes: () => { method: string; path: string }[]): NotFoundHandler<AppEnv> {
  let table: { re: RegExp; method: string }[] | undefined;
  return (c) => {
    table ??= routes()
      .filter((r) => r.method !== "ALL" && !r.path.includes("*"))
      .map((r) => ({
        method: r.method,
        re: new RegExp("^" + r.path.replace(/:[^/]+/g, "[^/]+").replace(/\*/g, ".*") + "/?$"),
      }));
    const allowed = [...new Set(table.filter((r) => r.re.test(c.req.path)).map((r) => r.method))];
    // The method is one the path takes: only the trailing slash made the router miss it — no such path, not a 405.
    const asked = c.req.method === "HEAD" ? "GET" : c.req.method;
    if (allowed.length > 0 && !allowed.includes(asked)) {
      if (allowed.includes("GET")) allowed.push("HEAD");
      return problemResponse(
        c,
        new Problem("method-not-allowed", `Use ${allowed.join(", ")}.`, {}, { Allow: allowed.join(", ") }),
      );
    }
    return problemResponse(c, new Problem("not-found", `No operation at ${c.req.method} ${c.req.path}.`));
  };
}
