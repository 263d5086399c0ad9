/**
 * The configurator demo (/demo/configurator): a visitor builds a car; browsing events go to /v1/events with the
 * publishable key (through the widget, which holds the visitor token); the widget shows the next best action at the
 * nearest dealer; the quote form posts to the demo's own server route, which sends the quote_request with the email
 * using a server key, as an OEM site's backend would.
 */
import type { PitwallOffers } from "../pitwall-offers";

interface Dealer {
  id: string;
  name: string;
  city: string | null;
  latitude: number | null;
  longitude: number | null;
}
type Powertrain = "ev" | "phev" | "hybrid" | "ice";

/** Demo models with list prices (USD). */
const MODELS: Record<string, { powertrains: Powertrain[]; trims: [string, number][] }> = {
  Ariya: {
    powertrains: ["ev"],
    trims: [
      ["Engage", 39770],
      ["Evolve+", 47190],
      ["Platinum+", 54190],
    ],
  },
  Leaf: {
    powertrains: ["ev"],
    trims: [
      ["S", 28140],
      ["SV Plus", 36190],
    ],
  },
  Rogue: {
    powertrains: ["ice", "phev"],
    trims: [
      ["S", 29230],
      ["SV", 30720],
      ["Platinum", 39090],
    ],
  },
  Kicks: {
    powertrains: ["ice"],
    trims: [
      ["S", 21830],
      ["SR", 24440],
    ],
  },
};
const POWERTRAIN_NAMES: Record<Powertrain, string> = {
  ev: "Electric",
  phev: "Plug-in hybrid",
  hybrid: "Hybrid",
  ice: "Gasoline",
};
const PHEV_EXTRA = 6500;
const LOCATIONS: Record<string, [number, number]> = {
  "San Diego, CA": [32.7157, -117.1611],
  "Los Angeles, CA": [34.0522, -118.2437],
  "Chicago, IL": [41.8781, -87.6298],
  "Milwaukee, WI": [43.0389, -87.9065],
};

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const config = JSON.parse($("pitwall-demo").textContent ?? "{}") as { dealers: Dealer[] };
const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 0 });

const model = $<HTMLSelectElement>("model");
const trim = $<HTMLSelectElement>("trim");
const powertrains = $<HTMLFieldSetElement>("powertrains");
const location_ = $<HTMLSelectElement>("location");
const price = $<HTMLOutputElement>("price");
const dealerNote = $<HTMLParagraphElement>("dealer-note");
const buildStatus = $<HTMLParagraphElement>("build-status");
const quoteStatus = $<HTMLParagraphElement>("quote-status");
const nba = document.querySelector("pitwall-offers") as PitwallOffers;

const option = (value: string, text: string) => Object.assign(document.createElement("option"), { value, text });
for (const m of Object.keys(MODELS)) model.append(option(m, m));
for (const l of Object.keys(LOCATIONS)) location_.append(option(l, l));

/** Great-circle distance in km. */
function km([a, b]: [number, number], [c, d]: [number, number]): number {
  const r = Math.PI / 180;
  const h = Math.sin(((c - a) * r) / 2) ** 2 + Math.cos(a * r) * Math.cos(c * r) * Math.sin(((d - b) * r) / 2) ** 2;
  return 12742 * Math.asin(Math.sqrt(h));
}

function nearestDealer(): { dealer: Dealer; km: number } | null {
  const here = LOCATIONS[location_.value]!;
  let best: { dealer: Dealer; km: number } | null = null;
  for (const d of config.dealers) {
    if (d.latitude === null || d.longitude === null) continue;
    const dist = km(here, [d.latitude, d.longitude]);
    if (!best || dist < best.km) best = { dealer: d, km: dist };
  }
  return best;
}

function build() {
  const m = MODELS[model.value]!;
  const [trimName, base] = m.trims.find(([t]) => t === trim.value) ?? m.trims[0]!;
  const pt = (powertrains.querySelector<HTMLInputElement>("input:checked")?.value ?? m.powertrains[0]) as Powertrain;
  return { model: model.value, trim: trimName, powertrain: pt, price: base + (pt === "phev" ? PHEV_EXTRA : 0) };
}

function fillModel() {
  const m = MODELS[model.value]!;
  trim.replaceChildren(...m.trims.map(([t, p]) => option(t, `${t} — from ${usd.format(p)}`)));
  const legend = powertrains.querySelector("legend")!;
  powertrains.replaceChildren(legend);
  m.powertrains.forEach((p, i) => {
    const label = document.createElement("label");
    const input = Object.assign(document.createElement("input"), {
      type: "radio",
      name: "powertrain",
      value: p,
      checked: i === 0,
    });
    label.append(input, ` ${POWERTRAIN_NAMES[p]}`);
    powertrains.append(label);
  });
  update();
}

function update() {
  const b = build();
  price.value = usd.format(b.price);
  const near = nearestDealer();
  if (near) {
    nba.setAttribute("dealer", near.dealer.id);
    dealerNote.textContent = `Nearest dealer: ${near.dealer.name}${near.dealer.city ? `, ${near.dealer.city}` : ""} (${Math.round(near.km)} km)`;
  }
  nba.setAttribute("model", b.model);
}

model.addEventListener("change", fillModel);
trim.addEventListener("change", update);
powertrains.addEventListener("change", update);
location_.addEventListener("change", update);

$<HTMLFormElement>("build").addEventListener("submit", async (e) => {
  e.preventDefault();
  const b = build();
  buildStatus.textContent = "Saving your build…";
  const ok = await nba.track("configurator_build", { ...b, currency: "USD" });
  buildStatus.textContent = ok
    ? `Saved: ${b.model} ${b.trim}, ${POWERTRAIN_NAMES[b.powertrain]}, ${usd.format(b.price)}.`
    : "Your build could not be saved just now.";
  if (ok) nba.refresh();
});

$<HTMLFormElement>("quote").addEventListener("submit", async (e) => {
  e.preventDefault();
  const email = $<HTMLInputElement>("email").value.trim();
  quoteStatus.textContent = "Sending your request…";
  const visitorToken = await nba.visitorToken();
  const res = await fetch("/demo/configurator/quote", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ visitorToken, email, dealerId: nearestDealer()?.dealer.id, ...build() }),
  }).catch(() => null);
  const out = res ? ((await res.json().catch(() => ({}))) as { message?: string; detail?: string }) : {};
  quoteStatus.textContent = res?.ok
    ? (out.message ?? "Thank you: your quote is on its way.")
    : `Sorry, that did not work: ${out.detail ?? "please try again."}`;
});

document.addEventListener("pitwall-action", (e) => {
  const d = (e as CustomEvent<{ kind: string }>).detail;
  const near = nearestDealer();
  buildStatus.textContent =
    d.kind === "test_drive"
      ? `A test drive request would now open for ${near?.dealer.name ?? "your dealer"}.`
      : "The offer's page would open here.";
});

fillModel();
void customElements.whenDefined("pitwall-offers").then(async () => {
  await nba.visitorToken();
  await nba.track("page_view", { url: location.href.slice(0, 512), model: model.value });
});
