CREATE TABLE `expiry_warnings` (
	`program_id` text NOT NULL,
	`member_id` text NOT NULL,
	`expires_at` text NOT NULL,
	`points` integer NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`program_id`, `member_id`, `expires_at`)
);
--> statement-breakpoint
CREATE INDEX `expiry_warnings_by_date` ON `expiry_warnings` (`program_id`,`expires_at`);--> statement-breakpoint
CREATE TABLE `job_cursors` (
	`job` text NOT NULL,
	`program_id` text NOT NULL,
	`cursor` text NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`job`, `program_id`)
);
--> statement-breakpoint
CREATE TABLE `job_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`job` text NOT NULL,
	`program_id` text NOT NULL,
	`trigger` text NOT NULL,
	`status` text NOT NULL,
	`started_at` text NOT NULL,
	`finished_at` text,
	`items_done` integer DEFAULT 0 NOT NULL,
	`items_left` integer DEFAULT 0 NOT NULL,
	`errors` integer DEFAULT 0 NOT NULL,
	`last_error` text
);
--> statement-breakpoint
CREATE INDEX `job_runs_by_program` ON `job_runs` (`program_id`,`job`,`started_at`);--> statement-breakpoint
ALTER TABLE `members` ADD `tier_downgrade_at` text;--> statement-breakpoint
ALTER TABLE `members` ADD `tier_locked_until` text;--> statement-breakpoint
CREATE INDEX `members_by_activity` ON `members` (`program_id`,`last_activity_at`,`member_id`);--> statement-breakpoint
CREATE INDEX `lots_open_by_program_expiry` ON `lots` (`program_id`,`expires_at`,`id`) WHERE "lots"."remaining" > 0;