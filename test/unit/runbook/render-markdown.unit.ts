import { describe, expect, it } from '@jest/globals';
import type { RunRecord } from '../../../functions/runbook/execution-input.ts';
import { renderMarkdown } from '../../../functions/runbook/render-markdown.ts';
import { buildAbortedReport, buildReport } from '../../../functions/runbook/report.ts';
import type { RunReport } from '../../../functions/runbook/report-types.ts';
import { examplePlan, runRecord } from '../../fixtures.ts';

describe('render-markdown', () => {
  const plan = examplePlan();
  const NOW = new Date('2026-11-25T12:30:00.000Z');

  const run = (overrides: Partial<RunRecord> = {}): RunRecord => runRecord({ mode: 'drill', ...overrides });

  const report = (overrides: Partial<RunReport> = {}): RunReport => ({
    ...buildReport(plan, run(), {}, NOW),
    ...overrides,
  });

  describe('renderMarkdown', () => {
    it('tables what fencing did, escaping a "|" in a detail', () => {
      const md = renderMarkdown(
        report({
          fencing: [
            {
              resource: 'db',
              type: 'rds-read-replica',
              outcome: 'fenced',
              detail: 'stopped a|b',
              changes: [],
            },
          ],
        }),
      );
      expect(md).toContain('## Fencing the old primary');
      expect(md).toContain('| db | fenced | stopped a\\|b |');
      expect(renderMarkdown(report())).not.toContain('Fencing');
    });

    it('says who holds the lock of a refused run', () => {
      const md = renderMarkdown(
        buildReport(
          plan,
          run(),
          {
            refusal: {
              Error: 'AlreadyRunning',
              Cause: 'another run of plan "shop" holds the lock: run drill-7 (drill, since t)',
            },
          },
          NOW,
        ),
      );
      expect(md).toMatch(/^# dr-runbook drill of `shop`: REFUSED$/m);
      expect(md).toContain(
        '**Refused: the lock is held by run drill-7 (drill, since t); nothing was touched',
      );
    });

    it('names a preempted run, a dead run taken over, and a lock problem', () => {
      const md = renderMarkdown(
        report({
          preemptedRun: { runId: 'drill-7', mode: 'drill', executionArn: 'arn:x:drill-7' },
          tookOverDeadRun: { runId: 'drill-6', mode: 'drill', status: 'TIMED_OUT' },
          lockProblem: 'the lock could not be released (X)',
        }),
      );
      expect(md).toContain(
        '**Preempted drill run drill-7 (arn:x:drill-7) to take the lock; its cleanup reverts what it left.**',
      );
      expect(md).toContain('**Took over the lock of drill run drill-6, which had ended (TIMED_OUT).**');
      expect(md).toContain('**Lock problem: the lock could not be released (X).**');
    });

    it('lists readiness warnings, what was left behind and the sinks that failed', () => {
      const md = renderMarkdown(
        report({
          readinessWarnings: ['traffic/ttl: TTL 300 s'],
          leftovers: ['database: drill-shop-x still deleting'],
          sinksFailed: [{ sink: 's3', error: 'AccessDeniedError: no' }],
          revertProblem: 'States.Timeout',
        }),
      );
      expect(md).toContain('## Readiness warnings\n\n- traffic/ttl: TTL 300 s');
      expect(md).toContain('## Left behind\n\n- database: drill-shop-x still deleting');
      expect(md).toContain('## Not delivered\n\n- s3: AccessDeniedError: no');
      expect(md).toContain('**The drill could not be reverted either:** States.Timeout');
    });

    it("lists the plan's advisories (what it may get wrong in an outage) under their own heading", () => {
      const md = renderMarkdown(report({ advisories: ['triggers.alarms[0]: "a" is in the primary region'] }));
      expect(md).toContain('## Plan advisories\n\n- triggers.alarms[0]: "a" is in the primary region');
    });

    it('names the target of a revert run and what its cleanup did', () => {
      const md = renderMarkdown(
        report({
          mode: 'revert',
          revertTarget: { runId: 'drill-7', executionArn: 'arn:x:drill-7', status: 'ABORTED' },
          cleanup: {
            target: { runId: 'drill-7', mode: 'drill', status: 'ABORTED' },
            lockReleased: true,
            recordedAborted: true,
            scope: 'full',
          },
          reverted: [{ resource: 'drill.shop.example.com', action: 'delete', detail: 'removed' }],
        }),
      );
      expect(md).toContain('**Reverting what drill run drill-7 left behind (ABORTED; arn:x:drill-7).**');
      expect(md).toContain(
        "**Cleanup: reverts everything the drill did; the dead run's lock was released; its record was written as aborted.**",
      );
      expect(md).toContain('## What the revert undid\n\n- **drill.shop.example.com**: delete — removed');
    });

    it('names the drill a dead revert was reverting, when the cleanup followed it back', () => {
      const md = renderMarkdown(
        report({
          mode: 'revert',
          revertTarget: { runId: 'revert-3', executionArn: 'arn:x:revert-3', status: 'TIMED_OUT' },
          cleanup: {
            target: { runId: 'drill-7', mode: 'drill', status: 'ABORTED' },
            lockReleased: true,
            recordedAborted: false,
            scope: 'full',
          },
        }),
      );
      expect(md).toContain('**Reverting what drill run drill-7 left behind (ABORTED).**');
      expect(md).toContain(
        '**Asked for run revert-3, a revert that died: followed back to the drill it was reverting.**',
      );
    });

    it('says why a dead run was recorded as aborted', () => {
      const md = renderMarkdown(
        buildAbortedReport(
          plan,
          { runId: 'drill-7', mode: 'drill', startedAt: '2026-11-25T11:00:00.000Z', status: 'FAILED' },
          NOW,
        ),
      );
      expect(md).toMatch(/^# dr-runbook drill of `shop`: ABORTED$/m);
      expect(md).toContain(
        '**Aborted:** the execution failed outside the runbook (FAILED) before it could report what it did',
      );
    });

    it('lists every resource with its type, outcome, time and measurements', () => {
      const md = renderMarkdown(
        report({
          resources: [
            {
              id: 'orders-db',
              type: 'rds-read-replica',
              family: 'database',
              outcome: 'succeeded',
              seconds: 312.46,
              measurements: { rpoSeconds: 4, promoted: 'market-orders-replica' },
            },
            { id: 'web', type: 'auto-scaling-group', family: 'compute', outcome: 'unfinished' },
          ],
        }),
      );
      expect(md).toContain(
        [
          '## Resources',
          '',
          '| resource | type | outcome | took | measured |',
          '|---|---|---|---|---|',
          '| orders-db | rds-read-replica | succeeded | 312.5 s | rpoSeconds 4, promoted market-orders-replica |',
          '| web | auto-scaling-group | unfinished | – | – |',
        ].join('\n'),
      );
    });

    it('leaves the Resources table out when no resource ran', () => {
      expect(renderMarkdown(report({ resources: [] }))).not.toContain('## Resources');
    });

    it('builds the table from what the steps returned', () => {
      const md = renderMarkdown(
        buildReport(
          plan,
          run(),
          {
            results: {
              step1: {
                db: {
                  family: 'database',
                  resource: 'db',
                  type: 'rds-read-replica',
                  action: 'check',
                  done: true,
                  nextCheckSeconds: 0,
                  detail: 'available',
                  state: {},
                  changes: [],
                  startedAt: '2026-11-25T12:00:10.000Z',
                  completedAt: '2026-11-25T12:05:10.000Z',
                  measurements: { rpoSeconds: 7 },
                },
              },
            },
          },
          NOW,
        ),
      );
      expect(md).toContain('| db | rds-read-replica | succeeded | 300.0 s | rpoSeconds 7 |');
    });

    it('shows the cooldown the release step set', () => {
      expect(
        renderMarkdown(report({ mode: 'failover', cooldownUntil: '2026-11-25T13:30:00.000Z' })),
      ).toContain('No new run before 2026-11-25T13:30:00.000Z (cooldown).');
    });
  });
});
