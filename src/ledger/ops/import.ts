// An imported member: enrolled if new, profile and tier set, opening balances credited as lots with their own dates.
import { DomainError } from "../errors";
import { emptyPlan, entry, newMember, touched, type OpContext } from "../plan";
import type { MemberRecord, MemberState, OpenLot, Plan } from "../state";
import { tierByName } from "../tiers";

/** One validated lot of a file's line: its dates are already resolved against the program's policy. */
export interface OpeningLot {
  points: number;
  earnedAt: string;
  availableAt: string;
  expiresAt: string | null;
}

/** One validated line of an import file; an absent field leaves the member's value as it is. */
export interface ImportLine {
  line: number;
  memberId: string;
  email?: string | null;
  name?: string | null;
  tier?: string | null;
  attributes?: Record<string, unknown>;
  lots: OpeningLot[];
}

export interface ImportMemberResult {
  created: boolean;
  /** The lines this call applied; lines applied before (a redelivery) are left out. */
  applied: number[];
  points: number;
}

/**
 * Applies a member's lines of one import in ONE plan. `alreadyApplied` are the
 * lines an earlier delivery committed (the plan marks its lines done in the
 * same batch), so a redelivered chunk or a repeated call posts nothing twice.
 * Imports write no webhook events: a migration is not activity, and a file of
 * 100,000 members would flood every endpoint.
 */
export function importMember(
  state: MemberState,
  memberId: string,
  importId: string,
  lines: readonly ImportLine[],
  alreadyApplied: ReadonlySet<number>,
  ctx: OpContext,
): Plan<ImportMemberResult> | null {
  const todo = lines.filter((l) => l.memberId === memberId && !alreadyApplied.has(l.line)).sort((a, b) => a.line - b.line);
  if (todo.length === 0) return null;
  const created = !state.member;
  const base = state.member ?? newMember(memberId, {}, ctx.now);
  let member: MemberRecord = created ? base : touched(base, ctx, false);
  for (const line of todo) {
    member = {
      ...member,
      email: line.email === undefined ? member.email : line.email,
      name: line.name === undefined ? member.name : line.name,
      attributes: line.attributes === undefined ? member.attributes : { ...member.attributes, ...line.attributes },
    };
  }
  const tierLine = todo.filter((l) => l.tier !== undefined).at(-1);
  const fromTier = member.tier;
  if (tierLine) {
    const tier = tierLine.tier ?? null;
    if (tier !== null && !tierByName(tier, ctx.settings.tiers)) {
      throw new DomainError("unknown_tier", `This program has no tier '${tier}'.`, { tiers: ctx.settings.tiers.map((t) => t.name) });
    }
    member = { ...member, tier, tierDowngradeAt: null };
  }
  const result: ImportMemberResult = { created, applied: todo.map((l) => l.line), points: 0 };
  const plan = emptyPlan(member, state, result);
  plan.memberIsNew = created;
  let debt = member.debt;
  const newLots: OpenLot[] = [];
  for (const line of todo) {
    for (const opening of line.lots) {
      const debtPaid = Math.min(debt, opening.points);
      debt -= debtPaid;
      const lot: OpenLot = { id: ctx.newId("lot"), partnerId: null, orderId: null, remaining: opening.points - debtPaid, ...opening };
      newLots.push(lot);
      result.points += opening.points;
      plan.entries.push(
        entry(ctx, {
          type: "adjust",
          points: opening.points,
          lotId: lot.id,
          occurredAt: opening.earnedAt,
          details: { source: "import", reason: "opening balance", importId, line: line.line, debtPaid },
        }),
      );
    }
  }
  if (member.tier !== fromTier) {
    plan.entries.push(entry(ctx, { type: "tier", points: 0, details: { from: fromTier, to: member.tier, reason: "grant", until: null, note: `import ${importId}` } }));
  }
  member.debt = debt;
  member.lifetimeEarned += result.points;
  plan.newLots = newLots;
  plan.importLines = { importId, lines: result.applied };
  plan.nextState = { ...state, member, lots: [...state.lots, ...newLots.filter((l) => l.remaining > 0)] };
  return plan;
}
