-- Every query of open lots by expiry names its program (the jobs run per program and page on
-- lots_open_by_program_expiry), so the index on expires_at alone served nothing. Each lot a write
-- inserts or changes was still kept in it: one of six index entries per lot, and on a grown
-- database a few percent of an accrual's batch.
DROP INDEX IF EXISTS `lots_open_by_expiry`;
