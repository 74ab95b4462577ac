/// <reference types="vite/client" />
// `npm start` fires the scheduled handler on wrangler.toml's crons as Cloudflare would: which cron is due at which minute.
import { describe, expect, it } from "vitest";
import wranglerToml from "../wrangler.toml?raw";
import { cronDue, cronsOf } from "../scripts/lib/cron";
import { CRON_JOBS } from "../src/jobs/runner";

const at = (iso: string) => new Date(iso);

describe("local cron triggers", () => {
  it("reads every cron of wrangler.toml, each one the runner has jobs for", () => {
    const crons = cronsOf(wranglerToml);
    expect(crons.length).toBeGreaterThan(0);
    expect(crons.sort()).toEqual(Object.keys(CRON_JOBS).sort());
    for (const cron of crons) expect(() => cronDue(cron, new Date())).not.toThrow();
  });

  it("fires each of the project's crons in exactly the minutes Cloudflare would", () => {
    const minutesOfAnHour = (cron: string) =>
      Array.from({ length: 60 }, (_, m) => m).filter((m) => cronDue(cron, at(`2026-12-01T13:${String(m).padStart(2, "0")}:00Z`)));
    expect(minutesOfAnHour("*/10 * * * *")).toEqual([0, 10, 20, 30, 40, 50]);
    expect(minutesOfAnHour("*/5 * * * *")).toEqual([0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55]);
    expect(minutesOfAnHour("17 * * * *")).toEqual([17]);
  });

  it("reads ranges, lists, steps, names and Cloudflare's days of the week (1 = Sunday), in UTC", () => {
    expect(cronDue("0 9-17/4 * * *", at("2026-12-01T13:00:00Z"))).toBe(true);
    expect(cronDue("0 9-17/4 * * *", at("2026-12-01T15:00:00Z"))).toBe(false);
    expect(cronDue("30 2 1,15 * *", at("2026-12-15T02:30:00Z"))).toBe(true);
    expect(cronDue("0 0 * JAN *", at("2027-01-10T00:00:00Z"))).toBe(true);
    expect(cronDue("0 0 * * SUN", at("2026-12-06T00:00:00Z"))).toBe(true);
    expect(cronDue("0 0 * * 1", at("2026-12-06T00:00:00Z"))).toBe(true);
    expect(cronDue("0 0 * * MON", at("2026-12-06T00:00:00Z"))).toBe(false);
    // Both day fields restricted: either is enough, as in standard cron.
    expect(cronDue("0 0 1 * MON", at("2026-12-07T00:00:00Z"))).toBe(true);
  });

  it("refuses what it cannot honour instead of never firing", () => {
    for (const cron of ["* * *", "0 0 L * *", "0 0 * * 2#1", "61 * * * *", "*/0 * * * *"]) expect(() => cronDue(cron, new Date()), cron).toThrow();
  });
});
