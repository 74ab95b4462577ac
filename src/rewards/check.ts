// The rules a reward definition must meet beyond its fields' shapes: what each type needs, and what the program has.
import type { FieldError } from "../ledger/errors";
import type { RewardDefinition } from "./types";

export interface ProgramFacts {
  currency: string;
  tierNames: readonly string[];
  /** Whether the program has this (active) cause. */
  causeExists: (causeId: string) => boolean;
}

/** Field errors of a whole definition (after a PATCH is merged); empty when it is a reward the program can offer. */
export function checkDefinition(d: RewardDefinition, program: ProgramFacts): FieldError[] {
  const errors: FieldError[] = [];
  const need = (ok: boolean, path: string, message: string) => {
    if (!ok) errors.push({ path, message });
  };
  const none = (value: unknown, path: string) => need(value === null || value === undefined, path, `not used by a ${d.type} reward`);
  switch (d.type) {
    case "fixed_discount":
      need(d.value !== null && d.value.amount > 0, "value", "a fixed_discount reward needs a positive value");
      none(d.percent, "percent");
      none(d.sku, "sku");
      none(d.causeId, "causeId");
      break;
    case "percent_discount":
      need(d.percent !== null, "percent", "a percent_discount reward needs a percent");
      none(d.value, "value");
      none(d.sku, "sku");
      none(d.causeId, "causeId");
      break;
    case "free_product":
      need(d.sku !== null, "sku", "a free_product reward needs the product's sku");
      none(d.percent, "percent");
      none(d.causeId, "causeId");
      break;
    case "donation":
      need(d.value !== null && d.value.amount > 0, "value", "a donation reward needs the amount it gives");
      need(d.causeId !== null, "causeId", "a donation reward needs a cause");
      if (d.causeId !== null) need(program.causeExists(d.causeId), "causeId", `no active cause '${d.causeId}' in this program`);
      none(d.percent, "percent");
      none(d.sku, "sku");
      // A donation issues no coupon, so there is nothing to take from a pool.
      need(d.codeSource === "generated", "codeSource", "a donation issues no coupon");
      break;
    case "free_shipping":
    case "custom":
      none(d.percent, "percent");
      none(d.sku, "sku");
      none(d.causeId, "causeId");
      break;
  }
  if (d.type !== "percent_discount") none(d.maxDiscount, "maxDiscount");
  for (const [path, money] of [["value", d.value], ["maxDiscount", d.maxDiscount]] as const) {
    if (money) need(money.currency === program.currency, `${path}.currency`, `the program's currency is ${program.currency}`);
  }
  d.tiers.forEach((tier, i) => need(program.tierNames.includes(tier), `tiers.${i}`, `the program has no tier '${tier}'`));
  d.earlyAccess.forEach((w, i) => {
    need((w.planId === undefined) !== (w.tier === undefined), `earlyAccess.${i}`, "name either a planId or a tier");
    if (w.tier !== undefined) need(program.tierNames.includes(w.tier), `earlyAccess.${i}.tier`, `the program has no tier '${w.tier}'`);
    need(d.validFrom !== null && w.opensAt < d.validFrom, `earlyAccess.${i}.opensAt`, "early access opens before validFrom");
  });
  if (d.validFrom !== null && d.validUntil !== null) need(d.validFrom < d.validUntil, "validUntil", "after validFrom");
  return errors;
}
