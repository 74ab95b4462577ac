-- Referrals (codes, the referrals themselves, members' hashed fingerprints) and paid or VIP memberships.
CREATE TABLE `referral_codes` (
	`program_id` text NOT NULL,
	`member_id` text NOT NULL,
	`code` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`program_id`, `member_id`)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `referral_codes_by_code` ON `referral_codes` (`program_id`,`code`);
--> statement-breakpoint
-- Only hashes: the storefront hashes device and payment fingerprints, and Treue hashes them again with the program's id.
CREATE TABLE `member_fingerprints` (
	`program_id` text NOT NULL,
	`member_id` text NOT NULL,
	`kind` text NOT NULL,
	`hash` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`program_id`, `member_id`, `kind`, `hash`),
	CONSTRAINT "member_fingerprints_kind" CHECK("member_fingerprints"."kind" IN ('device', 'payment'))
);
--> statement-breakpoint
CREATE TABLE `referrals` (
	`id` text PRIMARY KEY NOT NULL,
	`program_id` text NOT NULL,
	`referrer_id` text NOT NULL,
	`referee_id` text NOT NULL,
	`code` text NOT NULL,
	`status` text NOT NULL,
	`fraud_flags` text DEFAULT '[]' NOT NULL,
	`trigger` text NOT NULL,
	`min_order_amount` integer NOT NULL DEFAULT 0,
	`referrer_points` integer NOT NULL,
	`referee_points` integer NOT NULL,
	`order_issuer` text,
	`order_id` text,
	`order_amount` integer,
	`reward_available_at` text,
	`referrer_lot_id` text,
	`referee_lot_id` text,
	`referee_rewarded_at` text,
	`rewarded_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	CONSTRAINT "referrals_status" CHECK("referrals"."status" IN ('pending', 'qualified', 'completed', 'cancelled', 'rejected')),
	CONSTRAINT "referrals_points" CHECK("referrals"."referrer_points" >= 0 AND "referrals"."referee_points" >= 0)
);
--> statement-breakpoint
-- One referrer per member: a refused attempt is kept beside the one that counts.
CREATE UNIQUE INDEX `referrals_one_per_referee` ON `referrals` (`program_id`,`referee_id`) WHERE "referrals"."status" <> 'rejected';
--> statement-breakpoint
CREATE INDEX `referrals_by_referrer` ON `referrals` (`program_id`,`referrer_id`,`id`);
--> statement-breakpoint
-- The operator's list of the program's referrals, newest first.
CREATE INDEX `referrals_by_program` ON `referrals` (`program_id`,`id`);
--> statement-breakpoint
-- The job walks only referrals with work left.
CREATE INDEX `referrals_open` ON `referrals` (`program_id`,`id`) WHERE "referrals"."status" IN ('pending', 'qualified') OR ("referrals"."status" IN ('completed', 'cancelled') AND "referrals"."referee_rewarded_at" IS NULL);
--> statement-breakpoint
CREATE TABLE `membership_plans` (
	`id` text PRIMARY KEY NOT NULL,
	`program_id` text NOT NULL,
	`name` text NOT NULL,
	`price_amount` integer NOT NULL,
	`price_currency` text NOT NULL,
	`term` text NOT NULL,
	`earning_multiplier_percent` integer NOT NULL DEFAULT 100,
	`free_shipping` integer NOT NULL DEFAULT 0,
	`early_access_days` integer NOT NULL DEFAULT 0,
	`exclusive_rewards` integer NOT NULL DEFAULT 0,
	`renews` integer NOT NULL DEFAULT 1,
	`archived_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	CONSTRAINT "membership_plans_term" CHECK("membership_plans"."term" IN ('month', 'year'))
);
--> statement-breakpoint
CREATE INDEX `membership_plans_by_program` ON `membership_plans` (`program_id`,`id`);
--> statement-breakpoint
CREATE TABLE `memberships` (
	`id` text PRIMARY KEY NOT NULL,
	`program_id` text NOT NULL,
	`member_id` text NOT NULL,
	`plan_id` text NOT NULL,
	`status` text NOT NULL,
	`paid_until` text NOT NULL,
	`external_ref` text,
	`cancel_at_term_end` integer NOT NULL DEFAULT 0,
	`started_at` text NOT NULL,
	`ended_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	CONSTRAINT "memberships_status" CHECK("memberships"."status" IN ('active', 'cancelled', 'lapsed'))
);
--> statement-breakpoint
CREATE INDEX `memberships_by_member` ON `memberships` (`program_id`,`member_id`,`id`);
--> statement-breakpoint
-- The lapse job walks active memberships by the end of what was paid.
CREATE INDEX `memberships_active_by_paid_until` ON `memberships` (`program_id`,`paid_until`,`id`) WHERE "memberships"."status" = 'active';
