-- Data protection: an erased member keeps their id (a pseudonym from now on) with every sum, and loses what is personal.
ALTER TABLE `members` ADD `erased_at` text;
--> statement-breakpoint
-- Marketing consent, and when and how it was given or withdrawn (null: never asked).
ALTER TABLE `members` ADD `marketing_consent` integer;
--> statement-breakpoint
ALTER TABLE `members` ADD `marketing_consent_at` text;
--> statement-breakpoint
ALTER TABLE `members` ADD `marketing_consent_source` text;
