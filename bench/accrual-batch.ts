// What one accrual commits, which the floor Worker writes as plain rows (test/accrual-batch.test.ts keeps this true).

/**
 * Statements an accrual of an enrolled member commits in its one batch: the
 * member's row, its lot, its order, its entry, its outbox event, the pending
 * KPI row, the member's stats row and its Idempotency-Key record.
 */
export const ACCRUAL_STATEMENTS = 8;

/** The floor's batch before the KPI and segment rows joined the accrual's (2026-12-01), kept as a second floor row. */
export const FIRST_FLOOR_STATEMENTS = 6;
