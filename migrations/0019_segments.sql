-- Per-member statistics kept by every ledger batch, segments over them, and each segment's members.
CREATE TABLE `member_stats` (
	`program_id` text NOT NULL,
	`member_id` text NOT NULL,
	`lifetime_spend` integer DEFAULT 0 NOT NULL,
	`order_count` integer DEFAULT 0 NOT NULL,
	`first_order_at` text,
	`last_order_at` text,
	`available_points` integer DEFAULT 0 NOT NULL,
	`online_orders` integer DEFAULT 0 NOT NULL,
	`store_orders` integer DEFAULT 0 NOT NULL,
	`app_orders` integer DEFAULT 0 NOT NULL,
	`category_spend` text DEFAULT '{}' NOT NULL,
	`last_redemption_at` text,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`program_id`, `member_id`)
);
--> statement-breakpoint
CREATE TABLE `segments` (
	`id` text PRIMARY KEY NOT NULL,
	`program_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`conditions` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `segments_by_program` ON `segments` (`program_id`,`id`);
--> statement-breakpoint
CREATE TABLE `segment_members` (
	`program_id` text NOT NULL,
	`segment_id` text NOT NULL,
	`member_id` text NOT NULL,
	`entered_at` text NOT NULL,
	PRIMARY KEY(`segment_id`, `member_id`)
);
--> statement-breakpoint
CREATE INDEX `segment_members_by_member` ON `segment_members` (`program_id`,`member_id`);
--> statement-breakpoint
CREATE INDEX `reward_claims_coupons_by_member` ON `reward_claims` (`program_id`,`member_id`,`id`) WHERE "reward_claims"."code" IS NOT NULL;
