-- Member tokens: per-program signing keys (rotated, old ones verify until retired), per-member revocation, and the member card codes a till has resolved.
CREATE TABLE `token_signing_keys` (
	`program_id` text NOT NULL,
	`kid` text NOT NULL,
	`secret` text NOT NULL,
	`created_at` text NOT NULL,
	`retired_at` text,
	PRIMARY KEY(`program_id`, `kid`)
);
--> statement-breakpoint
-- One signing key per program at a time: two first uses at once create one key, not two.
CREATE UNIQUE INDEX `token_signing_keys_current` ON `token_signing_keys` (`program_id`) WHERE `retired_at` IS NULL;
--> statement-breakpoint
CREATE TABLE `member_token_revocations` (
	`program_id` text NOT NULL,
	`member_id` text NOT NULL,
	`tokens_valid_after` integer NOT NULL,
	`revoked_at` text NOT NULL,
	PRIMARY KEY(`program_id`, `member_id`)
);
--> statement-breakpoint
CREATE TABLE `card_scans` (
	`program_id` text NOT NULL,
	`member_id` text NOT NULL,
	`step` integer NOT NULL,
	`nonce` text NOT NULL,
	`scope` text NOT NULL,
	`idempotency_key` text NOT NULL,
	`scanned_at` text NOT NULL,
	PRIMARY KEY(`program_id`, `member_id`, `step`, `nonce`)
);
--> statement-breakpoint
CREATE INDEX `card_scans_by_step` ON `card_scans` (`program_id`, `step`);
--> statement-breakpoint
CREATE INDEX `card_scans_by_request` ON `card_scans` (`program_id`, `scope`, `idempotency_key`);
