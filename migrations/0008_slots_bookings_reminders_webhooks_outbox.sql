CREATE TABLE `bookings` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`dealer_id` text NOT NULL,
	`slot_id` text NOT NULL,
	`person_id` text NOT NULL,
	`status` text NOT NULL,
	`token_id` text,
	`decision_id` text,
	`action_id` text,
	`created_at` integer NOT NULL,
	`cancelled_at` integer,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `bookings_tenant_token_uq` ON `bookings` (`tenant_id`,`token_id`);--> statement-breakpoint
CREATE INDEX `bookings_tenant_dealer_created_idx` ON `bookings` (`tenant_id`,`dealer_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `bookings_tenant_person_idx` ON `bookings` (`tenant_id`,`person_id`);--> statement-breakpoint
CREATE TABLE `outbox_messages` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`tenant_id` text NOT NULL,
	`type` text NOT NULL,
	`person_id` text,
	`payload` text NOT NULL,
	`created_at` integer NOT NULL,
	`contact_purged_at` integer,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_messages_id_uq` ON `outbox_messages` (`id`);--> statement-breakpoint
CREATE INDEX `outbox_messages_tenant_type_seq_idx` ON `outbox_messages` (`tenant_id`,`type`,`seq`);--> statement-breakpoint
CREATE INDEX `outbox_messages_tenant_person_idx` ON `outbox_messages` (`tenant_id`,`person_id`);--> statement-breakpoint
CREATE INDEX `outbox_messages_created_idx` ON `outbox_messages` (`created_at`);--> statement-breakpoint
CREATE TABLE `reminder_sends` (
	`tenant_id` text NOT NULL,
	`day` text NOT NULL,
	`person_id` text NOT NULL,
	`payload` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`tenant_id`, `day`, `person_id`),
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `reminder_sends_created_idx` ON `reminder_sends` (`created_at`);--> statement-breakpoint
CREATE TABLE `service_slots` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`dealer_id` text NOT NULL,
	`start_at` integer NOT NULL,
	`duration_min` integer NOT NULL,
	`resource` text NOT NULL,
	`capacity` integer NOT NULL,
	`booked` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `service_slots_dealer_start_uq` ON `service_slots` (`tenant_id`,`dealer_id`,`start_at`,`resource`);--> statement-breakpoint
CREATE INDEX `service_slots_tenant_start_idx` ON `service_slots` (`tenant_id`,`start_at`);--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`webhook_id` text NOT NULL,
	`message_id` text NOT NULL,
	`person_id` text,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`last_status` integer,
	`last_error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`delivered_at` integer,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `webhook_deliveries_due_idx` ON `webhook_deliveries` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_tenant_webhook_idx` ON `webhook_deliveries` (`tenant_id`,`webhook_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_message_idx` ON `webhook_deliveries` (`message_id`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_tenant_person_idx` ON `webhook_deliveries` (`tenant_id`,`person_id`);--> statement-breakpoint
CREATE TABLE `webhooks` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`url` text NOT NULL,
	`events` text NOT NULL,
	`secret` text NOT NULL,
	`description` text,
	`created_at` integer NOT NULL,
	`deleted_at` integer,
	FOREIGN KEY (`tenant_id`) REFERENCES `tenants`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `webhooks_tenant_idx` ON `webhooks` (`tenant_id`,`created_at`);