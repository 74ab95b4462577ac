// A storefront's use of the API through a client generated from the served document: it must type-check against the generated types and run.
import createClient from "openapi-fetch";
import type { paths } from "./generated/api";

function must<T>(step: string, answer: { data?: T; error?: unknown; response: Response }): T {
  if (answer.data === undefined) throw new Error(`${step}: ${answer.response.status} ${JSON.stringify(answer.error)}`);
  return answer.data;
}

/** What the platform operator does once: a program and a key for the storefront's backend. */
export async function setUpProgram(baseUrl: string, adminToken: string): Promise<string> {
  const admin = createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${adminToken}` } });
  const program = must("create program", await admin.POST("/v1/programs", { body: { name: "Storefront check" } }));
  const key = must(
    "create key",
    await admin.POST("/v1/programs/{programId}/keys", { params: { path: { programId: program.id } }, body: { role: "server" } }),
  );
  return key.key;
}

/** Enroll, earn on an order (only its id and amount), hold and capture points, refund part of the order, read the balance. */
export async function storefront(baseUrl: string, serverKey: string, memberId = `shopper-${Date.now()}`) {
  const api = createClient<paths>({ baseUrl, headers: { authorization: `Bearer ${serverKey}` } });
  const path = { memberId };
  const idempotency = (step: string) => ({ "idempotency-key": `${memberId}-${step}` });

  must("enroll", await api.PUT("/v1/members/{memberId}", { params: { path }, body: { email: "ada@example.com" } }));
  const accrual = must(
    "accrue",
    await api.POST("/v1/members/{memberId}/accruals", {
      params: { path, header: idempotency("accrue") },
      body: { orderId: `${memberId}-order-1`, amount: { amount: 10_000, currency: "EUR" } },
    }),
  );
  const hold = must(
    "hold",
    await api.POST("/v1/members/{memberId}/redemptions", { params: { path, header: idempotency("hold") }, body: { points: 20, mode: "hold" } }),
  );
  const captured = must(
    "capture",
    await api.POST("/v1/redemptions/{id}/capture", { params: { path: { id: hold.id }, header: idempotency("capture") } }),
  );
  const refund = must(
    "refund",
    await api.POST("/v1/members/{memberId}/refunds", {
      params: { path, header: idempotency("refund") },
      body: { orderId: accrual.orderId, amount: { amount: 2_500, currency: "EUR" } },
    }),
  );
  const balance = must("balance", await api.GET("/v1/members/{memberId}/balance", { params: { path } }));
  const status: "held" | "captured" | "cancelled" | "lapsed" | "reversed" = captured.status;
  return { earned: accrual.points, captured: status, clawedBack: refund.pointsClawedBack, available: balance.available };
}
