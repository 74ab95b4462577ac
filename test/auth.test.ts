// Who may call what, for every secured operation of the served OpenAPI document: missing or bad keys,
// wrong roles, and tenant isolation.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { ErrorCode } from "../src/lib/errors";
import { accrue, call, createProgram, enroll, expectLedgerConsistent, redeem, type CallOptions, type TestProgram } from "./helpers";

type Role = "admin" | "server" | "partner";
const ROLES: Role[] = ["admin", "server", "partner"];

/** The ids program A's things have, filled in once they exist. */
interface Ids {
  programId: string;
  partnerId: string;
  redemptionId: string;
  keyId: string;
  endpointId: string;
  eventId: string;
  rewardId: string;
  couponCode: string;
  causeId: string;
  segmentId: string;
  planId: string;
  membershipId: string;
  campaignId: string;
  activityId: string;
}

interface Operation {
  /** Who may call it: these program key roles, only the platform's ADMIN_TOKEN, or only a member token (/v1/me). */
  roles: Role[] | "platform" | "member";
  /** Values for the document's path parameters; `memberId` defaults to a member only program A has. */
  params?: (ids: Ids) => Record<string, string>;
  body?: unknown;
  /** A file body instead of JSON, sent with its own media type. */
  rawBody?: string;
  contentType?: string;
  options?: Pick<CallOptions, "idempotencyKey">;
  /**
   * What program B's keys get when they name A's thing: 404 with this code, or
   * "own" for operations that only ever reach the caller's own program (a list,
   * a create, the program itself). Absent for the platform's operations.
   */
  foreign?: ErrorCode | "own";
  /** Member-token rows: the scopes A's token carries and the status it gets (200 unless stated). */
  member?: { scopes?: string[]; status?: number };
}

const order = { orderId: "iso-order", amount: { amount: 1000, currency: "EUR" } };
const campaign = {
  name: "Double points",
  startsAt: "2026-01-01T00:00:00Z",
  rules: [{ id: "double", trigger: { type: "order" }, effect: { type: "multiply", percent: 200 } }],
};
const terms = { validFrom: "2026-12", issuePrice: { amount: 1, perPoints: 1 }, redeemPrice: { amount: 1, perPoints: 1 } };

