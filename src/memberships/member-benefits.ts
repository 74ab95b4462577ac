// A member's benefits now, from their tier and memberships together, for whichever route names the member.
import { sql } from "drizzle-orm";
import type { Context } from "hono";
import type { AppEnv } from "../app/types";
import { database } from "../db/client";
import { memberNotFound } from "../ledger/errors";
import { fromDomain } from "../lib/errors";
import { benefitsOf } from "./benefits";
import { heldMemberships } from "./store";

export async function memberBenefits(c: Context<AppEnv>, memberId: string) {
  const { programId, settings } = c.get("principal");
  const db = database(c.env.DB);
  const now = new Date();
  const [member] = await db.all<{ tier: string | null }>(sql`SELECT tier FROM members WHERE program_id = ${programId} AND member_id = ${memberId}`);
  if (!member) throw fromDomain(memberNotFound(memberId).toFailure());
  const held = await heldMemberships(db, programId, memberId);
  return { memberId, asOf: now.toISOString(), ...benefitsOf(member.tier, held, settings, now) };
}
