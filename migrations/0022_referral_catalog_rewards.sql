-- Referral rewards from the catalog. A claim a referral gives costs its member
-- nothing: it has no redemption and 0 points. SQLite changes a CHECK or a NOT
-- NULL only by rebuilding the table, so reward_claims is copied into its new
-- shape, with its indexes (0011, 0019) and triggers made again.
CREATE TABLE `reward_claims_new` (
	`id` text PRIMARY KEY NOT NULL,
	`program_id` text NOT NULL,
	`member_id` text NOT NULL,
	`reward_id` text NOT NULL,
	`reward_type` text NOT NULL,
	`redemption_id` text,
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
	`referral_id` text,
	CONSTRAINT "reward_claims_paid_or_given" CHECK((`redemption_id` IS NOT NULL AND `points` > 0) OR (`redemption_id` IS NULL AND `points` = 0 AND `referral_id` IS NOT NULL))
);
--> statement-breakpoint
INSERT INTO `reward_claims_new` (`id`, `program_id`, `member_id`, `reward_id`, `reward_type`, `redemption_id`, `reservation_id`, `points`, `value_amount`, `currency`, `cause_id`, `code`, `code_source`, `gives`, `status`, `expires_at`, `return_points_on_expiry`, `order_id`, `used_at`, `settlement_period`, `created_at`, `updated_at`)
SELECT `id`, `program_id`, `member_id`, `reward_id`, `reward_type`, `redemption_id`, `reservation_id`, `points`, `value_amount`, `currency`, `cause_id`, `code`, `code_source`, `gives`, `status`, `expires_at`, `return_points_on_expiry`, `order_id`, `used_at`, `settlement_period`, `created_at`, `updated_at` FROM `reward_claims`;
--> statement-breakpoint
DROP TABLE `reward_claims`;
--> statement-breakpoint
ALTER TABLE `reward_claims_new` RENAME TO `reward_claims`;
--> statement-breakpoint
CREATE UNIQUE INDEX `reward_claims_code` ON `reward_claims` (`program_id`,`code`) WHERE "reward_claims"."code" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `reward_claims_reservation` ON `reward_claims` (`reservation_id`) WHERE "reward_claims"."reservation_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `reward_claims_by_redemption` ON `reward_claims` (`redemption_id`);--> statement-breakpoint
CREATE INDEX `reward_claims_by_member` ON `reward_claims` (`program_id`,`member_id`,`reward_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `reward_claims_issued_by_expiry` ON `reward_claims` (`program_id`,`expires_at`) WHERE "reward_claims"."status" = 'issued';--> statement-breakpoint
CREATE INDEX `reward_claims_by_cause` ON `reward_claims` (`program_id`,`cause_id`,`settlement_period`) WHERE "reward_claims"."cause_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `reward_claims_coupons_by_member` ON `reward_claims` (`program_id`,`member_id`,`id`) WHERE "reward_claims"."code" IS NOT NULL;--> statement-breakpoint
CREATE TRIGGER `reward_claims_status_once` BEFORE UPDATE OF `status` ON `reward_claims`
WHEN OLD.`status` <> 'issued'
BEGIN
  SELECT RAISE(ABORT, 'coupon_not_issued');
END;
--> statement-breakpoint
CREATE TRIGGER `reward_claims_reservation_open` BEFORE INSERT ON `reward_claims`
WHEN NEW.`reservation_id` IS NOT NULL AND EXISTS (SELECT 1 FROM `reward_reservation_voids` WHERE `reservation_id` = NEW.`reservation_id`)
BEGIN
  SELECT RAISE(ABORT, 'reward_reservation_void');
END;
--> statement-breakpoint
-- Each side's catalog reward as the settings named it when the referral was
-- recorded, the claim it gave, and what could not be given (out of stock, or
-- no longer offered) instead of a silent loss.
ALTER TABLE `referrals` ADD `referrer_reward_id` text;--> statement-breakpoint
ALTER TABLE `referrals` ADD `referee_reward_id` text;--> statement-breakpoint
ALTER TABLE `referrals` ADD `referrer_claim_id` text;--> statement-breakpoint
ALTER TABLE `referrals` ADD `referee_claim_id` text;--> statement-breakpoint
ALTER TABLE `referrals` ADD `unfulfilled` text DEFAULT '[]' NOT NULL;