/** Every secured operation of the document, by operationId: the test fails for one that is not here. */
const operations: Record<string, Operation> = {
  createProgram: { roles: "platform", body: { name: "x" } },
  createKey: { roles: "platform", body: { role: "server" } },
  getProgram: { roles: ["admin", "server"], foreign: "own" },
  updateProgram: { roles: ["admin"], body: { pendingDays: 1 }, foreign: "own" },
  createPartner: { roles: ["admin"], body: { name: "Another brand" }, foreign: "own" },
  listPartners: { roles: ["admin"], foreign: "own" },
  createProgramKey: { roles: ["admin"], body: { role: "server", name: "extra" }, foreign: "own" },
  listProgramKeys: { roles: ["admin"], foreign: "own" },
  listAuditLog: { roles: ["admin"], foreign: "own" },
  revokeProgramKey: { roles: ["admin"], foreign: "not_found" },
  getSettlement: { roles: ["admin", "partner"], foreign: "own" },
  closeSettlement: { roles: ["admin"], foreign: "own" },
  setPartnerTerms: { roles: ["admin"], body: terms, foreign: "partner_not_found" },
  listPartnerTerms: { roles: ["admin", "partner"], foreign: "partner_not_found" },
  listPartnerTransactions: { roles: ["partner"], foreign: "own" },
  // B's key creates B's own member of that id; A's stays A's (the rows check below).
  enrollMember: { roles: ["admin", "server"], params: () => ({ memberId: "also-of-a" }), body: {}, foreign: "own" },
  getMember: { roles: ["admin", "server"], foreign: "member_not_found" },
  accrue: { roles: ROLES, body: order, foreign: "member_not_found" },
  getBalance: { roles: ROLES, foreign: "member_not_found" },
  redeem: { roles: ROLES, body: { points: 1 }, foreign: "member_not_found" },
  // The order is looked up first, among B's own.
  refund: { roles: ROLES, body: { orderId: "seed-order", amount: { amount: 1, currency: "EUR" } }, foreign: "order_not_found" },
  listTransactions: { roles: ROLES, foreign: "member_not_found" },
  getRedemption: { roles: ROLES, params: (ids) => ({ id: ids.redemptionId }), foreign: "redemption_not_found" },
  captureRedemption: { roles: ROLES, params: (ids) => ({ id: ids.redemptionId }), foreign: "redemption_not_found" },
  cancelRedemption: { roles: ROLES, params: (ids) => ({ id: ids.redemptionId }), foreign: "redemption_not_found" },
  setTier: { roles: ["admin", "server"], body: { tier: null }, foreign: "member_not_found" },
  listJobs: { roles: ["admin"], foreign: "own" },
  runJob: { roles: ["admin"], foreign: "own" },
  createWebhookEndpoint: { roles: ["admin", "partner"], body: { url: "https://shop.example/hooks", eventTypes: ["tier.changed"] }, foreign: "own" },
  listWebhookEndpoints: { roles: ["admin", "partner"], foreign: "own" },
  getWebhookEndpoint: { roles: ["admin", "partner"], params: (ids) => ({ id: ids.endpointId }), foreign: "webhook_endpoint_not_found" },
  deleteWebhookEndpoint: { roles: ["admin", "partner"], params: (ids) => ({ id: ids.endpointId }), foreign: "webhook_endpoint_not_found" },
  listWebhookDeliveries: { roles: ["admin", "partner"], params: (ids) => ({ id: ids.endpointId }), foreign: "webhook_endpoint_not_found" },
  resendEvent: { roles: ["admin", "partner"], params: (ids) => ({ id: ids.eventId }), foreign: "event_not_found" },
  postTransactionBatch: {
    roles: ROLES,
    body: { items: [{ type: "accrual", memberId: "member-of-a", orderId: "batch-order", amount: { amount: 1000, currency: "EUR" } }] },
    options: { idempotencyKey: null },
    foreign: "own",
  },
  recordOrder: { roles: ["server", "partner"], body: { customerRef: "guest-1", orderId: "auth-guest-order", amount: { amount: 1000, currency: "EUR" } }, foreign: "own" },
  refundGuestOrder: { roles: ["server", "partner"], params: () => ({ orderId: "guest-order-of-a" }), body: { refundId: "r1", amount: { amount: 1, currency: "EUR" } }, foreign: "order_not_found" },
  getKpis: { roles: ["admin"], foreign: "own" },
  getKpiCohorts: { roles: ["admin"], foreign: "own" },
  setAcquisitionCost: { roles: ["admin"], body: { month: "2026-11", amount: { amount: 1000, currency: "EUR" } }, foreign: "own" },
  listAcquisitionCosts: { roles: ["admin"], foreign: "own" },
  issueMemberToken: { roles: ["admin", "server"], body: {}, options: { idempotencyKey: null }, foreign: "own" },
  revokeMemberTokens: { roles: ["admin", "server"], foreign: "own" },
  rotateTokenKey: { roles: ["admin"], foreign: "own" },
  // A code of another program is not one of B's: card_code_invalid (the scans tests use real codes).
  scanMemberCard: { roles: ["admin", "server"], body: { code: "T1.MFSGC.1.AAAAAAAA.AAAAAAAAAAAAAAAA" }, foreign: "own" },
  // The member comes from the token: B's token for the same id reaches B's member, never A's.
  getMe: { roles: "member", foreign: "member_not_found" },
  getMyBalance: { roles: "member", foreign: "member_not_found" },
  listMyHistory: { roles: "member", foreign: "member_not_found" },
  getMyCard: { roles: "member", foreign: "member_not_found" },
  // Rewards: the catalog and causes are the operator's (admin); claims, the member's catalog and coupons are
  // the storefront's (server). Partner keys get none: the catalog is the program's own, and letting every
  // partner look codes up would widen who can probe them.
  createReward: { roles: ["admin"], body: { name: "x", type: "free_shipping", costPoints: 1 }, foreign: "own" },
  listRewards: { roles: ["admin"], foreign: "own" },
  getReward: { roles: ["admin"], params: (ids) => ({ id: ids.rewardId }), foreign: "reward_not_found" },
  updateReward: { roles: ["admin"], params: (ids) => ({ id: ids.rewardId }), body: { costPoints: 1 }, foreign: "reward_not_found" },
  archiveReward: { roles: ["admin"], params: (ids) => ({ id: ids.rewardId }), foreign: "reward_not_found" },
  uploadRewardCodes: { roles: ["admin"], params: (ids) => ({ id: ids.rewardId }), body: { codes: ["SHOP-1234"] }, foreign: "reward_not_found" },
  listMemberRewards: { roles: ["admin", "server"], foreign: "member_not_found" },
  claimReward: { roles: ["admin", "server"], params: (ids) => ({ rewardId: ids.rewardId }), foreign: "reward_not_found" },
  getCoupon: { roles: ["admin", "server"], params: (ids) => ({ code: ids.couponCode }), foreign: "coupon_not_found" },
  redeemCoupon: { roles: ["admin", "server"], params: (ids) => ({ code: ids.couponCode }), body: { orderId: "auth-order" }, foreign: "coupon_not_found" },
  cancelCoupon: { roles: ["admin", "server"], params: (ids) => ({ code: ids.couponCode }), foreign: "coupon_not_found" },
  createCause: { roles: ["admin"], body: { name: "x" }, foreign: "own" },
  listCauses: { roles: ["admin"], foreign: "own" },
  getCause: { roles: ["admin"], params: (ids) => ({ id: ids.causeId }), foreign: "cause_not_found" },
  updateCause: { roles: ["admin"], params: (ids) => ({ id: ids.causeId }), body: { name: "y" }, foreign: "cause_not_found" },
  archiveCause: { roles: ["admin"], params: (ids) => ({ id: ids.causeId }), foreign: "cause_not_found" },
  listCauseDonations: { roles: ["admin"], params: (ids) => ({ id: ids.causeId }), foreign: "cause_not_found" },
  getReferralCode: { roles: ["admin", "server"], foreign: "member_not_found" },
  listMemberReferrals: { roles: ["admin", "server"], foreign: "member_not_found" },
  listReferrals: { roles: ["admin"], foreign: "own" },
  createMembershipPlan: { roles: ["admin"], body: { name: "Plus", price: { amount: 4900, currency: "EUR" }, term: "year" }, foreign: "own" },
  listMembershipPlans: { roles: ["admin", "server"], foreign: "own" },
  getMembershipPlan: { roles: ["admin", "server"], params: (ids) => ({ planId: ids.planId }), foreign: "membership_plan_not_found" },
  updateMembershipPlan: { roles: ["admin"], params: (ids) => ({ planId: ids.planId }), body: { name: "Renamed" }, foreign: "membership_plan_not_found" },
  archiveMembershipPlan: { roles: ["admin"], params: (ids) => ({ planId: ids.planId }), foreign: "membership_plan_not_found" },
  // The plan is looked up first, among B's own.
  startMembership: { roles: ["admin", "server"], body: { planId: "mpl_none", paidUntil: "2030-01-01T00:00:00Z" }, foreign: "membership_plan_not_found" },
  listMemberships: { roles: ["admin", "server"], foreign: "member_not_found" },
  renewMembership: {
    roles: ["admin", "server"],
    params: (ids) => ({ membershipId: ids.membershipId }),
    body: { paidUntil: "2031-01-01T00:00:00Z" },
    foreign: "member_not_found",
  },
  cancelMembership: { roles: ["admin", "server"], params: (ids) => ({ membershipId: ids.membershipId }), body: { at: "term_end" }, foreign: "member_not_found" },
  getBenefits: { roles: ROLES, foreign: "member_not_found" },
  createCampaign: { roles: ["admin"], body: campaign, foreign: "own" },
  listCampaigns: { roles: ["admin", "server"], foreign: "own" },
  getCampaign: { roles: ["admin", "server"], params: (ids) => ({ id: ids.campaignId }), foreign: "campaign_not_found" },
  updateCampaign: { roles: ["admin"], params: (ids) => ({ id: ids.campaignId }), body: { description: "edited" }, foreign: "campaign_not_found" },
  activateCampaign: { roles: ["admin"], params: (ids) => ({ id: ids.campaignId }), foreign: "campaign_not_found" },
  pauseCampaign: { roles: ["admin"], params: (ids) => ({ id: ids.campaignId }), foreign: "campaign_not_found" },
  endCampaign: { roles: ["admin"], params: (ids) => ({ id: ids.campaignId }), foreign: "campaign_not_found" },
  listCampaignVersions: { roles: ["admin", "server"], params: (ids) => ({ id: ids.campaignId }), foreign: "campaign_not_found" },
  getCampaignStats: { roles: ["admin", "server"], params: (ids) => ({ id: ids.campaignId }), foreign: "campaign_not_found" },
  // Without a memberId: a new member's order in the caller's own program.
  previewEarning: { roles: ["admin", "server"], body: { amount: { amount: 1000, currency: "EUR" } }, foreign: "own" },
  recordActivity: { roles: ["admin", "server"], body: { type: "review", reference: "sku-1" }, foreign: "member_not_found" },
  listActivities: { roles: ["admin", "server"], foreign: "member_not_found" },
  confirmActivity: { roles: ["admin", "server"], params: (ids) => ({ activityId: ids.activityId }), foreign: "activity_not_found" },
  rejectActivity: { roles: ["admin", "server"], params: (ids) => ({ activityId: ids.activityId }), foreign: "activity_not_found" },
  createAdjustment: { roles: ["admin"], body: { points: 5, reason: "goodwill" }, foreign: "member_not_found" },
  // B's admin imports into B's own program: A's rows stay as they were (the rows check below).
  createImport: { roles: ["admin"], rawBody: '{"memberId":"imported-by-b"}\n', contentType: "application/x-ndjson", options: { idempotencyKey: null }, foreign: "own" },
  listImports: { roles: ["admin"], foreign: "own" },
  getImport: { roles: ["admin"], params: () => ({ id: "imp_of_a" }), foreign: "import_not_found" },
  // Segments are the operator's; a member's segments and offers are the storefront's too. The member's own
  // rewards, coupons and offers go by the token; a claim needs the claim scope (member-of-a has no points: 422).
  createSegment: { roles: ["admin"], body: { name: "x", conditions: {} }, foreign: "own" },
  listSegments: { roles: ["admin"], foreign: "own" },
  getSegment: { roles: ["admin"], params: (ids) => ({ id: ids.segmentId }), foreign: "segment_not_found" },
  updateSegment: { roles: ["admin"], params: (ids) => ({ id: ids.segmentId }), body: { name: "y" }, foreign: "segment_not_found" },
  deleteSegment: { roles: ["admin"], params: (ids) => ({ id: ids.segmentId }), foreign: "segment_not_found" },
  listSegmentMembers: { roles: ["admin"], params: (ids) => ({ id: ids.segmentId }), foreign: "segment_not_found" },
  getMemberSegments: { roles: ["admin", "server"], foreign: "member_not_found" },
  getMemberOffers: { roles: ["admin", "server"], foreign: "member_not_found" },
  listMemberCoupons: { roles: ["admin", "server"], foreign: "member_not_found" },
  listMyRewards: { roles: "member", foreign: "member_not_found" },
  claimMyReward: { roles: "member", params: (ids) => ({ rewardId: ids.rewardId }), foreign: "reward_not_found", member: { scopes: ["read", "claim"], status: 422 } },
  listMyCoupons: { roles: "member", foreign: "member_not_found" },
  getMyOffers: { roles: "member", foreign: "member_not_found" },
  getMyBenefits: { roles: "member", foreign: "member_not_found" },
  // Program A runs no referrals: the token gets in and hears 422 referrals_disabled.
  getMyReferral: { roles: "member", foreign: "member_not_found", member: { status: 422 } },
  exportMember: { roles: ["admin"], foreign: "member_not_found" },
  eraseMember: { roles: ["admin"], foreign: "member_not_found" },
};

