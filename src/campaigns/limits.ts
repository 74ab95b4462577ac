// Per-member limits and cooldowns: what a rule may still give one member, from that member's past grants of it.
import { localPeriodBounds } from "./calendar";
import type { CapReason, RuleGrant } from "./evaluate";
import type { ProgramClock } from "./match";
import type { ActiveRule, RuleLimit } from "./rules";

const DAY_MS = 86_400_000;
const ROLLING_DAYS = { day: 1, week: 7, month: 30, year: 365 } as const;

export interface Allowance {
  /** Set when the rule may give nothing at all. */
  blocked: CapReason | null;
  /** The most points it may give, or null for no points limit. */
  pointsLeft: number | null;
}

interface Use {
  count: number;
  points: number;
}

function use(grants: readonly { at: number; points: number }[], from: number, to: number): Use {
  let count = 0;
  let points = 0;
  for (const grant of grants) {
    if (grant.at >= from && grant.at < to) {
      count += 1;
      points += grant.points;
    }
  }
  return { count, points };
}

/**
 * The most any rolling window of `length` that contains `at` already holds. Counting only the window
 * that ends at `at` would let a late-posted trigger overfill a window that ends after it; the busiest
 * window either starts right after `at - length` or ends right after a later grant.
 */
function rollingUse(grants: readonly { at: number; points: number }[], at: number, length: number): Use {
  const starts = [at - length + 1];
  for (const grant of grants) if (grant.at > at && grant.at < at + length) starts.push(grant.at - length + 1);
  let most: Use = { count: 0, points: 0 };
  for (const start of starts) {
    const seen = use(grants, start, start + length);
    most = { count: Math.max(most.count, seen.count), points: Math.max(most.points, seen.points) };
  }
  return most;
}

function limitUse(limit: RuleLimit, grants: readonly { at: number; points: number }[], clock: ProgramClock): Use {
  if (grants.length === 0) return { count: 0, points: 0 };
  if (limit.period === "campaign") return use(grants, -Infinity, Infinity);
  if (limit.window === "rolling") return rollingUse(grants, clock.at.getTime(), ROLLING_DAYS[limit.period] * DAY_MS);
  const { start, end } = clock.period(limit.period);
  return use(grants, start, end);
}

/**
 * What `active`'s rule may still give the member at `at`: nothing within cooldownSeconds of another
 * grant of it (either side, so late-posted triggers keep the spacing too), nothing once a count limit
 * is reached, and at most what every points limit has left.
 */
export function memberAllowance(active: ActiveRule, grants: readonly RuleGrant[], clock: ProgramClock): Allowance {
  const { rule } = active;
  if (rule.limits.length === 0 && rule.cooldownSeconds === undefined) return { blocked: null, pointsLeft: null };
  const own = grants
    .filter((grant) => grant.campaignId === active.campaignId && grant.ruleId === rule.id)
    .map((grant) => ({ at: Date.parse(grant.at), points: grant.points }));
  if (rule.cooldownSeconds !== undefined) {
    const spacing = rule.cooldownSeconds * 1000;
    if (own.some((grant) => Math.abs(grant.at - clock.at.getTime()) < spacing)) return { blocked: "cooldown", pointsLeft: null };
  }
  let pointsLeft: number | null = null;
  for (const limit of rule.limits) {
    const used = limitUse(limit, own, clock);
    if (limit.count !== undefined && used.count >= limit.count) return { blocked: "member_limit", pointsLeft: null };
    if (limit.points !== undefined) {
      const left = limit.points - used.points;
      if (left <= 0) return { blocked: "member_limit", pointsLeft: null };
      pointsLeft = pointsLeft === null ? left : Math.min(pointsLeft, left);
    }
  }
  return { blocked: null, pointsLeft };
}

/** Whether a rule's grants are counted against it later (a limit or a cooldown): what grantHorizon reads back. */
export function countsGrants(rule: ActiveRule["rule"]): boolean {
  return rule.cooldownSeconds !== undefined || rule.limits.length > 0;
}

/**
 * Which of a member's grants the evaluator can look at for `rules` at `at`: those with `at` in [from, to)
 * (null: unbounded on that side, for campaign-lifetime limits), or null when no rule has a limit or a cooldown.
 * A late-posted trigger needs grants on both sides of it: a rolling window or cooldown reaches forward
 * too, and a calendar period runs to its end.
 */
export function grantHorizon(rules: readonly ActiveRule[], at: Date, timeZone: string): { from: Date | null; to: Date | null } | null {
  const instant = at.getTime();
  let from = Infinity;
  let to = -Infinity;
  const reach = (start: number, end: number) => {
    from = Math.min(from, start);
    to = Math.max(to, end);
  };
  for (const { rule } of rules) {
    if (rule.cooldownSeconds !== undefined) reach(instant - rule.cooldownSeconds * 1000 + 1, instant + rule.cooldownSeconds * 1000);
    for (const limit of rule.limits) {
      if (limit.period === "campaign") reach(-Infinity, Infinity);
      else if (limit.window === "rolling") {
        const length = ROLLING_DAYS[limit.period] * DAY_MS;
        reach(instant - length + 1, instant + length);
      } else {
        const { start, end } = localPeriodBounds(at, limit.period, timeZone);
        reach(start.getTime(), end.getTime());
      }
    }
  }
  if (to === -Infinity) return null;
  return { from: from === -Infinity ? null : new Date(from), to: to === Infinity ? null : new Date(to) };
}
