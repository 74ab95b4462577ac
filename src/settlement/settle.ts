// Building, closing and viewing settlement statements on top of the pure builder.
import { writeAudited, type AuditRow } from "../audit/audit";
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { programs, settlementPeriods } from "../db/schema";
import { addDays } from "../ledger/dates";
import { ProgramSettingsSchema, SETTLEMENT_PERIOD_PATH } from "../ledger/settings";
import { csvLine } from "../lib/csv";
import { ApiError } from "../lib/errors";
import { crossFlows, issuerFlows, outstandingInLots, partnersWithTerms } from "./queries";
import { donationTotals, listCauses } from "../rewards/queries";
import { buildStatement, type Statement } from "./statement";
import { nextPeriod, periodBounds, periodKindOf, periodOf, type PeriodKind } from "../ledger/periods";

export interface StatementView extends Statement {
  status: "open" | "closed";
  closedAt: string | null;
}

export function checkPeriod(period: string, kind: PeriodKind): void {
  if (periodKindOf(period) !== kind) {
    throw new ApiError("validation_failed", `This program settles by ${kind}: use ${kind === "month" ? "YYYY-MM" : "YYYY-Qn"}.`, {
      errors: [{ path: "period", message: `a ${kind} id` }],
    });
  }
}

/** Builds the period's statement from the ledger, and refuses one that does not reconcile. */
export async function buildLiveStatement(db: Database, d1: D1Database, programId: string, period: string, currency: string): Promise<Statement> {
  const [flows, cross, allTimeFlows, allTimeCross, inLots, partnerList, donated, causeList] = await Promise.all([
    issuerFlows(d1, programId, period),
    crossFlows(d1, programId, period),
    issuerFlows(d1, programId, null),
    crossFlows(d1, programId, null),
    outstandingInLots(d1, programId),
    partnersWithTerms(db, programId, period),
    donationTotals(db, programId, null, period),
    listCauses(db, programId),
  ]);
  const causeName = new Map(causeList.map((c) => [c.id, c.name]));
  const donations = donated.map((d) => ({ causeId: d.causeId, name: causeName.get(d.causeId) ?? d.causeId, claims: d.claims, points: d.points, amount: d.amount }));
  const statement = buildStatement({ period, currency, partners: partnerList, flows, cross, allTimeFlows, allTimeCross, outstandingInLots: inLots, donations });
  const broken = statement.reconciliation.filter((r) => !r.ok);
  if (broken.length > 0) {
    throw new ApiError("settlement_unreconciled", "The ledger's flows do not add up to what the lots hold; no statement is issued.", {
      reconciliation: broken,
    });
  }
  return statement;
}

/**
 * A statement frozen before gross, reversed and net were named apart stored
 * the line's net as `points` and the matrix's gross as `redeemed`; it is
 * shown in today's names.
 */
function inTodaysNames(statement: any): Statement {
  for (const line of statement.partners ?? []) {
    const r = line.redeemedAt;
    if (r && r.grossPoints === undefined) line.redeemedAt = { grossPoints: r.points + r.reversedPoints, reversedPoints: r.reversedPoints, netPoints: r.points, value: r.value };
  }
  statement.matrix = (statement.matrix ?? []).map((m: any) =>
    m.grossPoints === undefined ? { issuer: m.issuer, redeemer: m.redeemer, grossPoints: m.redeemed, reversedPoints: m.reversed, netPoints: m.redeemed - m.reversed } : m,
  );
  return statement as Statement;
}

/** A closed period's frozen statement, or the open period's live one. */
export async function statementFor(db: Database, d1: D1Database, programId: string, period: string, currency: string, closedThrough: string | null): Promise<StatementView> {
  const [frozen] = await db
    .select()
    .from(settlementPeriods)
    .where(and(eq(settlementPeriods.programId, programId), eq(settlementPeriods.period, period)));
  if (frozen) return { ...inTodaysNames(JSON.parse(frozen.statement)), status: "closed", closedAt: frozen.closedAt };
  const statement = await buildLiveStatement(db, d1, programId, period, currency);
  const closed = closedThrough !== null && period <= closedThrough;
  return { ...statement, status: closed ? "closed" : "open", closedAt: null };
}

/**
 * Closes a period: first no entry may land in it any more (the programs row's
 * closed_through, enforced by a trigger on entries), then its statement is
 * built and frozen. Periods close in order; closing a closed one again only
 * returns its statement.
 */