interface DocumentedOperation {
  operationId: string;
  method: string;
  path: string;
}

/** The served document's operations that ask for credentials. */
async function securedOperations(): Promise<DocumentedOperation[]> {
  const res = await call("/openapi.json");
  expect(res.status).toBe(200);
  const doc = res.json as { security?: unknown[]; paths: Record<string, Record<string, { operationId: string; security?: unknown[] }>> };
  const found: DocumentedOperation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if ((op.security ?? doc.security ?? []).length > 0) found.push({ operationId: op.operationId, method: method.toUpperCase(), path });
    }
  }
  return found;
}

const documented = await securedOperations();

let a: TestProgram;
let b: TestProgram;
let ids: Ids;
/** A member token for the member only A has, from the program's server key (fresh: the table revokes tokens too). */
async function memberToken(p: TestProgram, scopes?: string[]): Promise<string> {
  const res = await call("/v1/members/member-of-a/tokens", { key: p.server, body: scopes ? { scopes } : {}, idempotencyKey: null });
  expect(res.status).toBe(201);
  return res.json.token;
}

beforeAll(async () => {
  a = await createProgram({}, "Program A");
  b = await createProgram({}, "Program B");
  for (const p of [a, b]) {
    await enroll(p.server, "ada");
    expect((await accrue(p.server, "ada", 100_000, { orderId: "seed-order" })).status).toBe(201);
  }
  // Members only A has: B's keys must not find them.
  await enroll(a.server, "member-of-a");
  await enroll(a.server, "also-of-a");
  const hold = await redeem(a.server, "ada", 10, { mode: "hold", ttlSeconds: 3600 });
  // Receives only a type this file never causes, so no delivery lands while the database is compared.
  const endpoint = await call("/v1/webhook-endpoints", { key: a.admin, body: { url: "https://shop.example/hooks", eventTypes: ["tier.changed"] } });
  expect(endpoint.status).toBe(201);
  const keys = await call("/v1/keys", { key: a.admin });
  const reward = await call("/v1/rewards", { key: a.admin, body: { name: "auth reward", type: "free_shipping", costPoints: 10 } });
  const coupon = await call(`/v1/members/ada/rewards/${reward.json.id}/claims`, { method: "POST", key: a.server });
  expect(coupon.status).toBe(201);
  const cause = await call("/v1/causes", { key: a.admin, body: { name: "auth cause" } });
  const segment = await call("/v1/segments", { key: a.admin, body: { name: "auth segment", conditions: { orderCount: { min: 1 } } } });
  expect(segment.status).toBe(201);
  const plan = await call("/v1/membership-plans", { key: a.admin, body: { name: "Prime", price: { amount: 4900, currency: "EUR" }, term: "year" } });
  expect(plan.status).toBe(201);
  const membership = await call("/v1/members/member-of-a/memberships", { key: a.server, body: { planId: plan.json.id, paidUntil: "2030-01-01T00:00:00Z" } });
  expect(membership.status).toBe(201);
  const event = await env.DB.prepare("SELECT id FROM outbox_events WHERE program_id = ? LIMIT 1").bind(a.programId).first<{ id: string }>();
  const created = await call("/v1/campaigns", { key: a.admin, body: campaign });
  expect(created.status).toBe(201);
  const activity = await call("/v1/members/member-of-a/activities", { key: a.server, body: { type: "review", reference: "sku-1", status: "pending" } });
  expect(activity.status, JSON.stringify(activity.json)).toBe(201);
  ids = {
    programId: a.programId,
    partnerId: a.partnerId,
    redemptionId: hold.json.id,
    keyId: keys.json.data.find((k: { role: string }) => k.role === "server").id,
    endpointId: endpoint.json.id,
    eventId: event!.id,
    rewardId: reward.json.id,
    couponCode: coupon.json.coupon.code,
    causeId: cause.json.id,
    segmentId: segment.json.id,
    planId: plan.json.id,
    membershipId: membership.json.id,
    campaignId: created.json.id,
    activityId: activity.json.id,
  };
});

