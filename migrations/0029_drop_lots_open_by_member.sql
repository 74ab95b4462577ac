-- A member's open lots are read through lots_open_by_spending (the first ones in spending order,
-- and now the rest's expiry dates, in the same order) and lots_open_by_availability (the pending
-- ones); any of the two answers a lookup by program and member. The index on (program, member,
-- expires_at) was one more entry that every lot a write inserts or changes kept up to date.
DROP INDEX IF EXISTS `lots_open_by_member`;
