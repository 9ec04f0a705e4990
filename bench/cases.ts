// The benchmark's cases: how long the AWS control planes take. Three fixed ones, and more drawn
// from realistic ranges with a seeded PRNG, so every run of the benchmark measures the same cases.

/** Seconds each control plane takes in one case. */
export interface BenchCase {
  readonly id: string;
  /** PromoteReadReplica until the instance is available (P). */
  readonly promotionSeconds: number;
  /** Scale-out until the new instances are InService (S). */
  readonly launchSeconds: number;
  /** ChangeResourceRecordSets until INSYNC (D). */
  readonly syncSeconds: number;
}

export const FIXED_CASES: readonly BenchCase[] = [
  { id: 'fixed-1', promotionSeconds: 240, launchSeconds: 180, syncSeconds: 45 },
  { id: 'fixed-2', promotionSeconds: 90, launchSeconds: 300, syncSeconds: 30 },
  { id: 'fixed-3', promotionSeconds: 600, launchSeconds: 120, syncSeconds: 60 },
];

/** Inclusive ranges of whole seconds the drawn cases come from. */
export interface CaseRanges {
  readonly promotionSeconds: readonly [number, number];
  readonly launchSeconds: readonly [number, number];
  readonly syncSeconds: readonly [number, number];
}

/**
 * A cross-region replica promotion takes one to fifteen minutes; an instance from launch to
 * InService (boot, user data, health check grace) one to ten; Route 53 reports INSYNC within
 * 15 to 90 seconds.
 */
export const DRAWN_RANGES: CaseRanges = {
  promotionSeconds: [60, 900],
  launchSeconds: [60, 600],
  syncSeconds: [15, 90],
};

export const DRAWN_SEED = 20261125;
export const DRAWN_COUNT = 5;

/** mulberry32: a small, well-mixed 32-bit PRNG; the same seed gives the same numbers everywhere. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` cases drawn uniformly (whole seconds) from `ranges`. */
export function drawCases(
  count = DRAWN_COUNT,
  seed = DRAWN_SEED,
  ranges: CaseRanges = DRAWN_RANGES,
): BenchCase[] {
  const random = seededRandom(seed);
  const between = ([low, high]: readonly [number, number]) => low + Math.floor(random() * (high - low + 1));
  return Array.from({ length: count }, (_, i) => ({
    id: `drawn-${i + 1}`,
    promotionSeconds: between(ranges.promotionSeconds),
    launchSeconds: between(ranges.launchSeconds),
    syncSeconds: between(ranges.syncSeconds),
  }));
}

/** Every case the benchmark runs. */
export function benchCases(): BenchCase[] {
  return [...FIXED_CASES, ...drawCases()];
}
