-- Campaign budgets: what each member batch drew on a campaign's budget (or gave back by a refund), and the
-- reservations a budget object found lapsed. The budget's own Durable Object holds the counter; these rows
-- are what it reconciles against. One row per campaign and reservation: a draw written by the member's
-- batch and a lapse marker written by the reconciler exclude each other, so whichever lands first decides.
CREATE TABLE `budget_draws` (
	`program_id` text NOT NULL,
	`campaign_id` text NOT NULL,
	`reservation_id` text NOT NULL,
	`kind` text NOT NULL,
	`member_id` text,
	`points` integer NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`program_id`, `campaign_id`, `reservation_id`),
	CONSTRAINT "budget_draws_kind" CHECK("budget_draws"."kind" IN ('draw', 'return', 'lapsed')),
	CONSTRAINT "budget_draws_points_sign" CHECK(("budget_draws"."kind" = 'draw' AND "budget_draws"."points" > 0) OR ("budget_draws"."kind" = 'return' AND "budget_draws"."points" < 0) OR ("budget_draws"."kind" = 'lapsed' AND "budget_draws"."points" = 0)),
	CONSTRAINT "budget_draws_member" CHECK(("budget_draws"."kind" = 'lapsed') = ("budget_draws"."member_id" IS NULL))
);
--> statement-breakpoint
-- Members' optional birthday (month and day; year optional), and the index the birthday job walks.
ALTER TABLE `members` ADD `birthday_month` integer CONSTRAINT "members_birthday_month" CHECK(`birthday_month` IS NULL OR `birthday_month` BETWEEN 1 AND 12);
--> statement-breakpoint
ALTER TABLE `members` ADD `birthday_day` integer CONSTRAINT "members_birthday_day" CHECK(`birthday_day` IS NULL OR `birthday_day` BETWEEN 1 AND 31);
--> statement-breakpoint
ALTER TABLE `members` ADD `birthday_year` integer;
--> statement-breakpoint
CREATE INDEX `members_by_birthday` ON `members` (`program_id`,`birthday_month`,`birthday_day`,`member_id`) WHERE "members"."birthday_month" IS NOT NULL;
--> statement-breakpoint
-- Activities members earn points for (a review, a share, a survey): one per member, type and reference.
CREATE TABLE `activities` (
	`id` text PRIMARY KEY NOT NULL,
	`program_id` text NOT NULL,
	`member_id` text NOT NULL,
	`type` text NOT NULL,
	`reference` text NOT NULL,
	`status` text NOT NULL,
	`occurred_at` text NOT NULL,
	`attributes` text DEFAULT '{}' NOT NULL,
	`points` integer DEFAULT 0 NOT NULL,
	`entry_id` text,
	`lot_id` text,
	`breakdown` text DEFAULT '[]' NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	CONSTRAINT "activities_status" CHECK("activities"."status" IN ('pending', 'confirmed', 'rejected')),
	CONSTRAINT "activities_points" CHECK("activities"."points" >= 0 AND ("activities"."status" = 'confirmed' OR "activities"."points" = 0))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `activities_once` ON `activities` (`program_id`,`member_id`,`type`,`reference`);
--> statement-breakpoint
CREATE INDEX `activities_by_member` ON `activities` (`program_id`,`member_id`,`id`);
--> statement-breakpoint
-- Bonuses given once per member: the sign-up bonus ('enrollment') and one birthday bonus a year ('birthday:2026').
CREATE TABLE `member_bonuses` (
	`program_id` text NOT NULL,
	`member_id` text NOT NULL,
	`bonus` text NOT NULL,
	`points` integer NOT NULL,
	`entry_id` text,
	`created_at` text NOT NULL,
	PRIMARY KEY(`program_id`, `member_id`, `bonus`)
);
