import { AuditRepo } from "./audit";
import { ChannelRepo } from "./channels";
import { OutboxRepo } from "./outbox";
import { CustomerRepo } from "./customers";
import type { Database } from "./db";
import { DealerRepo } from "./dealers";
import { DecisioningRepo } from "./decisioning";
import { IdempotencyRepo } from "./idempotency";
import { KeyRepo } from "./keys";
import { TenantRepo } from "./tenants";
import { TripRepo } from "./trips";

/** The repositories over one database; built once per isolate/process and reached through the context. */
export function createStore(database: Database) {
  return {
    database,
    tenants: new TenantRepo(database),
    dealers: new DealerRepo(database),
    keys: new KeyRepo(database),
    customers: new CustomerRepo(database),
    idempotency: new IdempotencyRepo(database),
    decisioning: new DecisioningRepo(database),
    audit: new AuditRepo(database),
    trips: new TripRepo(database),
    // issue 10: service capacity, bookings, reminder runs; webhooks and the outbox
    channels: new ChannelRepo(database),
    outbox: new OutboxRepo(database),
  };
}
export type Store = ReturnType<typeof createStore>;
export type { Scope } from "./scope";
