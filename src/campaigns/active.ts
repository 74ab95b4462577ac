// The campaign rules a program has in force, cached per isolate, and which of them apply at an instant.
import type { ProgramSettings } from "../ledger/settings";
import { CampaignDefinitionSchema, type ActiveRule, type RuleTrigger } from "./rules";

/** [from, to) by recorded time; `to` null while the version is still in force. */
export interface InForceInterval {
  from: string;
  to: string | null;
}

/** A rule of a campaign version that was (or is) in force, with the intervals it was. */
export interface ScheduledRule extends ActiveRule {
  inForce: InForceInterval[];
  /**
   * The earliest instant any member may earn by it: startsAt, or sooner by
   * early access (the campaign's windows, the program's plans' most
   * early-access days). Which member it opens to is the evaluator's to say.
   */
  opensFrom?: string;
}

/**
 * The rules in force at `occurredAt` for a trigger: the version's interval
 * holds the instant (activate opens one, pause, end and a newer version close
 * it), and so does the definition's own [startsAt, endsAt) window. Pure.
 */
export function rulesInForce(all: readonly ScheduledRule[], occurredAt: Date, triggerType: RuleTrigger["type"]): ActiveRule[] {
  const t = occurredAt.getTime();
  const found: ActiveRule[] = [];
  for (const scheduled of all) {
    if (scheduled.rule.trigger.type !== triggerType) continue;
    const times = scheduleOf(scheduled);
    if (times.opensFrom > t || times.endsAt <= t) continue;
    if (!times.inForce.some((i) => i.from <= t && i.to > t)) continue;
    found.push(times.active);
  }
  return found;
}

/** A scheduled rule's instants in epoch milliseconds (an open end: Infinity), and the rule as the evaluator takes it. */
interface Schedule {
  opensFrom: number;
  endsAt: number;
  inForce: { from: number; to: number }[];
  active: ActiveRule;
}

/**
 * Made once per rule object: rule sets are kept per isolate, so an accrual with
 * 50 campaigns in force parses no timestamp here and gets the same rule
 * objects back each time, whose own parsed times the evaluator keeps (match.ts).
 */
const schedules = new WeakMap<ScheduledRule, Schedule>();

function scheduleOf(scheduled: ScheduledRule): Schedule {
  let schedule = schedules.get(scheduled);
  if (!schedule) {
    const { inForce, opensFrom, ...active } = scheduled;
    schedule = {
      opensFrom: Date.parse(opensFrom ?? scheduled.startsAt),
      endsAt: scheduled.endsAt === null ? Infinity : Date.parse(scheduled.endsAt),
      inForce: inForce.map((i) => ({ from: Date.parse(i.from), to: i.to === null ? Infinity : Date.parse(i.to) })),
      active,
    };
    schedules.set(scheduled, schedule);
  }
  return schedule;
}

/** A version's rows as read from D1: its definition and the intervals it was in force. */
export interface VersionInForceRow {
  campaignId: string;
  version: number;
  definition: string;
  startsAt: string;
  endsAt: string | null;
}

/**
 * Rows (one per interval) grouped into the rules of each version.
 * `planEarlyAccessDays`: the most early-access days a plan of the program gives.
 */
