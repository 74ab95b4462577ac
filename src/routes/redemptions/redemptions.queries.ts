// Reading a redemption from D1 (its changes go through the member's object), and whose it is.
import { and, eq } from "drizzle-orm";
import { database } from "../../db/client";
import { redemptions } from "../../db/schema";

export async function redemptionRow(d1: D1Database, programId: string, id: string) {
  const [row] = await database(d1)
    .select()
    .from(redemptions)
    .where(and(eq(redemptions.programId, programId), eq(redemptions.id, id)));
  if (row) rememberOwner(programId, row);
  return row;
}

/** Whose a redemption is: the member whose object changes it, and the partner whose key made it. */
export interface RedemptionOwner {
  memberId: string;
  partnerId: string | null;
}

/**
 * A redemption's owner never changes, so an isolate keeps the owners of the
 * redemptions it made or read: a hold captured or cancelled through the
 * isolate that made it goes to its member's object without reading D1 first.
 * The object still finds the hold in its own state (or reads it) and refuses
 * one that is not its member's. Bounded: the oldest entries go first.
 */
const owners = new Map<string, RedemptionOwner>();
export const OWNER_CACHE_ENTRIES = 10_000;

export function rememberOwner(programId: string, redemption: { id: string } & RedemptionOwner): void {
  const key = `${programId}/${redemption.id}`;
  if (owners.has(key)) return;
  if (owners.size >= OWNER_CACHE_ENTRIES) owners.delete(owners.keys().next().value!);
  owners.set(key, { memberId: redemption.memberId, partnerId: redemption.partnerId });
}

/** The redemption's owner, from this isolate's memory or D1; null when the program has no such redemption. */
export async function redemptionOwner(d1: D1Database, programId: string, id: string): Promise<RedemptionOwner | null> {
  return owners.get(`${programId}/${id}`) ?? (await redemptionRow(d1, programId, id)) ?? null;
}
