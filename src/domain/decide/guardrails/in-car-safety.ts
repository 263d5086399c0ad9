/**
 * In-car safety: nothing on the dashboard unless the car is known to be parked (moving, unknown or missing
 * drive state fails closed), nothing in the quiet window after ignition (an unknown ignition time fails closed
 * too), at most N prompts per local day, and the rendered copy re-checked against the payload limits.
 * Safety recalls obey all of it: a distracted driver is the bigger risk. But marketing cannot use up the day's
 * prompts while an open recall has not been shown in the car today: the last one is kept for it. It follows who asks, not what the request
 * names: a vehicle key's decision is in a car whatever channel it claims.
 */
import type { InVehicleCreative } from "../action";
import { templateValues } from "../templates";
import { inCarCopyOk, speakable } from "../validate-action";
import { holdEverything, type Guardrail } from "./types";

export const DEFERRED_UNTIL_PARKED = "in-car: deferred until parked";
export const RESERVED_FOR_SAFETY = "in-car: the day's last prompt is kept for an open safety recall";

export const inCarSafety: Guardrail = {
  name: "in_car_safety",
  prepare({ input, cfg, gates, local, templateData, defer, note }) {
    if (input.channel !== "in_vehicle" && input.keyKind !== "vehicle") return null;
    const c = input.context;
    const moving = c.driveState === "moving" || (c.speedKph ?? 0) > 0;
    if (moving || c.driveState !== "parked") {
      defer(DEFERRED_UNTIL_PARKED);
      const reason = moving ? "the vehicle is moving" : "drive state unknown (fail closed)";
      return holdEverything(reason);
    }
    if (c.secondsSinceIgnition === undefined || c.secondsSinceIgnition < cfg.ignitionQuietSeconds) {
      defer(`in-car: quiet for ${cfg.ignitionQuietSeconds} s after ignition`);
      const reason =
        c.secondsSinceIgnition === undefined
          ? "time since ignition unknown (fail closed)"
          : "within the ignition quiet window";
      return holdEverything(reason);
    }
    const dayStart = local().dayStart;
    const shownToday = new Set<number>();
    let safetyToday = false;
    for (const s of input.contacts?.shown ?? [])
      if (s.channel === "in_vehicle" && s.at >= dayStart) {
        shownToday.add(s.at);
        safetyToday ||= s.category === "safety";
      }
    if (shownToday.size >= cfg.inCarPerLocalDay) {
      defer(`in-car: ${cfg.inCarPerLocalDay} prompts already today`);
      return holdEverything("daily in-car prompt limit reached");
    }
    // While an open recall has not been on the dashboard today, marketing may not use up the day's last prompt.
    const reserved = (gates?.openRecalls ?? 0) > 0 && !safetyToday && shownToday.size >= cfg.inCarPerLocalDay - 1;
    if (reserved) note(RESERVED_FOR_SAFETY);
    const td = templateData();
    // The author's words were checked at upsert; only this decision's values can bring a URL or emoji in.
    const valuesSpeakable = templateValues(td).every(speakable);
    return (a) => {
      if (reserved && a.category !== "safety") return RESERVED_FOR_SAFETY;
      const cr = a.creatives.in_vehicle?.render(td) as InVehicleCreative | undefined;
      return cr && inCarCopyOk(cr.text, cr.buttons, cfg, valuesSpeakable)
        ? null
        : "in-car copy over the payload limits";
    };
  },
};
