/**
 * The monthly driving report (issue 10): the vehicle in the caller's scope (a dealer-bound key: its dealer's people
 * only), its trips of the month and the one before, the same model's trips in the tenant, and the household's consent
 * to compare drivers — then the pure report (domain/report/driving.ts).
 */
import { buildDrivingReport, previousMonth, queryRange, type DrivingReport } from "../domain/report/driving";
import type { Store } from "../store";
import type { Scope } from "../store/scope";

/** The report of `vin` for `month`, with the keeper's person id (for the audit log); null when not in scope. */
export async function loadDrivingReport(
  store: Store,
  scope: Scope,
  vin: string,
  month: string,
): Promise<{ report: DrivingReport; personId: string } | null> {
  const found = await store.customers.byIdentity(scope, "vin", vin);
  const vehicle = found?.profile.doc?.vehicles.find((v) => v.vin === vin);
  if (!found || !vehicle) return null;
  const tenantId = scope.tenantId;
  const keeper = found.profile.id;
  const both = queryRange(previousMonth(month), month);
  const one = queryRange(month, month);
  const members = found.household?.doc.members.length ? found.household.doc.members : [keeper];
  const [trips, modelTrips, people] = await Promise.all([
    store.trips.ofVehicle(tenantId, keeper, vin, both.start, both.end),
    vehicle.model ? store.trips.ofModel(tenantId, vehicle.model, vin, one.start, one.end) : Promise.resolve([]),
    members.length === 1 && members[0] === keeper
      ? Promise.resolve([found.profile])
      : store.customers.profilesByIds(tenantId, members),
  ]);
  const householdConsents = members.every(
    (id) => people.find((p) => p.id === id)?.doc?.consent.driverComparisonConsent === true,
  );
  return {
    report: buildDrivingReport({ vin, month, vehicle, trips, modelTrips, householdConsents }),
    personId: keeper,
  };
}
