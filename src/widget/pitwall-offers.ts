/**
 * <pitwall-offers>: the dealer-site widget, a framework-free custom element served as /widget.js (built by
 * scripts/embed.ts with esbuild). Every element of a page that shares key, API, dealer, channel and model is
 * decided in ONE request (`placements: [...]`); each renders its placement's actions in its shadow DOM.
 *
 *   <script async src="https://pitwall.example/widget.js"></script>
 *   <pitwall-offers key="pk_…" dealer="dlr_…" placement="hero"></pitwall-offers>
 *
 * Attributes: key (publishable key), dealer (dealer id), placement (default "widget"), channel (default
 * "dealer_site"), api (default: the origin /widget.js came from), model and page (request context), limit (1),
 * timeout (ms, 3000), label (the region's name), heading-level (2). State is reflected in `state`:
 * loading | ready | empty. Nothing here blocks paint: the script is async, the request has a deadline and an
 * empty fallback, and nothing is rendered until there is something to show.
 */

interface Creative {
  title?: string;
  body?: string;
  cta?: string;
  imageUrl?: string;
}
interface Action {
  id: string;
  kind: string;
  category: string;
  placement: string;
  creative: Creative;
}
interface Decision {
  decisionId: string;
  actions: Action[];
  visitor?: { visitorId: string; visitorToken: string };
}
type Outcome = "impression" | "click" | "dismiss" | "not_interested";

const SCRIPT_SRC = (document.currentScript as HTMLScriptElement | null)?.src ?? "";
const SCRIPT_ORIGIN = SCRIPT_SRC ? new URL(SCRIPT_SRC).origin : "";

