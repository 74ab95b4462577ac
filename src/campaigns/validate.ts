// Campaign checks beyond the schema: rules that can never match or contradict themselves, as field errors (422).
import type { FieldError } from "../ledger/errors";
import type { ProgramSettings } from "../ledger/settings";
import { localTime } from "./calendar";
import { ORDER_ONLY_CONDITIONS } from "./match";
import type { CampaignDefinition, Rule } from "./rules";

const QUARTER_HOUR_MS = 900_000;
const WEEK_MS = 7 * 86_400_000;

/** A path like `rules[0].conditions.windows[1].to`. */
function at(...parts: (string | number)[]): string {
  return parts.reduce<string>((path, part) => (typeof part === "number" ? `${path}[${part}]` : path ? `${path}.${part}` : part), "");
}

/** Indices of the entries that repeat an earlier one. */
function repeats<T>(values: readonly T[]): number[] {
  const seen = new Set<T>();
  const found: number[] = [];
  values.forEach((value, index) => {
    if (seen.has(value)) found.push(index);
    seen.add(value);
  });
  return found;
}

/**
 * Whether any instant of [from, to) falls on the rule's days of the week and hours in `timeZone`.
 * Only asked of windows shorter than a week; local hours change on quarter hours in every zone.
 */
function windowMeetsTimes(from: number, to: number, rule: Rule, timeZone: string): boolean {
  const { daysOfWeek, hours } = rule.conditions;
  const fits = (instant: number) => {
    const local = localTime(new Date(instant), timeZone);
    return (daysOfWeek === undefined || daysOfWeek.includes(local.isoWeekday)) && (hours === undefined || (local.hour >= hours.from && local.hour < hours.to));
  };
  if (fits(from)) return true;
  for (let instant = Math.floor(from / QUARTER_HOUR_MS) * QUARTER_HOUR_MS + QUARTER_HOUR_MS; instant < to; instant += QUARTER_HOUR_MS) {
    if (fits(instant)) return true;
  }
  return false;
}

/** What the program has that a campaign may name beyond its settings: its membership plans (archived ones still have holders). */
export interface CampaignFacts {
  planIds: ReadonlySet<string>;
}