export function scheduledRules(rows: readonly VersionInForceRow[], planEarlyAccessDays = 0): ScheduledRule[] {
  const byVersion = new Map<string, { row: VersionInForceRow; inForce: InForceInterval[] }>();
  for (const row of rows) {
    const key = `${row.campaignId}/${row.version}`;
    const seen = byVersion.get(key);
    if (seen) seen.inForce.push({ from: row.startsAt, to: row.endsAt });
    else byVersion.set(key, { row, inForce: [{ from: row.startsAt, to: row.endsAt }] });
  }
  const rules: ScheduledRule[] = [];
  for (const { row, inForce } of byVersion.values()) {
    const parsed = CampaignDefinitionSchema.safeParse(JSON.parse(row.definition));
    // Written through the same schema, so this only fails if the schema tightened since: one campaign's
    // stored version must not stop every accrual of the program, so it is skipped, loudly.
    if (!parsed.success) {
      console.log(JSON.stringify({ level: "error", message: "stored campaign version no longer parses", campaignId: row.campaignId, version: row.version }));
      continue;
    }
    const definition = parsed.data;
    const early = [Date.parse(definition.startsAt) - planEarlyAccessDays * 86_400_000, ...(definition.earlyAccess ?? []).map((w) => Date.parse(w.opensAt))];
    const opensFrom = new Date(Math.min(...early)).toISOString();
    for (const rule of definition.rules) {
      rules.push({
        campaignId: row.campaignId,
        version: row.version,
        startsAt: definition.startsAt,
        endsAt: definition.endsAt,
        budget: definition.budget,
        ...(definition.earlyAccess ? { earlyAccess: definition.earlyAccess } : {}),
        rule,
        inForce,
        opensFrom,
      });
    }
  }
  return rules;
}

/**
 * Versions whose last interval closed before this many days ahead of the
 * backdating window can no longer value any order (older orders are refused),
 * so the loader leaves them out; a day of margin covers the clock's skew.
 */
const MARGIN_DAYS = 1;

/** The program's intervals still open or closed after the cutoff (by its key), each with its version (by key). */
export const SCHEDULED_RULES_SQL = `SELECT i.campaign_id AS campaignId, i.version AS version, v.definition AS definition, i.starts_at AS startsAt, i.ends_at AS endsAt
  FROM campaign_intervals i
  JOIN campaign_versions v ON v.program_id = i.program_id AND v.campaign_id = i.campaign_id AND v.version = i.version
  WHERE i.program_id = ?1 AND (i.ends_at IS NULL OR i.ends_at > ?2)`;

/** How far ahead of startsAt a plan's early access may open a campaign (plan edits forget the cache, see forgetCampaignRules). */
export const MOST_EARLY_ACCESS_DAYS_SQL = "SELECT MAX(early_access_days) AS days FROM membership_plans WHERE program_id = ?1";

/** The program's rules as one read of D1 left them, with a version that names that read's content. */
export interface RuleSet {
  rules: ScheduledRule[];
  /**
   * A hash of the rows read (each interval with its version's definition), in
   * a fixed order. An edit, activation, pause or end adds or closes an
   * interval, so the content of a superseded read never comes back: two reads
   * with the same version hold the same rules.
   */
  version: string;
}

/** Reads the intervals that may still hold an accepted order's occurredAt, with their versions' definitions. */
export async function readRuleSet(d1: D1Database, programId: string, settings: Pick<ProgramSettings, "maxBackdateDays">, now: Date): Promise<RuleSet> {
  const cutoff = new Date(now.getTime() - (settings.maxBackdateDays + MARGIN_DAYS) * 86_400_000).toISOString();
  const [{ results }, days] = await Promise.all([
    d1.prepare(SCHEDULED_RULES_SQL).bind(programId, cutoff).all<VersionInForceRow>(),
    d1.prepare(MOST_EARLY_ACCESS_DAYS_SQL).bind(programId).first<{ days: number | null }>(),
  ]);
  const earlyAccessDays = Number(days?.days ?? 0);
  return { rules: scheduledRules(results, earlyAccessDays), version: await ruleSetVersion(results, earlyAccessDays) };
}

/**
 * Sorted here, not in SQL: the read stays on its indexes without a sort step (test/campaigns/query-plans).
 * The plans' early access is part of the version: it moves when the rules open.
 */
