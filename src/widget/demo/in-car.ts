/**
 * The in-car demo (/demo/in-car): an infotainment screen that asks `decide` with the car's vehicle key whenever the
 * drive state or the time since ignition changes. Nothing is shown while moving, with an unknown drive state or
 * inside the ignition window (the engine defers it); once parked, the deferred action appears: text sized for a
 * glance, at most 3 buttons, and the text that is read aloud.
 */
interface Decision {
  decisionId: string;
  actions: { id: string; category: string; creative: { text?: string; buttons?: string[] } }[];
  notes: string[];
  degraded: boolean;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const config = JSON.parse($("pitwall-demo").textContent ?? "{}") as { vehicleKey: string; vin: string };
const display = $<HTMLElement>("screen");
const clock = $<HTMLElement>("clock");
const driveLabel = $<HTMLElement>("drive-label");
const controls = $<HTMLFormElement>("controls");

let asked = 0;
let ignitionAt = Date.now() - 10 * 60_000;

function state() {
  const f = new FormData(controls);
  const drive = String(f.get("drive") ?? "parked") as "parked" | "moving" | "unknown";
  return { drive, speed: drive === "moving" ? 48 : 0, sinceIgnition: Math.round((Date.now() - ignitionAt) / 1000) };
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, text?: string) {
  const e = document.createElement(tag);
  e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

async function outcome(decisionId: string, actionId: string, type: "click" | "dismiss") {
  await fetch(`/v1/decisions/${encodeURIComponent(decisionId)}/outcomes`, {
    method: "POST",
    headers: { authorization: `Bearer ${config.vehicleKey}`, "content-type": "application/json" },
    body: JSON.stringify({ actionId, type }),
  }).catch(() => {});
}

function quiet(title: string, why: string) {
  display.replaceChildren(el("p", "glance quiet", title), el("p", "why", why));
  display.dataset.state = "quiet";
}

function render(d: Decision) {
  const a = d.actions[0];
  const text = a?.creative.text;
  if (!a || !text) {
    const notes = d.notes.join(" ");
    if (/deferred until parked/.test(notes))
      quiet("Drive safely", "Nothing is shown while the car moves. It waits until you park.");
    else if (/after ignition/.test(notes)) quiet("Welcome", "Messages wait for two minutes after you start the car.");
    else if (/prompts already today/.test(notes)) quiet("All caught up", "That is enough messages for today.");
    else quiet("All caught up", "Nothing new for now.");
    return;
  }
  const buttons = el("div", "buttons");
  (a.creative.buttons ?? []).slice(0, 3).forEach((label, i) => {
    const b = el("button", i === 0 ? "primary" : "secondary", label);
    b.type = "button";
    b.addEventListener("click", () => {
      void outcome(d.decisionId, a.id, i === 0 ? "click" : "dismiss");
      quiet(i === 0 ? "Done" : "OK", i === 0 ? "Sent to your phone." : "We will not bring this up again today.");
    });
    buttons.append(b);
  });
  const spoken = el("p", "spoken");
  spoken.append(el("span", "spoken-label", "Read aloud: "), document.createTextNode(`“${text}”`));
  display.replaceChildren(el("p", a.category === "safety" ? "glance safety" : "glance", text), buttons, spoken);
  display.dataset.state = "shown";
}

async function ask() {
  const n = ++asked;
  const s = state();
  driveLabel.textContent =
    s.drive === "moving" ? `Moving · ${s.speed} km/h` : s.drive === "parked" ? "Parked" : "Drive state unknown";
  display.dataset.state = "asking";
  const res = await fetch("/v1/decide", {
    method: "POST",
    headers: { authorization: `Bearer ${config.vehicleKey}`, "content-type": "application/json" },
    body: JSON.stringify({
      subject: { vin: config.vin },
      channel: "in_vehicle",
      placement: "dashboard",
      limit: 1,
      context: { driveState: s.drive, speedKph: s.speed, secondsSinceIgnition: s.sinceIgnition },
    }),
  }).catch(() => null);
  if (n !== asked) return; // a newer question was asked meanwhile
  if (!res?.ok) return quiet("Offline", "Messages will come back when the connection does.");
  render((await res.json()) as Decision);
}

controls.addEventListener("change", () => void ask());
$<HTMLButtonElement>("ignition").addEventListener("click", () => {
  ignitionAt = Date.now();
  void ask();
});
$<HTMLButtonElement>("skip").addEventListener("click", () => {
  ignitionAt = Date.now() - 150_000;
  void ask();
});
const tick = () => (clock.textContent = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }));
tick();
setInterval(tick, 10_000);
void ask();
export {};
