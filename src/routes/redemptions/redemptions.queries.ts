// Reading a redemption from D1 (its changes go through the member's object).
import { and, eq } from "drizzle-orm";
import { database } from "../../db/client";
import { redemptions } from "../../db/schema";

export async function redemptionRow(d1: D1Database, programId: string, id: string) {
  const [row] = await database(d1)
    .select()
    .from(redemptions)
    .where(and(eq(redemptions.programId, programId), eq(redemptions.id, id)));
  return row;
}
