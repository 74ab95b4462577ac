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
    if (Date.parse(scheduled.opensFrom ?? scheduled.startsAt) > t) continue;
    if (scheduled.endsAt !== null && Date.parse(scheduled.endsAt) <= t) continue;
    if (!scheduled.inForce.some((i) => Date.parse(i.from) <= t && (i.to === null || Date.parse(i.to) > t))) continue;
    const { inForce: _inForce, opensFrom: _opensFrom, ...rule } = scheduled;
    found.push(rule);
  }
  return found;
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

/** Reads the intervals that may still hold an accepted order's occurredAt, with their versions' definitions. */
export async function readScheduledRules(d1: D1Database, programId: string, settings: Pick<ProgramSettings, "maxBackdateDays">, now: Date): Promise<ScheduledRule[]> {
  const cutoff = new Date(now.getTime() - (settings.maxBackdateDays + MARGIN_DAYS) * 86_400_000).toISOString();
  const [{ results }, days] = await Promise.all([
    d1.prepare(SCHEDULED_RULES_SQL).bind(programId, cutoff).all<VersionInForceRow>(),
    d1.prepare(MOST_EARLY_ACCESS_DAYS_SQL).bind(programId).first<{ days: number | null }>(),
  ]);
  return scheduledRules(results, Number(days?.days ?? 0));
}

/**
 * Rules this isolate read lately, per program, as keys are cached in
 * src/app/auth.ts: an accrual with 50 campaigns in force does not read them
 * from D1 each time. A change to a campaign forgets the program here at once;
 * other isolates see it within RULES_TTL_MS.
 */
export const RULES_TTL_MS = 10_000;
const MAX_CACHED_PROGRAMS = 1_000;
const cached = new Map<string, { rules: ScheduledRule[]; expiresAt: number }>();

export function forgetCampaignRules(programId: string): void {
  cached.delete(programId);
}

/**
 * Every rule of the program's versions that was or is in force (active,
 * paused and ended campaigns alike: a late-posted order is valued by the
 * versions in force when it occurred). Each request reads on its own when the
 * cache is cold: a D1 promise shared between requests is refused by workerd.
 */
export async function activeRules(env: Pick<Env, "DB">, programId: string, settings: Pick<ProgramSettings, "maxBackdateDays">, now = new Date()): Promise<ScheduledRule[]> {
  const hit = cached.get(programId);
  if (hit && hit.expiresAt > Date.now()) return hit.rules;
  const rules = await readScheduledRules(env.DB, programId, settings, now);
  if (!hit && cached.size >= MAX_CACHED_PROGRAMS) cached.delete(cached.keys().next().value!);
  cached.set(programId, { rules, expiresAt: Date.now() + RULES_TTL_MS });
  return rules;
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
