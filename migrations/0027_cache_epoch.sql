-- Jobs that write many members' changes in one D1 batch, around the members' objects (src/jobs/around.ts),
-- step this in the same batch. A member's object drops state it loaded under an older epoch than its
-- caller knows, so no read answers from a cache a job has written past.
ALTER TABLE `programs` ADD `cache_epoch` integer DEFAULT 0 NOT NULL;
