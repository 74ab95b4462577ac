// Conditions: whether a rule's trigger and conditions hold for an order, an activity, an enrollment or a birthday.
import type { EarnInput, EarnItem, EarnMember } from "./evaluate";
import type { ActiveRule, ItemMatch, RuleConditions } from "./rules";
import { localPeriodBounds, localTime, type CalendarPeriod, type LocalTime } from "./calendar";

/** What a matching rule sees: the line items it applies to (indices into the order's items). */
export interface RuleMatch {
  /** Indices of the matching line items: those of the item condition, or all of an order without one. */
  items: number[];
}

/** The program's wall clock and calendar periods at the trigger's time, each read once and only when a rule asks for it. */
export class ProgramClock {
  private local: LocalTime | null = null;
  private readonly periods = new Map<CalendarPeriod, { start: number; end: number }>();
  constructor(
    readonly at: Date,
    readonly timeZone: string,
  ) {}
  get time(): LocalTime {
    this.local ??= localTime(this.at, this.timeZone);
    return this.local;
  }
  /** [start, end) in epoch milliseconds of the local day, week, month or year that contains the trigger. */
  period(period: CalendarPeriod): { start: number; end: number } {
    let bounds = this.periods.get(period);
    if (!bounds) {
      const { start, end } = localPeriodBounds(this.at, period, this.timeZone);
      bounds = { start: start.getTime(), end: end.getTime() };
      this.periods.set(period, bounds);
    }
    return bounds;
  }
}

/** A rule's timestamps as epoch milliseconds, parsed once per rule object (rules are cached per isolate). */
interface RuleTimes {
  startsAt: number;
  endsAt: number;
  windows: { from: number; to: number }[] | null;
}
const ruleTimes = new WeakMap<ActiveRule, RuleTimes>();

function timesOf(active: ActiveRule): RuleTimes {
  let times = ruleTimes.get(active);
  if (!times) {
    const windows = active.rule.conditions.windows;
    times = {
      startsAt: Date.parse(active.startsAt),
      endsAt: active.endsAt === null ? Infinity : Date.parse(active.endsAt),
      windows: windows ? windows.map((w) => ({ from: Date.parse(w.from), to: Date.parse(w.to) })) : null,
    };
    ruleTimes.set(active, times);
  }
  return times;
}

const DAY_MS = 86_400_000;

/**
 * When the campaign opens for this member: its startsAt, brought forward by
 * the most early-access days of the plans they hold, and by any of the
 * campaign's early-access windows naming one of those plans or their tier.
 */
export function opensAtFor(active: ActiveRule, member: EarnMember): number {
  const plans = member.plans;
  let opens = timesOf(active).startsAt - (plans?.earlyAccessDays ?? 0) * DAY_MS;
  for (const window of active.earlyAccess ?? []) {
    const holds = (window.planId !== undefined && (plans?.planIds.includes(window.planId) ?? false)) || (window.tier !== undefined && window.tier === member.tier);
    if (holds) opens = Math.min(opens, Date.parse(window.opensAt));
  }
  return opens;
}

/** Whether an item is included (by SKU or category; all when neither list is given) and not excluded. */
export function itemMatches(item: EarnItem, match: ItemMatch): boolean {
  const included =
    (match.skus === undefined && match.categories === undefined) ||
    (match.skus?.includes(item.sku) ?? false) ||
    (item.category !== undefined && (match.categories?.includes(item.category) ?? false));
  if (!included) return false;
  if (match.excludeSkus?.includes(item.sku)) return false;
  if (item.category !== undefined && match.excludeCategories?.includes(item.category)) return false;
  return true;
}

/** Conditions that only an order can satisfy: on any other trigger a rule with one of them never matches. */
export const ORDER_ONLY_CONDITIONS = ["amountAtLeast", "amountAtMost", "channels", "stores", "items", "firstOrder", "partners"] as const satisfies readonly (keyof RuleConditions)[];

/**
 * Facts about the member that cost a read (first order, kept segments), or the
 * member itself before their object has loaded them: a pre-filter that does
 * not know one yet lets its conditions pass, so it drops only rules that
 * cannot match whatever the facts turn out to be.
 */
