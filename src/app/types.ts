// Hono environment: bindings plus what middleware puts on the context.
import type { RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { ProgramSettings } from "../ledger/settings";

export type Role = "admin" | "server" | "partner";

/** The caller a program key stands for. */
export interface Principal {
  keyId: string;
  programId: string;
  role: Role;
  partnerId: string | null;
  settings: ProgramSettings;
}

export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    principal: Principal;
  };
}

export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, AppEnv>;
