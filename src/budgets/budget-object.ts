// One Durable Object per campaign budget: the program-wide counter every member's accrual draws on,
// with two-phase reservations (reserve, then confirm with the member's batch or release), kept in the
// object's own SQLite storage. Reservations that never hear back lapse and are reconciled against D1.
import { DurableObject } from "cloudflare:workers";
import { database } from "../db/client";
import { newId } from "../lib/ids";
import { publishCommitted } from "../webhooks/outbox";
import type { WebhookEvent } from "../webhooks/events";
import { grantFor, isExhausted, issuedPoints, pointsLeft, RESERVATION_TTL_MS, returnableFor, SETTLED_RETENTION_MS, type BudgetCounter } from "./budget";
import { writeOutboxEventOnce, settleInD1, unappliedReturns } from "./reconcile";

export interface BudgetIdentity {
  programId: string;
  campaignId: string;
}

export interface ReserveRequest extends BudgetIdentity {
  /** The campaign's budget in points as the caller's rules say (see budgetPoints); the latest one given is kept. */
  limit: number;
  reservationId: string;
  points: number;
  /** Milliseconds since epoch; the member's object passes its clock, tests inject theirs. */
  now?: number;
}

export interface Reserved {
  /** What the reservation holds: all it asked, part, or 0 when the budget is spent. */
  granted: number;
  left: number;
}

export interface BudgetView {
  programId: string;
  campaignId: string;
  limit: number;
  /** Confirmed draws less what refunds gave back: the points the campaign really issued. */
  issued: number;
  /** Held by reservations that are neither confirmed nor released yet. */
  reserved: number;
  left: number;
  exhaustedAt: string | null;
}

export interface Reconciled {
  confirmed: number;
  released: number;
  returned: number;
}

type ReservationStatus = "pending" | "confirmed" | "released";

interface ReservationRow extends Record<string, SqlStorageValue> {
  id: string;
  granted: number;
  drawn: number;
  status: ReservationStatus;
  expires_at: number;
}

interface BudgetRow extends Record<string, SqlStorageValue> {
  program_id: string;
  campaign_id: string;
  limit_points: number;
  confirmed: number;
  returned: number;
  pending: number;
  exhausted_event_id: string | null;
  exhausted_at: string | null;
  returns_synced_through: string | null;
}

/** Lapsed reservations settled against D1 per round trip. */
const SETTLE_CHUNK = 50;

export function budgetObjectName(programId: string, campaignId: string): string {
  return `${programId}/${campaignId}`;
}

/** The campaign's budget object. Its RPC methods mirror the class; the cast keeps their plain reply types. */
export function budgetObjectOf(env: Env, programId: string, campaignId: string): BudgetObject {
  return env.CAMPAIGN_BUDGET.getByName(budgetObjectName(programId, campaignId)) as unknown as BudgetObject;
}

