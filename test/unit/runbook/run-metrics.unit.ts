import { describe, expect, it } from '@jest/globals';
import type { RunReport } from '../../../functions/runbook/report-types.ts';
import {
  emitRunMetrics,
  emitSinkFailures,
  needsAttention,
  type RunMetrics,
} from '../../../functions/runbook/run-metrics.ts';

describe('run-metrics', () => {
  function report(overrides: Partial<RunReport> = {}): RunReport {
    return {
      plan: 'shop',
      runId: 'r',
      mode: 'drill',
      outcome: 'succeeded',
      trigger: 'schedule',
      incidentStartedAt: '2026-11-25T12:00:00.000Z',
      startedAt: '2026-11-25T12:00:00.000Z',
      reportedAt: '2026-11-25T12:10:00.000Z',
      predictedRtoSeconds: 420,
      rto: { objectiveSeconds: 1800, achievedSeconds: 400, met: true },
      rpo: { objectiveSeconds: 300, achievedSeconds: 4, met: true },
      readinessProblems: [],
      readinessWarnings: [],
      sinksFailed: [],
      resources: [],
      changes: [],
      reverted: [],
      timeline: [{ step: 'Database', startMs: 0, endMs: 240_000, outcome: 'succeeded' }],
      ...overrides,
    };
  }

  function recorder() {
    const metrics: Array<[string, number, Record<string, string>]> = [];
    let dimensions: Record<string, string> = {};
    const sink: RunMetrics = {
      addDimensions: (d) => {
        dimensions = { ...dimensions, ...d };
      },
      addMetric: (name, _unit, value) => {
        metrics.push([name, value, dimensions]);
      },
      singleMetric: () => {
        let own: Record<string, string> = {};
        return {
          addDimensions: (d) => {
            own = { ...own, ...d };
          },
          addMetric: (name, _unit, value) => {
            metrics.push([name, value, own]);
          },
        };
      },
    };
    return { sink, metrics };
  }

  describe('needsAttention', () => {
    it('flags a drill that failed or missed an objective, and a dry-run that is not ready', () => {
      expect(needsAttention(report())).toBe(false);
      expect(needsAttention(report({ outcome: 'failed' }))).toBe(true);
      expect(
        needsAttention(report({ rto: { objectiveSeconds: 1800, achievedSeconds: 2000, met: false } })),
      ).toBe(true);
      expect(
        needsAttention(report({ rpo: { objectiveSeconds: 300, achievedSeconds: 301, met: false } })),
      ).toBe(true);
      expect(needsAttention(report({ mode: 'dry-run', outcome: 'not-ready' }))).toBe(true);
    });
  });

  describe('needsAttention of the new outcomes', () => {
    it('flags a drill that died and any run whose lock was not released, not a refused or preempted drill', () => {
      expect(needsAttention(report({ outcome: 'aborted' }))).toBe(true);
      expect(
        needsAttention(report({ mode: 'failover', lockProblem: 'the lock could not be released' })),
      ).toBe(true);
      expect(needsAttention(report({ outcome: 'refused' }))).toBe(false);
      expect(needsAttention(report({ outcome: 'preempted' }))).toBe(false);
      expect(needsAttention(report({ mode: 'revert', outcome: 'failed' }))).toBe(true);
    });
  });

  describe('emitSinkFailures', () => {
    it('emits one ReportSinkFailed per failed sink, by plan and sink', () => {
      const { sink, metrics } = recorder();
      emitSinkFailures(sink, 'shop', [
        { sink: 's3', error: 'AccessDeniedError: no' },
        { sink: 'history', error: 'TransientAwsError: 500' },
      ]);
      expect(metrics).toEqual([
        ['ReportSinkFailed', 1, { plan: 'shop', sink: 's3' }],
        ['ReportSinkFailed', 1, { plan: 'shop', sink: 'history' }],
      ]);
    });
  });

  describe('emitRunMetrics', () => {
    it('emits RTO, RPO, outcome and per-step durations by plan and mode', () => {
      const { sink, metrics } = recorder();
      emitRunMetrics(sink, report({ rto: { objectiveSeconds: 1800, achievedSeconds: 2000, met: false } }));
      const dims = { plan: 'shop', mode: 'drill' };
      expect(metrics).toEqual([
        ['RtoSeconds', 2000, dims],
        ['RpoSeconds', 4, dims],
        ['RunSucceeded', 1, dims],
        ['ObjectiveMissed', 1, dims],
        ['NeedsAttention', 1, dims],
        ['StepSeconds', 240, { ...dims, step: 'Database' }],
      ]);
    });

    it('emits no RTO or RPO that was not measured', () => {
      const { sink, metrics } = recorder();
      emitRunMetrics(
        sink,
        report({
          outcome: 'failed',
          rto: { objectiveSeconds: 1800, achievedSeconds: null, met: null },
          rpo: { objectiveSeconds: 300, achievedSeconds: null, met: null },
          timeline: [],
        }),
      );
      expect(metrics.map(([name, value]) => [name, value])).toEqual([
        ['RunSucceeded', 0],
        ['ObjectiveMissed', 0],
        ['NeedsAttention', 1],
      ]);
    });
  });
});