function validateRule(rule: Rule, index: number, definition: CampaignDefinition, settings: ProgramSettings, facts: CampaignFacts): FieldError[] {
  const errors: FieldError[] = [];
  const add = (message: string, ...parts: (string | number)[]) => errors.push({ path: at("rules", index, ...parts), message });
  const c = rule.conditions;
  const trigger = rule.trigger.type;

  if (trigger !== "order") {
    if (rule.effect.type !== "fixed") add(`a ${trigger} trigger has no order to apply ${rule.effect.type} to: only fixed points per ${trigger}`, "effect", "type");
    else if (rule.effect.per !== "order") add(`a ${trigger} trigger has no line items: fixed points are given once (per "order")`, "effect", "per");
    for (const name of ORDER_ONLY_CONDITIONS) {
      if (c[name] !== undefined) add(`only an order has this; a ${trigger} trigger would never match`, "conditions", name);
    }
  }

  if (c.amountAtLeast !== undefined && c.amountAtMost !== undefined && c.amountAtLeast > c.amountAtMost) {
    add(`at most ${c.amountAtMost} is below at least ${c.amountAtLeast}: no order matches`, "conditions", "amountAtMost");
  }
  if (c.hours !== undefined && c.hours.from >= c.hours.to) add(`hours [${c.hours.from}, ${c.hours.to}) hold no hour: to must be after from`, "conditions", "hours", "to");
  for (const k of repeats(c.daysOfWeek ?? [])) add(`day ${c.daysOfWeek![k]} is listed twice`, "conditions", "daysOfWeek", k);
  for (const k of repeats(c.channels ?? [])) add(`channel ${c.channels![k]} is listed twice`, "conditions", "channels", k);
  for (const k of repeats(c.tiers ?? [])) add(`tier ${String(c.tiers![k])} is listed twice`, "conditions", "tiers", k);
  (c.tiers ?? []).forEach((tier, k) => {
    if (tier !== null && !settings.tiers.some((t) => t.name === tier)) add(`the program has no tier named ${tier}`, "conditions", "tiers", k);
  });

  for (const k of repeats(c.plans ?? [])) add(`plan ${c.plans![k]} is listed twice`, "conditions", "plans", k);
  (c.plans ?? []).forEach((planId, k) => {
    if (!facts.planIds.has(planId)) add(`the program has no membership plan ${planId}`, "conditions", "plans", k);
  });

  const items = c.items;
  if (items) {
    (items.excludeSkus ?? []).forEach((sku, k) => {
      if (items.skus?.includes(sku)) add(`SKU ${sku} is both included and excluded`, "conditions", "items", "excludeSkus", k);
    });
    (items.excludeCategories ?? []).forEach((category, k) => {
      if (items.categories?.includes(category)) add(`category ${category} is both included and excluded`, "conditions", "items", "excludeCategories", k);
    });
  }

  const campaignStart = Date.parse(definition.startsAt);
  const campaignEnd = definition.endsAt === null ? null : Date.parse(definition.endsAt);
  (c.windows ?? []).forEach((window, k) => {
    const from = Date.parse(window.from);
    const to = Date.parse(window.to);
    if (to <= from) {
      add("the window ends before or when it starts", "conditions", "windows", k, "to");
      return;
    }
    if (to <= campaignStart || (campaignEnd !== null && from >= campaignEnd)) {
      add("the window lies wholly outside the campaign's startsAt and endsAt", "conditions", "windows", k);
      return;
    }
    if ((c.daysOfWeek !== undefined || c.hours !== undefined) && to - from < WEEK_MS && !windowMeetsTimes(from, to, rule, settings.timeZone)) {
      add(`no time in the window falls on the rule's days and hours (${settings.timeZone})`, "conditions", "windows", k);
    }
  });

  const effect = rule.effect;
  rule.limits.forEach((limit, k) => {
    if (limit.period === "campaign" && limit.window === "rolling") add("a campaign-lifetime limit has no rolling window", "limits", k, "window");
    if (effect.type === "fixed" && limit.points !== undefined && limit.points < effect.points) {
      add(`${limit.points} points is less than one grant of ${effect.points}: the rule could never give in full`, "limits", k, "points");
    }
  });
  return errors;
}

/**
 * What the schema cannot see: a campaign whose rules can never match or contradict themselves.
 * Empty when the campaign is sound. Paths name the field, e.g. `rules[0].conditions.windows[1].to`.
 */
export function validateCampaign(definition: CampaignDefinition, settings: ProgramSettings, facts: CampaignFacts): FieldError[] {
  const errors: FieldError[] = [];
  if (definition.endsAt !== null && Date.parse(definition.endsAt) <= Date.parse(definition.startsAt)) {
    errors.push({ path: "endsAt", message: "the campaign ends before or when it starts" });
  }
  (definition.earlyAccess ?? []).forEach((window, k) => {
    const add = (message: string, ...parts: (string | number)[]) => errors.push({ path: at("earlyAccess", k, ...parts), message });
    if ((window.planId === undefined) === (window.tier === undefined)) add("name either a planId or a tier");
    if (window.planId !== undefined && !facts.planIds.has(window.planId)) add(`the program has no membership plan ${window.planId}`, "planId");
    if (window.tier !== undefined && !settings.tiers.some((t) => t.name === window.tier)) add(`the program has no tier named ${window.tier}`, "tier");
    if (Date.parse(window.opensAt) >= Date.parse(definition.startsAt)) add("early access opens before startsAt", "opensAt");
  });
  for (const k of repeats(definition.rules.map((rule) => rule.id))) {
    errors.push({ path: at("rules", k, "id"), message: `rule id ${definition.rules[k]!.id} is used by an earlier rule` });
  }
  definition.rules.forEach((rule, index) => errors.push(...validateRule(rule, index, definition, settings, facts)));
  return errors;
}
