/** Post-purchase cooling: no new-vehicle sales actions for N days (default 90) after a purchase. */
import { DAY } from "../gates";
import type { Guardrail } from "./types";

export const postPurchaseCooling: Guardrail = {
  name: "post_purchase_cooling",
  concerns: (a) => a.newVehicleSales,
  prepare({ input, cfg }) {
    const at = input.profile?.lastPurchaseAt;
    if (at == null || input.now - at >= cfg.coolingDays * DAY) return null;
    const reason = `purchased ${Math.floor((input.now - at) / DAY)} days ago: ${cfg.coolingDays}-day cooling`;
    return (a) => (a.newVehicleSales ? reason : null);
  },
};
