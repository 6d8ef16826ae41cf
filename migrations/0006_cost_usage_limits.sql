CREATE TABLE `model_prices` (
	`model` text PRIMARY KEY NOT NULL,
	`input` real NOT NULL,
	`output` real NOT NULL,
	`cached_input` real,
	`cache_write` real,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `usage_daily` (
	`day` text NOT NULL,
	`owner_id` text NOT NULL,
	`key_id` text NOT NULL,
	`model` text NOT NULL,
	`provider` text NOT NULL,
	`lane` text NOT NULL,
	`status` integer NOT NULL,
	`requests` integer NOT NULL,
	`prompt_tokens` integer NOT NULL,
	`completion_tokens` integer NOT NULL,
	`cost_usd` real NOT NULL,
	`list_cost_usd` real NOT NULL,
	`unpriced` integer NOT NULL,
	`latency_ms_sum` integer NOT NULL,
	`le_25` integer DEFAULT 0 NOT NULL,
	`le_50` integer DEFAULT 0 NOT NULL,
	`le_100` integer DEFAULT 0 NOT NULL,
	`le_250` integer DEFAULT 0 NOT NULL,
	`le_500` integer DEFAULT 0 NOT NULL,
	`le_1000` integer DEFAULT 0 NOT NULL,
	`le_2500` integer DEFAULT 0 NOT NULL,
	`le_5000` integer DEFAULT 0 NOT NULL,
	`le_10000` integer DEFAULT 0 NOT NULL,
	`le_30000` integer DEFAULT 0 NOT NULL,
	`le_60000` integer DEFAULT 0 NOT NULL,
	`le_inf` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`day`, `owner_id`, `key_id`, `model`, `provider`, `lane`, `status`)
);
--> statement-breakpoint
CREATE INDEX `usage_daily_owner_idx` ON `usage_daily` (`owner_id`,`day`);--> statement-breakpoint
ALTER TABLE `api_keys` ADD `rpm` integer;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `tpm` integer;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `daily_budget_usd` real;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `monthly_budget_usd` real;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `expires_at` integer;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `allowed_ips` text;--> statement-breakpoint
ALTER TABLE `request_logs` ADD `cost_usd` real;--> statement-breakpoint
ALTER TABLE `request_logs` ADD `list_cost_usd` real;--> statement-breakpoint
ALTER TABLE `tasks` ADD `cost_usd` real;--> statement-breakpoint
ALTER TABLE `users` ADD `rpm` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `tpm` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `daily_budget_usd` real;--> statement-breakpoint
ALTER TABLE `users` ADD `monthly_budget_usd` real;