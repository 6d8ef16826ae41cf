CREATE TABLE `backends` (
	`worker_id` text PRIMARY KEY NOT NULL,
	`model_id` text NOT NULL,
	`backend_url` text NOT NULL,
	`capacity` integer NOT NULL,
	`current_load` integer DEFAULT 0 NOT NULL,
	`registered_at` integer NOT NULL,
	`heartbeat_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `backends_model_idx` ON `backends` (`model_id`);--> statement-breakpoint
CREATE TABLE `router_rules` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`priority` integer NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`condition` text NOT NULL,
	`action` text NOT NULL,
	`hits` integer DEFAULT 0 NOT NULL,
	`last_hit_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `router_switch_history` (
	`id` text PRIMARY KEY NOT NULL,
	`value` integer NOT NULL,
	`reason` text NOT NULL,
	`requested_by` text NOT NULL,
	`requested_at` integer NOT NULL,
	`effective_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `routing_settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
DROP INDEX `models_name_idx`;--> statement-breakpoint
ALTER TABLE `models` ADD `priority` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `models` ADD `weight` real DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `models` ADD `limits` text;--> statement-breakpoint
ALTER TABLE `models` ADD `overrides` text;--> statement-breakpoint
CREATE UNIQUE INDEX `models_provider_name_idx` ON `models` (`provider_id`,`name`);--> statement-breakpoint
CREATE INDEX `models_name_idx` ON `models` (`name`);--> statement-breakpoint
ALTER TABLE `providers` ADD `keys` text;--> statement-breakpoint
ALTER TABLE `providers` ADD `overrides` text;--> statement-breakpoint
ALTER TABLE `providers` ADD `owner_user_id` text REFERENCES users(id);--> statement-breakpoint
ALTER TABLE `request_logs` ADD `deployment` text;--> statement-breakpoint
ALTER TABLE `request_logs` ADD `attempt` integer DEFAULT 1 NOT NULL;