/** Columns written after the answer (the outbox relay marks events sent), left out of the comparison. */
const WRITTEN_LATER = new Set(["sent_at"]);

/** Every row of every table, or only one program's rows. */
async function rows(programId?: string) {
  const tables = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name <> 'd1_migrations' ORDER BY name",
  ).all<{ name: string }>();
  const dump: Record<string, unknown[]> = {};
  for (const { name } of tables.results) {
    const where = programId === undefined ? "" : name === "programs" ? " WHERE id = ?1" : " WHERE program_id = ?1";
    const statement = env.DB.prepare(`SELECT * FROM ${name}${where} ORDER BY rowid`);
    const result = await (programId === undefined ? statement : statement.bind(programId)).all<Record<string, unknown>>();
    dump[name] = result.results.map((row) => Object.fromEntries(Object.entries(row).filter(([column]) => !WRITTEN_LATER.has(column))));
  }
  return dump;
}

function pathFor(op: DocumentedOperation, stated: Operation): string {
  const params: Record<string, string> = {
    memberId: "member-of-a",
    partnerId: ids.partnerId,
    programId: ids.programId,
    keyId: ids.keyId,
    period: "2025-01",
    job: "expire-points",
    ...stated.params?.(ids),
  };
  return op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (params[name] === undefined) throw new Error(`no value for {${name}} in ${op.operationId}`);
    return encodeURIComponent(params[name]);
  });
}

