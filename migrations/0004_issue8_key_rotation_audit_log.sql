CREATE TABLE `audit_log` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`at` integer NOT NULL,
	`key_id` text,
	`request_id` text NOT NULL,
	`action` text NOT NULL,
	`subject_type` text NOT NULL,
	`subject_id` text,
	`person_id` text,
	`detail` text,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `audit_tenant_at_idx` ON `audit_log` (`tenant_id`,`at`,`id`);--> statement-breakpoint
CREATE INDEX `audit_tenant_person_idx` ON `audit_log` (`tenant_id`,`person_id`);--> statement-breakpoint
CREATE INDEX `audit_tenant_subject_idx` ON `audit_log` (`tenant_id`,`subject_id`);--> statement-breakpoint
ALTER TABLE `api_keys` ADD `previous_hash` text;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `previous_expires_at` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_previous_hash_uq` ON `api_keys` (`previous_hash`);