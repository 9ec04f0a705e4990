import { describe, expect, it } from '@jest/globals';
import type { RunRecord } from '../../../functions/runbook/execution-input.ts';
import { buildRunTimeline, resourceLabel } from '../../../functions/runbook/run-timeline.ts';
import type { ProgressResult } from '../../../functions/shared/step-contract.ts';

describe('run-timeline', () => {
  const run = (incidentStartedAt = '2026-11-25T12:00:00.000Z'): RunRecord => ({
    id: 'r',
    mode: 'failover',
    startedAt: '2026-11-25T12:00:00.000Z',
    incidentStartedAt,
    trigger: { type: 'console' },
    approvalRequired: false,
    lockExpiresAt: '2026-11-26T00:00:00.000Z',
    executionArn: 'arn:aws:states:eu-central-1:123456789012:execution:dr-runbook-test:run-7',
  });

  const done = (
    resource: string,
    type: string,
    family: ProgressResult['family'],
    startedAt: string,
    completedAt: string,
  ): ProgressResult => ({
    family,
    resource,
    type,
    action: 'check',
    done: true,
    nextCheckSeconds: 0,
    detail: '',
    state: {},
    changes: [],
    startedAt,
    completedAt,
  });

  const readiness = [
    {
      family: 'database' as const,
      resource: 'db',
      type: 'rds-read-replica',
      checks: [],
      predictedSeconds: 1,
      evaluatedAt: '2026-11-25T12:00:05.000Z',
    },
  ];
  const NOW = new Date('2026-11-25T12:10:00.000Z');

  describe('buildRunTimeline', () => {
    it('places each resource in time since the incident, those of one step side by side', () => {
      const rows = buildRunTimeline(
        run(),
        {
          readiness,
          results: {
            step1: {
              db: done(
                'db',
                'rds-read-replica',
                'database',
                '2026-11-25T12:00:06.000Z',
                '2026-11-25T12:04:06.000Z',
              ),
              web: done(
                'web',
                'auto-scaling-group',
                'compute',
                '2026-11-25T12:00:06.000Z',
                '2026-11-25T12:03:06.000Z',
              ),
            },
            step2: {
              dns: done(
                'dns',
                'route53-records',
                'traffic',
                '2026-11-25T12:04:07.000Z',
                '2026-11-25T12:05:07.000Z',
              ),
            },
          },
          verification: { verifiedAt: '2026-11-25T12:05:10.000Z', checks: [] },
        },
        NOW,
      );
      expect(rows).toEqual([
        { step: 'Readiness', startMs: 0, endMs: 5_000, outcome: 'succeeded' },
        { step: 'db (rds-read-replica)', startMs: 6_000, endMs: 246_000, outcome: 'succeeded' },
        { step: 'web (auto-scaling-group)', startMs: 6_000, endMs: 186_000, outcome: 'succeeded' },
        { step: 'dns (route53-records)', startMs: 247_000, endMs: 307_000, outcome: 'succeeded' },
        { step: 'Verify', startMs: 307_000, endMs: 310_000, outcome: 'succeeded' },
      ]);
    });

    it('shows a resource still running up to now, and a revert per resource', () => {
      const running = {
        ...done('web', 'auto-scaling-group', 'compute', '2026-11-25T12:00:06.000Z', ''),
        done: false,
      };
      delete (running as Partial<ProgressResult>).completedAt;
      const rows = buildRunTimeline(
        run(),
        {
          results: { step1: { web: running } },
          revert: {
            step1: {
              web: {
                ...done(
                  'web',
                  'auto-scaling-group',
                  'compute',
                  '2026-11-25T12:08:00.000Z',
                  '2026-11-25T12:09:00.000Z',
                ),
                action: 'revert',
              },
            },
          },
        },
        NOW,
      );
      expect(rows).toEqual([
        { step: 'web (auto-scaling-group)', startMs: 6_000, endMs: 600_000, outcome: 'running' },
        { step: 'Revert web', startMs: 480_000, endMs: 540_000, outcome: 'succeeded' },
      ]);
    });

    it('shows the detection delay of an alarm-triggered run before the runbook started', () => {
      const rows = buildRunTimeline(run('2026-11-25T11:58:00.000Z'), { readiness }, NOW);
      expect(rows[0]).toEqual({
        step: 'Detection (alarm → runbook)',
        startMs: 0,
        endMs: 120_000,
        outcome: 'succeeded',
      });
      expect(rows[1]).toMatchObject({ step: 'Readiness', startMs: 120_000 });
    });

    it('ends a failed run with the failed step, up to the report', () => {
      const rows = buildRunTimeline(
        run(),
        { readiness, failure: { step: 'Step1', Error: 'ReplicaNotFoundError' } },
        NOW,
      );
      expect(rows.at(-1)).toEqual({ step: 'Step1', startMs: 5_000, endMs: 600_000, outcome: 'failed' });
    });
  });

  describe('resourceLabel', () => {
    it('names a resource by id and type, and an unstamped result by its family', () => {
      expect(resourceLabel({ family: 'hook', resource: 'flush-cache', type: 'lambda-hook' })).toBe(
        'flush-cache (lambda-hook)',
      );
      expect(resourceLabel({ family: 'compute', resource: 'web' })).toBe('web (compute)');
      expect(resourceLabel({ family: 'traffic' })).toBe('traffic');
    });
  });
});
