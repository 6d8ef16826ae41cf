ALTER TABLE `models` ADD `max_tokens` integer;--> statement-breakpoint
ALTER TABLE `providers` ADD `options` text DEFAULT '{}' NOT NULL;