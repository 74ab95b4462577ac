-- Campaigns and their versions. A draft is edited in place (version 1); editing an active or paused
-- campaign adds a version. When each version was in force is kept as intervals by recorded time
-- (campaign_intervals): activate opens one, pause, end and a later version close it, so an order is
-- valued by the versions in force at its occurredAt, however late it is posted.
CREATE TABLE `campaigns` (
	`program_id` text NOT NULL,
	`id` text NOT NULL,
	`status` text NOT NULL,
	`version` integer NOT NULL,
	`revision` integer DEFAULT 1 NOT NULL,
	`name` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`program_id`, `id`),
	CONSTRAINT "campaigns_status" CHECK("campaigns"."status" IN ('draft', 'active', 'paused', 'ended')),
	CONSTRAINT "campaigns_version_positive" CHECK("campaigns"."version" >= 1)
);
--> statement-breakpoint
CREATE INDEX `campaigns_by_program` ON `campaigns` (`program_id`,`created_at`,`id`);--> statement-breakpoint
-- Every change to a campaign steps its revision by exactly one from what the change read: two changes
-- built on the same read cannot both land (the later batch is aborted whole).
CREATE TRIGGER `campaigns_revision_step` BEFORE UPDATE ON `campaigns`
WHEN NEW.`revision` <> OLD.`revision` + 1
BEGIN
  SELECT RAISE(ABORT, 'stale_campaign_revision');
END;
--> statement-breakpoint
CREATE TABLE `campaign_versions` (
	`program_id` text NOT NULL,
	`campaign_id` text NOT NULL,
	`version` integer NOT NULL,
	`definition` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`program_id`, `campaign_id`, `version`)
);
--> statement-breakpoint
CREATE TABLE `campaign_intervals` (
	`program_id` text NOT NULL,
	`campaign_id` text NOT NULL,
	`version` integer NOT NULL,
	`starts_at` text NOT NULL,
	`ends_at` text,
	PRIMARY KEY(`program_id`, `campaign_id`, `version`, `starts_at`),
	CONSTRAINT "campaign_intervals_ordered" CHECK("campaign_intervals"."ends_at" IS NULL OR "campaign_intervals"."ends_at" >= "campaign_intervals"."starts_at")
);
--> statement-breakpoint
-- One row per campaign rule that gave a member points (its breakdown line): what per-member limits and
-- cooldowns count, and what a campaign's stats and budget sum, in typed columns.
CREATE TABLE `member_rule_grants` (
	`program_id` text NOT NULL,
	`member_id` text NOT NULL,
	`campaign_id` text NOT NULL,
	`version` integer NOT NULL,
	`rule_id` text NOT NULL,
	`points` integer NOT NULL,
	`occurred_at` text NOT NULL,
	`entry_id` text NOT NULL,
	`order_id` text,
	`created_at` text NOT NULL,
	PRIMARY KEY(`program_id`, `entry_id`, `campaign_id`, `rule_id`),
	CONSTRAINT "member_rule_grants_points" CHECK("member_rule_grants"."points" >= 0)
);
--> statement-breakpoint
CREATE INDEX `member_rule_grants_by_member` ON `member_rule_grants` (`program_id`,`member_id`,`campaign_id`,`rule_id`,`occurred_at`);--> statement-breakpoint
CREATE INDEX `member_rule_grants_by_campaign` ON `member_rule_grants` (`program_id`,`campaign_id`,`member_id`);--> statement-breakpoint
-- An order's campaign lines, for refunds that name items: written with the accrual when campaign rules gave
-- points, with what refunds have named and given back to each campaign so far.
CREATE TABLE `order_earnings` (
	`program_id` text NOT NULL,
	`issuer` text NOT NULL,
	`order_id` text NOT NULL,
	`breakdown` text NOT NULL,
	`refunded_items` text DEFAULT '[]' NOT NULL,
	`returned` text DEFAULT '[]' NOT NULL,
	PRIMARY KEY(`program_id`, `issuer`, `order_id`)
);
--> statement-breakpoint
-- Whether a member has ordered before (a rule's firstOrder condition), without reading the orders table whole.
CREATE INDEX `orders_by_member` ON `orders` (`program_id`,`member_id`);
