-- A member's object reads only its first open lots in spending order (earliest expiry, never-expiring last, then oldest) and its pending ones, by index.
CREATE INDEX `lots_open_by_spending` ON `lots` (`program_id`,`member_id`,ifnull(`expires_at`, '~'),`earned_at`,`id`) WHERE "lots"."remaining" > 0;--> statement-breakpoint
CREATE INDEX `lots_open_by_availability` ON `lots` (`program_id`,`member_id`,`available_at`) WHERE "lots"."remaining" > 0;
