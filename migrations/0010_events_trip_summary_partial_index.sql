DROP INDEX `events_tenant_type_time_idx`;--> statement-breakpoint
CREATE INDEX `events_tenant_trip_time_idx` ON `events` (`tenant_id`,`occurred_at`) WHERE type = 'trip_summary';