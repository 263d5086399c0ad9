/**
 * Explanations: plain-words reasons from the gates and predicates that made an action eligible. A reason is
 * given only for a signal that holds now, and flagged sensitive when it must never reach the person's screen.
 */
import type { Powertrain } from "../profile/events";
import type { Gates, RuleContext } from "../rules/data";
import type { CompiledAction } from "./catalog";

export interface Reason {
  text: string;
  sensitive: boolean;
}

type Topic = (g: Gates | null, c: RuleContext) => Reason | null;

const plain = (text: string): Reason => ({ text, sensitive: false });
const secret = (text: string): Reason => ({ text, sensitive: true });
const inTime = (days: number, months: number | null) =>
  months !== null && months >= 2 ? `${months} months` : days === 1 ? "1 day" : `${days} days`;
const article = (w: string) => (/^[aeiou]/i.test(w) ? `an ${w}` : `a ${w}`);
const PT: Record<Powertrain, string> = {
  ev: "electric vehicle",
  phev: "plug-in hybrid",
  hybrid: "hybrid",
  ice: "petrol vehicle",
};

const TOPICS: Readonly<Record<string, Topic>> = {
  lease: (g) =>
    g?.leaseEndsInDays != null ? plain(`Lease ends in ${inTime(g.leaseEndsInDays, g.leaseEndsInMonths)}`) : null,
  warranty: (g) =>
    g?.warrantyEndsInDays != null
      ? plain(`Warranty ends in ${inTime(g.warrantyEndsInDays, g.warrantyEndsInMonths)}`)
      : null,
  loan: (g) =>
    g?.loanEndsInDays != null
      ? secret(`Loan ends in ${inTime(g.loanEndsInDays, Math.round(g.loanEndsInDays / 30.44))}`)
      : null,
  equity: (g) => (g?.positiveEquity ? secret("Estimated positive equity in the current vehicle") : null),
  payoff: (g) => (g?.loanPayoffInquirySeen ? secret("Asked about paying off the loan") : null),
  service: (g) => {
    if (!g?.serviceDue || g.serviceDueInDays === null) return g?.serviceDue ? plain("Service due") : null;
    const what = g.nextServiceKind ? g.nextServiceKind.replace(/_/g, " ") : "service";
    const d = g.serviceDueInDays;
    const when = d < 0 ? `overdue by ${inTime(-d, null)}` : d === 0 ? "due now" : `due in ${inTime(d, null)}`;
    return plain(`${what[0]!.toUpperCase()}${what.slice(1)} ${when}`);
  },
  expensive: (g) => (g?.expensiveServiceAhead ? plain("A major service is coming up") : null),
  recentService: (g) =>
    g?.daysSinceService != null && g.daysSinceService <= 30 ? plain("Recent service visit") : null,
  offBrand: (g) => (g?.offBrandVehicles ? plain("Service for your other vehicles") : null),
  recall: (g) =>
    g?.openRecalls ? plain(g.openRecalls === 1 ? "Open safety recall" : `${g.openRecalls} open safety recalls`) : null,
  update: (g) =>
    g?.criticalUpdate
      ? plain("Important software update available")
      : g?.updateAvailable
        ? plain("Software update available")
        : null,
  powertrain: (g) => (g?.powertrain && g.powertrain !== "unknown" ? plain(`For your ${PT[g.powertrain]}`) : null),
  configured: (g) =>
    g?.modelConfiguredRecently && g.configuredModel
      ? plain(`You configured ${article(g.configuredModel)} recently`)
      : null,
  purchase: (g) => (g?.daysSincePurchase != null && g.daysSincePurchase <= 90 ? plain("Recent purchase") : null),
  complaint: (g) => (g?.openComplaint ? secret("Open complaint: service recovery") : null),
  driving: () => secret("Driving data"),
  viewing: (_, c) => (c.model ? plain(`You're viewing the ${c.model}`) : null),
};

const BY_PREDICATE: Readonly<Record<string, string>> = {
  lease_ends_within: "lease",
  warranty_ends_within: "warranty",
  service_due: "service",
  open_recall: "recall",
  powertrain_is: "powertrain",
  positive_equity: "equity",
  loan_payoff_inquiry_seen: "payoff",
  model_configured_recently: "configured",
};

/** The topic a variable path is about, by its first two segments: "gates.leaseEndsInDays" → "lease". */
const BY_VAR: readonly [RegExp, string][] = [
  [/^gates\.lease|^vehicle\.leaseEnd/, "lease"],
  [/^gates\.warranty|^vehicle\.warrantyEnd/, "warranty"],
  [/^gates\.loanEnds/, "loan"],
  [/^gates\.(equity|positiveEquity)|^vehicle\.(loan|appraisal)/, "equity"],
  [/^gates\.loanPayoff|^profile\.loanPayoff/, "payoff"],
  [/^gates\.(serviceDue|nextServiceKind)|^vehicle\.nextService/, "service"],
  [/^gates\.expensiveService/, "expensive"],
  [/^gates\.daysSinceService/, "recentService"],
  [/^gates\.offBrand/, "offBrand"],
  [/^gates\.openRecalls|^vehicle\.openRecalls/, "recall"],
  [/^gates\.(updateAvailable|criticalUpdate)|^vehicle\.updateAvailable/, "update"],
  [/^gates\.powertrain|^vehicle\.powertrain/, "powertrain"],
  [/^gates\.(modelConfigured|configured)|^profile\.interest/, "configured"],
  [/^gates\.daysSincePurchase|^profile\.lastPurchase/, "purchase"],
  [/^gates\.openComplaint|^profile\.voice|^household\.openComplaints/, "complaint"],
  [/^vehicle\.(economy|troubleCodes|batterySoh|driving)/, "driving"],
  [/^context\.model/, "viewing"],
];

const topicsCache = new WeakMap<CompiledAction, readonly string[]>();

function topicsOf(a: CompiledAction): readonly string[] {
  let t = topicsCache.get(a);
  if (t) return t;
  const set = new Set<string>();
  for (const p of a.signals.predicates) if (BY_PREDICATE[p]) set.add(BY_PREDICATE[p]);
  for (const v of a.signals.vars) for (const [re, topic] of BY_VAR) if (re.test(v)) set.add(topic);
  if (a.powertrains) set.add("powertrain");
  t = [...set];
  topicsCache.set(a, t);
  return t;
}

/** Why an action is shown; `gates` is null for an unknown visitor and under GPC (then only context reasons). */
export function explain(a: CompiledAction, gates: Gates | null, context: RuleContext): Reason[] {
  const out: Reason[] = [];
  const topics = topicsOf(a);
  for (let i = 0; i < topics.length; i++) {
    const topic = topics[i]!;
    if (gates === null && topic !== "viewing") continue;
    const r = TOPICS[topic]!(gates, context);
    if (r && !out.some((o) => o.text === r.text)) out.push(r);
  }
  return out;
}
