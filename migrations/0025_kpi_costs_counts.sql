-- KPI rollups of rewards, donations, referrals and activities, written in the batch of the change they count.
-- Program cost beside the points: points redeemed for catalog rewards and for donations (net of cancelled coupons),
-- and the money donations pass on to their causes.
ALTER TABLE `kpi_days` ADD COLUMN `reward_points` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
ALTER TABLE `kpi_days` ADD COLUMN `donation_points` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
ALTER TABLE `kpi_days` ADD COLUMN `donation_amount` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
-- Counts of a day that belong to no channel: 'referral_conversions', 'activity:<type>' (confirmed activities).
CREATE TABLE `kpi_day_counts` (
	`program_id` text NOT NULL,
	`day` text NOT NULL,
	`name` text NOT NULL,
	`value` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`program_id`, `day`, `name`)
);
