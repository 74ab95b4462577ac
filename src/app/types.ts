// Hono environment: bindings plus what middleware puts on the context.
import type { RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { ProgramSettings } from "../ledger/settings";
import type { Listening } from "../webhooks/listening";

export type Role = "admin" | "server" | "partner";

/** The caller a program key stands for (or, role "member", a member token: src/app/member-auth.ts). */
export interface Principal {
  keyId: string;
  programId: string;
  role: Role | "member";
  partnerId: string | null;
  settings: ProgramSettings;
  /** The JSON text of `settings`: what a member's object is sent (see SentCall). */
  settingsText: string;
  /** The program's cache epoch as this isolate read it with the settings (src/jobs/around.ts); sent on to members' objects. */
  cacheEpoch: number;
  /**
   * The event types the program's live webhook endpoints subscribe to, as this isolate read them with the key
   * (src/webhooks/listening.ts); sent on to members' objects. Absent for member tokens: every event is queued.
   */
  listening?: Listening;
  /** The key's name, for the audit log (absent for member tokens). */
  keyName?: string;
}

export interface MemberPrincipal {
  memberId: string;
  scopes: readonly ("read" | "claim")[];
  tokenId: string;
  /** Seconds since epoch. */
  expiresAt: number;
}

export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    principal: Principal;
    /** Set by the member-token middleware on /v1/me: whose data the call may reach, and what it may do. */
    member: MemberPrincipal;
    /** The program whose key verified the member token, even when the token is then refused (expired, revoked): CORS answers for it. */
    tokenProgram: { programId: string; allowedOrigins: readonly string[] };
  };
}

export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, AppEnv>;
