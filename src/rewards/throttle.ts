// Look-ups of unknown coupon codes, counted per API key, so codes cannot be enumerated.

/**
 * Keys over the limit, by key id, and until when (per isolate). Once a key is
 * over, every look-up it makes is refused until then, known codes included:
 * answering those would tell a guesser which guess was right.
 */
const blocked = new Map<string, number>();
const MAX_BLOCKED = 10_000;
/** The binding's period (wrangler.toml [[ratelimits]]): a key stays blocked as long. */
export const THROTTLE_PERIOD_MS = 60_000;

export function isThrottled(keyId: string, now: number): boolean {
  const until = blocked.get(keyId);
  if (until === undefined) return false;
  if (until > now) return true;
  blocked.delete(keyId);
  return false;
}

/**
 * Counts one look-up that found nothing, against the Workers rate limiting
 * binding (shared by the isolates of a location). Answers whether the key is
 * now over its limit.
 */
export async function countMiss(limiter: RateLimit, keyId: string, now: number): Promise<boolean> {
  const { success } = await limiter.limit({ key: keyId });
  if (success) return false;
  if (blocked.size >= MAX_BLOCKED) blocked.delete(blocked.keys().next().value!);
  blocked.set(keyId, now + THROTTLE_PERIOD_MS);
  return true;
}