export async function closePeriod(db: Database, d1: D1Database, programId: string, period: string, currency: string, closedThrough: string | null, now: Date, audit?: AuditRow): Promise<StatementView> {
  if (periodBounds(period).end.getTime() > now.getTime()) {
    throw new ApiError("period_not_over", `Period ${period} has not ended yet.`);
  }
  // Before anything of the program could lie in it, a close would freeze an empty statement, or as a first close
  // leave every period since then to close one by one.
  const first = await firstPeriod(d1, programId, periodKindOf(period)!);
  if (period < first) {
    const nextToClose = closedThrough === null ? first : nextPeriod(closedThrough);
    throw new ApiError("period_out_of_order", `Nothing of this program lies in ${period}; the first period it has is ${first}.`, { nextToClose });
  }
  if (closedThrough !== null && period > closedThrough && period !== nextPeriod(closedThrough)) {
    throw new ApiError("period_out_of_order", `Close ${nextPeriod(closedThrough)} first; periods close in order.`, {
      nextToClose: nextPeriod(closedThrough),
    });
  }
  if (closedThrough === null || period > closedThrough) {
    // Reconcile before freezing anything: a ledger that does not add up is not closed.
    await buildLiveStatement(db, d1, programId, period, currency);
    const move = db
      .update(programs)
      .set({ closedThrough: period })
      .where(
        and(
          eq(programs.id, programId),
          closedThrough === null ? isNull(programs.closedThrough) : eq(programs.closedThrough, closedThrough),
          // A key cached before a switch of the period kind must not close a period of the old kind.
          sql`json_extract(${programs.settings}, ${SETTLEMENT_PERIOD_PATH}) = ${periodKindOf(period)}`,
        ),
      );
    const moved = audit ? await writeAudited(d1, move, audit) : (await move.returning({ id: programs.id })).length;
    if (moved === 0) throw new ApiError("concurrent_update", "Another close of this program ran at the same time; retry.");
  }
  const view = await statementFor(db, d1, programId, period, currency, period);
  if (view.closedAt === null) {
    const closedAt = now.toISOString();
    const { status: _s, closedAt: _c, ...statement } = view;
    await db.insert(settlementPeriods).values({ programId, period, closedAt, statement: JSON.stringify(statement) }).onConflictDoNothing();
    return statementFor(db, d1, programId, period, currency, period);
  }
  return view;
}

/**
 * The earliest period anything of the program can lie in: that of its earliest
 * entry, or of the oldest occurredAt its window let in since it was created.
 */
async function firstPeriod(d1: D1Database, programId: string, kind: PeriodKind): Promise<string> {
  const row = await d1
    .prepare("SELECT created_at AS createdAt, settings, (SELECT MIN(settlement_period) FROM entries WHERE program_id = ?1) AS earliest FROM programs WHERE id = ?1")
    .bind(programId)
    .first<{ createdAt: string; settings: string; earliest: string | null }>();
  const { maxBackdateDays } = ProgramSettingsSchema.parse(JSON.parse(row!.settings));
  const windowStart = periodOf(addDays(new Date(row!.createdAt), -maxBackdateDays), kind);
  return row!.earliest !== null && row!.earliest < windowStart ? row!.earliest : windowStart;
}

/** What a partner key may see: its own line, and its own row and column of the matrix. */
export function partnerView(statement: StatementView, partnerId: string): StatementView {
  return {
    ...statement,
    partners: statement.partners.filter((p) => p.partnerId === partnerId),
    matrix: statement.matrix.filter((m) => m.issuer === partnerId || m.redeemer === partnerId),
    breakage: statement.breakage.filter((b) => b.issuer === partnerId),
    reconciliation: statement.reconciliation.filter((r) => r.issuer === partnerId),
    // Donations are the program's to pass on, not a partner's.
    ...(statement.donations ? { donations: [] } : {}),
  };
}

const CSV_COLUMNS = [
  "section", "partner_id", "name", "issued_points", "issued_value", "clawed_back_points", "clawed_back_value",
  "redeemed_gross_points", "redeemed_reversed_points", "redeemed_net_points", "redeemed_net_value", "expired_points", "net_amount", "currency",
] as const;

/** The statement as CSV: one line per partner, then the cross-partner matrix. */
export function statementCsv(s: StatementView): string {
  const lines = [CSV_COLUMNS.join(",")];
  for (const p of s.partners) {
    lines.push(
      csvLine([
        "partner", p.partnerId ?? "program", p.name, p.issued.points, p.issued.value.amount, p.clawedBack.points, p.clawedBack.value.amount,
        p.redeemedAt.grossPoints, p.redeemedAt.reversedPoints, p.redeemedAt.netPoints, p.redeemedAt.value.amount, p.expired, p.net.amount, s.currency,
      ]),
    );
  }
  lines.push("", "section,issuer,redeemer,redeemed_gross_points,redeemed_reversed_points,redeemed_net_points");
  for (const m of s.matrix) lines.push(csvLine(["matrix", m.issuer ?? "program", m.redeemer ?? "program", m.grossPoints, m.reversedPoints, m.netPoints]));
  if (s.donations && s.donations.length > 0) {
    lines.push("", "section,cause_id,name,claims,points,amount,currency");
    for (const d of s.donations) lines.push(csvLine(["donation", d.causeId, d.name, d.claims, d.points, d.value.amount, d.value.currency]));
  }
  return `${lines.join("\r\n")}\r\n`;
}
