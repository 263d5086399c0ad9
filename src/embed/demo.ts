/**
 * Demo pages, served only in demo mode (the local `npm start`, or `npm run dev:worker`, which give the app the demo
 * keys; never in production): /demo/configurator, /demo/in-car and /demo/dealer-site. The pages get the demo keys
 * from the server — the publishable key (public by design) and, for the in-car page, the demo car's vehicle key.
 * The configurator's quote form posts to /demo/configurator/quote, this demo site's own server route, which sends
 * the quote_request with the email to /v1/events with a server key, as an OEM site's backend would: the browser
 * never holds that key, and never attaches an email to a visitor itself.
 */
import type { Context, Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../http/context";
import { Problem } from "../http/problems";
import { sha256Hex } from "../lib/crypto";
import { DEMO_SCRIPTS } from "./assets.generated";
import { DEMO_CSS } from "./demo-css";
import { WIDGET_PATH } from "./widget";
import type { DemoConfig } from "./demo-config";

/** The pages' CSP: scripts, styles and requests only to this origin; nothing inline. */
export const DEMO_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: https:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join("; ");

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);
/** JSON inside <script type="application/json">: no "</script>" can end it early. */
const jsonBlock = (v: unknown) =>
  `<script type="application/json" id="pitwall-demo">${JSON.stringify(v).replace(/</g, "\\u003c")}</script>`;

