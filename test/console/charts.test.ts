// The dashboard's charts: drawn from the KPI report's shape, every series with a text table beside it, nothing from outside.
import { describe, expect, it } from "vitest";
import { barChart, shareChart } from "../../src/console/charts";
import { kpiCharts } from "../../src/console/pages";

const split = (members: number, nonMembers: number) => ({ members, nonMembers, all: members + nonMembers });
const rate = (basisPoints: number) => ({ numerator: basisPoints, denominator: 10_000, basisPoints });
const period = (period: string, issued: number) => ({
  period,
  revenue: split(120_000, 80_000),
  retentionRate: { members: rate(4_500), nonMembers: rate(2_000), all: rate(3_000) },
  points: { issued, redeemed: 100, expired: 20, clawedBack: 0 },
});

describe("console charts", () => {
  it("draws revenue, retention, points and tiers from a KPI report, with liability figures", async () => {
    const report = {
      currency: "EUR",
      periods: [period("2026-10", 900), period("2026-11", 1_200)],
      now: { liability: { outstandingPoints: 5_400, value: 5_400, adjustedValue: 4_800, pendingPoints: 300 }, tiers: [{ tier: null, members: 40 }, { tier: "gold", members: 3 }] },
      notes: [],
    };
    const page = String(await kpiCharts(report));
    expect(page.match(/<svg /g)).toHaveLength(4);
    expect(page).toContain("Revenue, members vs non-members");
    expect(page).toContain("Retention rate (%)");
    expect(page).toContain("<td>45</td>");
    expect(page).toContain("Members by tier");
    expect(page).toContain("<b>5400</b>");
    expect(page).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });

  it("escapes labels and keeps bars within the plot for negative or missing values", async () => {
    const chart = String(await barChart("<b>x</b>", ["<i>"], [{ name: "s", values: [-5] }]));
    expect(chart).not.toContain("<b>x</b>");
    expect(chart).toContain("&lt;i&gt;");
    expect(chart).toMatch(/height="0"/);
    const share = String(await shareChart("Tiers", []));
    expect(share).toContain("Tiers");
  });
});
