import { describe, expect, it } from '@jest/globals';
import {
  escapeXml,
  formatDuration,
  timelineAxis,
  xOf,
} from '../../../functions/runbook/render-svg-timeline.ts';

describe('render-svg-timeline', () => {
  const row = (endS: number) => ({
    step: 's',
    startMs: 0,
    endMs: endS * 1000,
    outcome: 'succeeded' as const,
  });

  describe('timelineAxis', () => {
    it('is one linear segment reaching past the objective when the run is a good part of it', () => {
      const axis = timelineAxis([row(750)], 1800);
      expect(axis).toHaveLength(1);
      expect(axis[0]?.ticks.at(-1)).toBeGreaterThanOrEqual(1800);
      expect(axis[0]?.ticks.slice(0, 3)).toEqual([0, 500, 1000]);
    });

    it('reaches past the slowest step when the run overran the objective', () => {
      expect(timelineAxis([row(2250)], 1800)[0]?.to).toBeGreaterThanOrEqual(2250);
    });

    it('breaks when the run is far shorter than the objective, keeping the objective on the axis', () => {
      const axis = timelineAxis([row(3.9)], 1800);
      expect(axis.map((s) => [s.from, s.to])).toEqual([
        [0, 5],
        [1300, 2300],
      ]);
      expect(axis[1]?.ticks).toContain(1800);
      expect(xOf(axis, 1800)).toBeCloseTo(((axis[1]?.x0 ?? 0) + (axis[1]?.x1 ?? 0)) / 2, 6);
    });
  });

  describe('formatDuration', () => {
    it('says seconds, minutes or hours as a person would', () => {
      expect([4.24, 45.4, 120, 750, 3600, 3900].map(formatDuration)).toEqual([
        '4.2 s',
        '45 s',
        '2 min',
        '12 min 30 s',
        '1 h',
        '1 h 5 min',
      ]);
    });
  });

  describe('escapeXml', () => {
    it('escapes the five characters that end text or attributes', () => {
      expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    });
  });
});