const CSS = `
:host{display:block;font:var(--pitwall-font,inherit);color:var(--pitwall-fg,#1b1f24)}
:host([state=loading]),:host([state=empty]),:host([hidden]){display:none}
section{display:grid;gap:var(--pitwall-gap,12px)}
section:focus{outline:none}
ul{list-style:none;margin:0;padding:0;display:grid;gap:var(--pitwall-gap,12px)}
li{position:relative;background:var(--pitwall-bg,#fff);border:1px solid var(--pitwall-border,#c9d1d9);border-radius:var(--pitwall-radius,10px);padding:16px 44px 16px 16px;box-shadow:var(--pitwall-shadow,0 1px 2px rgba(0,0,0,.06))}
img{display:block;max-width:100%;border-radius:calc(var(--pitwall-radius,10px) - 4px);margin-bottom:8px}
.t{margin:0 0 6px;font-size:var(--pitwall-title-size,1.15rem);line-height:1.3;font-weight:700}
p{margin:0 0 12px;line-height:1.45;color:var(--pitwall-muted,#3d4752)}
.a{display:flex;flex-wrap:wrap;gap:8px;align-items:center}
button{font:inherit;cursor:pointer;border-radius:var(--pitwall-button-radius,6px);min-height:44px;padding:0 16px}
.c{background:var(--pitwall-accent,#0b5cad);color:var(--pitwall-accent-fg,#fff);border:2px solid var(--pitwall-accent,#0b5cad);font-weight:600}
.n{background:transparent;color:var(--pitwall-accent,#0b5cad);border:2px solid transparent;text-decoration:underline}
.x{position:absolute;top:6px;right:6px;min-height:36px;width:36px;padding:0;background:transparent;border:2px solid transparent;color:var(--pitwall-muted,#3d4752);font-size:1.4rem;line-height:1}
button:focus-visible{outline:3px solid var(--pitwall-focus,#1a5fb4);outline-offset:2px}
.s{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;

let sheet: CSSStyleSheet | null = null;
/** A constructed stylesheet (no inline <style>, so host pages need no 'unsafe-inline'), else a <style>. */
function styleInto(root: ShadowRoot): void {
  try {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
    }
    root.adoptedStyleSheets = [sheet];
  } catch {
    const s = document.createElement("style");
    s.textContent = CSS;
    root.append(s);
  }
}

/** First-party storage for the visitor token: localStorage, else sessionStorage, else this page's memory. */
const memory = new Map<string, string>();
function storage(): Pick<Storage, "getItem" | "setItem" | "removeItem"> {
  for (const name of ["localStorage", "sessionStorage"] as const) {
    try {
      const s = window[name];
      s.setItem("pitwall.probe", "1");
      s.removeItem("pitwall.probe");
      return s;
    } catch {
      // Storage disabled (privacy settings, sandboxed frame): try the next.
    }
  }
  return {
    getItem: (k) => memory.get(k) ?? null,
    setItem: (k, v) => void memory.set(k, v),
    removeItem: (k) => void memory.delete(k),
  };
}
const tokenKey = (key: string) => `pitwall.visitor.${key.slice(3, 15)}`;

/** Global Privacy Control as the page sees it. Scripts may not set Sec-GPC (a forbidden header): the body says it. */
const gpc = () => (navigator as Navigator & { globalPrivacyControl?: boolean }).globalPrivacyControl === true;

interface Group {
  api: string;
  key: string;
  dealer: string | null;
  channel: string;
  model: string | null;
  els: PitwallOffers[];
}
const queue = new Map<string, Group>();
let flushTimer: ReturnType<typeof setTimeout> | null = null;
/** Tokens being issued, per key: a second request waits for the first answer instead of minting another visitor. */
const issuing = new Map<string, Promise<string | null>>();

let tickets = 0;
/** Latest request per element: an older answer arriving late never replaces a newer one. */
const ticketOf = new WeakMap<PitwallOffers, number>();

function schedule(el: PitwallOffers): void {
  ticketOf.set(el, ++tickets);
  for (const [k, q] of queue) {
    q.els = q.els.filter((e) => e !== el);
    if (!q.els.length) queue.delete(k);
  }
  const g = el.group();
  if (!g) {
    el.empty();
    return;
  }
  const id = [g.api, g.key, g.dealer, g.channel, g.model].join("|");
  const q = queue.get(id) ?? { ...g, els: [] };
  if (!q.els.includes(el)) q.els.push(el);
  queue.set(id, q);
  if (flushTimer !== null) return;
  // Every element the parser creates before the document is ready joins the same request.
  const later = () => {
    flushTimer = null;
    const groups = [...queue.values()];
    queue.clear();
    for (const grp of groups) void decideGroup(grp);
  };
  flushTimer = setTimeout(() => {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", later, { once: true });
    else later();
  }, 0);
}

async function post(url: string, key: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
    credentials: "omit",
    ...(signal ? { signal } : { keepalive: true }),
  });
}

async function decideGroup(g: Group, retried = false): Promise<void> {
  const store = storage();
  const els = g.els.filter((e) => e.isConnected);
  if (!els.length) return;
  const mine = new Map(els.map((e) => [e, ticketOf.get(e)]));
  const current = (e: PitwallOffers) => ticketOf.get(e) === mine.get(e);
  const placements = [...new Set(els.map((e) => e.placement))].slice(0, 5);
  let token = store.getItem(tokenKey(g.key));
  const minting = !token && issuing.get(g.key);
  if (minting) token = await minting;
  const timeoutMs = Math.max(...els.map((e) => e.timeoutMs));
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  let settle: (t: string | null) => void = () => {};
  if (!token) issuing.set(g.key, new Promise((r) => (settle = r)));
  try {
    const context: Record<string, string> = { page: els[0]!.getAttribute("page") ?? location.pathname };
    if (g.model) context.model = g.model;
    if (navigator.language) context.locale = navigator.language.slice(0, 35);
    const res = await post(
      `${g.api}/v1/decide`,
      g.key,
      {
        ...(token ? { subject: { visitorToken: token } } : {}),
        channel: g.channel,
        placements,
        ...(g.dealer ? { dealerId: g.dealer } : {}),
        context,
        limit: Math.max(...els.map((e) => e.limit)),
        ...(gpc() ? { gpc: true } : {}),
      },
      ctl.signal,
    );
    if (res.status === 403 && token && !retried) {
      // A token this key no longer accepts (another key's, or the brand's secret changed): start over as new.
      store.removeItem(tokenKey(g.key));
      clearTimeout(timer);
      return decideGroup(g, true);
    }
    if (!res.ok) throw new Error(`decide answered ${res.status}`);
    const d = (await res.json()) as Decision;
    if (d.visitor?.visitorToken) {
      store.setItem(tokenKey(g.key), d.visitor.visitorToken);
      settle(d.visitor.visitorToken);
    }
    for (const el of els) if (current(el)) el.show(d, g);
  } catch {
    for (const el of els) if (current(el)) el.empty();
  } finally {
    clearTimeout(timer);
    settle(store.getItem(tokenKey(g.key)));
    issuing.delete(g.key);
  }
}

let seq = 0;
const rid = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}${(seq++).toString(36)}`;

