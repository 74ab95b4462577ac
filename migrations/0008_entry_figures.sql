-- The figures settlement and tier qualification sum, as columns of their own
-- instead of keys inside the details JSON: written by the same batch as the
-- entry, null exactly for the entry types that do not carry them.
ALTER TABLE `entries` ADD `debt_paid` integer;
--> statement-breakpoint
ALTER TABLE `entries` ADD `from_lot` integer;
--> statement-breakpoint
ALTER TABLE `entries` ADD `from_expired` integer;
--> statement-breakpoint
ALTER TABLE `entries` ADD `added_to_debt` integer;
--> statement-breakpoint
ALTER TABLE `entries` ADD `order_amount` integer;
--> statement-breakpoint
ALTER TABLE `entries` ADD `refunded_amount` integer;
--> statement-breakpoint
-- Existing rows from their details, as the queries read them until now (a missing key counted as 0).
UPDATE `entries` SET
  `debt_paid` = COALESCE(json_extract(`details`, '$.debtPaid'), 0),
  `order_amount` = CASE WHEN `type` = 'earn' THEN COALESCE(json_extract(`details`, '$.amount.amount'), 0) END
WHERE `type` IN ('earn', 'debt_payment');
--> statement-breakpoint
UPDATE `entries` SET
  `from_lot` = COALESCE(json_extract(`details`, '$.fromLot'), 0),
  `from_expired` = COALESCE(json_extract(`details`, '$.fromExpired'), 0),
  `added_to_debt` = COALESCE(json_extract(`details`, '$.addedToDebt'), 0),
  `refunded_amount` = COALESCE(json_extract(`details`, '$.refundedAmount.amount'), 0)
WHERE `type` = 'clawback';
--> statement-breakpoint
-- An entry of a type that carries a figure cannot be written without it (see FIGURE_CARRIERS in src/ledger/entries.ts).
CREATE TRIGGER `entries_figures_present` BEFORE INSERT ON `entries`
WHEN (NEW.`type` IN ('earn', 'debt_payment') AND NEW.`debt_paid` IS NULL)
  OR (NEW.`type` = 'earn' AND NEW.`order_amount` IS NULL)
  OR (NEW.`type` = 'clawback' AND (NEW.`from_lot` IS NULL OR NEW.`from_expired` IS NULL OR NEW.`added_to_debt` IS NULL OR NEW.`refunded_amount` IS NULL))
BEGIN
  SELECT RAISE(ABORT, 'entry_figures_missing');
END;
