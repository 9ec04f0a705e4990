import { describe, expect, it } from '@jest/globals';
import { benchCases, DRAWN_RANGES, drawCases, FIXED_CASES, seededRandom } from '../../bench/cases.ts';
import { lowerBoundSeconds, overheadRatio } from '../../bench/lower-bound.ts';

describe('cases-and-lower-bound', () => {
  describe('benchmark cases', () => {
    it('include the three fixed cases the issue asks for', () => {
      expect(FIXED_CASES.map((c) => [c.promotionSeconds, c.launchSeconds, c.syncSeconds])).toEqual([
        [240, 180, 45],
        [90, 300, 30],
        [600, 120, 60],
      ]);
    });

    it('draw the same cases on every run (seeded), each within its range', () => {
      const drawn = drawCases();

      expect(drawCases()).toEqual(drawn);
      expect(new Set(drawn.map((c) => c.promotionSeconds)).size).toBeGreaterThan(1);
      for (const c of drawn) {
        for (const key of ['promotionSeconds', 'launchSeconds', 'syncSeconds'] as const) {
          const [low, high] = DRAWN_RANGES[key];
          expect(Number.isInteger(c[key])).toBe(true);
          expect(c[key]).toBeGreaterThanOrEqual(low);
          expect(c[key]).toBeLessThanOrEqual(high);
        }
      }
    });

    it('give other cases for another seed, and unique ids overall', () => {
      expect(drawCases(5, 1)).not.toEqual(drawCases(5, 2));
      const ids = benchCases().map((c) => c.id);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it('come from a PRNG whose numbers lie in [0, 1)', () => {
      const random = seededRandom(42);
      const numbers = Array.from({ length: 1000 }, random);
      expect(Math.min(...numbers)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...numbers)).toBeLessThan(1);
    });
  });

  describe('lowerBoundSeconds', () => {
    it('is the slower of database and compute, then DNS, then verify', () => {
      const c = { id: 'x', promotionSeconds: 240, launchSeconds: 180, syncSeconds: 45 };

      expect(lowerBoundSeconds(c, 0.15)).toBeCloseTo(285.15);
      expect(lowerBoundSeconds({ ...c, launchSeconds: 300 }, 0)).toBe(345);
    });
  });

  describe('overheadRatio', () => {
    it('is the achieved RTO over the lower bound', () => {
      expect(overheadRatio(300, 285)).toBeCloseTo(1.0526, 4);
      expect(overheadRatio(285, 285)).toBe(1);
    });

    it('refuses a lower bound that is not positive', () => {
      expect(() => overheadRatio(10, 0)).toThrow(/positive/);
    });
  });
});
