// The reward's stock object on its own: each reservation resolved exactly once, whatever order the calls come in.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { rewardStockOf, type StockIdentity } from "../../src/rewards/stock-object";

let n = 0;
function object(stock: number | null, pool = false) {
  const identity: StockIdentity = { programId: "prg_test", rewardId: `rwd_object_${++n}`, stock, pool };
  return { identity, stock: rewardStockOf(env, identity.programId, identity.rewardId) };
}

describe("the reward's stock object", () => {
  it("reserves up to the stock, then refuses", async () => {
    const { identity, stock } = object(2);
    expect((await stock.reserve(identity, "r1", Date.now())).ok).toBe(true);
    expect((await stock.reserve(identity, "r2", Date.now())).ok).toBe(true);
    expect(await stock.reserve(identity, "r3", Date.now())).toEqual({ ok: false, reason: "out_of_stock" });
    expect(await stock.counts(identity)).toEqual({ stock: 2, pending: 2, confirmed: 0, left: 0, freeCodes: null });
  });

  it("resolves a reservation once: a second confirm, a release after a confirm, change nothing", async () => {
    const { identity, stock } = object(3);
    await stock.reserve(identity, "a", Date.now());
    await stock.reserve(identity, "b", Date.now());
    expect(await stock.confirm("a")).toBe("confirmed");
    expect(await stock.confirm("a")).toBe("confirmed");
    expect(await stock.release("a")).toBe("confirmed");
    expect(await stock.release("b")).toBe("released");
    expect(await stock.confirm("b")).toBe("released");
    expect(await stock.counts(identity)).toMatchObject({ pending: 0, confirmed: 1, left: 2 });
    expect(await stock.giveBack("a")).toBe("returned");
    expect(await stock.giveBack("a")).toBe("returned");
    expect(await stock.counts(identity)).toMatchObject({ pending: 0, confirmed: 0, left: 3 });
  });

  it("hands out pool codes in upload order, frees a released one, retires a given-back one", async () => {
    const { identity, stock } = object(null, true);
    expect(await stock.addCodes(identity, ["C1", "C2", "C1"])).toMatchObject({ added: 2, duplicates: 1 });
    const first = await stock.reserve(identity, "p1", Date.now());
    expect(first).toEqual({ ok: true, reservation: { reservationId: "p1", code: "C1" } });
    await stock.release("p1");
    const again = await stock.reserve(identity, "p2", Date.now());
    expect(again).toMatchObject({ ok: true, reservation: { code: "C1" } });
    await stock.confirm("p2");
    await stock.giveBack("p2");
    expect(await stock.reserve(identity, "p3", Date.now())).toMatchObject({ ok: true, reservation: { code: "C2" } });
    expect(await stock.reserve(identity, "p4", Date.now())).toEqual({ ok: false, reason: "pool_empty" });
  });

  it("counts against the stock the reward has now: lowering it below what is taken leaves none", async () => {
    const { identity, stock } = object(5);
    await stock.reserve(identity, "x", Date.now());
    await stock.confirm("x");
    expect(await stock.counts({ ...identity, stock: 0 })).toMatchObject({ stock: 0, left: 0, confirmed: 1 });
    expect(await stock.counts({ ...identity, stock: null })).toMatchObject({ left: null });
  });
});