const PLATFORM = "platform";

describe("the auth table", () => {
  it("states the roles of every secured operation in the OpenAPI document, and no others", () => {
    const inDocument = documented.map((op) => op.operationId).sort();
    expect(inDocument.filter((id) => !(id in operations)), "operations the table does not state").toEqual([]);
    expect(Object.keys(operations).filter((id) => !inDocument.includes(id)), "operations the document lacks").toEqual([]);
  });
});

describe.each(documented.map((op) => [`${op.operationId} (${op.method} ${op.path})`, op] as const))("%s", (_, op) => {
  const stated = operations[op.operationId];
  if (!stated) return; // reported by "the auth table"
  const request = (key: string | null) =>
    call(pathFor(op, stated), {
      method: op.method,
      key,
      body: stated.body,
      rawBody: stated.rawBody,
      headers: stated.contentType ? { "content-type": stated.contentType } : undefined,
      ...stated.options,
    });

  it("refuses a missing key with 401 problem+json", async () => {
    const res = await request(null);
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(res.json.code).toBe("unauthorized");
  });

  it("refuses an unknown key with 401", async () => {
    const res = await request("trk_0000000000000000000000000000000000000000000000000000000000000000");
    expect(res.status).toBe(401);
    expect(res.json.code).toBe(stated.roles === "member" ? "token_invalid" : "unauthorized");
  });

  if (stated.roles === "member") {
    it.each([...ROLES, PLATFORM] as const)("refuses a program %s key with 401 token_invalid and changes nothing", async (role) => {
      const before = await rows();
      const res = await request(role === PLATFORM ? env.ADMIN_TOKEN : a[role]);
      expect(res.status).toBe(401);
      expect(res.json.code).toBe("token_invalid");
      expect(await rows()).toEqual(before);
    });

    it("lets a member token in, and program B's token for the same member id never to A's member", async () => {
      const own = await request(await memberToken(a, stated.member?.scopes));
      expect(own.status, JSON.stringify(own.json)).toBe(stated.member?.status ?? 200);
      const token = await memberToken(b, stated.member?.scopes);
      const before = await rows(a.programId);
      const res = await request(token);
      expect(res.status, JSON.stringify(res.json)).toBe(404);
      expect(res.json.code).toBe(stated.foreign);
      expect(await rows(a.programId)).toEqual(before);
    });
    return;
  }

  it("refuses a member token with 401: it is not a program key", async () => {
    const token = await memberToken(a);
    const before = await rows();
    const res = await request(token);
    expect(res.status).toBe(401);
    expect(res.json.code).toBe("unauthorized");
    expect(await rows()).toEqual(before);
  });

  if (stated.roles === PLATFORM) {
    it.each(ROLES)("refuses a program %s key with 401 and changes nothing", async (role) => {
      const before = await rows();
      const res = await request(a[role]);
      expect(res.status).toBe(401);
      expect(res.json.code).toBe("unauthorized");
      expect(await rows()).toEqual(before);
    });
    return;
  }
  const roles = stated.roles;

  it("refuses the platform token with 401: it is not a program key", async () => {
    const res = await request(env.ADMIN_TOKEN);
    expect(res.status).toBe(401);
    expect(res.json.code).toBe("unauthorized");
  });

  const forbidden = ROLES.filter((role) => !roles.includes(role));
  if (forbidden.length > 0) {
    it.each(forbidden)("refuses a %s key with 403 and changes nothing", async (role) => {
      const before = await rows();
      const res = await request(a[role]);
      expect(res.status).toBe(403);
      expect(res.json.code).toBe("forbidden");
      expect(await rows()).toEqual(before);
    });
  }

  // Each stated role gets in (so the table cannot claim too few roles), and only into its own program.
  it.each(roles)("lets program B's %s key in, and never to program A's things", async (role) => {
    const before = await rows(a.programId);
    const res = await request(b[role]);
    if (stated.foreign === "own") {
      expect(res.status, JSON.stringify(res.json)).toBeLessThan(500);
      expect([401, 403], JSON.stringify(res.json)).not.toContain(res.status);
    } else {
      expect(res.status, JSON.stringify(res.json)).toBe(404);
      expect(res.json.code).toBe(stated.foreign);
    }
    expect(await rows(a.programId)).toEqual(before);
  });
});

