/**
 * Consent: the person's own choices win over any model. Marketing needs the channel's consent (an explicit
 * opt-out always blocks; an opt-in is required only with `marketingRequiresOptIn`); an Art. 21 objection to
 * profiling leaves only non-marketing actions (service, safety, info); GPC removes behavioural signals from
 * the rule data and leaves only contextual actions. Safety recalls are never marketing, so consent passes them.
 */
import type { Gates, RuleData } from "../../rules/data";
import { primaryVehicle } from "../gates";
import type { DecisionInput } from "../types";
import { CONSENT_CHANNEL } from "../vocabulary";
import type { Guardrail } from "./types";

const GPC_REASON = "Global Privacy Control: this action needs behavioural signals";
export const GPC_NOTE = "Global Privacy Control: decided on the request context only, without behavioural signals";

export const consent: Guardrail = {
  name: "consent",
  concerns: (a) => a.marketing || !a.contextual || a.powertrains !== null || a.kind === "service_reminder",
  prepare({ input, cfg, note }) {
    const gpc = input.gpc;
    if (gpc) note(GPC_NOTE);
    const p = input.profile;
    let marketing: string | null = null;
    if (p?.consent.profilingObjection) {
      marketing = "objection to profiling for direct marketing (Art. 21)";
      note("Objection to profiling (Art. 21): service, safety and information only");
    } else if (p) {
      const cc = CONSENT_CHANNEL[input.channel];
      const given = cc === null ? undefined : p.consent.marketing[cc];
      if (cc !== null && (given === false || (cfg.marketingRequiresOptIn && given !== true))) {
        marketing = `no marketing consent for ${cc}`;
        note(`No marketing consent for ${cc}: service, safety and information only`);
      }
    }
    // issue 10: an unsubscribe link stops service reminders by email and app (not on pages the person opens).
    const unsubscribed = p?.consent.reminders === false && (input.channel === "email" || input.channel === "app");
    if (!gpc && marketing === null && !unsubscribed) return null;
    // Under GPC a rule that reads the person (even negated: "no open recall") or a powertrain audience would
    // target on behaviour, so only purely contextual actions remain.
    return (a) =>
      unsubscribed && a.kind === "service_reminder"
        ? "unsubscribed from service reminders"
        : marketing !== null && a.marketing
          ? marketing
          : gpc && (!a.contextual || a.powertrains !== null)
            ? GPC_REASON
            : null;
  },
};

/**
 * The rule data a marketing action sees (issue 10): driving behaviour — consumption, trouble codes, monthly driving
 * from trip summaries — only with the person's `drivingDataConsent`. Service, safety and information rules see it
 * (a trouble code is a reason to offer a check). marketingRuleData(data).vehicle?.driving → undefined without consent.
 */
export function marketingRuleData(data: RuleData): RuleData {
  const p = data.profile;
  if (!p || p.consent.drivingDataConsent) return data;
  const vehicles = p.vehicles.map(({ economy: _e, troubleCodes: _t, driving: _d, ...rest }) => rest);
  return { ...data, profile: { ...p, vehicles }, vehicles, vehicle: primaryVehicle(vehicles) };
}

/** The data rules see: under GPC (or for an unknown visitor) the request context and nothing else. */
export function ruleDataFor(input: DecisionInput, gates: Gates | null): RuleData {
  const c = input.context;
  const context = {
    channel: input.channel,
    placement: input.placement,
    page: c.page ?? null,
    model: c.model ?? null,
    locale: c.locale ?? null,
  };
  const p = input.profile;
  if (input.gpc || !p || !gates) return { context };
  return {
    context,
    profile: p,
    vehicle: primaryVehicle(p.vehicles),
    vehicles: p.vehicles,
    household: input.household,
    gates,
  };
}
