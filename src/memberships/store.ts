// Membership plans and memberships in D1.
import { writeAudited, type AuditRow } from "../audit/audit";
import { and, eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "../db/client";
import { memberships } from "../db/schema";
import type { Membership, MembershipPlan } from "./memberships";

interface PlanDbRow {
  id: string;
  name: string;
  price_amount: number;
  price_currency: string;
  term: MembershipPlan["term"];
  earning_multiplier_percent: number;
  free_shipping: number;
  early_access_days: number;
  exclusive_rewards: number;
  renews: number;
  archived_at: string | null;
  created_at: string;
  updated_at: string;
}

export function toPlan(r: PlanDbRow): MembershipPlan {
  return {
    id: r.id,
    name: r.name,
    price: { amount: r.price_amount, currency: r.price_currency },
    term: r.term,
    benefits: {
      earningMultiplierPercent: r.earning_multiplier_percent,
      freeShipping: r.free_shipping === 1,
      earlyAccessDays: r.early_access_days,
      exclusiveRewards: r.exclusive_rewards === 1,
    },
    renews: r.renews === 1,
    archivedAt: r.archived_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

interface MembershipDbRow {
  id: string;
  member_id: string;
  plan_id: string;
  status: Membership["status"];
  paid_until: string;
  external_ref: string | null;
  cancel_at_term_end: number;
  started_at: string;
  ended_at: string | null;
  created_at: string;
  updated_at: string;
}

function toMembership(r: MembershipDbRow): Membership {
  return {
    id: r.id,
    memberId: r.member_id,
    planId: r.plan_id,
    status: r.status,
    paidUntil: r.paid_until,
    externalRef: r.external_ref,
    cancelAtTermEnd: r.cancel_at_term_end === 1,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export async function readPlan(db: Database, programId: string, id: string): Promise<MembershipPlan | null> {
  const [row] = await db.all<PlanDbRow>(sql`SELECT * FROM membership_plans WHERE program_id = ${programId} AND id = ${id}`);
  return row ? toPlan(row) : null;
}

/** Every plan id of the program, archived ones too (their memberships may still be in force): what campaigns may name. */
export async function planIdsOf(db: Database, programId: string): Promise<Set<string>> {
  const rows = await db.all<{ id: string }>(sql`SELECT id FROM membership_plans WHERE program_id = ${programId}`);
  return new Set(rows.map((r) => r.id));
}

export async function plansAfter(db: Database, programId: string, after: string | undefined, limit: number, archived: boolean): Promise<MembershipPlan[]> {
  const rows = await db.all<PlanDbRow>(sql`
    SELECT * FROM membership_plans WHERE program_id = ${programId} AND (${after ?? null} IS NULL OR id > ${after ?? null})
      AND (${archived ? 1 : 0} = 1 OR archived_at IS NULL)
    ORDER BY id LIMIT ${limit + 1}`);
  return rows.map(toPlan);
}

export async function insertPlan(db: Database, programId: string, p: MembershipPlan, audit?: AuditRow): Promise<void> {
  const b = p.benefits;
  const insert = sql`
    INSERT INTO membership_plans (id, program_id, name, price_amount, price_currency, term, earning_multiplier_percent, free_shipping,
      early_access_days, exclusive_rewards, renews, archived_at, created_at, updated_at)
    VALUES (${p.id}, ${programId}, ${p.name}, ${p.price.amount}, ${p.price.currency}, ${p.term}, ${b.earningMultiplierPercent}, ${b.freeShipping ? 1 : 0},
      ${b.earlyAccessDays}, ${b.exclusiveRewards ? 1 : 0}, ${p.renews ? 1 : 0}, ${p.archivedAt}, ${p.createdAt}, ${p.updatedAt})`;
  if (audit) await writeAudited(db.$client, insert, audit);
  else await db.run(insert);
}

/** Writes the plan over the version it was read at (its updatedAt); false when someone changed it meanwhile. */
export async function updatePlan(db: Database, programId: string, before: MembershipPlan, p: MembershipPlan, audit?: AuditRow): Promise<boolean> {
  const b = p.benefits;
  const update = sql`
    UPDATE membership_plans SET name = ${p.name}, price_amount = ${p.price.amount}, price_currency = ${p.price.currency}, term = ${p.term},
      earning_multiplier_percent = ${b.earningMultiplierPercent}, free_shipping = ${b.freeShipping ? 1 : 0}, early_access_days = ${b.earlyAccessDays},
      exclusive_rewards = ${b.exclusiveRewards ? 1 : 0}, renews = ${p.renews ? 1 : 0}, archived_at = ${p.archivedAt}, updated_at = ${p.updatedAt}
    WHERE program_id = ${programId} AND id = ${p.id} AND updated_at = ${before.updatedAt}`;
  if (audit) return (await writeAudited(db.$client, update, audit)) > 0;
  const result = await db.run(update);
  return (result.meta.changes ?? 0) > 0;
}

export async function membershipsOf(db: Database, programId: string, memberId: string): Promise<Membership[]> {
  const rows = await db.all<MembershipDbRow>(sql`SELECT * FROM memberships WHERE program_id = ${programId} AND member_id = ${memberId} ORDER BY id`);
  return rows.map(toMembership);
}

/** A membership row with its plan as JSON (column `p`), as the benefits read them. */
const HELD_SELECT = `SELECT m.*, json_object('id', p.id, 'name', p.name, 'price_amount', p.price_amount, 'price_currency', p.price_currency, 'term', p.term,
      'earning_multiplier_percent', p.earning_multiplier_percent, 'free_shipping', p.free_shipping, 'early_access_days', p.early_access_days,
      'exclusive_rewards', p.exclusive_rewards, 'renews', p.renews, 'archived_at', p.archived_at, 'created_at', p.created_at, 'updated_at', p.updated_at) AS p
    FROM memberships m JOIN membership_plans p ON p.id = m.plan_id AND p.program_id = m.program_id`;

export type HeldMembership = { membership: Membership; plan: MembershipPlan };

function toHeld(row: MembershipDbRow & { p: string }): HeldMembership {
  return { membership: toMembership(row), plan: toPlan(JSON.parse(row.p) as PlanDbRow) };
}

/** The member's memberships with their plans, for the benefits. */
export async function heldMemberships(db: Database, programId: string, memberId: string): Promise<HeldMembership[]> {
  const rows = await db.all<MembershipDbRow & { p: string }>(sql`${sql.raw(HELD_SELECT)}
    WHERE m.program_id = ${programId} AND m.member_id = ${memberId} AND m.status = 'active' ORDER BY m.id`);
  return rows.map(toHeld);
}

/** heldMemberships of many members in one statement (the ids go as one JSON array: D1 binds at most 100 parameters). */
export function heldMembershipsQuery(d1: D1Database, programId: string, memberIds: readonly string[]): D1PreparedStatement {
  return d1
    .prepare(`${HELD_SELECT} WHERE m.program_id = ?1 AND m.member_id IN (SELECT value FROM json_each(?2)) AND m.status = 'active' ORDER BY m.id`)
    .bind(programId, JSON.stringify(memberIds));
}

export type HeldMembershipRow = MembershipDbRow & { p: string };

/** The rows of heldMembershipsQuery per member; a member without any gets none. */
export function heldByMember(rows: readonly HeldMembershipRow[]): Map<string, HeldMembership[]> {
  const held = new Map<string, HeldMembership[]>();
  for (const row of rows) held.set(row.member_id, [...(held.get(row.member_id) ?? []), toHeld(row)]);
  return held;
}

export function insertMembership(db: Database, programId: string, m: Membership): BatchItem<"sqlite"> {
  return db.insert(memberships).values({ ...m, programId, cancelAtTermEnd: m.cancelAtTermEnd ? 1 : 0 });
}

/** Guarded by the status and paidUntil it was read with: the member's object is its only writer, so this holds. */
export function updateMembership(db: Database, programId: string, before: Membership, m: Membership): BatchItem<"sqlite"> {
  return db
    .update(memberships)
    .set({ status: m.status, paidUntil: m.paidUntil, cancelAtTermEnd: m.cancelAtTermEnd ? 1 : 0, endedAt: m.endedAt, updatedAt: m.updatedAt })
    .where(and(eq(memberships.programId, programId), eq(memberships.id, m.id), eq(memberships.status, before.status), eq(memberships.paidUntil, before.paidUntil)));
}

/** Members with an active membership past its paidUntil, by the partial index, in (paid_until, id) order. */
export function dueLapsesQuery(programId: string, now: Date, after: { paidUntil: string; id: string }, limit: number) {
  return sql`
    SELECT member_id, paid_until, id FROM memberships
    WHERE program_id = ${programId} AND status = 'active' AND paid_until <= ${now.toISOString()}
      AND (paid_until > ${after.paidUntil} OR (paid_until = ${after.paidUntil} AND id > ${after.id}))
    ORDER BY paid_until, id LIMIT ${limit}`;
}

export async function dueLapses(db: Database, programId: string, now: Date, after: { paidUntil: string; id: string }, limit: number) {
  return db.all<{ member_id: string; paid_until: string; id: string }>(dueLapsesQuery(programId, now, after, limit));
}
