CREATE TABLE `idempotency_people` (
	`tenant_id` text NOT NULL,
	`person_id` text NOT NULL,
	`key` text NOT NULL,
	PRIMARY KEY(`tenant_id`, `person_id`, `key`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `write_conflicts` (
	`what` text NOT NULL,
	CONSTRAINT "write_conflict" CHECK(0)
);
--> statement-breakpoint
ALTER TABLE `households` ADD `version` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `households` ADD `contacts_version` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `profiles` ADD `contacts_version` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `tenants` ADD `secret` text;--> statement-breakpoint
CREATE INDEX `decisions_created_idx` ON `decisions` (`created_at`);--> statement-breakpoint
CREATE INDEX `idempotency_keys_created_idx` ON `idempotency_keys` (`created_at`);--> statement-breakpoint
CREATE INDEX `outcomes_received_idx` ON `outcomes` (`received_at`);