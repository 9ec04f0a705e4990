import { describe, expect, it } from '@jest/globals';
import {
  MAX_POLL_SECONDS,
  MIN_POLL_SECONDS,
  nextCheckSeconds,
  secondsBetween,
} from '../../../functions/shared/polling.ts';

describe('polling', () => {
  describe('nextCheckSeconds', () => {
    it('polls at the minimum interval right after an operation starts', () => {
      expect(nextCheckSeconds(0)).toBe(MIN_POLL_SECONDS);
      expect(nextCheckSeconds(30)).toBe(MIN_POLL_SECONDS);
    });

    it('waits longer the longer the operation has run, bounding the added delay to a few percent', () => {
      expect(nextCheckSeconds(300)).toBe(9);
      expect(nextCheckSeconds(600)).toBe(18);
      for (const elapsed of [100, 240, 600, 900]) {
        expect(nextCheckSeconds(elapsed) / elapsed).toBeLessThanOrEqual(0.035);
      }
    });

    it('never waits longer than the maximum interval', () => {
      expect(nextCheckSeconds(10_000)).toBe(MAX_POLL_SECONDS);
    });

    it('treats a clock that went backwards as a fresh start', () => {
      expect(nextCheckSeconds(-50)).toBe(MIN_POLL_SECONDS);
    });
  });

  describe('secondsBetween', () => {
    it('measures seconds between ISO timestamps and never goes negative', () => {
      expect(secondsBetween('2026-11-25T12:00:00Z', '2026-11-25T12:01:30Z')).toBe(90);
      expect(secondsBetween('2026-11-25T12:01:30Z', '2026-11-25T12:00:00Z')).toBe(0);
    });
  });
});
