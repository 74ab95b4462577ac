-- Imports: a file of members and their opening balances, staged line by line
-- and applied in chunks through the members' objects (src/imports/).
CREATE TABLE `imports` (
	`id` text PRIMARY KEY NOT NULL,
	`program_id` text NOT NULL,
	-- staging (lines being written), queued, running, completed, failed
	`status` text NOT NULL,
	`format` text NOT NULL,
	`content_hash` text NOT NULL,
	`idempotency_key` text,
	`key_id` text NOT NULL,
	`lines` integer NOT NULL,
	`invalid_lines` integer NOT NULL,
	`chunks` integer NOT NULL,
	`created_at` text NOT NULL,
	`started_at` text,
	`finished_at` text
);
--> statement-breakpoint
-- Re-sending the same file, or the same Idempotency-Key, finds the first import.
CREATE UNIQUE INDEX `imports_by_content` ON `imports` (`program_id`, `content_hash`);
--> statement-breakpoint
CREATE UNIQUE INDEX `imports_by_key` ON `imports` (`program_id`, `idempotency_key`) WHERE `idempotency_key` IS NOT NULL;
--> statement-breakpoint
CREATE INDEX `imports_by_program` ON `imports` (`program_id`, `id`);
--> statement-breakpoint
-- One row per line of the file. `status`: invalid (refused by validation, never
-- applied), pending, done (applied in the member's batch, which sets it), failed.
CREATE TABLE `import_lines` (
	`import_id` text NOT NULL,
	`line` integer NOT NULL,
	`program_id` text NOT NULL,
	`member_id` text,
	`chunk` integer,
	`status` text NOT NULL,
	`data` text,
	`error` text,
	PRIMARY KEY(`import_id`, `line`)
);
--> statement-breakpoint
CREATE INDEX `import_lines_by_chunk` ON `import_lines` (`import_id`, `chunk`, `status`);
--> statement-breakpoint
CREATE INDEX `import_lines_by_member` ON `import_lines` (`import_id`, `member_id`, `status`);
--> statement-breakpoint
CREATE INDEX `import_lines_by_status` ON `import_lines` (`import_id`, `status`, `line`);
--> statement-breakpoint
-- One row per queue message's worth of lines: which are done says where a resumed import stands.
CREATE TABLE `import_chunks` (
	`import_id` text NOT NULL,
	`chunk` integer NOT NULL,
	`program_id` text NOT NULL,
	`status` text NOT NULL,
	`lines` integer NOT NULL,
	`finished_at` text,
	PRIMARY KEY(`import_id`, `chunk`)
);
--> statement-breakpoint
-- A line is applied once: a batch that would mark a done line done again fails whole, posting nothing.
CREATE TRIGGER `import_lines_applied_once` BEFORE UPDATE OF `status` ON `import_lines`
WHEN OLD.`status` = 'done' AND NEW.`status` = 'done'
BEGIN
  SELECT RAISE(ABORT, 'import_line_already_applied');
END;
