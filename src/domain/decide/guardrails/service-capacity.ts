/**
 * Service capacity: a service reminder on a channel where the person books a slot themselves (email, app, dealer
 * site) carries 2–3 open slots; with no capacity in the horizon — at the person's dealer, or the next one — it is
 * not offered. A person with an upcoming booking gets no reminder until it has passed. Capacity counts only when
 * the caller looked it up (`input.serviceSlots`): the pure engine without it (unit tests) decides as before.
 */
import { BOOKABLE_CHANNELS } from "../../channels/slots";
import type { Guardrail } from "./types";

export const serviceCapacity: Guardrail = {
  name: "service_capacity",
  concerns: (a) => a.kind === "service_reminder",
  prepare({ input }) {
    if (!BOOKABLE_CHANNELS.has(input.channel)) return null;
    const booked = input.profile?.serviceBooking;
    let reason: string | null = null;
    if (booked && booked.at > input.now) reason = "service already booked";
    else if (input.serviceSlots && !input.serviceSlots.slots.length)
      reason = input.serviceSlots.reason ?? "no open service slot in the horizon";
    if (reason === null) return null;
    return (a) => (a.kind === "service_reminder" ? reason : null);
  },
};
