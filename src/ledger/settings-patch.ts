// Program settings changed by a JSON Merge Patch (RFC 7396): the patch names what changes, the merged result is validated whole.
import { fieldErrors, type FieldError } from "./errors";
import { ProgramSettingsSchema, type ProgramSettings } from "./settings";

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** RFC 7396: objects merge key by key, null removes a key, anything else (arrays too) replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const merged: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) delete merged[key];
    else merged[key] = mergePatch(merged[key], value);
  }
  return merged;
}

/**
 * Keys the patch names that the parsed settings do not have: typos, or fields
 * of another variant (`days` on a `period_end` expiry). Validation strips such
 * keys silently, so without this check a typo would answer 200 and change nothing.
 * Keys left over in the stored settings from an earlier variant are dropped, not reported.
 */
function unknownKeys(patch: Json, parsed: Json, path: string[] = []): FieldError[] {
  if (Array.isArray(patch) && Array.isArray(parsed)) {
    return patch.flatMap((item, i) => unknownKeys(item, parsed[i], [...path, String(i)]));
  }
  if (!isObject(patch) || !isObject(parsed)) return [];
  return Object.entries(patch).flatMap(([key, value]) => {
    const at = [...path, key];
    if (!(key in parsed)) return [{ path: at.join("."), message: "not a setting here" }];
    return value === null ? [] : unknownKeys(value, parsed[key], at);
  });
}

export type SettingsPatchResult = { ok: true; settings: ProgramSettings } | { ok: false; errors: FieldError[] };

/** The settings after `patch`; a field sent as null goes back to its default. */
export function patchSettings(current: ProgramSettings, patch: Record<string, Json>): SettingsPatchResult {
  const parsed = ProgramSettingsSchema.safeParse(mergePatch(current, patch));
  if (!parsed.success) {
    return { ok: false, errors: fieldErrors(parsed.error.issues, "(settings)") };
  }
  const unknown = unknownKeys(patch, parsed.data);
  return unknown.length > 0 ? { ok: false, errors: unknown } : { ok: true, settings: parsed.data };
}