export class BudgetObject extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS budget (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        program_id TEXT NOT NULL,
        campaign_id TEXT NOT NULL,
        limit_points INTEGER NOT NULL CHECK (limit_points >= 0),
        confirmed INTEGER NOT NULL DEFAULT 0 CHECK (confirmed >= 0),
        returned INTEGER NOT NULL DEFAULT 0 CHECK (returned >= 0 AND returned <= confirmed),
        pending INTEGER NOT NULL DEFAULT 0 CHECK (pending >= 0),
        exhausted_event_id TEXT,
        exhausted_at TEXT,
        returns_synced_through TEXT
      );
      CREATE TABLE IF NOT EXISTS reservations (
        id TEXT PRIMARY KEY,
        granted INTEGER NOT NULL CHECK (granted >= 0),
        drawn INTEGER NOT NULL DEFAULT 0 CHECK (drawn >= 0),
        status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'released')),
        expires_at INTEGER NOT NULL,
        settled_at INTEGER
      );
      CREATE INDEX IF NOT EXISTS reservations_pending ON reservations (expires_at) WHERE status = 'pending';
      CREATE INDEX IF NOT EXISTS reservations_settled ON reservations (settled_at) WHERE status <> 'pending';
      CREATE TABLE IF NOT EXISTS returns (id TEXT PRIMARY KEY, points INTEGER NOT NULL, created_at INTEGER NOT NULL);
    `);
  }

  /**
   * Holds up to `points` for one member batch. A retry of the same
   * reservation answers what it first granted (0 once it is released, so a
   * released reservation can never be drawn on). The counter is read and
   * written in one synchronous transaction: no other call runs in between.
   */
  async reserve(request: ReserveRequest): Promise<Reserved> {
    const now = request.now ?? Date.now();
    if (!Number.isSafeInteger(request.points) || request.points < 0) throw new RangeError("points must be a non-negative integer");
    const result = this.ctx.storage.transactionSync((): Reserved => {
      const budget = this.budgetRow(request);
      const existing = this.reservation(request.reservationId);
      if (existing) return { granted: existing.status === "released" ? 0 : existing.granted, left: pointsLeft(counterOf(budget)) };
      const granted = grantFor(counterOf(budget), request.points);
      // A grant of nothing is settled at once, yet kept, so a retry answers 0 as well.
      const status: ReservationStatus = granted > 0 ? "pending" : "released";
      this.sql.exec(
        "INSERT INTO reservations (id, granted, status, expires_at, settled_at) VALUES (?, ?, ?, ?, ?)",
        request.reservationId,
        granted,
        status,
        now + RESERVATION_TTL_MS,
        granted > 0 ? null : now,
      );
      if (granted > 0) this.sql.exec("UPDATE budget SET pending = pending + ? WHERE id = 1", granted);
      return { granted, left: pointsLeft(counterOf(budget)) - granted };
    });
    // Before answering: a reservation nobody confirms must still wake the object when it lapses.
    if (result.granted > 0) await this.scheduleAlarm();
    return result;
  }

  /**
   * The member's batch committed with `drawn` points of the reservation
   * (what it was granted or less; the rest goes back). True when the
   * reservation is confirmed now or was already; false when it had been
   * released (then the batch cannot have committed: see reconcile).
   */
  async confirm(reservationId: string, drawn?: number): Promise<boolean> {
    const confirmed = this.settle(reservationId, "confirmed", drawn);
    await this.announceIfExhausted();
    return confirmed;
  }

  /** The member's batch did not commit (a refusal, a failed constraint): the points are free again. */
  release(reservationId: string): boolean {
    return this.settle(reservationId, "released");
  }

  /**
   * A refund took back `points` a capped rule had drawn: they are the
   * budget's again. Idempotent per `returnId`; the refund's batch wrote the
   * same return to D1, which reconcile applies should this call be lost.
   */
  giveBack(returnId: string, points: number, now = Date.now()): number {
    return this.ctx.storage.transactionSync(() => this.applyReturn(returnId, points, now));
  }

  view(): BudgetView | null {
    const budget = this.sql.exec<BudgetRow>("SELECT * FROM budget WHERE id = 1").toArray()[0];
    if (!budget) return null;
    const counter = counterOf(budget);
    return {
      programId: budget.program_id,
      campaignId: budget.campaign_id,
      limit: counter.limit,
      issued: issuedPoints(counter),
      reserved: counter.pending,
      left: pointsLeft(counter),
      exhaustedAt: budget.exhausted_at,
    };
  }

  /**
   * Settles every reservation whose time ran out by what D1 says: the
   * member's draw row committed, so it is confirmed; or it did not, and a
   * lapse marker now takes its place (the same primary key, so that batch
   * can no longer commit), so it is released. Afterwards the counter is the
   * points really issued. Also applies refunds' give-backs a lost call left
   * out. Safe to run twice or beside confirms: each step moves only a
   * pending reservation, and both ways agree with D1.
   */
  async reconcile(now = Date.now()): Promise<Reconciled> {
    const budget = this.sql.exec<BudgetRow>("SELECT * FROM budget WHERE id = 1").toArray()[0];
    const done: Reconciled = { confirmed: 0, released: 0, returned: 0 };
    if (!budget) return done;
    const identity = { programId: budget.program_id, campaignId: budget.campaign_id };
    const db = database(this.env.DB);
    for (;;) {
      const lapsed = this.sql
        .exec<ReservationRow>("SELECT * FROM reservations WHERE status = 'pending' AND expires_at <= ? ORDER BY expires_at LIMIT ?", now, SETTLE_CHUNK)
        .toArray();
      if (lapsed.length === 0) break;
      const outcomes = await settleInD1(db, identity, lapsed.map((r) => r.id), new Date(now));
      for (const reservation of lapsed) {
        const drawn = outcomes.get(reservation.id);
        if (drawn === undefined) throw new Error(`reservation ${reservation.id} has no row in D1 after settling`);
        if (drawn > 0 && this.settle(reservation.id, "confirmed", drawn)) done.confirmed++;
        else if (drawn === 0 && this.settle(reservation.id, "released")) done.released++;
      }
    }
    const returns = await unappliedReturns(db, identity, budget.returns_synced_through);
    this.ctx.storage.transactionSync(() => {
      for (const r of returns.rows) if (this.applyReturn(r.reservationId, -r.points, now) > 0) done.returned++;
      if (returns.through) this.sql.exec("UPDATE budget SET returns_synced_through = ? WHERE id = 1", returns.through);
      this.sql.exec("DELETE FROM reservations WHERE status <> 'pending' AND settled_at <= ?", now - SETTLED_RETENTION_MS);
    });
    await this.announceIfExhausted();
    await this.scheduleAlarm();
    return done;
  }

  override async alarm(): Promise<void> {
    // A D1 failure throws, and the runtime retries the alarm.
    await this.reconcile(Date.now());
  }

  // ------------------------------------------------------------ internals

  /** The budget's row, created on first use; the limit follows the caller's latest rules. */
  private budgetRow(identity: BudgetIdentity & { limit: number }): BudgetRow {
    if (!Number.isSafeInteger(identity.limit) || identity.limit < 0) throw new RangeError("limit must be a non-negative integer");
    this.sql.exec(
      `INSERT INTO budget (id, program_id, campaign_id, limit_points) VALUES (1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET limit_points = excluded.limit_points`,
      identity.programId,
      identity.campaignId,
      identity.limit,
    );
    return this.sql.exec<BudgetRow>("SELECT * FROM budget WHERE id = 1").one();
  }

  private reservation(id: string): ReservationRow | null {
    return this.sql.exec<ReservationRow>("SELECT * FROM reservations WHERE id = ?", id).toArray()[0] ?? null;
  }

  /** Moves a pending reservation to confirmed (with what was drawn) or released; anything else stays as it is. */
  private settle(reservationId: string, to: "confirmed" | "released", drawn?: number): boolean {
    return this.ctx.storage.transactionSync(() => {
      const reservation = this.reservation(reservationId);
      if (!reservation) return false;
      if (reservation.status !== "pending") return reservation.status === to;
      const points = to === "confirmed" ? (drawn ?? reservation.granted) : 0;
      if (!Number.isSafeInteger(points) || points < 0) throw new RangeError(`drawn points must be a non-negative integer, not ${points}`);
      // What committed is what counts, even past the grant (a caller's bug): the counter tells the truth, and says so.
      if (points > reservation.granted) {
        console.log(JSON.stringify({ level: "error", message: "a budget draw exceeded its reservation", reservationId, granted: reservation.granted, drawn: points }));
      }
      this.sql.exec("UPDATE reservations SET status = ?, drawn = ?, settled_at = ? WHERE id = ?", to, points, Date.now(), reservationId);
      this.sql.exec("UPDATE budget SET pending = pending - ?, confirmed = confirmed + ? WHERE id = 1", reservation.granted, points);
      return true;
    });
  }

  private applyReturn(returnId: string, points: number, now: number): number {
    const budget = this.sql.exec<BudgetRow>("SELECT * FROM budget WHERE id = 1").toArray()[0];
    if (!budget || this.sql.exec("SELECT 1 FROM returns WHERE id = ?", returnId).toArray().length > 0) return 0;
    const back = returnableFor(counterOf(budget), points);
    this.sql.exec("INSERT INTO returns (id, points, created_at) VALUES (?, ?, ?)", returnId, back, now);
    this.sql.exec("UPDATE budget SET returned = returned + ? WHERE id = 1", back);
    return back;
  }

  /**
   * `campaign.budget_exhausted`, once per campaign: the event's id is kept
   * before its outbox row is written (insert-or-nothing on that id), so a
   * crash in between writes the same row on the next try, never a second.
   */
  private async announceIfExhausted(): Promise<void> {
    let budget = this.sql.exec<BudgetRow>("SELECT * FROM budget WHERE id = 1").toArray()[0];
    if (!budget || budget.exhausted_at || !isExhausted(counterOf(budget))) return;
    if (!budget.exhausted_event_id) {
      this.sql.exec("UPDATE budget SET exhausted_event_id = ? WHERE id = 1 AND exhausted_event_id IS NULL", newId("evt"));
      budget = this.sql.exec<BudgetRow>("SELECT * FROM budget WHERE id = 1").one();
    }
    const at = new Date().toISOString();
    const counter = counterOf(budget);
    const event: WebhookEvent = {
      id: budget.exhausted_event_id!,
      programId: budget.program_id,
      memberId: null,
      partnerId: null,
      type: "campaign.budget_exhausted",
      payload: { campaignId: budget.campaign_id, budgetPoints: counter.limit, issuedPoints: issuedPoints(counter), occurredAt: at, recordedAt: at },
      createdAt: at,
    };
    const db = database(this.env.DB);
    const written = await writeOutboxEventOnce(db, event);
    this.sql.exec("UPDATE budget SET exhausted_at = ? WHERE id = 1 AND exhausted_at IS NULL", at);
    // Only the call that wrote the row sends it; one already there is the sweep's, should it be unsent.
    if (written) await publishCommitted(this.env, [event]);
  }

  /** Wakes at the first pending reservation's end of life. */
  private async scheduleAlarm(): Promise<void> {
    const next = this.sql.exec<{ expires_at: number }>("SELECT min(expires_at) AS expires_at FROM reservations WHERE status = 'pending'").one().expires_at;
    if (next === null) return;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > next) await this.ctx.storage.setAlarm(next);
  }
}

function counterOf(row: BudgetRow): BudgetCounter {
  return { limit: row.limit_points, confirmed: row.confirmed, returned: row.returned, pending: row.pending };
}
