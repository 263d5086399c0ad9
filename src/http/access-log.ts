/**
 * One access-log line per request (Node): method, path, status, duration, request id and the id of the key
 * that authenticated — never the key itself, the query string (an email or phone may sit there) or a body.
 */
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context";

export interface AccessLogLine {
  time: string;
  level: "info";
  msg: "request";
  method: string;
  path: string;
  status: number;
  durationMs: number;
  requestId: string;
  /** The authenticating key's id (key_…), or null for public routes and failed authentication. */
  keyId: string | null;
}

/** Calls `sink` once per request after the response is built (errors included). */
export function accessLog(sink: (line: AccessLogLine) => void, now: () => number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    sink({
      time: new Date(now()).toISOString(),
      level: "info",
      msg: "request",
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      requestId: c.var.requestId,
      keyId: c.var.principal?.keyId ?? null,
    });
  };
}
