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
