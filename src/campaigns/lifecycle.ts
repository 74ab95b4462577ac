// A campaign's life as plain functions: create, edit (in place or as a new version), activate, pause, end.
// Each returns the change to write (or a refusal); storage applies it in one batch.
import { mergePatch } from "../ledger/settings-patch";
import { fieldErrors, type FieldError } from "../ledger/errors";
import { CampaignDefinitionSchema, type CampaignDefinition, type CampaignStatusName } from "./rules";

export interface CampaignRecord {
  id: string;
  status: CampaignStatusName;
  /** The latest version: the one edits start from and activation puts in force. */
  version: number;
  /** Steps by one with every change; storage refuses a change built on another revision. */
  revision: number;
  name: string;
  createdAt: string;
  updatedAt: string;
}

/** What one change writes: the campaign, a version (new, or the draft's edited in place), and the intervals in force. */
export interface CampaignChange {
  campaign: CampaignRecord;
  version: { version: number; definition: CampaignDefinition; isNew: boolean } | null;
  /** Close the version's open interval at this instant (pause, end, a newer version taking over). */
  closeAt: string | null;
  /** Open an interval for this version at this instant (activate, an edit of an active campaign). */
  open: { version: number; startsAt: string } | null;
}

export type CampaignRefusalCode = "campaign_invalid" | "campaign_ended" | "campaign_already_active" | "campaign_not_active";

export interface CampaignRefusal {
  refused: CampaignRefusalCode;
  detail: string;
  errors?: FieldError[];
}

export type CampaignAction = "activate" | "pause" | "end";

/**
 * Checks of what the schema cannot see: a window that ends before it starts, an
 * amount range that holds nothing, hours that are empty. A rule that can never
 * match is refused rather than kept silently.
 */
export type DefinitionCheck = (definition: CampaignDefinition) => FieldError[];

/** The definition as the schema reads it and the checks accept it, or the field errors. */
export function checkedDefinition(raw: unknown, checks: DefinitionCheck): { ok: true; definition: CampaignDefinition } | { ok: false; errors: FieldError[] } {
  const parsed = CampaignDefinitionSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error.issues, "(campaign)") };
  const errors = checks(parsed.data);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, definition: parsed.data };
}

function invalid(errors: FieldError[]): CampaignRefusal {
  return { refused: "campaign_invalid", detail: `The campaign has ${errors.length} problem(s); see errors.`, errors };
}

export function createCampaign(id: string, raw: unknown, checks: DefinitionCheck, now: Date): CampaignChange | CampaignRefusal {
  const checked = checkedDefinition(raw, checks);
  if (!checked.ok) return invalid(checked.errors);
  const at = now.toISOString();
  return {
    campaign: { id, status: "draft", version: 1, revision: 1, name: checked.definition.name, createdAt: at, updatedAt: at },
    version: { version: 1, definition: checked.definition, isNew: true },
    closeAt: null,
    open: null,
  };
}

/**
 * A JSON Merge Patch of the definition, the result validated whole. A draft is
 * edited in place (it was never in force); an active or paused campaign gets a
 * new version, in force from now if the campaign is active, so what earlier
 * orders earned (and a late-posted order of before the edit) stays as it was.
 * A patch that changes nothing makes no version. Ended is final.
 */
export function editCampaign(
  campaign: CampaignRecord,
  current: CampaignDefinition,
  patch: Record<string, unknown>,
  checks: DefinitionCheck,
  now: Date,
): CampaignChange | CampaignRefusal | null {
  if (campaign.status === "ended") return ended(campaign);
  const checked = checkedDefinition(mergePatch(current, patch), checks);
  if (!checked.ok) return invalid(checked.errors);
  const definition = checked.definition;
  if (JSON.stringify(definition) === JSON.stringify(current)) return null;
  const at = now.toISOString();
  const next = { ...campaign, revision: campaign.revision + 1, name: definition.name, updatedAt: at };
  if (campaign.status === "draft") return { campaign: next, version: { version: campaign.version, definition, isNew: false }, closeAt: null, open: null };
  const version = campaign.version + 1;
  return {
    campaign: { ...next, version },
    version: { version, definition, isNew: true },
    closeAt: campaign.status === "active" ? at : null,
    open: campaign.status === "active" ? { version, startsAt: at } : null,
  };
}

/**
 * The state machine: draft and paused activate; active pauses; anything but
 * ended ends. Pauses are recorded as the closed interval of the version in force,
 * and activation opens a new one, so "in force at t" is one lookup by interval,
 * for a late-posted order as for one posted now.
 */
export function transition(campaign: CampaignRecord, action: CampaignAction, now: Date): CampaignChange | CampaignRefusal {
  if (campaign.status === "ended") return ended(campaign);
  const at = now.toISOString();
  const next = (status: CampaignStatusName): CampaignRecord => ({ ...campaign, status, revision: campaign.revision + 1, updatedAt: at });
  switch (action) {
    case "activate":
      if (campaign.status === "active") return { refused: "campaign_already_active", detail: `Campaign '${campaign.id}' is active already.` };
      return { campaign: next("active"), version: null, closeAt: null, open: { version: campaign.version, startsAt: at } };
    case "pause":
      if (campaign.status !== "active") return { refused: "campaign_not_active", detail: `Campaign '${campaign.id}' is ${campaign.status}; only an active campaign pauses.` };
      return { campaign: next("paused"), version: null, closeAt: at, open: null };
    case "end":
      return { campaign: next("ended"), version: null, closeAt: campaign.status === "active" ? at : null, open: null };
  }
}

function ended(campaign: CampaignRecord): CampaignRefusal {
  return { refused: "campaign_ended", detail: `Campaign '${campaign.id}' has ended; an ended campaign does not change.` };
}

export function isRefusal(outcome: CampaignChange | CampaignRefusal | null): outcome is CampaignRefusal {
  return outcome !== null && "refused" in outcome;
}
