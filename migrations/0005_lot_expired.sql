-- What each lot lost to expiry, kept so that a refund of the lot's order takes
-- back expired points from what expired instead of turning them into debt,
-- whether or not the expiry job has come by. A refund that takes from it
-- lowers it again, so expired points are taken back once at most.
ALTER TABLE `lots` ADD `expired` integer DEFAULT 0 NOT NULL CONSTRAINT "lots_expired_in_range" CHECK(`expired` >= 0 AND `remaining` + `expired` <= `points`);
--> statement-breakpoint
-- Lots that expired before this column existed: their expire entries say how much.
UPDATE `lots` SET `expired` = (
  SELECT COALESCE(-SUM(`points`), 0) FROM `entries`
  WHERE `entries`.`program_id` = `lots`.`program_id` AND `entries`.`member_id` = `lots`.`member_id`
    AND `entries`.`lot_id` = `lots`.`id` AND `entries`.`type` = 'expire'
)
WHERE `remaining` < `points`;
