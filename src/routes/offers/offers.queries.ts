// The offer routes read through the member's object and src/offers; no SQL of their own.
export {};
