// Cron Triggers for `npm start`: the crons wrangler.toml declares, and whether one is due at a given minute (UTC, as Cloudflare runs them).

/** The `crons = [...]` of wrangler.toml's `[triggers]` table. */
export function cronsOf(wranglerToml: string): string[] {
  const triggers = /^\[triggers\][^[]*?^crons\s*=\s*\[([^\]]*)\]/ms.exec(wranglerToml);
  if (!triggers) return [];
  return [...triggers[1]!.matchAll(/"([^"]*)"|'([^']*)'/g)].map((m) => (m[1] ?? m[2])!.trim());
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
/** Cloudflare counts days of the week from 1 = Sunday. */
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface Field {
  min: number;
  max: number;
  names?: string[];
  /** What the first name stands for. */
  namesFrom?: number;
}

const FIELDS: Field[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS, namesFrom: 1 },
  { min: 1, max: 7, names: DAYS, namesFrom: 1 },
];

function valueOf(text: string, field: Field): number {
  const named = field.names?.indexOf(text.toUpperCase()) ?? -1;
  const value = named >= 0 ? named + field.namesFrom! : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(value >= field.min && value <= field.max)) throw new Error(`'${text}' is not a value from ${field.min} to ${field.max}`);
  return value;
}

/** The values one field allows: `*`, `n`, `a-b`, each with an optional `/step`, joined by commas. */
function allowed(text: string, field: Field): Set<number> | null {
  if (text === "*" || text === "?") return null;
  const values = new Set<number>();
  for (const part of text.split(",")) {
    const [range, stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`'${part}' has no valid step`);
    const [from, to] =
      range === "*" ? [field.min, field.max] : range!.includes("-") ? range!.split("-").map((v) => valueOf(v, field)) : [valueOf(range!, field), stepText === undefined ? valueOf(range!, field) : field.max];
    if (from! > to!) throw new Error(`'${part}' runs backwards`);
    for (let v = from!; v <= to!; v += step) values.add(v);
  }
  return values;
}

/**
 * Whether `cron` is due in the minute of `at` (UTC). Standard five-field
 * syntax with names; when both day fields are restricted, either one
 * matching is enough. Cloudflare's extras (L, W, #) throw: say so rather
 * than never fire.
 */
export function cronDue(cron: string, at: Date): boolean {
  const parts = cron.trim().split(/\s+/);
  if (parts.length !== 5) throw new Error(`'${cron}' does not have five fields`);
  const [minute, hour, dayOfMonth, month, dayOfWeek] = parts.map((p, i) => allowed(p, FIELDS[i]!));
  const matches = (set: Set<number> | null | undefined, value: number) => !set || set.has(value);
  if (!matches(minute, at.getUTCMinutes()) || !matches(hour, at.getUTCHours()) || !matches(month, at.getUTCMonth() + 1)) return false;
  const domOk = matches(dayOfMonth, at.getUTCDate());
  const dowOk = matches(dayOfWeek, at.getUTCDay() + 1);
  return dayOfMonth && dayOfWeek ? domOk || dowOk : domOk && dowOk;
}
