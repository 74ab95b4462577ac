// The member's side of a campaign budget: reserve each campaign's draw before the batch, write the draws
// in the batch, confirm after it commits or release on a refusal; and give points back on a refund.
import type { ActiveRule } from "../campaigns/rules";
import { DomainError } from "../ledger/errors";
import type { ProgramSettings } from "../ledger/settings";
import type { Plan } from "../ledger/state";
import { budgetPoints } from "./budget";
import { budgetObjectOf } from "./budget-object";

/** Points an evaluation drew on one campaign's budget (EarnResult.budgetDraws). */
export interface BudgetDraw {
  campaignId: string;
  points: number;
}

/** A draw with the budget it draws on, in points (see budgetPoints). */
export interface BudgetRequest extends BudgetDraw {
  limit: number;
}

/** What the budgets granted one reservation, per campaign: all asked, part of it, or 0. */
export interface BudgetReservation {
  reservationId: string;
  granted: BudgetDraw[];
}

/** A row the member's batch writes into budget_draws (Plan.budgetDrawRows): a draw, or a refund's return (negative points). */
export type BudgetDrawRow = NonNullable<Plan<unknown>["budgetDrawRows"]>[number];

/** The budgets of the campaigns among `rules`, in points at the program's redemption value. */
export function budgetLimits(rules: readonly ActiveRule[], settings: Pick<ProgramSettings, "redemptionValue">): Map<string, number> {
  const limits = new Map<string, number>();
  for (const { campaignId, budget } of rules) if (budget && !limits.has(campaignId)) limits.set(campaignId, budgetPoints(budget, settings));
  return limits;
}

/** The draws of campaigns that have a budget, with it; draws of campaigns without one need no reservation. */
export function budgetRequests(draws: readonly BudgetDraw[], limits: ReadonlyMap<string, number>): BudgetRequest[] {
  return draws.flatMap((draw) => {
    const limit = limits.get(draw.campaignId);
    return limit === undefined || draw.points <= 0 ? [] : [{ ...draw, limit }];
  });
}

/**
 * Reserves every campaign's draw under one reservation id, each on its own
 * budget's object (in parallel). A budget that cannot be reached fails the
 * whole call, after releasing what the others granted.
 */
export async function reserveBudgets(
  env: Env,
  programId: string,
  draws: readonly BudgetRequest[],
  reservationId: string,
  now = Date.now(),
): Promise<BudgetReservation> {
  const settled = await Promise.allSettled(
    draws.map((draw) => budgetObjectOf(env, programId, draw.campaignId).reserve({ programId, ...draw, reservationId, now })),
  );
  const granted = draws.map((draw, at) => {
    const outcome = settled[at]!;
    return { campaignId: draw.campaignId, points: outcome.status === "fulfilled" ? outcome.value.granted : 0 };
  });
  const failed = settled.find((outcome) => outcome.status === "rejected");
  if (failed) {
    await releaseBudgets(env, programId, { reservationId, granted });
    throw failed.reason;
  }
  return { reservationId, granted };
}

/** What a reservation's granted points leave each campaign for the evaluation that follows (EarnInput.budgetLeft). */
export function grantedBudgets(reservation: BudgetReservation): Map<string, number> {
  return new Map(reservation.granted.map((g) => [g.campaignId, g.points]));
}

/** The budget_draws rows the member's batch writes for what the final evaluation drew (no row for nothing drawn). */
export function drawRows(reservation: BudgetReservation, drawn: readonly BudgetDraw[]): BudgetDrawRow[] {
  return drawn.filter((d) => d.points > 0).map((d) => ({ campaignId: d.campaignId, reservationId: reservation.reservationId, kind: "draw", points: d.points }));
}

/**
 * The batch committed: each campaign's reservation is confirmed with what was
 * drawn (the rest of the grant goes back). Never throws: a confirm that is
 * lost leaves the reservation to lapse, and reconciling finds the draw in D1.
 */
export async function confirmBudgets(env: Env, programId: string, reservation: BudgetReservation, drawn: readonly BudgetDraw[]): Promise<void> {
  const byCampaign = new Map(drawn.map((d) => [d.campaignId, d.points]));
  await Promise.allSettled(
    reservation.granted
      .filter((g) => g.points > 0)
      .map((g) => budgetObjectOf(env, programId, g.campaignId).confirm(reservation.reservationId, Math.min(g.points, byCampaign.get(g.campaignId) ?? 0))),
  );
}

/**
 * The batch is known not to have committed (refused, or failed on a
 * constraint): the points are free again. Not for an outcome that is unknown
 * (a batch lost in flight): that reservation is left to lapse and reconcile.
 */
