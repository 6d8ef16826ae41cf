ALTER TABLE `tasks` ADD `provider` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `tasks` ADD `run_id` text;--> statement-breakpoint
CREATE INDEX `tasks_provider_idx` ON `tasks` (`provider`,`status`);