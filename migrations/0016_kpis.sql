-- KPI rollups: written in the same batch as the order, refund or ledger change they count,
-- so a KPI request reads rows per day (or per period) asked for, never the history.
-- Days are the program's local dates (settings.timeZone), 'YYYY-MM-DD'; weeks start on Monday
-- (the week's Monday date), months are 'YYYY-MM'. partner_id is '' for the program itself.

-- Every order, a member's accrual or a guest's order: what refunds reduce and what the triggers count.
CREATE TABLE `kpi_orders` (
	`program_id` text NOT NULL,
	`issuer` text NOT NULL,
	`order_id` text NOT NULL,
	-- 'm:' + memberId, or 'g:' + the storefront's hashed customer reference.
	`customer` text NOT NULL,
	`is_member` integer NOT NULL,
	`channel` text NOT NULL,
	`partner_id` text NOT NULL,
	`amount` integer NOT NULL,
	`refunded_amount` integer DEFAULT 0 NOT NULL,
	`currency` text NOT NULL,
	`day` text NOT NULL,
	-- The member's enrolment month ('' for guests): the cohort the order counts in.
	`cohort` text NOT NULL,
	`occurred_at` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`program_id`, `issuer`, `order_id`),
	CONSTRAINT "kpi_orders_amount" CHECK(`amount` >= 0 AND `refunded_amount` >= 0 AND `refunded_amount` <= `amount`)
);
--> statement-breakpoint
CREATE TABLE `kpi_refunds` (
	`program_id` text NOT NULL,
	`issuer` text NOT NULL,
	`order_id` text NOT NULL,
	`refund_id` text NOT NULL,
	-- The refunded order's customer: a refund never touches another customer's order of the same id.
	`customer` text NOT NULL,
	`amount` integer NOT NULL,
	`day` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`program_id`, `issuer`, `order_id`, `refund_id`),
	CONSTRAINT "kpi_refunds_amount" CHECK(`amount` > 0)
);
--> statement-breakpoint
CREATE TABLE `kpi_days` (
	`program_id` text NOT NULL,
	`day` text NOT NULL,
	`channel` text NOT NULL,
	`partner_id` text NOT NULL,
	`is_member` integer NOT NULL,
	`orders` integer DEFAULT 0 NOT NULL,
	`revenue` integer DEFAULT 0 NOT NULL,
	`refunds` integer DEFAULT 0 NOT NULL,
	`refunded_amount` integer DEFAULT 0 NOT NULL,
	-- Customers whose first order fell on this day (channel and partner of that order).
	`new_customers` integer DEFAULT 0 NOT NULL,
	`enrollments` integer DEFAULT 0 NOT NULL,
	`points_issued` integer DEFAULT 0 NOT NULL,
	`points_redeemed` integer DEFAULT 0 NOT NULL,
	`points_expired` integer DEFAULT 0 NOT NULL,
	`points_clawed_back` integer DEFAULT 0 NOT NULL,
	`tier_moves` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`program_id`, `day`, `channel`, `partner_id`, `is_member`)
);
--> statement-breakpoint
CREATE TABLE `kpi_customers` (
	`program_id` text NOT NULL,
	`customer` text NOT NULL,
	`is_member` integer NOT NULL,
	`first_day` text NOT NULL,
	`first_channel` text NOT NULL,
	`first_partner` text NOT NULL,
	PRIMARY KEY(`program_id`, `customer`)
);
--> statement-breakpoint
-- A customer's presence in a period: kind 'buy' (ordered) or 'redeem' (a member who redeemed).
CREATE TABLE `kpi_customer_periods` (
	`program_id` text NOT NULL,
	`kind` text NOT NULL,
	`grain` text NOT NULL,
	`period` text NOT NULL,
	`customer` text NOT NULL,
	`is_member` integer NOT NULL,
	`prev_period` text NOT NULL,
	`next_period` text NOT NULL,
	`cohort` text NOT NULL,
	`orders` integer DEFAULT 1 NOT NULL,
	PRIMARY KEY(`program_id`, `kind`, `grain`, `customer`, `period`)
);
--> statement-breakpoint
-- Distinct customers per period (kind 'buy'), those also present in the period before, and those with two or
-- more orders; kind 'active': members who ordered or redeemed.
CREATE TABLE `kpi_period_counts` (
	`program_id` text NOT NULL,
	`kind` text NOT NULL,
	`grain` text NOT NULL,
	`period` text NOT NULL,
	`is_member` integer NOT NULL,
	`customers` integer DEFAULT 0 NOT NULL,
	`retained` integer DEFAULT 0 NOT NULL,
	`repeaters` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`program_id`, `kind`, `grain`, `period`, `is_member`)
);
--> statement-breakpoint
-- Per enrolment-month cohort and calendar month: enrolments (month = cohort), members who bought, orders, revenue.
CREATE TABLE `kpi_cohorts` (
	`program_id` text NOT NULL,
	`cohort` text NOT NULL,
	`month` text NOT NULL,
	`enrolled` integer DEFAULT 0 NOT NULL,
	`active` integer DEFAULT 0 NOT NULL,
	`orders` integer DEFAULT 0 NOT NULL,
	`revenue` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`program_id`, `cohort`, `month`)
);
--> statement-breakpoint
-- Points issued per day by rule (and campaign, when the breakdown line names one).
CREATE TABLE `kpi_rule_days` (
	`program_id` text NOT NULL,
	`day` text NOT NULL,
	`partner_id` text NOT NULL,
	`campaign_id` text NOT NULL,
	`rule` text NOT NULL,
	`points` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`program_id`, `day`, `partner_id`, `campaign_id`, `rule`)
);
--> statement-breakpoint
-- Per earn month: points issued, and what of them expired or was clawed back (IFRS 15 B46 breakage history).
CREATE TABLE `kpi_earn_cohorts` (
	`program_id` text NOT NULL,
	`earn_month` text NOT NULL,
	`issued` integer DEFAULT 0 NOT NULL,
	`expired` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`program_id`, `earn_month`)
);
--> statement-breakpoint
-- Running totals of the program now: points in lots and holds, and members per tier ('' for none).
CREATE TABLE `kpi_totals` (
	`program_id` text NOT NULL,
	`name` text NOT NULL,
	`value` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`program_id`, `name`)
);
--> statement-breakpoint
CREATE TABLE `kpi_acquisition_costs` (
	`program_id` text NOT NULL,
	`month` text NOT NULL,
	`channel` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`program_id`, `month`, `channel`),
	CONSTRAINT "kpi_acquisition_costs_amount" CHECK(`amount` >= 0)
);
--> statement-breakpoint
-- The pending points of a program without reading its members' other lots.
CREATE INDEX `lots_open_by_program_availability` ON `lots` (`program_id`,`available_at`) WHERE "lots"."remaining" > 0;
--> statement-breakpoint
CREATE TRIGGER `kpi_order_counts` AFTER INSERT ON `kpi_orders`
BEGIN
	UPDATE kpi_days SET new_customers = new_customers - 1
	WHERE (program_id, day, channel, partner_id, is_member) IN (
		SELECT program_id, first_day, first_channel, first_partner, is_member FROM kpi_customers
		WHERE program_id = NEW.program_id AND customer = NEW.customer AND first_day > NEW.day);
	INSERT INTO kpi_days (program_id, day, channel, partner_id, is_member, orders, revenue, new_customers)
	VALUES (NEW.program_id, NEW.day, NEW.channel, NEW.partner_id, NEW.is_member, 1, NEW.amount,
		NOT EXISTS (SELECT 1 FROM kpi_customers WHERE program_id = NEW.program_id AND customer = NEW.customer AND first_day <= NEW.day))
	ON CONFLICT (program_id, day, channel, partner_id, is_member) DO UPDATE
		SET orders = orders + 1, revenue = revenue + excluded.revenue, new_customers = new_customers + excluded.new_customers;
	INSERT INTO kpi_customers (program_id, customer, is_member, first_day, first_channel, first_partner)
	VALUES (NEW.program_id, NEW.customer, NEW.is_member, NEW.day, NEW.channel, NEW.partner_id)
	ON CONFLICT (program_id, customer) DO UPDATE
		SET first_day = excluded.first_day, first_channel = excluded.first_channel, first_partner = excluded.first_partner
		WHERE excluded.first_day < kpi_customers.first_day;
	INSERT INTO kpi_customer_periods (program_id, kind, grain, period, customer, is_member, prev_period, next_period, cohort)
	SELECT NEW.program_id, k.kind, g.grain, g.period, NEW.customer, NEW.is_member, g.prev, g.next, NEW.cohort
	FROM (SELECT 'buy' AS kind) AS k,
	(SELECT 'day' AS grain, NEW.day AS period, date(NEW.day, '-1 day') AS prev, date(NEW.day, '+1 day') AS next
		UNION ALL SELECT 'week', date(NEW.day, '-6 days', 'weekday 1'), date(NEW.day, '-13 days', 'weekday 1'), date(NEW.day, '+1 day', 'weekday 1')
		UNION ALL SELECT 'month', strftime('%Y-%m', NEW.day), strftime('%Y-%m', NEW.day, 'start of month', '-1 month'), strftime('%Y-%m', NEW.day, 'start of month', '+1 month')) AS g
	WHERE true
	ON CONFLICT (program_id, kind, grain, customer, period) DO UPDATE SET orders = orders + 1;
	INSERT INTO kpi_cohorts (program_id, cohort, month, orders, revenue)
	SELECT NEW.program_id, NEW.cohort, strftime('%Y-%m', NEW.day), 1, NEW.amount WHERE NEW.cohort <> ''
	ON CONFLICT (program_id, cohort, month) DO UPDATE SET orders = orders + 1, revenue = revenue + excluded.revenue;
