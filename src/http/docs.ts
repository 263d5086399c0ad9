/**
 * The interactive reference at /docs: Swagger UI from the swagger-ui-dist package, served by Pitwall itself
 * (no CDN). The page and its start script come from here on both runtimes; the package's files are served
 * under SWAGGER_UI_PATH by the runtime: on Node from node_modules (src/node.ts), on Workers as static assets
 * copied from the package by scripts/docs-assets.mjs (wrangler.toml `[assets]`).
 */

/** Where the package's files are served. */
export const SWAGGER_UI_PATH = "/docs/swagger-ui/";
/** The files of swagger-ui-dist the page needs; nothing else of the package is served. */
export const SWAGGER_UI_FILES = ["swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"] as const;

/**
 * The page's own Content-Security-Policy: scripts and styles only from this origin (Swagger UI sets styles
 * through the DOM, which style-src does not govern), requests ("Try it out") only to this origin. The browser
 * test (tests/browser/docs.test.ts) fails on any violation.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const DOCS_HEADERS = {
  "content-security-policy": DOCS_CSP,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-cache",
};

/** The HTML of /docs: no inline script (CSP), the spec read from this origin. */
export function docsPage(title: string): Response {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} API reference</title>
<link rel="icon" type="image/png" href="${SWAGGER_UI_PATH}favicon-32x32.png">
<link rel="stylesheet" href="${SWAGGER_UI_PATH}swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${SWAGGER_UI_PATH}swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;
  return new Response(html, { headers: { "content-type": "text/html; charset=utf-8", ...DOCS_HEADERS } });
}

/** Starts Swagger UI on /openapi.json (whose `servers` is this origin, so "Try it out" calls this server). */
const INIT_JS = `window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  displayOperationId: true,
  tryItOutEnabled: false,
  persistAuthorization: false,
  validatorUrl: null,
});
`;

export function docsInitScript(): Response {
  return new Response(INIT_JS, {
    headers: { "content-type": "text/javascript; charset=utf-8", ...DOCS_HEADERS },
  });
}

/** Content types of the served package files. */
export function swaggerUiContentType(file: string): string {
  if (file.endsWith(".js")) return "text/javascript; charset=utf-8";
  if (file.endsWith(".css")) return "text/css; charset=utf-8";
  return "image/png";
}
