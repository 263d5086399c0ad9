/** The household document, a function of its members' profiles. */
import type { HouseholdDoc, Profile } from "./types";

/** Members (sorted), every member's vehicles (off-brand ones too), open complaints across members. */
export function householdDoc(members: ReadonlyMap<string, Profile>): HouseholdDoc {
  const ids = [...members.keys()].sort();
  return {
    members: ids,
    vehicles: ids.flatMap((id) =>
      members.get(id)!.vehicles.map((v) => ({
        vin: v.vin,
        make: v.make,
        model: v.model,
        year: v.year,
        powertrain: v.powertrain,
        onBrand: v.onBrand,
        personId: id,
      })),
    ),
    openComplaints: ids.reduce((n, id) => n + members.get(id)!.voice.openComplaints.length, 0),
  };
}
