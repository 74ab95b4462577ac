CREATE TABLE `partner_terms` (
	`program_id` text NOT NULL,
	`partner_id` text NOT NULL,
	`valid_from` text NOT NULL,
	`issue_amount` integer NOT NULL,
	`issue_per_points` integer NOT NULL,
	`redeem_amount` integer NOT NULL,
	`redeem_per_points` integer NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`program_id`, `partner_id`, `valid_from`),
	CONSTRAINT "partner_terms_prices" CHECK("partner_terms"."issue_amount" >= 0 AND "partner_terms"."issue_per_points" > 0 AND "partner_terms"."redeem_amount" >= 0 AND "partner_terms"."redeem_per_points" > 0)
);
--> statement-breakpoint
CREATE TABLE `settlement_periods` (
	`program_id` text NOT NULL,
	`period` text NOT NULL,
	`closed_at` text NOT NULL,
	`statement` text NOT NULL,
	PRIMARY KEY(`program_id`, `period`)
);
--> statement-breakpoint
ALTER TABLE `entries` ADD `settlement_period` text;--> statement-breakpoint
CREATE INDEX `entries_by_period` ON `entries` (`program_id`,`settlement_period`,`type`);--> statement-breakpoint
ALTER TABLE `programs` ADD `closed_through` text;--> statement-breakpoint
-- Closed periods are frozen: an entry may never land in one, even from a
-- batch that was built before the period closed. The writer then retries
-- with the first open period.
CREATE TRIGGER `entries_period_open` BEFORE INSERT ON `entries`
WHEN NEW.`settlement_period` <= (SELECT `closed_through` FROM `programs` WHERE `id` = NEW.`program_id`)
BEGIN
  SELECT RAISE(ABORT, 'settlement_period_closed');
END;
