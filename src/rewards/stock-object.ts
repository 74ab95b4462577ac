// One Durable Object per reward: its stock and its pool of uploaded codes,
// handed out by two-phase reservations (reserve, then confirm or release).
import { DurableObject } from "cloudflare:workers";
import type { Reservation, RewardRecord } from "./types";

/** A reservation not confirmed within this long is reconciled against D1: confirmed if its claim committed, else released. */
export const RESERVATION_TTL_MS = 5 * 60 * 1000;

export interface StockCounts {
  /** Units in total; null for no limit. */
  stock: number | null;
  pending: number;
  confirmed: number;
  /** Units a new claim could still take (null: no limit), counting a pool's free codes too. */
  left: number | null;
  /** Pool codes not handed out; null when the reward generates its codes. */
  freeCodes: number | null;
}

export type ReserveAnswer = { ok: true; reservation: Reservation } | { ok: false; reason: "out_of_stock" | "pool_empty" };

export interface ReconcileResult {
  confirmed: number;
  released: number;
}

/**
 * Who the object is (its name is the same pair), and the reward's stock and
 * code source as D1 holds them: sent with every call, so the object always
 * counts against the reward's current definition.
 */
export interface StockIdentity {
  programId: string;
  rewardId: string;
  stock: number | null;
  pool: boolean;
}

/** Whether a claim must take a unit from the reward's object: it has a stock, or hands out pool codes. */
export function usesStockObject(reward: RewardRecord): boolean {
  return reward.definition.stock !== null || reward.definition.codeSource === "pool";
}

export function stockIdentity(programId: string, reward: RewardRecord): StockIdentity {
  return { programId, rewardId: reward.id, stock: reward.definition.stock, pool: reward.definition.codeSource === "pool" };
}

export function stockObjectName(programId: string, rewardId: string): string {
  return `${programId}/${rewardId}`;
}

export function rewardStockOf(env: Env, programId: string, rewardId: string): RewardStock {
  return env.REWARD_STOCK.getByName(stockObjectName(programId, rewardId)) as unknown as RewardStock;
}

/**
 * Every method but reconcile runs without awaiting anything, so each one is
 * atomic in the object. Reconcile awaits D1, and writes each decision with a
 * status check, so a confirm arriving meanwhile is not undone.
 */
