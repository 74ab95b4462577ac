-- Erasure reaches every copy of a member's data: the stored answers of their requests and the webhook events about them.
-- The member an idempotency record answered for (null: a guest order, or a record written before this column).
ALTER TABLE `idempotency_keys` ADD `member_id` text;
--> statement-breakpoint
CREATE INDEX `idempotency_keys_by_member` ON `idempotency_keys` (`program_id`, `member_id`) WHERE `member_id` IS NOT NULL;
--> statement-breakpoint
-- The events about one member: what erasure scrubs and export reads (the outbox had no index by member).
CREATE INDEX `outbox_by_member` ON `outbox_events` (`program_id`, `member_id`, `created_at`) WHERE `member_id` IS NOT NULL;
