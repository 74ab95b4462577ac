// Which campaign rules in force hold for a member now, and how to say what each gives and why it is shown. Pure.
import { opensAtFor, ProgramClock } from "../campaigns/match";
import { memberAllowance } from "../campaigns/limits";
import type { MemberPlans, RuleGrant } from "../campaigns/evaluate";
import type { ActiveRule, ItemMatch, RuleConditions, RuleEffect } from "../campaigns/rules";

export type CampaignReason =
  | { code: "favourite_category"; detail: string; category: string }
  | { code: "segment"; detail: string; segmentId: string }
  | { code: "tier"; detail: string }
  | { code: "plan"; detail: string; planId: string }
  | { code: "early_access"; detail: string }
  | { code: "attributes"; detail: string }
  | { code: "first_order"; detail: string }
  | { code: "schedule"; detail: string }
  | { code: "order_condition"; detail: string; condition: string }
  | { code: "ends_soon"; detail: string };

export interface CampaignOffer {
  kind: "campaign";
  campaignId: string;
  ruleId: string;
  name: string;
  ruleName: string | null;
  trigger: "order" | "activity";
  effect: string;
  endsAt: string | null;
  reasons: CampaignReason[];
}

/** What the member is now, as the rules' member conditions read it. */
export interface OfferMember {
  tier: string | null;
  attributes: Record<string, unknown>;
  /** The segments as the member's last batch kept them: what an order placed now is matched against. */
  segmentIds: readonly string[];
  /** The membership plans held in force now (plan conditions, early access). */
  plans: MemberPlans;
  favouriteCategories: readonly string[];
  orderCount: number;
  /** Past grants of the rules with limits or a cooldown. */
  grants: readonly RuleGrant[];
}

export interface CampaignOfferContext {
  now: Date;
  timeZone: string;
  currency: string;
  /** `campaignId/version` to the version's name. */
  campaignNames: ReadonlyMap<string, string>;
  /** The program's segments, id to name. */
  segmentNames: ReadonlyMap<string, string>;
}

/** Conditions these offers decide. Any other (one added later) leaves the rule out: better no offer than a false one. */
const DECIDED = ["tiers", "plans", "segments", "attributes", "firstOrder", "windows", "daysOfWeek", "hours", "amountAtLeast", "amountAtMost", "channels", "stores", "items", "partners"];
const ORDER_ONLY = ["amountAtLeast", "amountAtMost", "channels", "stores", "items", "firstOrder", "partners"];
const SOON_MS = 7 * 86_400_000;
const WEEKDAYS = ["", "Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays"];