END;
--> statement-breakpoint
CREATE TRIGGER `kpi_customer_period_counts` AFTER INSERT ON `kpi_customer_periods`
BEGIN
	INSERT INTO kpi_period_counts (program_id, kind, grain, period, is_member, customers, retained)
	SELECT NEW.program_id, NEW.kind, NEW.grain, NEW.period, NEW.is_member, 1,
		EXISTS (SELECT 1 FROM kpi_customer_periods p WHERE p.program_id = NEW.program_id AND p.kind = NEW.kind AND p.grain = NEW.grain AND p.customer = NEW.customer AND p.period = NEW.prev_period)
	WHERE NEW.kind = 'buy'
	ON CONFLICT (program_id, kind, grain, period, is_member) DO UPDATE
		SET customers = customers + 1, retained = retained + excluded.retained;
	UPDATE kpi_period_counts SET retained = retained + 1
	WHERE NEW.kind = 'buy' AND program_id = NEW.program_id AND kind = NEW.kind AND grain = NEW.grain AND period = NEW.next_period AND is_member = NEW.is_member
		AND EXISTS (SELECT 1 FROM kpi_customer_periods p WHERE p.program_id = NEW.program_id AND p.kind = NEW.kind AND p.grain = NEW.grain AND p.customer = NEW.customer AND p.period = NEW.next_period);
	-- Active members: a member's first order or redemption in the period ('redeem' rows are written by redemptions).
	INSERT INTO kpi_period_counts (program_id, kind, grain, period, is_member, customers)
	SELECT NEW.program_id, 'active', NEW.grain, NEW.period, 1, 1
	WHERE NEW.is_member = 1 AND NOT EXISTS (SELECT 1 FROM kpi_customer_periods p WHERE p.program_id = NEW.program_id
		AND p.kind = (CASE NEW.kind WHEN 'buy' THEN 'redeem' ELSE 'buy' END) AND p.grain = NEW.grain AND p.customer = NEW.customer AND p.period = NEW.period)
	ON CONFLICT (program_id, kind, grain, period, is_member) DO UPDATE SET customers = customers + 1;
	INSERT INTO kpi_cohorts (program_id, cohort, month, active)
	SELECT NEW.program_id, NEW.cohort, NEW.period, 1 WHERE NEW.kind = 'buy' AND NEW.grain = 'month' AND NEW.cohort <> ''
	ON CONFLICT (program_id, cohort, month) DO UPDATE SET active = active + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `kpi_customer_period_repeat` AFTER UPDATE OF `orders` ON `kpi_customer_periods`
