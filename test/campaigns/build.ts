// Builders for the campaign engine's table tests: rules through the real schema (so defaults are the schema's), orders and inputs.
import { defaultSettings } from "../../src/ledger/settings";
import type { EarnInput, EarnItem, EarnTrigger, RuleGrant } from "../../src/campaigns/evaluate";
import { RuleSchema, type ActiveRule, type CampaignBudget } from "../../src/campaigns/rules";
import type { z } from "zod";

export type SettingsInput = Parameters<typeof defaultSettings>[0];
export type RuleInput = Omit<z.input<typeof RuleSchema>, "id" | "trigger"> & { id?: string; trigger?: z.input<typeof RuleSchema>["trigger"] };

/** A Tuesday noon in UTC, far from any DST change. */
export const NOON = "2026-03-10T12:00:00.000Z";

/** One rule of campaign `campaignId` (version 1, open since 2026-01-01, no end), parsed by the schema. */
export function rule(fields: RuleInput, campaign: Partial<Omit<ActiveRule, "rule">> = {}): ActiveRule {
  return {
    campaignId: "cmp_a",
    version: 1,
    startsAt: "2026-01-01T00:00:00Z",
    endsAt: null,
    budget: null,
    ...campaign,
    rule: RuleSchema.parse({ id: "r1", trigger: { type: "order" }, ...fields }),
  };
}

export const item = (sku: string, price: number, quantity = 1, category?: string): EarnItem => ({ sku, price, quantity, ...(category ? { category } : {}) });

export type OrderFields = Partial<Extract<EarnTrigger, { type: "order" }>>;

export function order(fields: OrderFields = {}): EarnTrigger {
  return { type: "order", amount: 10_000, currency: "EUR", items: [], channel: "online", storeId: null, partnerId: null, firstOrder: false, ...fields };
}

export interface InputFields {
  trigger?: EarnTrigger;
  at?: string;
  tier?: string | null;
  attributes?: Record<string, unknown>;
  /** Membership plans held in force at the trigger's time, and their most early-access days. */
  plans?: { planIds: string[]; earlyAccessDays?: number };
  settings?: SettingsInput;
  rules?: ActiveRule[];
  grants?: RuleGrant[];
  budgets?: Record<string, number>;
}

export function input(fields: InputFields = {}): EarnInput {
  return {
    trigger: fields.trigger ?? order(),
    occurredAt: new Date(fields.at ?? NOON),
    member: {
      tier: fields.tier ?? null,
      attributes: fields.attributes ?? {},
      ...(fields.plans ? { plans: { planIds: fields.plans.planIds, earlyAccessDays: fields.plans.earlyAccessDays ?? 0 } } : {}),
    },
    settings: defaultSettings(fields.settings),
    rules: fields.rules ?? [],
    grants: fields.grants ?? [],
    budgetLeft: new Map(Object.entries(fields.budgets ?? {})),
  };
}

export const budget = (points: number): CampaignBudget => ({ points });

export const grant = (at: string, points = 10, ruleId = "r1", campaignId = "cmp_a"): RuleGrant => ({ campaignId, ruleId, points, at });
