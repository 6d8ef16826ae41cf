ALTER TABLE `request_logs` ADD `task_id` text;--> statement-breakpoint
ALTER TABLE `tasks` ADD `provider` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `tasks` ADD `run_id` text;--> statement-breakpoint
ALTER TABLE `tasks` ADD `available_at` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `tasks_provider_idx` ON `tasks` (`provider`,`status`);--> statement-breakpoint
CREATE INDEX `tasks_due_idx` ON `tasks` (`status`,`deadline`);