export interface KnownFacts {
  member: boolean;
  firstOrder: boolean;
  segments: boolean;
  /** The membership plans held (plan conditions, early access by plan). */
  plans: boolean;
}

const ALL_KNOWN: KnownFacts = { member: true, firstOrder: true, segments: true, plans: true };

/** Before the member's reads: the order's own conditions, time and (once loaded) tier and attributes. */
export const ORDER_FACTS_ONLY: KnownFacts = { member: true, firstOrder: false, segments: false, plans: false };

/** The rule's match for this input, or null when its trigger, campaign window or any condition does not hold. */
export function matchRule(active: ActiveRule, input: Pick<EarnInput, "trigger" | "occurredAt" | "member">, clock: ProgramClock, known: KnownFacts = ALL_KNOWN): RuleMatch | null {
  const { rule } = active;
  const trigger = input.trigger;
  if (rule.trigger.type !== trigger.type) return null;
  if (rule.trigger.type === "activity" && trigger.type === "activity" && rule.trigger.activityType !== trigger.activityType) return null;
  const at = input.occurredAt.getTime();
  const times = timesOf(active);
  if (at >= times.endsAt) return null;
  // Before the member's plans are read, a rule not started yet may still be open early to them: kept.
  if (at < times.startsAt && known.plans && at < opensAtFor(active, input.member)) return null;

  const c = rule.conditions;
  if (known.member && c.tiers !== undefined && !c.tiers.includes(input.member.tier)) return null;
  if (known.plans && c.plans !== undefined && !c.plans.some((id) => input.member.plans?.planIds.includes(id))) return null;
  if (known.segments && c.segments !== undefined && !c.segments.some((id) => input.member.segmentIds?.includes(id))) return null;
  if (known.member && c.attributes !== undefined) {
    for (const [key, value] of Object.entries(c.attributes)) if (input.member.attributes[key] !== value) return null;
  }
  if (times.windows !== null && !times.windows.some((w) => at >= w.from && at < w.to)) return null;
  if (c.daysOfWeek !== undefined && !c.daysOfWeek.includes(clock.time.isoWeekday)) return null;
  if (c.hours !== undefined && (clock.time.hour < c.hours.from || clock.time.hour >= c.hours.to)) return null;

  if (trigger.type !== "order") {
    return ORDER_ONLY_CONDITIONS.some((name) => c[name] !== undefined) ? null : { items: [] };
  }
  if (c.amountAtLeast !== undefined && trigger.amount < c.amountAtLeast) return null;
  if (c.amountAtMost !== undefined && trigger.amount > c.amountAtMost) return null;
  if (c.channels !== undefined && !c.channels.includes(trigger.channel)) return null;
  if (c.stores !== undefined && (trigger.storeId === null || !c.stores.includes(trigger.storeId))) return null;
  if (c.partners !== undefined && (trigger.partnerId === null || !c.partners.includes(trigger.partnerId))) return null;
  if (known.firstOrder && c.firstOrder !== undefined && trigger.firstOrder !== c.firstOrder) return null;
  const items: number[] = [];
  trigger.items.forEach((item, index) => {
    if (c.items === undefined || itemMatches(item, c.items)) items.push(index);
  });
  if (c.items !== undefined && items.length === 0) return null;
  return { items };
}

/**
 * The rules that may match this order, before any limit, grant or budget is
 * looked at: those that fail on the order itself (channel, partner, store,
 * amount, items), its time (date windows, weekdays, hours) or the member's
 * tier and attributes cannot give points, so the evaluator would skip them
 * anyway and nothing needs reading or reserving for them.
 */
export function rulesThatMayMatch(rules: readonly ActiveRule[], input: Pick<EarnInput, "trigger" | "occurredAt" | "member">, timeZone: string, known: KnownFacts): ActiveRule[] {
  const clock = new ProgramClock(input.occurredAt, timeZone);
  return rules.filter((active) => matchRule(active, input, clock, known) !== null);
}
