// Splitting a rounded total over weights so the parts add up to it exactly (largest remainder, ties to the earlier part).

/**
 * `total` split in proportion to `weights`: each part is floor(total * w / sum), and the points the
 * floors leave over go one each to the parts with the largest remainders (the earlier part on a tie).
 * Parts always add up to `total`. Weights that sum to 0 share equally.
 */
export function splitByWeights(total: number, weights: readonly number[]): number[] {
  if (weights.length === 0) return [];
  if (weights.length === 1) return [total];
  let shares = weights;
  let sum = shares.reduce((a, b) => a + b, 0);
  if (sum <= 0) {
    shares = weights.map(() => 1);
    sum = shares.length;
  }
  // Exact in plain numbers while total * sum is a safe integer (then so is every total * w); BigInt beyond.
  if (Number.isSafeInteger(total * sum) && Number.isSafeInteger(sum)) {
    const parts = shares.map((w) => Math.floor((total * w) / sum));
    return distribute(parts, shares.map((w, index) => total * w - parts[index]! * sum), total);
  }
  const big = BigInt(total);
  const bigSum = BigInt(sum);
  const parts = shares.map((w) => (big * BigInt(w)) / bigSum);
  const remainders = shares.map((w, index) => big * BigInt(w) - parts[index]! * bigSum);
  return distribute(parts.map(Number), remainders, total);
}

/** Gives the points the floors left over, one each, to the largest remainders (the earlier part on a tie). */
function distribute<R extends number | bigint>(parts: number[], remainders: R[], total: number): number[] {
  let left = total - parts.reduce((a, b) => a + b, 0);
  if (left <= 0) return parts;
  const order = remainders.map((remainder, index) => ({ remainder, index }));
  order.sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1));
  for (const { index } of order) {
    if (left <= 0) break;
    parts[index]! += 1;
    left -= 1;
  }
  return parts;
}
