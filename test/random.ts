// Seeded randomness for the randomized unit tests: the same cases on every run, so a failure repeats.

/** A xorshift32 generator: `random(n)` is an integer in [0, n). Every bit of it varies, unlike a small LCG's low bits. */
export function seeded(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
}
