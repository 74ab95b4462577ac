-- KPI rollups off the member's path: a member's batch records its change's rollup figures as one row here,
-- and the fold (the fold-kpis job, and every KPI request before it reads) adds them into the rollup tables
-- in chunks, many members' figures summed into one upsert per key. Guests' orders and imports still write the
-- rollups directly; they are not on the accrual path.
CREATE TABLE `kpi_pending` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`program_id` text NOT NULL,
	-- The change's KpiWrites (src/kpis/rollups.ts) as JSON.
	`writes` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `kpi_pending_by_program` ON `kpi_pending` (`program_id`, `seq`);
--> statement-breakpoint
-- The last pending row folded, per program. A fold moves it from what it read to what it folded in the batch
-- that applies the rows, and a fold that read an older value fails on the NOT NULL: no row is ever added twice.
CREATE TABLE `kpi_fold_cursors` (
	`program_id` text PRIMARY KEY NOT NULL,
	`folded_through` integer NOT NULL
);
