/**
 * GET /widget.js: the <pitwall-offers> element (src/widget/, built into assets.generated.ts). Any site may load it
 * (it holds no secret: a publishable key and its allowed origins decide who may ask), so it is served with
 * `Access-Control-Allow-Origin: *` and `Cross-Origin-Resource-Policy: cross-origin` (a module script or a page with
 * COEP needs them), an ETag, and caching: 5 minutes then revalidation for /widget.js, a year (immutable) for
 * /widget.js?v=<hash> when the hash is the current one.
 */
import type { Context } from "hono";
import type { AppEnv } from "../http/context";
import { WIDGET_HASH, WIDGET_JS } from "./assets.generated";

export const WIDGET_PATH = "/widget.js";
const ETAG = `"${WIDGET_HASH}"`;

/** Headers a public script needs on any host page. */
export const PUBLIC_SCRIPT_HEADERS = {
  "content-type": "text/javascript; charset=utf-8",
  "access-control-allow-origin": "*",
  "cross-origin-resource-policy": "cross-origin",
  "timing-allow-origin": "*",
} as const;

export function serveWidget(c: Context<AppEnv>): Response {
  const immutable = c.req.query("v") === WIDGET_HASH;
  const headers = {
    ...PUBLIC_SCRIPT_HEADERS,
    etag: ETAG,
    "cache-control": immutable
      ? "public, max-age=31536000, immutable"
      : "public, max-age=300, stale-while-revalidate=86400",
  };
  const inm = c.req.header("if-none-match");
  if (inm?.split(",").some((t) => t.trim().replace(/^W\//, "") === ETAG))
    return new Response(null, { status: 304, headers });
  return new Response(c.req.method === "HEAD" ? null : WIDGET_JS, { headers });
}

/** The URL a site should embed: versioned, so it may be cached for a year. */
export function widgetUrl(origin: string): string {
  return `${origin}${WIDGET_PATH}?v=${WIDGET_HASH}`;
}