export class PitwallOffers extends HTMLElement {
  static observedAttributes = ["key", "dealer", "placement", "channel", "api", "model"];
  private readonly root: ShadowRoot;
  private observer: IntersectionObserver | null = null;
  private decision: { id: string; api: string; key: string } | null = null;
  private seen = new Set<string>();
  private ready: Promise<string | null>;
  private resolveReady: (t: string | null) => void = () => {};

  constructor() {
    super();
    this.root = this.attachShadow({ mode: "open" });
    styleInto(this.root);
    this.ready = new Promise((r) => (this.resolveReady = r));
  }

  get placement(): string {
    return (this.getAttribute("placement") ?? "widget").trim() || "widget";
  }
  get limit(): number {
    const n = Number(this.getAttribute("limit") ?? 1);
    return Number.isInteger(n) && n >= 1 && n <= 10 ? n : 1;
  }
  get timeoutMs(): number {
    const n = Number(this.getAttribute("timeout") ?? 3000);
    return Number.isFinite(n) && n > 0 ? Math.min(n, 30_000) : 3000;
  }

  /** What this element's request is keyed by; null when it cannot ask (no key). */
  group(): Omit<Group, "els"> | null {
    const key = this.getAttribute("key")?.trim();
    if (!key) return null;
    const api = (this.getAttribute("api") ?? SCRIPT_ORIGIN ?? location.origin).replace(/\/+$/, "") || location.origin;
    return {
      api,
      key,
      dealer: this.getAttribute("dealer")?.trim() || null,
      channel: this.getAttribute("channel")?.trim() || "dealer_site",
      model: this.getAttribute("model")?.trim() || null,
    };
  }

  connectedCallback(): void {
    if (!this.hasAttribute("state")) this.setAttribute("state", "loading");
    schedule(this);
  }
  disconnectedCallback(): void {
    this.observer?.disconnect();
  }
  attributeChangedCallback(_n: string, old: string | null, now: string | null): void {
    if (old !== now && this.isConnected && this.hasAttribute("state")) schedule(this);
  }

  /** Decides again (after the page sent an event that may change what fits). */
  refresh(): void {
    schedule(this);
  }

  /** The visitor token once the first answer issued one (null when none could be had). */
  visitorToken(): Promise<string | null> {
    const g = this.group();
    const t = g && storage().getItem(tokenKey(g.key));
    return t ? Promise.resolve(t) : this.ready;
  }

  /** Sends one event about this visitor (page_view, configurator_build…) with the publishable key. */
  async track(type: string, data: Record<string, unknown>): Promise<boolean> {
    const g = this.group();
    const token = await this.visitorToken();
    if (!g || !token) return false;
    const res = await post(`${g.api}/v1/events`, g.key, {
      events: [
        {
          id: `w-${rid()}`,
          type,
          occurredAt: new Date().toISOString(),
          identifiers: { visitorToken: token },
          data,
        },
      ],
    }).catch(() => null);
    if (!res?.ok) return false;
    const out = (await res.json()) as { results?: { status: string }[] };
    return out.results?.[0]?.status === "accepted";
  }

  /** Renders nothing: the fallback for no key, an error, a refusal or a missed deadline. */
  empty(): void {
    this.observer?.disconnect();
    this.root.replaceChildren();
    this.setAttribute("state", "empty");
    this.resolveReady(this.group() ? storage().getItem(tokenKey(this.group()!.key)) : null);
  }