function page(title: string, body: string, opts: { bodyClass?: string; scripts: string[]; data?: unknown }): Response {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<link rel="stylesheet" href="/demo/demo.css">
</head>
<body${opts.bodyClass ? ` class="${opts.bodyClass}"` : ""}>
${body}
${opts.data === undefined ? "" : jsonBlock(opts.data)}
${opts.scripts.map((s) => `<script src="${s}" defer></script>`).join("\n")}
</body>
</html>
`;
  return new Response(html, {
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": DEMO_CSP,
      "cache-control": "no-store",
    },
  });
}

const banner = (what: string) =>
  `<aside class="demo-banner" aria-label="Demo mode"><p>Demo mode (local only): ${what} <a href="/demo">All demos</a></p></aside>`;

interface DemoDealer {
  id: string;
  name: string;
  city: string | null;
  latitude: number | null;
  longitude: number | null;
}

/** The demo brand's dealers, found through the demo publishable key. */
async function demoDealers(c: Context<AppEnv>, demo: DemoConfig): Promise<DemoDealer[]> {
  const { store } = c.var.deps;
  const key = await store.keys.byHash(await sha256Hex(demo.publishable));
  if (!key) throw new Problem("not-found", "The demo key is not in this database; restart with npm start.");
  const rows = await store.dealers.list({ tenantId: key.tenantId });
  return rows.map((d) => ({ id: d.id, name: d.name, city: d.city, latitude: d.latitude, longitude: d.longitude }));
}

function configurator(demo: DemoConfig, dealers: DemoDealer[]): Response {
  return page(
    "Build your car — configurator demo",
    `${banner("this page gets the demo publishable key from the server; the quote goes through its own server route.")}
<header class="site"><a class="logo" href="/demo/configurator">NISSAN <span class="sr-only">(demo)</span></a>
<nav aria-label="Main"><a href="/demo/dealer-site">Find a dealer</a><a href="/demo/in-car">In the car</a></nav></header>
<main>
<div class="cols">
<section class="panel" aria-labelledby="build-h">
<h1 id="build-h">Build your car</h1>
<form id="build">
<label for="model">Model<select id="model" name="model"></select></label>
<label for="trim">Trim<select id="trim" name="trim"></select></label>
<fieldset id="powertrains"><legend>Powertrain</legend></fieldset>
<label for="location">Your location<select id="location" name="location"></select></label>
<p>Price as built <output id="price" class="price" for="model trim"></output></p>
<button class="primary" type="submit">Save my build</button>
<p id="build-status" class="note" role="status"></p>
</form>
</section>
<aside class="panel" aria-labelledby="next-h">
<h2 id="next-h">Your next step</h2>
<pitwall-offers key="${esc(demo.publishable)}" channel="web_configurator" placement="configurator-next" label="Suggested next step" heading-level="3" timeout="4000"></pitwall-offers>
<p id="dealer-note" class="note"></p>
</aside>
</div>
<section class="panel" aria-labelledby="quote-h">
<h2 id="quote-h">Ask for a quote</h2>
<form id="quote">
<label for="email">Email<input id="email" type="email" name="email" required autocomplete="email"></label>
<button class="primary" type="submit">Request a quote</button>
<p id="quote-status" class="note" role="status"></p>
</form>
<p class="note">Your request goes to this site's own server, which passes it on to the dealer with its server key.</p>
</section>
</main>`,
    { scripts: [WIDGET_PATH, "/demo/configurator.js"], data: { dealers } },
  );
}

function inCar(demo: DemoConfig): Response {
  return page(
    "In-car demo",
    `${banner(`this page uses the demo vehicle key of VIN ${esc(demo.vin)}, handed out by the server.`)}
<div class="car-wrap">
<main class="dash" aria-labelledby="dash-h">
<h1 id="dash-h" class="sr-only">Infotainment screen</h1>
<div class="statusbar"><span id="clock"></span><span id="drive-label"></span><span>Nissan Leaf</span></div>
<section id="screen" aria-live="polite" aria-label="Message for the driver" data-state="asking"></section>
</main>
<aside class="sim" aria-labelledby="sim-h">
<h2 id="sim-h">Demo controls</h2>
<form id="controls">
<fieldset><legend>Drive state</legend>
<label><input type="radio" name="drive" value="parked" checked> Parked</label>
<label><input type="radio" name="drive" value="moving"> Moving</label>
<label><input type="radio" name="drive" value="unknown"> Unknown</label>
</fieldset>
</form>
<button id="ignition" type="button">Start the engine now</button>
<button id="skip" type="button">Skip to 2½ minutes after ignition</button>
<p class="note">Nothing is shown while moving, with an unknown drive state, or within 120 s of ignition; at most two prompts a day.</p>
</aside>
</div>`,
    { bodyClass: "car", scripts: ["/demo/in-car.js"], data: { vehicleKey: demo.vehicle, vin: demo.vin } },
  );
}

function dealerSite(demo: DemoConfig, dealers: DemoDealer[], origin: string): Response {
  const d = dealers.find((x) => x.city === "San Diego") ?? dealers[0];
  const attrs = `key="${esc(demo.publishable)}"${d ? ` dealer="${esc(d.id)}"` : ""} model="Ariya" heading-level="3"`;
  const snippet = `<script async src="${origin}/widget.js"></script>
<pitwall-offers key="pk_…" dealer="${d?.id ?? "dlr_…"}" placement="hero"></pitwall-offers>
<pitwall-offers key="pk_…" dealer="${d?.id ?? "dlr_…"}" placement="sidebar"></pitwall-offers>`;
  return page(
    `${d?.name ?? "Dealer"} — dealer-site demo`,
    `${banner("a dealer's home page with the widget in two placements, decided in one request.")}
<header class="site"><a class="logo" href="/demo/dealer-site">${esc(d?.name ?? "Dealer")}</a>
<nav aria-label="Main"><a href="/demo/configurator">Build your car</a><a href="/demo/in-car">In the car</a></nav></header>
<main>
<section class="hero" aria-labelledby="hero-h"><h1 id="hero-h">${esc(d?.name ?? "Your dealer")}${d?.city ? `, ${esc(d.city)}` : ""}</h1>
<p>New Ariya and Leaf in stock, and service for every make in your driveway.</p></section>
<div class="cols">
<section class="panel" aria-labelledby="featured-h"><h2 id="featured-h">Featured: Nissan Ariya</h2>
<pitwall-offers ${attrs} placement="hero" label="Offers for you"></pitwall-offers></section>
<aside class="panel" aria-labelledby="foryou-h"><h2 id="foryou-h">For you</h2>
<pitwall-offers ${attrs} placement="sidebar" label="More for you"></pitwall-offers>
<p class="note">Nothing here? The widget shows nothing rather than something that does not fit.</p></aside>
</div>
<section class="panel" aria-labelledby="embed-h"><h2 id="embed-h">Embed it on your site</h2>
<pre><code>${esc(snippet)}</code></pre>
<p id="action-status" class="note" role="status"></p></section>
</main>`,
    { scripts: [WIDGET_PATH, "/demo/dealer-site.js"] },
  );
}

function index(): Response {
  return page(
    "Pitwall demos",
    `${banner("these pages exist only in demo mode.")}
<main><section class="panel" aria-labelledby="demos-h"><h1 id="demos-h">Pitwall demos</h1><ul>
<li><a href="/demo/dealer-site">Dealer site</a>: the widget in two placements</li>
<li><a href="/demo/configurator">Configurator</a>: build a car, see the next best action, ask for a quote</li>
<li><a href="/demo/in-car">In the car</a>: nothing while moving, the deferred message once parked</li>
</ul></section></main>`,
    { scripts: [] },
  );
}

const QuoteSchema = z.object({
  visitorToken: z.string().min(1).max(128).nullable(),
  email: z.email().max(254),
  model: z.string().min(1).max(64),
  trim: z.string().min(1).max(64).optional(),
  powertrain: z.enum(["ev", "phev", "hybrid", "ice"]).optional(),
  price: z.number().nonnegative().max(10_000_000).optional(),
  dealerId: z.string().min(1).max(64).optional(),
});

/** Registers the demo routes on `app`: 404 for everything under /demo unless demo mode is on. */
export function registerDemo(app: Hono<AppEnv>): void {
  app.use("/demo/*", async (c, next) => {
    if (!c.var.deps.demo) throw new Problem("not-found", "Demo pages are served only in demo mode (npm start).");
    await next();
  });
  app.use("/demo", async (c, next) => {
    if (!c.var.deps.demo) throw new Problem("not-found", "Demo pages are served only in demo mode (npm start).");
    await next();
  });
  app.get("/demo", () => index());
  app.get("/demo/demo.css", () => asset(DEMO_CSS, "text/css; charset=utf-8"));
  app.get("/demo/:name{[a-z-]+\\.js}", (c) => {
    const src = DEMO_SCRIPTS[c.req.param("name").slice(0, -3) as keyof typeof DEMO_SCRIPTS];
    return src ? asset(src, "text/javascript; charset=utf-8") : c.notFound();
  });
  app.get("/demo/configurator", async (c) => configurator(c.var.deps.demo!, await demoDealers(c, c.var.deps.demo!)));
  app.get("/demo/in-car", (c) => inCar(c.var.deps.demo!));
  app.get("/demo/dealer-site", async (c) =>
    dealerSite(c.var.deps.demo!, await demoDealers(c, c.var.deps.demo!), new URL(c.req.url).origin),
  );
  app.post("/demo/configurator/quote", async (c) => {
    const parsed = QuoteSchema.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success)
      throw new Problem(
        "validation-failed",
        parsed.error.issues.map((i) => `/${i.path.join("/")}: ${i.message}`).join("; "),
        {
          errors: parsed.error.issues.map((i) => ({ in: "body", pointer: `/${i.path.join("/")}`, reason: i.message })),
        },
      );
    const q = parsed.data;
    // The OEM site's backend: its server key links the visitor (by the token the widget holds) to the email.
    const event = {
      id: `demo-quote-${crypto.randomUUID()}`,
      type: "quote_request",
      occurredAt: new Date(c.var.deps.now()).toISOString(),
      identifiers: { email: q.email, ...(q.visitorToken ? { visitorToken: q.visitorToken } : {}) },
      ...(q.dealerId ? { dealerId: q.dealerId } : {}),
      source: "demo-configurator",
      data: {
        model: q.model,
        ...(q.trim ? { trim: q.trim } : {}),
        ...(q.powertrain ? { powertrain: q.powertrain } : {}),
        ...(q.price !== undefined ? { price: q.price } : {}),
      },
    };
    const req = new Request(new URL("/v1/events", c.req.url), {
      method: "POST",
      headers: { authorization: `Bearer ${c.var.deps.demo!.site}`, "content-type": "application/json" },
      body: JSON.stringify({ events: [event] }),
    });
    let ctx: Parameters<typeof app.fetch>[2];
    try {
      ctx = c.executionCtx;
    } catch {
      ctx = undefined; // Node: no execution context
    }
    const res = await app.fetch(req, c.env, ctx);
    if (!res.ok) return res; // the API's own problem+json (a bad dealer id, a store that is down…)
    const r = (
      (await res.json()) as { results?: { status: string; reasons?: { pointer: string; reason: string }[] }[] }
    ).results?.[0];
    if (r?.status !== "accepted")
      throw new Problem(
        "validation-failed",
        (r?.reasons ?? []).map((x) => `${x.pointer}: ${x.reason}`).join("; ") || "the quote request was not accepted",
        { errors: (r?.reasons ?? []).map((x) => ({ in: "body", pointer: x.pointer, reason: x.reason })) },
      );
    return c.json({ status: "accepted", message: "Thank you: the dealer will send your quote by email." });
  });
}

function asset(body: string, type: string): Response {
  return new Response(body, { headers: { "content-type": type, "cache-control": "no-cache" } });
}
