// Request and response schemas of the program routes.
import { z } from "@hono/zod-openapi";
import { ProgramSettingsSchema, TierListSchema } from "../../ledger/settings";

export const ProgramSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    settings: ProgramSettingsSchema,
    closedThrough: z.string().nullable().openapi({ description: "The latest closed settlement period, if any.", example: "2026-10" }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Program");

export const CreateProgramBody = z
  .object({ name: z.string().min(1).max(100).openapi({ example: "Treue Coffee Club" }), settings: ProgramSettingsSchema.optional() })
  .strict()
  .openapi("CreateProgram");

export const ProgramIdParam = z.object({
  programId: z.string().regex(/^prg_[0-9A-Z]{26}$/).openapi({ param: { name: "programId", in: "path" } }),
});

const settings = ProgramSettingsSchema.shape;
/** Each field may be sent, or null to go back to its default; what it holds is checked on the merged settings. */
const patchable = <T extends z.ZodTypeAny>(schema: T) => schema.nullable().optional();
const mergedObject = (description: string) =>
  patchable(z.record(z.string(), z.unknown()).openapi({ description: `${description} Merged key by key with the current value.` }));

/** A JSON Merge Patch (RFC 7396) of the program: its name and any of its settings. */
export const ProgramPatch = z
  .object({
    name: z.string().min(1).max(100).optional().openapi({ example: "Treue Coffee Club" }),
    currency: patchable(settings.currency.unwrap()),
    earnRate: mergedObject("`{points, perAmount}`."),
    rounding: patchable(settings.rounding.unwrap()),
    redemptionValue: mergedObject("`{points, amount}`."),
    pendingDays: patchable(settings.pendingDays.unwrap()),
    expiry: mergedObject("An ExpiryPolicy; fields the new policy does not have are dropped."),
    minRedemptionPoints: patchable(settings.minRedemptionPoints.unwrap()),
    holdTtlSeconds: patchable(settings.holdTtlSeconds.unwrap()),
    enrollOnAccrual: patchable(settings.enrollOnAccrual.unwrap()),
    maxBackdateDays: patchable(settings.maxBackdateDays.unwrap()),
    settlementPeriod: patchable(settings.settlementPeriod.unwrap()),
    tiers: patchable(TierListSchema.openapi({ description: "The whole list: an array replaces the current one." })),
    tierQualification: mergedObject("A TierQualification."),
    expiryWarning: mergedObject("`{daysBefore}`, or null for no warnings."),
    cors: mergedObject("`{allowedOrigins}`: the origins whose pages may call /v1/me with a member token."),
    timeZone: patchable(settings.timeZone.unwrap()),
    earning: mergedObject("`{tierMultiplierScope, maxMultiplierPercent}`."),
    referrals: mergedObject("ReferralSettings: rewards, when they are granted, the share link, the cap and the referrer's minimum age."),
    privacy: mergedObject("`{allowReenrollAfterErasure, retentionYears}`."),
  })
  .strict()
  .openapi("ProgramPatch");

// Every setting is patchable: a setting added to the program without a field here fails to compile.
ProgramPatch.shape satisfies Record<keyof typeof settings, unknown>;