  show(d: Decision, g: Omit<Group, "els">): void {
    this.resolveReady(storage().getItem(tokenKey(g.key)));
    const actions = d.actions.filter((a) => a.placement === this.placement && a.creative?.title).slice(0, this.limit);
    if (!actions.length) {
      this.empty();
      return;
    }
    this.decision = { id: d.decisionId, api: g.api, key: g.key };
    this.seen = new Set();
    this.observer?.disconnect();
    const level = Math.min(6, Math.max(2, Number(this.getAttribute("heading-level")) || 2));
    const section = document.createElement("section");
    section.setAttribute("part", "container");
    section.setAttribute("role", "region");
    section.setAttribute("aria-label", this.getAttribute("label") ?? "Offers for you");
    section.tabIndex = -1;
    const list = document.createElement("ul");
    list.setAttribute("part", "list");
    list.setAttribute("role", "list");
    const status = document.createElement("p");
    status.className = "s";
    status.setAttribute("role", "status");
    status.setAttribute("part", "status");
    this.observer =
      "IntersectionObserver" in window
        ? new IntersectionObserver(
            (entries) => {
              for (const e of entries)
                if (e.isIntersecting) this.impression((e.target as HTMLElement).dataset.action ?? "");
            },
            { threshold: 0.5 },
          )
        : null;
    actions.forEach((a, i) => {
      const li = document.createElement("li");
      li.setAttribute("part", "card");
      li.dataset.action = a.id;
      const titleId = `pw-${rid()}-${i}`;
      li.setAttribute("aria-labelledby", titleId);
      if (a.creative.imageUrl) {
        const img = document.createElement("img");
        img.src = a.creative.imageUrl;
        img.alt = "";
        img.loading = "lazy";
        img.setAttribute("part", "image");
        li.append(img);
      }
      const h = document.createElement(`h${level}`);
      h.className = "t";
      h.id = titleId;
      h.setAttribute("part", "title");
      h.textContent = a.creative.title ?? "";
      const body = document.createElement("p");
      body.setAttribute("part", "body");
      body.textContent = a.creative.body ?? "";
      const row = document.createElement("div");
      row.className = "a";
      const cta = this.button("c", "cta", a.creative.cta ?? "Learn more", null);
      cta.addEventListener("click", () => this.act(a));
      const no = this.button("n", "not-interested", "Not interested", `Not interested: ${a.creative.title}`);
      no.addEventListener("click", () => this.drop(li, a, "not_interested", status));
      const x = this.button("x", "dismiss", "×", `Dismiss: ${a.creative.title}`);
      x.addEventListener("click", () => this.drop(li, a, "dismiss", status));
      row.append(cta, no);
      li.append(h, body, row, x);
      list.append(li);
      this.observer?.observe(li);
    });
    section.append(list, status);
    this.root.replaceChildren(section);
    this.setAttribute("state", "ready");
    if (!this.observer) for (const a of actions) this.impression(a.id);
    this.dispatchEvent(new CustomEvent("pitwall-ready", { bubbles: true, composed: true, detail: { actions } }));
  }

  private button(cls: string, part: string, text: string, label: string | null): HTMLButtonElement {
    const b = document.createElement("button");
    b.type = "button";
    b.className = cls;
    b.setAttribute("part", part);
    b.textContent = text;
    if (label) b.setAttribute("aria-label", label);
    return b;
  }

  private outcome(actionId: string, type: Outcome): void {
    const d = this.decision;
    if (!d) return;
    void post(`${d.api}/v1/decisions/${encodeURIComponent(d.id)}/outcomes`, d.key, { actionId, type }).catch(() => {});
  }

  private impression(actionId: string): void {
    if (!actionId || this.seen.has(actionId)) return;
    this.seen.add(actionId);
    this.outcome(actionId, "impression");
  }

  private act(a: Action): void {
    this.outcome(a.id, "click");
    const detail = { decisionId: this.decision?.id, actionId: a.id, kind: a.kind, category: a.category };
    this.dispatchEvent(new CustomEvent("pitwall-action", { bubbles: true, composed: true, detail }));
  }

  /** Dismissed or not interested: recorded, removed, announced; focus moves to the next card (or the region). */
  private drop(li: HTMLLIElement, a: Action, type: Outcome, status: HTMLElement): void {
    this.outcome(a.id, type);
    const next = (li.nextElementSibling ?? li.previousElementSibling) as HTMLElement | null;
    this.observer?.unobserve(li);
    li.remove();
    status.textContent = type === "dismiss" ? "Offer dismissed." : "Got it: we will not show this again for a while.";
    const target = next?.querySelector<HTMLElement>("button.c") ?? status.closest("section");
    (target as HTMLElement | null)?.focus();
  }
}

if (!customElements.get("pitwall-offers")) customElements.define("pitwall-offers", PitwallOffers);