export class RewardStock extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS settings (id INTEGER PRIMARY KEY CHECK (id = 1), program_id TEXT NOT NULL, reward_id TEXT NOT NULL, stock INTEGER, pool INTEGER NOT NULL DEFAULT 0, pending INTEGER NOT NULL DEFAULT 0, confirmed INTEGER NOT NULL DEFAULT 0);
      CREATE TABLE IF NOT EXISTS reservations (id TEXT PRIMARY KEY, status TEXT NOT NULL, code TEXT, expires_at INTEGER NOT NULL, created_at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS reservations_pending ON reservations (expires_at) WHERE status = 'pending';
      CREATE TABLE IF NOT EXISTS codes (code TEXT PRIMARY KEY, status TEXT NOT NULL, reservation_id TEXT, seq INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS codes_free ON codes (seq) WHERE status = 'free';
    `);
  }

  /** The units taken and left, against the reward's current stock. */
  counts(identity: StockIdentity): StockCounts {
    this.configure(identity);
    return this.current();
  }

  private configure(identity: StockIdentity) {
    const { stock, pool } = identity;
    this.sql.exec(
      `INSERT INTO settings (id, program_id, reward_id, stock, pool) VALUES (1, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET stock = excluded.stock, pool = excluded.pool`,
      identity.programId,
      identity.rewardId,
      stock,
      pool ? 1 : 0,
    );
    return this.settings()!;
  }

  /** Adds the shop's own codes to the pool; a code already known (in any state) is not added again. */
  addCodes(identity: StockIdentity, codes: string[]): { added: number; duplicates: number; counts: StockCounts } {
    this.configure(identity);
    let seq = Number(this.sql.exec("SELECT COALESCE(MAX(seq), 0) AS s FROM codes").one().s);
    let added = 0;
    for (const code of codes) {
      const cursor = this.sql.exec("INSERT INTO codes (code, status, seq) VALUES (?, 'free', ?) ON CONFLICT (code) DO NOTHING", code, ++seq);
      added += cursor.rowsWritten > 0 ? 1 : 0;
    }
    return { added, duplicates: codes.length - added, counts: this.current() };
  }

  /** Takes one unit (and one pool code) for `reservationId`, pending until confirmed or released. */
  async reserve(identity: StockIdentity, reservationId: string, now: number): Promise<ReserveAnswer> {
    const settings = this.configure(identity);
    const left = this.left(settings);
    if (left !== null && left <= 0) return { ok: false, reason: settings.pool && this.freeCodes() === 0 ? "pool_empty" : "out_of_stock" };
    let code: string | null = null;
    if (settings.pool) {
      const free = this.sql.exec<{ code: string }>("SELECT code FROM codes WHERE status = 'free' ORDER BY seq LIMIT 1").toArray()[0];
      if (!free) return { ok: false, reason: "pool_empty" };
      code = free.code;
      this.sql.exec("UPDATE codes SET status = 'reserved', reservation_id = ? WHERE code = ?", reservationId, code);
    }
    this.sql.exec("INSERT INTO reservations (id, status, code, expires_at, created_at) VALUES (?, 'pending', ?, ?, ?)", reservationId, code, now + RESERVATION_TTL_MS, now);
    this.sql.exec("UPDATE settings SET pending = pending + 1 WHERE id = 1");
    await this.scheduleReconcile();
    return { ok: true, reservation: { reservationId, code } };
  }

  /** The claim committed: the unit is taken for good. Answers the reservation's status after the call. */
  confirm(reservationId: string): string | null {
    if (this.move(reservationId, "pending", "confirmed")) this.sql.exec("UPDATE settings SET pending = pending - 1, confirmed = confirmed + 1 WHERE id = 1");
    this.sql.exec("UPDATE codes SET status = 'used' WHERE reservation_id = ? AND status = 'reserved'", reservationId);
    return this.statusOf(reservationId);
  }

  /** The claim was refused: the unit (and its code) go back. A confirmed reservation stays confirmed. */
  release(reservationId: string): string | null {
    if (this.move(reservationId, "pending", "released")) this.sql.exec("UPDATE settings SET pending = pending - 1 WHERE id = 1");
    this.sql.exec("UPDATE codes SET status = 'free', reservation_id = NULL WHERE reservation_id = ? AND status = 'reserved'", reservationId);
    return this.statusOf(reservationId);
  }

  /**
   * A confirmed claim was undone (its coupon cancelled, or expired with its
   * points returned): the unit is back in stock. Its pool code is retired,
   * not handed out again: someone has seen it.
   */
  giveBack(reservationId: string): string | null {
    if (this.move(reservationId, "confirmed", "returned")) this.sql.exec("UPDATE settings SET confirmed = confirmed - 1 WHERE id = 1");
    this.sql.exec("UPDATE codes SET status = 'retired' WHERE reservation_id = ? AND status = 'used'", reservationId);
    return this.statusOf(reservationId);
  }

  private current(): StockCounts {
    const settings = this.settings();
    const tally = this.tally();
    return {
      stock: settings?.stock ?? null,
      pending: tally.pending,
      confirmed: tally.confirmed,
      left: settings ? this.left(settings) : null,
      freeCodes: settings?.pool ? this.freeCodes() : null,
    };
  }

  /**
   * Settles every reservation pending past its time with what D1 says: one
   * round trip per reservation voids it unless its claim committed, and reads
   * whether the claim is there. Committed: confirmed. Not: released, and the
   * void keeps a batch still in flight from ever committing it.
   */
  async reconcile(now: number): Promise<ReconcileResult> {
    const settings = this.settings();
    const result: ReconcileResult = { confirmed: 0, released: 0 };
    if (!settings) return result;
    const due = this.sql.exec<{ id: string }>("SELECT id FROM reservations WHERE status = 'pending' AND expires_at <= ? ORDER BY expires_at LIMIT 500", now).toArray();
    for (const { id } of due) {
      const [, claimed] = await this.env.DB.batch([
        this.env.DB.prepare(
          `INSERT INTO reward_reservation_voids (reservation_id, program_id, reward_id, voided_at)
           SELECT ?1, ?2, ?3, ?4 WHERE NOT EXISTS (SELECT 1 FROM reward_claims WHERE reservation_id = ?1)
           ON CONFLICT (reservation_id) DO NOTHING`,
        ).bind(id, settings.programId, settings.rewardId, new Date(now).toISOString()),
        this.env.DB.prepare("SELECT COUNT(*) AS n FROM reward_claims WHERE reservation_id = ?").bind(id),
      ]);
      const committed = Number((claimed!.results[0] as { n: number }).n) > 0;
      if (committed) {
        if (this.confirm(id) === "confirmed") result.confirmed++;
      } else if (this.release(id) === "released") result.released++;
    }
    await this.scheduleReconcile();
    return result;
  }

  override async alarm(): Promise<void> {
    await this.reconcile(Date.now());
  }

  // ------------------------------------------------------------ internals

  private settings(): { programId: string; rewardId: string; stock: number | null; pool: boolean } | null {
    const row = this.sql.exec<{ program_id: string; reward_id: string; stock: number | null; pool: number }>("SELECT * FROM settings WHERE id = 1").toArray()[0];
    return row ? { programId: row.program_id, rewardId: row.reward_id, stock: row.stock, pool: row.pool === 1 } : null;
  }

  /** Counts kept beside the reservations, so a reserve never scans them. */
  private tally(): { pending: number; confirmed: number } {
    const row = this.sql.exec<{ pending: number; confirmed: number }>("SELECT pending, confirmed FROM settings WHERE id = 1").toArray()[0];
    return { pending: Number(row?.pending ?? 0), confirmed: Number(row?.confirmed ?? 0) };
  }

  /** Moves a reservation between two states; false when it was not in `from` (each move happens once). */
  private move(reservationId: string, from: string, to: string): boolean {
    return this.sql.exec("UPDATE reservations SET status = ? WHERE id = ? AND status = ? RETURNING id", to, reservationId, from).toArray().length > 0;
  }

  private freeCodes(): number {
    return Number(this.sql.exec("SELECT COUNT(*) AS n FROM codes WHERE status = 'free'").one().n);
  }

  private left(settings: { stock: number | null; pool: boolean }): number | null {
    const { pending, confirmed } = this.tally();
    const byStock = settings.stock === null ? null : settings.stock - pending - confirmed;
    const byPool = settings.pool ? this.freeCodes() : null;
    if (byStock === null) return byPool;
    return byPool === null ? Math.max(0, byStock) : Math.max(0, Math.min(byStock, byPool));
  }

  private statusOf(reservationId: string): string | null {
    return this.sql.exec<{ status: string }>("SELECT status FROM reservations WHERE id = ?", reservationId).toArray()[0]?.status ?? null;
  }

  private async scheduleReconcile(): Promise<void> {
    const next = this.sql.exec<{ at: number | null }>("SELECT MIN(expires_at) AS at FROM reservations WHERE status = 'pending'").one().at;
    if (next === null) return;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > next) await this.ctx.storage.setAlarm(next);
  }
}