export async function releaseBudgets(env: Env, programId: string, reservation: BudgetReservation): Promise<void> {
  await Promise.allSettled(
    reservation.granted.filter((g) => g.points > 0).map((g) => budgetObjectOf(env, programId, g.campaignId).release(reservation.reservationId)),
  );
}

/** A refund's give-back, keyed by the refund (e.g. its entry id) and campaign; the rows go in the refund's batch. */
export function returnRows(returnId: string, returned: readonly BudgetDraw[]): BudgetDrawRow[] {
  return returned.filter((r) => r.points > 0).map((r) => ({ campaignId: r.campaignId, reservationId: returnId, kind: "return", points: -r.points }));
}

/**
 * After the refund's batch committed: the points a refund took back from
 * capped rules are the budgets' again. Idempotent per return id; never
 * throws (a lost call is made good by the budget's next reconcile, which
 * reads the return rows).
 */
export async function giveBackBudgets(env: Env, programId: string, returnId: string, returned: readonly BudgetDraw[]): Promise<void> {
  await Promise.allSettled(
    returned.filter((r) => r.points > 0).map((r) => budgetObjectOf(env, programId, r.campaignId).giveBack(returnId, r.points)),
  );
}

/** Evaluations at most per build: the first as if every budget were open, then with what the budgets granted. */
const MAX_BUDGET_ROUNDS = 3;

/**
 * Builds a plan whose campaign rules may draw on budgets, reserving before it
 * is committed: `build` runs first with no budget named (each campaign's draw
 * as if it were unlimited), those draws are reserved on the budgets' objects,
 * and it runs again with what each granted, so nothing it draws is
 * unreserved. A draw on a campaign the first run did not touch (a capped rule
 * let a lower one in) is reserved in turn; the last run names every budget
 * not reserved by then with 0. The plan carries its budget_draws rows.
 * With no budgeted campaign in force this is one call to `build`. A build
 * that finds nothing to write answers null (what was reserved is released
 * by the write path, which sees the reservation without a plan).
 */
export async function buildWithBudgets<P extends Pick<Plan<unknown>, "budgetDraws" | "budgetDrawRows">>(
  env: Env,
  programId: string,
  limits: ReadonlyMap<string, number>,
  reservationId: string,
  now: number,
  build: (budgetLeft: ReadonlyMap<string, number>) => P | null,
): Promise<{ plan: P | null; reservation: BudgetReservation | null }> {
  let plan = build(new Map());
  if (limits.size === 0) return { plan, reservation: null };
  const granted = new Map<string, number>();
  for (let round = 1; ; round++) {
    const unreserved = budgetRequests(plan?.budgetDraws ?? [], limits).filter((draw) => !granted.has(draw.campaignId));
    if (unreserved.length === 0) break;
    if (round === MAX_BUDGET_ROUNDS) {
      const closed = new Map(granted);
      for (const campaignId of limits.keys()) if (!closed.has(campaignId)) closed.set(campaignId, 0);
      plan = build(closed);
      break;
    }
    const reserved = await reserveBudgets(env, programId, unreserved, reservationId, now).catch(async (error: unknown) => {
      await releaseBudgets(env, programId, reservationOf(reservationId, granted));
      console.log(JSON.stringify({ level: "warn", message: "a campaign budget could not be reached", error: error instanceof Error ? error.message : String(error) }));
      throw budgetUnavailable();
    });
    for (const { campaignId, points } of reserved.granted) granted.set(campaignId, points);
    plan = build(granted);
  }
  const reservation = reservationOf(reservationId, granted);
  if (plan) plan.budgetDrawRows = drawRows(reservation, (plan.budgetDraws ?? []).filter((draw) => limits.has(draw.campaignId)));
  return { plan, reservation: reservation.granted.length > 0 ? reservation : null };
}

function reservationOf(reservationId: string, granted: ReadonlyMap<string, number>): BudgetReservation {
  return { reservationId, granted: [...granted].map(([campaignId, points]) => ({ campaignId, points })) };
}

/**
 * What each budgeted campaign among `rules` may still issue, as its budget's
 * object counts it (reservations in flight included), for answers that post
 * nothing: the preview and the campaign's stats.
 */
export async function budgetsLeftNow(env: Env, programId: string, limits: ReadonlyMap<string, number>): Promise<Map<string, number>> {
  const entries = await Promise.all(
    [...limits].map(async ([campaignId, limit]) => {
      const view = await budgetObjectOf(env, programId, campaignId).view();
      return [campaignId, view ? Math.max(0, limit - view.issued - view.reserved) : limit] as const;
    }),
  );
  return new Map(entries);
}

function budgetUnavailable(): DomainError {
  return new DomainError("temporarily_unavailable", "A campaign budget could not be reached; retry shortly. A write retried with the same Idempotency-Key takes effect exactly once.");
}
