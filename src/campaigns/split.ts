// Splitting a rounded total over weights so the parts add up to it exactly (largest remainder, ties to the earlier part).

/**
 * `total` split in proportion to `weights`: each part is floor(total * w / sum), and the points the
 * floors leave over go one each to the parts with the largest remainders (the earlier part on a tie).
 * Parts always add up to `total`. Weights that sum to 0 share equally.
 */
export function splitByWeights(total: number, weights: readonly (number | bigint)[]): number[] {
  if (weights.length === 0) return [];
  let big = weights.map((w) => BigInt(w));
  let sum = big.reduce((a, b) => a + b, 0n);
  if (sum <= 0n) {
    big = big.map(() => 1n);
    sum = BigInt(big.length);
  }
  const whole = BigInt(total);
  const parts = big.map((w) => (whole * w) / sum);
  const remainders = big.map((w, index) => ({ index, remainder: (whole * w) % sum }));
  let left = Number(whole - parts.reduce((a, b) => a + b, 0n));
  remainders.sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1));
  for (const { index } of remainders) {
    if (left <= 0) break;
    parts[index]! += 1n;
    left -= 1;
  }
  return parts.map(Number);
}
