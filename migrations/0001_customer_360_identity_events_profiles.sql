CREATE TABLE `erasures` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`erased_at` integer NOT NULL,
	`events_scrubbed` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `events` (
	`tenant_id` text NOT NULL,
	`id` text NOT NULL,
	`type` text NOT NULL,
	`status` text NOT NULL,
	`person_id` text,
	`origin_person_id` text,
	`occurred_at` integer NOT NULL,
	`received_at` integer NOT NULL,
	`dealer_id` text,
	`payload` text,
	PRIMARY KEY(`tenant_id`, `id`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `events_tenant_person_time_idx` ON `events` (`tenant_id`,`person_id`,`occurred_at`);--> statement-breakpoint
CREATE INDEX `events_tenant_origin_idx` ON `events` (`tenant_id`,`origin_person_id`);--> statement-breakpoint
CREATE TABLE `households` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`ref` text NOT NULL,
	`doc` text NOT NULL,
	`contacts` text,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `households_tenant_ref_uq` ON `households` (`tenant_id`,`ref`);--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`tenant_id` text NOT NULL,
	`key` text NOT NULL,
	`request_hash` text NOT NULL,
	`status` integer NOT NULL,
	`response` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `key`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `identities` (
	`tenant_id` text NOT NULL,
	`value` text NOT NULL,
	`kind` text NOT NULL,
	`person_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `value`, `kind`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `identities_tenant_person_idx` ON `identities` (`tenant_id`,`person_id`);--> statement-breakpoint
CREATE TABLE `merges` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`survivor_id` text NOT NULL,
	`absorbed_id` text NOT NULL,
	`event_id` text,
	`reason` text NOT NULL,
	`moved` text NOT NULL,
	`created_at` integer NOT NULL,
	`undone_at` integer,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `merges_tenant_survivor_idx` ON `merges` (`tenant_id`,`survivor_id`);--> statement-breakpoint
CREATE INDEX `merges_tenant_absorbed_idx` ON `merges` (`tenant_id`,`absorbed_id`);--> statement-breakpoint
CREATE TABLE `profiles` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`dealer_id` text,
	`household_id` text,
	`merged_into` text,
	`doc` text,
	`contacts` text,
	`version` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `profiles_tenant_household_idx` ON `profiles` (`tenant_id`,`household_id`);--> statement-breakpoint
CREATE TABLE `vin_decodes` (
	`pattern` text PRIMARY KEY NOT NULL,
	`data` text NOT NULL,
	`decoded_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `tenants` ADD `makes` text DEFAULT '[]' NOT NULL;