describe("program isolation", () => {
  it("shows each program only its own members and settings", async () => {
    const mine = await call("/v1/program", { key: a.admin });
    expect(mine.json.id).toBe(a.programId);
    const theirs = await call("/v1/program", { key: b.admin });
    expect(theirs.json.id).toBe(b.programId);
    const ghost = await call("/v1/members/only-in-a/balance", { key: b.server });
    await enroll(a.server, "only-in-a");
    expect((await call("/v1/members/only-in-a/balance", { key: b.server })).status).toBe(404);
    expect(ghost.json.code).toBe("member_not_found");
    await expectLedgerConsistent(a.programId, a.server);
    await expectLedgerConsistent(b.programId, b.server);
  });

  it("keeps a partner to its own redemptions and orders", async () => {
    const serverHold = await redeem(a.server, "ada", 5, { mode: "hold" });
    const partnerTry = await call(`/v1/redemptions/${serverHold.json.id}/cancel`, { key: a.partner, method: "POST" });
    expect(partnerTry.status).toBe(404);
    const refundTry = await call("/v1/members/ada/refunds", {
      key: a.partner,
      body: { orderId: "seed-order", amount: { amount: 1, currency: "EUR" } },
    });
    expect(refundTry.status).toBe(404);
    expect(refundTry.json.code).toBe("order_not_found");
    const ownOrder = await accrue(a.partner, "ada", 1000, { orderId: "partner-order" });
    expect(ownOrder.status).toBe(201);
    const history = await call("/v1/members/ada/transactions", { key: a.partner });
    expect(history.json.data.every((e: { partnerId: string }) => e.partnerId === a.partnerId)).toBe(true);
    expect(history.json.data).toHaveLength(1);
    await expectLedgerConsistent(a.programId, a.server);
  });
});