WHEN NEW.kind = 'buy' AND OLD.orders < 2 AND NEW.orders >= 2
BEGIN
	UPDATE kpi_period_counts SET repeaters = repeaters + 1
	WHERE program_id = NEW.program_id AND kind = NEW.kind AND grain = NEW.grain AND period = NEW.period AND is_member = NEW.is_member;
END;
--> statement-breakpoint
CREATE TRIGGER `kpi_refund_counts` AFTER INSERT ON `kpi_refunds`
BEGIN
	UPDATE kpi_orders SET refunded_amount = refunded_amount + NEW.amount
	WHERE program_id = NEW.program_id AND issuer = NEW.issuer AND order_id = NEW.order_id AND customer = NEW.customer;
	INSERT INTO kpi_days (program_id, day, channel, partner_id, is_member, refunds, refunded_amount)
	SELECT NEW.program_id, NEW.day, o.channel, o.partner_id, o.is_member, 1, NEW.amount FROM kpi_orders o
	WHERE o.program_id = NEW.program_id AND o.issuer = NEW.issuer AND o.order_id = NEW.order_id AND o.customer = NEW.customer
	ON CONFLICT (program_id, day, channel, partner_id, is_member) DO UPDATE
		SET refunds = refunds + 1, refunded_amount = refunded_amount + excluded.refunded_amount;
	INSERT INTO kpi_cohorts (program_id, cohort, month, revenue)
	SELECT NEW.program_id, o.cohort, strftime('%Y-%m', NEW.day), -NEW.amount FROM kpi_orders o
	WHERE o.program_id = NEW.program_id AND o.issuer = NEW.issuer AND o.order_id = NEW.order_id AND o.customer = NEW.customer AND o.cohort <> ''
	ON CONFLICT (program_id, cohort, month) DO UPDATE SET revenue = revenue + excluded.revenue;
END;
