CREATE TABLE `actions` (
	`tenant_id` text NOT NULL,
	`id` text NOT NULL,
	`dealer_id` text,
	`doc` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `id`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `catalog_versions` (
	`tenant_id` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `decisions` (
	`tenant_id` text NOT NULL,
	`id` text NOT NULL,
	`person_id` text,
	`key_id` text NOT NULL,
	`channel` text NOT NULL,
	`placement` text NOT NULL,
	`segment` text NOT NULL,
	`catalog_version` integer NOT NULL,
	`degraded` integer NOT NULL,
	`shown` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `id`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `decisions_tenant_person_time_idx` ON `decisions` (`tenant_id`,`person_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `learner_stats` (
	`tenant_id` text NOT NULL,
	`key` text NOT NULL,
	`shows` integer DEFAULT 0 NOT NULL,
	`successes` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `key`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `outcomes` (
	`tenant_id` text NOT NULL,
	`decision_id` text NOT NULL,
	`action_id` text NOT NULL,
	`type` text NOT NULL,
	`person_id` text,
	`occurred_at` integer NOT NULL,
	`received_at` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `decision_id`, `action_id`, `type`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `outcomes_tenant_person_idx` ON `outcomes` (`tenant_id`,`person_id`);