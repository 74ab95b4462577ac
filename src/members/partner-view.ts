// What a partner key is shown of a member's ledger: its own orders, redemptions and lots and the member's
// balance, never another partner's ids, lots or orders, nor the debt that others' refunds created.

/** Who issued each lot an entry page names (null: the program itself). */
export type LotIssuers = ReadonlyMap<string, string | null>;

interface AllocationView {
  lotId: string | null;
  points: number;
}

export interface EntryView {
  type: string;
  lotId: string | null;
  orderId: string | null;
  redemptionId: string | null;
  channel: string | null;
  details: Record<string, unknown>;
}

/** The lot ids an entry names (its own, and those its redemption took points from). */
export function lotIdsOf(entry: EntryView): string[] {
  const ids = entry.lotId ? [entry.lotId] : [];
  for (const a of allocationsOf(entry)) if (a.lotId) ids.push(a.lotId);
  return ids;
}

function allocationsOf(entry: EntryView): AllocationView[] {
  const list = entry.details.allocations;
  return Array.isArray(list) ? (list as AllocationView[]) : [];
}

/**
 * An entry as `partnerId` may see it. Points taken from lots another issuer
 * issued are shown as one allocation without a lot id; an expire entry on the
 * partner's lot that another's redemption gave back loses that redemption's
 * references; what an earning paid off the member's debt is left out.
 */
export function entryForPartner<E extends EntryView>(entry: E, partnerId: string, issuers: LotIssuers): E {
  const own = (lotId: string | null) => lotId !== null && issuers.get(lotId) === partnerId;
  const details = { ...entry.details };
  let view: E = { ...entry, details };
  if (entry.lotId !== null && !own(entry.lotId)) view.lotId = null;
  if (Array.isArray(entry.details.allocations)) {
    const shown: AllocationView[] = [];
    let others: AllocationView | null = null;
    for (const a of allocationsOf(entry)) {
      if (own(a.lotId)) shown.push({ lotId: a.lotId, points: a.points });
      else if (others) others.points += a.points;
      else shown.push((others = { lotId: null, points: a.points }));
    }
    details.allocations = shown;
  }
  if ("redeemer" in details && details.redeemer !== partnerId) {
    delete details.redeemer;
    view = { ...view, redemptionId: null, orderId: null, channel: null };
  }
  delete details.debtPaid;
  return view;
}

/**
 * An answer of the member's object as a partner key gets it: the debt others'
 * refunds created, and what this accrual paid off it, are left out. What the
 * partner's own refunds add to it (`addedToDebt`) stays.
 */
export function answerForPartner(body: unknown): unknown {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return body;
  const { debtPaid: _paid, debt: _debt, ...rest } = body as Record<string, unknown>;
  if (rest.balance && typeof rest.balance === "object") {
    const { debt: _balanceDebt, ...balance } = rest.balance as Record<string, unknown>;
    rest.balance = balance;
  }
  return rest;
}

/** An event's data as a partner's endpoint receives it: the same leaving-out as the partner's answers. */
export function payloadForPartner(payload: Record<string, unknown>): Record<string, unknown> {
  const { debtPaid: _paid, ...rest } = payload;
  return rest;
}
