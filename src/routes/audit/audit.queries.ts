// Reading a program's audit log, newest first, by resource and time.
import { and, desc, eq, gte, lt, or, type SQL } from "drizzle-orm";
import type { AuditRow } from "../../audit/audit";
import { database } from "../../db/client";
import { auditLog } from "../../db/schema";

export interface AuditFilter {
  resource?: string;
  from?: string;
  to?: string;
}

/** A position in the log: its time and id (ids are time-ordered, the time makes the index serve the walk). */
function position(row: AuditRow): string {
  return `${row.at}|${row.id}`;
}

export async function auditPage(d1: D1Database, programId: string, filter: AuditFilter, limit: number, after: string | undefined) {
  const conditions: SQL[] = [eq(auditLog.programId, programId)];
  if (filter.resource) conditions.push(eq(auditLog.resource, filter.resource));
  if (filter.from) conditions.push(gte(auditLog.at, new Date(filter.from).toISOString()));
  if (filter.to) conditions.push(lt(auditLog.at, new Date(filter.to).toISOString()));
  if (after) {
    const [at, id] = after.split("|") as [string, string];
    conditions.push(or(lt(auditLog.at, at), and(eq(auditLog.at, at), lt(auditLog.id, id)))!);
  }
  const rows = await database(d1)
    .select()
    .from(auditLog)
    .where(and(...conditions))
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  return { data: page.map(auditView), nextCursor: rows.length > limit ? position(page[page.length - 1]!) : null };
}

function auditView(row: AuditRow) {
  return {
    id: row.id,
    at: row.at,
    key: { id: row.keyId, name: row.keyName, role: row.keyRole },
    requestId: row.requestId,
    resource: row.resource,
    action: row.action,
    before: row.before === null ? null : (JSON.parse(row.before) as unknown),
    after: row.after === null ? null : (JSON.parse(row.after) as unknown),
  };
}
