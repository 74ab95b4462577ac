-- Rewards catalog, claims with their coupons, causes for donations, and the
-- tombstones of stock reservations that lapsed unconfirmed.
CREATE TABLE `causes` (
	`id` text PRIMARY KEY NOT NULL,
	`program_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`url` text,
	`archived_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `causes_by_program` ON `causes` (`program_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `rewards` (
	`id` text PRIMARY KEY NOT NULL,
	`program_id` text NOT NULL,
	`type` text NOT NULL,
	`status` text NOT NULL,
	`cost_points` integer NOT NULL,
	`cause_id` text,
	`definition` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	CONSTRAINT "rewards_cost_positive" CHECK("rewards"."cost_points" > 0)
);
--> statement-breakpoint
CREATE INDEX `rewards_by_program` ON `rewards` (`program_id`,`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `reward_claims` (
	`id` text PRIMARY KEY NOT NULL,
	`program_id` text NOT NULL,
	`member_id` text NOT NULL,
	`reward_id` text NOT NULL,
	`reward_type` text NOT NULL,
	`redemption_id` text NOT NULL,
	`reservation_id` text,
	`points` integer NOT NULL,
	`value_amount` integer,
	`currency` text NOT NULL,
	`cause_id` text,
	`code` text,
	`code_source` text,
	`gives` text NOT NULL,
	`status` text NOT NULL,
	`expires_at` text,
	`return_points_on_expiry` integer NOT NULL,
	`order_id` text,
	`used_at` text,
	`settlement_period` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	CONSTRAINT "reward_claims_points_positive" CHECK("reward_claims"."points" > 0)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reward_claims_code` ON `reward_claims` (`program_id`,`code`) WHERE "reward_claims"."code" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `reward_claims_reservation` ON `reward_claims` (`reservation_id`) WHERE "reward_claims"."reservation_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `reward_claims_by_redemption` ON `reward_claims` (`redemption_id`);--> statement-breakpoint
CREATE INDEX `reward_claims_by_member` ON `reward_claims` (`program_id`,`member_id`,`reward_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `reward_claims_issued_by_expiry` ON `reward_claims` (`program_id`,`expires_at`) WHERE "reward_claims"."status" = 'issued';--> statement-breakpoint
CREATE INDEX `reward_claims_by_cause` ON `reward_claims` (`program_id`,`cause_id`,`settlement_period`) WHERE "reward_claims"."cause_id" IS NOT NULL;--> statement-breakpoint
CREATE TABLE `reward_reservation_voids` (
	`reservation_id` text PRIMARY KEY NOT NULL,
	`program_id` text NOT NULL,
	`reward_id` text NOT NULL,
	`voided_at` text NOT NULL
);
--> statement-breakpoint
-- A coupon changes state once: issued, then used, cancelled or expired. A batch
-- that would move it again (a cancel racing a use) is aborted whole.
CREATE TRIGGER `reward_claims_status_once` BEFORE UPDATE OF `status` ON `reward_claims`
WHEN OLD.`status` <> 'issued'
BEGIN
  SELECT RAISE(ABORT, 'coupon_not_issued');
END;
--> statement-breakpoint
-- A reservation the stock object gave up on (it lapsed, and no claim had
-- committed) can never be claimed afterwards: the unit is back in stock.
CREATE TRIGGER `reward_claims_reservation_open` BEFORE INSERT ON `reward_claims`
WHEN NEW.`reservation_id` IS NOT NULL AND EXISTS (SELECT 1 FROM `reward_reservation_voids` WHERE `reservation_id` = NEW.`reservation_id`)
BEGIN
  SELECT RAISE(ABORT, 'reward_reservation_void');
END;