function list(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

/** Minor units as a decimal amount of the currency, by integer arithmetic. */
export function formatAmount(amount: number, currency: string): string {
  const digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  if (digits === 0) return `${amount} ${currency}`;
  const unit = 10 ** digits;
  return `${Math.floor(amount / unit)}.${String(amount % unit).padStart(digits, "0")} ${currency}`;
}

function percentText(hundredths: number): string {
  const whole = Math.floor(hundredths / 100);
  const rest = hundredths % 100;
  return rest === 0 ? String(whole) : `${whole}.${String(rest).padStart(2, "0").replace(/0$/, "")}`;
}

function itemsText(items: ItemMatch | undefined): string | null {
  if (!items) return null;
  const named = [...(items.categories ?? []), ...(items.skus ? ["selected products"] : [])];
  const base = named.length > 0 ? list(named) : "everything";
  const excluded = [...(items.excludeCategories ?? []), ...(items.excludeSkus ? ["some products"] : [])];
  return excluded.length > 0 ? `${base} except ${list(excluded)}` : base;
}

/** "double points on coffee", "50 bonus points per order", "5% back in points", "50 points for a review". */
export function summarizeEffect(active: ActiveRule, currency: string): string {
  const { effect, trigger, conditions } = active.rule;
  const on = itemsText(conditions.items);
  const scoped = (e: RuleEffect) => ("scope" in e && e.scope === "items") || e.type === "per_amount" || (e.type === "fixed" && e.per !== "order");
  const where = on === null ? "" : scoped(effect) ? ` on ${on}` : ` on orders with ${on}`;
  const target = trigger.type === "activity" ? ` for ${trigger.activityType.startsWith("custom:") ? trigger.activityType.slice(7) : `a ${trigger.activityType.replace("_", " ")}`}` : "";
  switch (effect.type) {
    case "multiply": {
      const named: Record<number, string> = { 200: "double", 300: "triple" };
      return `${named[effect.percent] ?? `${percentText(effect.percent)}x`} points${where}${target}`;
    }
    case "fixed": {
      if (trigger.type === "activity") return `${effect.points} points${target}`;
      const per = effect.per === "order" ? "per order" : effect.per === "item" ? "per item" : "per unit";
      return `${effect.points} bonus points ${per}${where}`;
    }
    case "per_amount":
      return `${effect.points} extra points per ${formatAmount(effect.perAmount, currency)} spent${where}${target}`;
    case "cashback":
      return `${percentText(effect.basisPoints)}% back in points${where}${target}`;
  }
}

/** The order conditions a member cannot meet by being who they are: stated, so they know how to earn it. */
function orderConditionReasons(c: RuleConditions, currency: string): CampaignReason[] {
  const reasons: CampaignReason[] = [];
  if (c.channels) reasons.push({ code: "order_condition", condition: "channels", detail: `Only for orders ${list(c.channels.map((ch) => (ch === "store" ? "in store" : ch === "app" ? "in the app" : "online")))}.` });
  if (c.stores) reasons.push({ code: "order_condition", condition: "stores", detail: `Only at the stores ${list(c.stores)}.` });
  if (c.amountAtLeast !== undefined) reasons.push({ code: "order_condition", condition: "amountAtLeast", detail: `On orders of ${formatAmount(c.amountAtLeast, currency)} or more.` });
  if (c.amountAtMost !== undefined) reasons.push({ code: "order_condition", condition: "amountAtMost", detail: `On orders of up to ${formatAmount(c.amountAtMost, currency)}.` });
  if (c.partners) reasons.push({ code: "order_condition", condition: "partners", detail: `Only for orders at ${list(c.partners)}.` });
  return reasons;
}

function endsAtNow(active: ActiveRule, at: number): string | null {
  let end = active.endsAt === null ? null : Date.parse(active.endsAt);
  for (const w of active.rule.conditions.windows ?? []) {
    const from = Date.parse(w.from);
    const to = Date.parse(w.to);
    if (from <= at && at < to && (end === null || to < end)) end = to;
  }
  return end === null ? null : new Date(end).toISOString();
}

function endsIn(endsAt: number, at: number): string {
  const left = endsAt - at;
  if (left < 86_400_000) {
    const hours = Math.max(1, Math.ceil(left / 3_600_000));
    return `Ends in ${hours} hour${hours === 1 ? "" : "s"}.`;
  }
  const days = Math.floor(left / 86_400_000);
  return `Ends in ${days} day${days === 1 ? "" : "s"}.`;
}

/**
 * The rules (order and activity triggers, in force now) whose member conditions hold for the member now:
 * tier, kept segments, attributes, first order (the member's next order is the first while they have none),
 * the date windows, weekdays and hours of the program's time zone, and the member's limits and cooldown.
 * Conditions on the order itself (channel, store, amount, partner, items) cannot be decided before the
 * order: the rule is shown with them stated. Enrollment and birthday rules are not offers (they happen to
 * the member, nothing to act on); an activity rule with an order condition never matches and is left out.
 */
export function campaignOffers(rules: readonly ActiveRule[], member: OfferMember, ctx: CampaignOfferContext): CampaignOffer[] {
  const clock = new ProgramClock(ctx.now, ctx.timeZone);
  const at = ctx.now.getTime();
  const seen = new Set<string>();
  const offers: CampaignOffer[] = [];
  for (const active of rules) {
    const { rule } = active;
    if (rule.trigger.type !== "order" && rule.trigger.type !== "activity") continue;
    const key = `${active.campaignId}/${rule.id}`;
    if (seen.has(key)) continue;
    const c = rule.conditions;
    const given = Object.keys(c).filter((name) => (c as Record<string, unknown>)[name] !== undefined);
    if (given.some((name) => !DECIDED.includes(name))) continue;
    if (rule.trigger.type === "activity" && given.some((name) => ORDER_ONLY.includes(name))) continue;
    const early = Date.parse(active.startsAt) > at;
    if ((early && opensAtFor(active, member) > at) || (active.endsAt !== null && Date.parse(active.endsAt) <= at)) continue;
    if (c.tiers && !c.tiers.includes(member.tier)) continue;
    const planIds = c.plans?.filter((id) => member.plans.planIds.includes(id));
    if (planIds && planIds.length === 0) continue;
    const segmentIds = c.segments?.filter((id) => member.segmentIds.includes(id));
    if (segmentIds && segmentIds.length === 0) continue;
    if (c.attributes && Object.entries(c.attributes).some(([name, value]) => member.attributes[name] !== value)) continue;
    if (c.firstOrder !== undefined && c.firstOrder !== (member.orderCount === 0)) continue;
    if (c.windows && !c.windows.some((w) => Date.parse(w.from) <= at && at < Date.parse(w.to))) continue;
    if (c.daysOfWeek && !c.daysOfWeek.includes(clock.time.isoWeekday)) continue;
    if (c.hours && (clock.time.hour < c.hours.from || clock.time.hour >= c.hours.to)) continue;
    if (memberAllowance(active, member.grants, clock).blocked !== null) continue;
    seen.add(key);

    const reasons: CampaignReason[] = [];
    for (const category of c.items?.categories ?? []) {
      if (member.favouriteCategories.includes(category)) reasons.push({ code: "favourite_category", category, detail: `Matches your favourite category ${category}.` });
    }
    for (const segmentId of segmentIds ?? []) reasons.push({ code: "segment", segmentId, detail: `For members of the segment "${ctx.segmentNames.get(segmentId) ?? segmentId}".` });
    if (early) reasons.push({ code: "early_access", detail: `Early access: opens to everyone on ${active.startsAt.slice(0, 10)}.` });
    for (const planId of planIds ?? []) reasons.push({ code: "plan", planId, detail: "For holders of your membership plan." });
    if (c.tiers) reasons.push({ code: "tier", detail: member.tier === null ? "For members without a tier." : `For ${member.tier} members.` });
    if (c.attributes) reasons.push({ code: "attributes", detail: `For members with ${Object.entries(c.attributes).map(([k, v]) => `${k} ${String(v)}`).join(", ")}.` });
    if (c.firstOrder === true) reasons.push({ code: "first_order", detail: "On your first order." });
    if (c.daysOfWeek) reasons.push({ code: "schedule", detail: `On ${list(c.daysOfWeek.map((d) => WEEKDAYS[d]!))}.` });
    if (c.hours) reasons.push({ code: "schedule", detail: `From ${c.hours.from}:00 to ${c.hours.to}:00.` });
    reasons.push(...orderConditionReasons(c, ctx.currency));
    const endsAt = endsAtNow(active, at);
    if (endsAt !== null && Date.parse(endsAt) - at <= SOON_MS) reasons.push({ code: "ends_soon", detail: endsIn(Date.parse(endsAt), at) });
    offers.push({
      kind: "campaign",
      campaignId: active.campaignId,
      ruleId: rule.id,
      name: ctx.campaignNames.get(`${active.campaignId}/${active.version}`) ?? active.campaignId,
      ruleName: rule.name ?? null,
      trigger: rule.trigger.type,
      effect: summarizeEffect(active, ctx.currency),
      endsAt,
      reasons,
    });
  }
  return offers;
}
