// Adjustments read nothing of their own: the entry is in the member's history (GET /v1/members/{memberId}/transactions).
export {};
