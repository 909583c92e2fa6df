/** What one batch may hold. */
export interface SplitLimits {
  maxRequests: number;
  maxBytes: number;
}

/**
 * Cuts lines into batches in order, each within the provider's request and byte limits. A line
 * bigger than the byte limit goes alone into its own batch, for the provider to refuse with its
 * own message.
 */
export function splitBatches<T>(items: readonly T[], bytes: (item: T) => number, limits: SplitLimits): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const item of items) {
    const b = bytes(item);
    if (current.length > 0 && (current.length >= limits.maxRequests || size + b > limits.maxBytes)) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += b;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * How many of the lines, in order, fit a budget: `fits(total)` says whether a reservation of
 * `total` would be accepted. Returns the count and the reservation for them.
 */
export function fitPrefix(costs: readonly bigint[], fits: (total: bigint) => boolean): { count: number; total: bigint } {
  let total = 0n;
  let count = 0;
  for (const c of costs) {
    if (!fits(total + c)) break;
    total += c;
    count++;
  }
  return { count, total };
}
