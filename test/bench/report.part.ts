import { describe, expect, it } from '@jest/globals';
import { median } from '../../bench/cold-start.ts';
import { type BenchResults, figures, render, table, USD_PER_TRANSITION } from '../../bench/report.ts';

describe('report', () => {
  const results: BenchResults = {
    method: { runbook: 'virtual time' },
    cases: [
      {
        id: 'fixed-1',
        promotionSeconds: 240,
        launchSeconds: 180,
        syncSeconds: 45,
        lowerBoundSeconds: 285.15,
        runbook: { rtoSeconds: 293.03, ratio: 1.02763, transitions: 504, lambdaInvocations: 168 },
        baseline: { rtoSeconds: 470.1, ratio: 1.6486 },
      },
      {
        id: 'drawn-1',
        promotionSeconds: 90,
        launchSeconds: 300,
        syncSeconds: 30,
        lowerBoundSeconds: 330.15,
        runbook: { rtoSeconds: 340, ratio: 1.0298, transitions: 435, lambdaInvocations: 145 },
        baseline: { rtoSeconds: 425, ratio: 1.2873 },
      },
    ],
    referenceCase: 'fixed-1',
    drill: { transitions: 652, lambdaInvocations: 217, durationSeconds: 970.1 },
    coldStarts: [
      { family: 'database', bytes: 512_000, importMs: [70, 72, 71], medianImportMs: 71 },
      { family: 'compute', bytes: 1_024_000, importMs: [120, 125, 122], medianImportMs: 122 },
    ],
  };

  describe('figures', () => {
    it('gives the required headline figures: worst ratios, biggest bundle, slowest import, transitions', () => {
      const f = figures(results);

      expect(f).toMatchObject({
        rto_overhead_ratio_max: 1.0298,
        baseline_rto_overhead_ratio_max: 1.6486,
        bundle_kb_max: 1000,
        import_ms_max: 122,
        transitions_failover: 504,
        transitions_drill: 652,
        'case.drawn-1.rto_overhead_ratio': 1.0298,
        'bundle.database.kb': 500,
      });
      expect(f.usd_per_failover).toBeCloseTo(504 * USD_PER_TRANSITION, 4);
      expect(f.baseline_over_runbook_rto_min).toBeCloseTo(425 / 340, 3);
    });

    it('refuses a reference case that was not run', () => {
      expect(() => figures({ ...results, referenceCase: 'nope' })).toThrow(/nope/);
    });
  });

  describe('render', () => {
    it('prints each figure on its own line as name=value, after the tables', () => {
      const lines = render(results);

      expect(lines).toContain('rto_overhead_ratio_max=1.0298');
      expect(lines).toContain('transitions_failover=504');
      expect(lines.findIndex((l) => l.startsWith('fixed-1 '))).toBeLessThan(
        lines.indexOf('bundle_kb_max=1000'),
      );
    });
  });

  describe('table', () => {
    it('aligns the first column left and the others right', () => {
      expect(
        table(
          ['case', 'ratio'],
          [
            ['a', '1.5'],
            ['long', '10.25'],
          ],
        ),
      ).toEqual(['case  ratio', '----  -----', 'a       1.5', 'long  10.25']);
    });
  });

  describe('median', () => {
    it('takes the middle value, or the mean of the two middle ones', () => {
      expect(median([3, 1, 2])).toBe(2);
      expect(median([4, 1, 3, 2])).toBe(2.5);
      expect(() => median([])).toThrow();
    });
  });
});
