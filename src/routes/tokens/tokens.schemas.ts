// Request and response schemas of member tokens and the programs' signing keys.
import { z } from "@hono/zod-openapi";
import { DEFAULT_TOKEN_TTL_SECONDS, MAX_TOKEN_TTL_SECONDS, SCOPES } from "../../tokens/claims";

export const IssueTokenBody = z
  .object({
    ttlSeconds: z
      .number()
      .int()
      .min(60)
      .max(MAX_TOKEN_TTL_SECONDS)
      .default(DEFAULT_TOKEN_TTL_SECONDS)
      .openapi({ example: 900, description: "Lifetime: 15 minutes unless given, at most 24 hours." }),
    scopes: z
      .array(z.enum(SCOPES))
      .min(1)
      .max(SCOPES.length)
      .default(["read"])
      .openapi({ example: ["read"], description: "`read`: the member's own balance, history, card; `claim`: claim rewards." }),
  })
  .strict()
  .openapi("IssueMemberToken");

export const MemberTokenSchema = z
  .object({
    token: z.string().openapi({ example: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IjAxSkQuLi4ifQ.eyJpc3MiOiJ0cmV1ZSJ9.c2ln", description: "A JWT (HS256): send it as `Authorization: Bearer <token>` to /v1/me." }),
    tokenType: z.literal("Bearer"),
    memberId: z.string(),
    scopes: z.array(z.enum(SCOPES)),
    issuedAt: z.string().openapi({ example: "2026-12-02T10:00:00.000Z" }),
    expiresAt: z.string().openapi({ example: "2026-12-02T10:15:00.000Z" }),
    expiresIn: z.number().int().openapi({ example: 900, description: "Seconds." }),
    keyId: z.string().openapi({ description: "The `kid` of the key that signed it." }),
  })
  .openapi("MemberToken");

export const RevocationSchema = z
  .object({
    memberId: z.string(),
    tokensValidAfter: z.string().openapi({ example: "2026-12-02T10:00:01.000Z", description: "Tokens issued before this are refused (`token_revoked`)." }),
    revokedAt: z.string(),
  })
  .openapi("MemberTokenRevocation");

export const RotationSchema = z
  .object({
    kid: z.string().openapi({ description: "The new signing key's id." }),
    createdAt: z.string(),
    retiring: z
      .array(z.object({ kid: z.string(), retiredAt: z.string().openapi({ description: "Until then the key still verifies the tokens it signed." }) }))
      .openapi({ description: "The keys this one replaces." }),
  })
  .openapi("TokenKeyRotation");