export async function ruleSetVersion(rows: readonly VersionInForceRow[], earlyAccessDays = 0): Promise<string> {
  const key = (r: VersionInForceRow) => `${r.campaignId}\u0000${String(r.version).padStart(10, "0")}\u0000${r.startsAt}`;
  const sorted = [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const text = JSON.stringify([earlyAccessDays, sorted.map((r) => [r.campaignId, r.version, r.startsAt, r.endsAt, r.definition])]);
  // Web Crypto directly: this folder imports only the ledger, its own modules and zod (test/ledger-boundaries).
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function readScheduledRules(d1: D1Database, programId: string, settings: Pick<ProgramSettings, "maxBackdateDays">, now: Date): Promise<ScheduledRule[]> {
  return (await readRuleSet(d1, programId, settings, now)).rules;
}

/**
 * Rules this isolate read lately, per program, as keys are cached in
 * src/app/auth.ts: an accrual with 50 campaigns in force does not read them
 * from D1 each time. A change to a campaign forgets the program here at once;
 * other isolates see it within RULES_TTL_MS.
 */
export const RULES_TTL_MS = 10_000;
const MAX_CACHED_PROGRAMS = 1_000;
const cached = new Map<string, RuleSet & { expiresAt: number }>();

export function forgetCampaignRules(programId: string): void {
  cached.delete(programId);
}

/**
 * Every rule of the program's versions that was or is in force (active,
 * paused and ended campaigns alike: a late-posted order is valued by the
 * versions in force when it occurred), with the version of the set. Each
 * request reads on its own when the cache is cold: a D1 promise shared
 * between requests is refused by workerd.
 */
export async function activeRuleSet(env: Pick<Env, "DB">, programId: string, settings: Pick<ProgramSettings, "maxBackdateDays">, now = new Date()): Promise<RuleSet> {
  const hit = cached.get(programId);
  if (hit && hit.expiresAt > Date.now()) return hit;
  const set = await readRuleSet(env.DB, programId, settings, now);
  if (!hit && cached.size >= MAX_CACHED_PROGRAMS) cached.delete(cached.keys().next().value!);
  cached.set(programId, { ...set, expiresAt: Date.now() + RULES_TTL_MS });
  return set;
}

export async function activeRules(env: Pick<Env, "DB">, programId: string, settings: Pick<ProgramSettings, "maxBackdateDays">, now = new Date()): Promise<ScheduledRule[]> {
  return (await activeRuleSet(env, programId, settings, now)).rules;
}

/** The rules of `triggerType` in force at `occurredAt`, from the isolate's cache. */
export async function rulesInForceFor(
  env: Pick<Env, "DB">,
  programId: string,
  settings: Pick<ProgramSettings, "maxBackdateDays">,
  occurredAt: Date,
  triggerType: RuleTrigger["type"],
): Promise<ActiveRule[]> {
  return rulesInForce(await activeRules(env, programId, settings), occurredAt, triggerType);
}

/**
 * The member objects' side: the rule set of each program as this isolate's
 * objects last read it, kept until a call names another version. The Worker
 * sends only its version (not 50 campaigns' rules with every call); an object
 * whose set differs reads D1 itself before it values anything, so it never
 * values by rules older than the Worker's. A read that still differs is newer
 * than the Worker's (the Worker read D1 before it called): that version is
 * remembered as superseded, so calls from a Worker whose cache has not yet
 * expired do not read again each time.
 */
const objectSets = new Map<string, { set: RuleSet; superseded: Set<string> }>();
const MAX_SUPERSEDED = 64;

export async function ruleSetAtLeast(d1: D1Database, programId: string, settings: Pick<ProgramSettings, "maxBackdateDays">, version: string, now: Date): Promise<RuleSet> {
  const kept = objectSets.get(programId);
  if (kept && (kept.set.version === version || kept.superseded.has(version))) return kept.set;
  const set = await readRuleSet(d1, programId, settings, now);
  const superseded = kept && kept.superseded.size < MAX_SUPERSEDED ? kept.superseded : new Set<string>();
  if (kept) superseded.add(kept.set.version);
  if (set.version !== version) superseded.add(version);
  superseded.delete(set.version);
  if (!kept && objectSets.size >= MAX_CACHED_PROGRAMS) objectSets.delete(objectSets.keys().next().value!);
  objectSets.set(programId, { set, superseded });
  return set;
}
