// A program's job runs in D1, newest first.
import { and, desc, eq } from "drizzle-orm";
import { database } from "../../db/client";
import { jobRuns } from "../../db/schema";

/** The program's latest runs of one job, without the program id each row repeats. */
export async function latestRuns(d1: D1Database, programId: string, job: string, limit: number) {
  const rows = await database(d1)
    .select()
    .from(jobRuns)
    .where(and(eq(jobRuns.programId, programId), eq(jobRuns.job, job)))
    .orderBy(desc(jobRuns.startedAt), desc(jobRuns.id))
    .limit(limit);
  return rows.map(({ programId: _programId, ...runRow }) => runRow);
}
