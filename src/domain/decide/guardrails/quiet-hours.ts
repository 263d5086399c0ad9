/**
 * Quiet hours: no email, app push or dashboard prompt inside the person's quiet hours in their local time
 * (their zone, else the dealer's, else the request's); 21:00-08:00 when they set none. Safety recalls wait too.
 */
import { hhmm, inWindow } from "../time";
import { holdEverything, type Guardrail } from "./types";

export const quietHours: Guardrail = {
  name: "quiet_hours",
  prepare({ input, cfg, local, defer, note }) {
    if (!cfg.quietHoursChannels.includes(input.channel)) return null;
    const qh = input.profile?.consent.quietHours ?? cfg.defaultQuietHours;
    const lt = local();
    if (!lt.known) note("time zone unknown: quiet hours taken in UTC");
    if (!inWindow(lt.minutes, hhmm(qh.start), hhmm(qh.end))) return null;
    const reason = `quiet hours ${qh.start}-${qh.end} (${lt.zone})`;
    defer(`${reason}: deferred until ${qh.end}`);
    return holdEverything(reason);
  },
};
