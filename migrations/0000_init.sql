CREATE TABLE `allocations` (
	`redemption_id` text NOT NULL,
	`lot_id` text NOT NULL,
	`program_id` text NOT NULL,
	`points` integer NOT NULL,
	PRIMARY KEY(`redemption_id`, `lot_id`),
	CONSTRAINT "allocations_points_positive" CHECK("allocations"."points" > 0)
);
--> statement-breakpoint
CREATE INDEX `allocations_by_lot` ON `allocations` (`lot_id`);--> statement-breakpoint
CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`program_id` text NOT NULL,
	`role` text NOT NULL,
	`partner_id` text,
	`name` text NOT NULL,
	`key_hash` text NOT NULL,
	`key_prefix` text NOT NULL,
	`created_at` text NOT NULL,
	`revoked_at` text,
	CONSTRAINT "api_keys_partner_role" CHECK(("api_keys"."role" = 'partner') = ("api_keys"."partner_id" IS NOT NULL))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash` ON `api_keys` (`key_hash`);--> statement-breakpoint
CREATE INDEX `api_keys_program` ON `api_keys` (`program_id`);--> statement-breakpoint
CREATE TABLE `entries` (
	`id` text PRIMARY KEY NOT NULL,
	`program_id` text NOT NULL,
	`member_id` text NOT NULL,
	`type` text NOT NULL,
	`points` integer NOT NULL,
	`held_points` integer DEFAULT 0 NOT NULL,
	`lot_id` text,
	`order_id` text,
	`redemption_id` text,
	`partner_id` text,
	`channel` text,
	`details` text DEFAULT '{}' NOT NULL,
	`occurred_at` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `entries_by_member` ON `entries` (`program_id`,`member_id`,`id`);--> statement-breakpoint
CREATE INDEX `entries_by_partner` ON `entries` (`program_id`,`partner_id`,`id`);--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`program_id` text NOT NULL,
	`scope` text NOT NULL,
	`key` text NOT NULL,
	`request_hash` text NOT NULL,
	`status` integer NOT NULL,
	`body` text NOT NULL,
	`created_at` text NOT NULL,
	`expires_at` text NOT NULL,
	PRIMARY KEY(`program_id`, `scope`, `key`)
);
--> statement-breakpoint
CREATE INDEX `idempotency_keys_expiry` ON `idempotency_keys` (`expires_at`);--> statement-breakpoint
CREATE TABLE `lots` (
	`id` text PRIMARY KEY NOT NULL,
	`program_id` text NOT NULL,
	`member_id` text NOT NULL,
	`partner_id` text,
	`order_id` text,
	`points` integer NOT NULL,
	`remaining` integer NOT NULL,
	`earned_at` text NOT NULL,
	`available_at` text NOT NULL,
	`expires_at` text,
	`created_at` text NOT NULL,
	CONSTRAINT "lots_points_positive" CHECK("lots"."points" > 0),
	CONSTRAINT "lots_remaining_in_range" CHECK("lots"."remaining" >= 0 AND "lots"."remaining" <= "lots"."points")
);
--> statement-breakpoint
CREATE INDEX `lots_open_by_member` ON `lots` (`program_id`,`member_id`,`expires_at`) WHERE "lots"."remaining" > 0;--> statement-breakpoint
CREATE INDEX `lots_open_by_expiry` ON `lots` (`expires_at`) WHERE "lots"."remaining" > 0;--> statement-breakpoint
CREATE TABLE `members` (
	`program_id` text NOT NULL,
	`member_id` text NOT NULL,
	`email` text,
	`name` text,
	`attributes` text DEFAULT '{}' NOT NULL,
	`tier` text,
	`qualifying_points` integer DEFAULT 0 NOT NULL,
	`lifetime_earned` integer DEFAULT 0 NOT NULL,
	`debt` integer DEFAULT 0 NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`last_activity_at` text,
	`enrolled_at` text NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`program_id`, `member_id`),
	CONSTRAINT "members_debt_nonnegative" CHECK("members"."debt" >= 0),
	CONSTRAINT "members_counters_nonnegative" CHECK("members"."lifetime_earned" >= 0 AND "members"."qualifying_points" >= 0)
);
--> statement-breakpoint
CREATE TABLE `orders` (
	`program_id` text NOT NULL,
	`issuer` text NOT NULL,
	`order_id` text NOT NULL,
	`member_id` text NOT NULL,
	`accrual_id` text NOT NULL,
	`lot_id` text,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`earned_points` integer NOT NULL,
	`refunded_amount` integer DEFAULT 0 NOT NULL,
	`clawed_back_points` integer DEFAULT 0 NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`program_id`, `issuer`, `order_id`),
	CONSTRAINT "orders_refund_in_range" CHECK("orders"."refunded_amount" >= 0 AND "orders"."refunded_amount" <= "orders"."amount"),
	CONSTRAINT "orders_clawback_in_range" CHECK("orders"."clawed_back_points" >= 0 AND "orders"."clawed_back_points" <= "orders"."earned_points")
);
--> statement-breakpoint
CREATE TABLE `outbox_events` (
	`id` text PRIMARY KEY NOT NULL,
	`program_id` text NOT NULL,
	`member_id` text,
	`partner_id` text,
	`type` text NOT NULL,
	`payload` text NOT NULL,
	`created_at` text NOT NULL,
	`sent_at` text
);
--> statement-breakpoint
CREATE INDEX `outbox_unsent` ON `outbox_events` (`created_at`) WHERE "outbox_events"."sent_at" IS NULL;--> statement-breakpoint
CREATE TABLE `partners` (
	`id` text PRIMARY KEY NOT NULL,
	`program_id` text NOT NULL,
	`name` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `partners_program_name` ON `partners` (`program_id`,`name`);--> statement-breakpoint
CREATE TABLE `programs` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`settings` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `redemptions` (
	`id` text PRIMARY KEY NOT NULL,
	`program_id` text NOT NULL,
	`member_id` text NOT NULL,
	`partner_id` text,
	`status` text NOT NULL,
	`points` integer NOT NULL,
	`value_amount` integer NOT NULL,
	`currency` text NOT NULL,
	`order_id` text,
	`channel` text,
	`hold_expires_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	CONSTRAINT "redemptions_points_positive" CHECK("redemptions"."points" > 0)
);
--> statement-breakpoint
CREATE INDEX `redemptions_by_member` ON `redemptions` (`program_id`,`member_id`,`status`);--> statement-breakpoint
CREATE INDEX `redemptions_open_holds` ON `redemptions` (`hold_expires_at`) WHERE "redemptions"."status" = 'held';