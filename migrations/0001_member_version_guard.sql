-- Optimistic guard for the member row: every ledger batch bumps `version` by
-- exactly one from the value its Durable Object read. A batch built on stale
-- state (or written around the object) carries the wrong step and is aborted
-- whole, so a cached view can never overwrite a newer one.
CREATE TRIGGER `members_version_step` BEFORE UPDATE OF `version` ON `members`
WHEN NEW.`version` <> OLD.`version` + 1
BEGIN
  SELECT RAISE(ABORT, 'stale_member_version');
END;