describe("platform token", () => {
  it("alone creates programs and keys", async () => {
    expect((await call("/v1/programs", { key: a.admin, body: { name: "x" } })).status).toBe(401);
    expect((await call("/v1/programs", { key: "wrong", body: { name: "x" } })).status).toBe(401);
    expect((await call(`/v1/programs/${a.programId}/keys`, { key: a.admin, body: { role: "admin" } })).status).toBe(401);
  });

  it("binds partner keys to a partner of the same program", async () => {
    const token = env.ADMIN_TOKEN;
    const noPartner = await call(`/v1/programs/${a.programId}/keys`, { key: token, body: { role: "partner" } });
    expect(noPartner.status).toBe(400);
    const foreign = await call(`/v1/programs/${a.programId}/keys`, { key: token, body: { role: "partner", partnerId: b.partnerId } });
    expect(foreign.status).toBe(404);
    expect(foreign.json.code).toBe("partner_not_found");
  });

  it("refuses a revoked key at once", async () => {
    expect((await call("/v1/members/ada/balance", { key: b.server })).status).toBe(200);
    const keys = await call("/v1/keys", { key: b.admin });
    const server = keys.json.data.find((k: { role: string }) => k.role === "server");
    expect((await call(`/v1/keys/${server.id}`, { method: "DELETE", key: b.admin })).status).toBe(200);
    expect((await call("/v1/members/ada/balance", { key: b.server })).status).toBe(401);
  });
});
