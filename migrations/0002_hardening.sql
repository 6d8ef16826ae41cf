ALTER TABLE `tasks` ADD `capacity_retries` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `users` ADD `disabled_at` integer;