/**
 * Trip summaries for the monthly driving report (issue 10), read from the events they arrived as: erased with the
 * person like every event, no copy to keep in step. One vehicle's trips go through (tenant, person, time); the same
 * model's through (tenant, type, time), each trip's model taken from its keeper's profile.
 */
import { sql } from "drizzle-orm";
import type { Trip } from "../domain/report/driving";
import type { Database } from "./db";

const parse = (rows: { data: unknown }[]): Trip[] =>
  rows.map((r) => (typeof r.data === "string" ? JSON.parse(r.data) : r.data) as Trip);

export class TripRepo {
  constructor(private readonly d: Database) {}

  /** Trips of `vin` kept by `personId` (its keeper) with event times in [start, end). */
  async ofVehicle(tenantId: string, personId: string, vin: string, start: number, end: number): Promise<Trip[]> {
    const rows = await this.d.db.all<{ data: unknown }>(sql`
      select json_extract(payload, '$.data') as data from events
      where tenant_id = ${tenantId} and person_id = ${personId} and occurred_at >= ${start} and occurred_at < ${end}
        and type = 'trip_summary' and status = 'stored' and json_extract(payload, '$.data.vin') = ${vin}`);
    return parse(rows);
  }

  /** Trips in [start, end) of the tenant's other vehicles whose keeper's profile says they are a `model`. */
  async ofModel(tenantId: string, model: string, exceptVin: string, start: number, end: number): Promise<Trip[]> {
    const rows = await this.d.db.all<{ data: unknown }>(sql`
      select json_extract(e.payload, '$.data') as data from events e
      join profiles p on p.tenant_id = e.tenant_id and p.id = e.person_id
      where e.tenant_id = ${tenantId} and e.type = 'trip_summary' and e.status = 'stored'
        and e.occurred_at >= ${start} and e.occurred_at < ${end}
        and json_extract(e.payload, '$.data.vin') <> ${exceptVin}
        and exists (
          select 1 from json_each(p.doc, '$.vehicles') v
          where json_extract(v.value, '$.vin') = json_extract(e.payload, '$.data.vin')
            and json_extract(v.value, '$.model') = ${model})`);
    return parse(rows);
  }
}
