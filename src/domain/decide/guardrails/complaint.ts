/**
 * Complaint: while anyone in the household has an open complaint, no sales or retention upsell and no survey;
 * service (recovery), safety and information still go out.
 */
import type { Guardrail } from "./types";

export const complaint: Guardrail = {
  name: "complaint",
  concerns: (a) => a.category === "sales" || a.category === "retention" || a.kind === "survey",
  prepare({ input, note }) {
    const own = input.profile?.voice.openComplaints.length ?? 0;
    const household = input.household?.openComplaints ?? 0;
    if (own === 0 && household === 0) return null;
    const reason =
      own > 0
        ? "open complaint: no upsell until it is resolved"
        : "open complaint in the household: no upsell until it is resolved";
    note(reason, true);
    return (a) => (a.category === "sales" || a.category === "retention" || a.kind === "survey" ? reason : null);
  },
};
