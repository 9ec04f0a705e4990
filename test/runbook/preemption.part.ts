// A failover always gets through: it preempts a drill in progress, takes over the lock of a run
// that died, and the dead or preempted drill is cleaned up by the run its status change starts,
// removing only what is drill-only once a failover needs the compute.
import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { drillInstanceId } from '../../functions/database/restore-target.ts';
import { isRoute53Traffic } from '../../plan/resources/traffic-names.ts';
import { resourcesOf } from '../../plan/steps.ts';
import { accessDenied, awsError } from '../fixtures.ts';
import type { FakeAws } from './fake-aws.ts';
import {
  answerProbes,
  fakeAwsFor,
  type Runbook,
  reports,
  runRunbook,
  synthesizeExample,
  testExecutions,
} from './harness.ts';

describe('preemption', () => {
  let runbook: Runbook;
  let fake: FakeAws;

  beforeAll(async () => {
    runbook = await synthesizeExample('warm-standby');
  }, 30_000);

  beforeEach(() => {
    fake = fakeAwsFor(runbook);
    answerProbes(200);
  });

  const FAILOVER = { mode: 'failover', confirm: 'shop', reason: 'us-east-1 is dark' };

  /** What only a drill creates: the temporary DB instance of each database resource, each drill record. */
  function drillLeftovers(runId: string): string[] {
    const left: string[] = [];
    for (const db of resourcesOf(runbook.plan, 'database')) {
      if (fake.rds.instances.has(drillInstanceId('shop', runId, db.id)))
        left.push(`drill DB instance of ${db.id}`);
    }
    for (const traffic of resourcesOf(runbook.plan, 'traffic').filter(isRoute53Traffic)) {
      if (fake.record(traffic.drillRecordName, 'CNAME')) left.push(`drill record of ${traffic.id}`);
    }
    return left;
  }

  const capacity = () => fake.capacity();

  describe('a failover arriving while a drill is in Step1 (db ∥ web)', () => {
    it('stops the drill, succeeds, and the drill cleanup keeps the compute and removes only what is drill-only', async () => {
      let failover: Promise<{ status: string }> | undefined;
      const local = testExecutions(runbook, {
        waitMilliseconds: 40,
        onEvent: (execution, event) => {
          const enteredWait = event.type === 'StateEntered' && event.state.name === 'db.StartWait';
          if (execution.name === 'drill-q4' && enteredWait && !failover) {
            failover = local.start({ input: FAILOVER, executionName: 'failover-now' }).done;
          }
        },
      });

      const drill = await local.start({ input: { mode: 'drill' }, executionName: 'drill-q4' }).done;
      await local.settled();

      expect(drill.status).toBe('ABORTED');
      expect(await failover).toMatchObject({ status: 'SUCCEEDED' });
      expect(drillLeftovers('drill-q4')).toEqual([]);
      expect(capacity()).toEqual({ min: 2, desired: 4, max: 8 });
      expect(fake.lockItem()?.cooldownRunId?.S).toBe('failover-now');
      const byRun = Object.fromEntries(reports(fake).map((r) => [`${r.mode}:${r.runId}`, r]));
      expect(byRun['failover:failover-now']).toMatchObject({ outcome: 'succeeded' });
      expect(byRun['drill:drill-q4']).toMatchObject({ outcome: 'preempted' });
      const cleanup = reports(fake).find((r) => r.mode === 'revert');
      expect(cleanup).toMatchObject({ outcome: 'succeeded' });
      // the cleanup kept the group (web.RevertKept) and reverted db and dns
      const cleanupRun = local.registry.list().find((e) => e.cleanupOf?.endsWith(':drill-q4'));
      const cleanupStates = ((await cleanupRun?.done)?.events ?? []).flatMap((event) =>
        event.type === 'StateEntered' && 'state' in event ? [event.state.name] : [],
      );
      expect(cleanupStates).toEqual(
        expect.arrayContaining(['web.KeepCompute?', 'web.RevertKept', 'db.Revert', 'dns.Revert']),
      );
      expect(cleanupStates).not.toContain('web.Revert');
      expect(local.registry.runaway).toBe(false);
    });

    it('succeeds whichever of the two takes the lock first when both start together', async () => {
      const local = testExecutions(runbook);

      const [drill, failover] = await Promise.all([
        local.start({ input: { mode: 'drill' }, executionName: 'drill-together' }).done,
        local.start({ input: FAILOVER, executionName: 'failover-together' }).done,
      ]);
      await local.settled();

      expect(failover.status).toBe('SUCCEEDED');
      expect(['ABORTED', 'FAILED']).toContain(drill.status);
      expect(drillLeftovers('drill-together')).toEqual([]);
      expect(capacity()).toEqual({ min: 2, desired: 4, max: 8 });
    });
  });

  describe('a run killed in the middle of Step1', () => {
    it('is taken over by the next failover at once, and its drill leftovers are reverted', async () => {
      let killed = false;
      const local = testExecutions(runbook, {
        waitMilliseconds: 40,
        onEvent: (execution, event) => {
          if (execution.name !== 'drill-killed' || killed) return;
          if (event.type === 'StateEntered' && event.state.name === 'db.StartWait') {
            killed = true;
            local.registry.stop(execution.arn, 'killed by the test');
          }
        },
      });

      const drill = await local.start({ input: { mode: 'drill' }, executionName: 'drill-killed' }).done;
      const started = Date.now();
      const failover = await local.start({ input: FAILOVER, executionName: 'failover-after-kill' }).done;
      const took = Date.now() - started;
      await local.settled();

      expect(drill.status).toBe('ABORTED');
      expect(failover.status).toBe('SUCCEEDED');
      expect(took).toBeLessThan(60_000);
      expect(drillLeftovers('drill-killed')).toEqual([]);
      expect(capacity()).toEqual({ min: 2, desired: 4, max: 8 });
      expect(reports(fake).find((r) => r.runId === 'drill-killed')?.outcome).toMatch(/^(aborted|preempted)$/);
      expect(local.registry.runaway).toBe(false);
    });

    it('reverts a killed drill completely when no failover follows, and frees the lock', async () => {
      const local = testExecutions(runbook, {
        waitMilliseconds: 20,
        onEvent: (execution, event) => {
          if (
            execution.name === 'drill-alone' &&
            event.type === 'StateEntered' &&
            event.state.name === 'web.StartWait'
          ) {
            local.registry.stop(execution.arn, 'killed by the test');
          }
        },
      });

      await local.start({ input: { mode: 'drill' }, executionName: 'drill-alone' }).done;
      await local.settled();

      expect(drillLeftovers('drill-alone')).toEqual([]);
      expect(capacity()).toEqual({ min: 1, desired: 1, max: 2 });
      expect(Object.keys(fake.group().tags)).toEqual(['app']);
      expect(fake.lockItem()).toBeUndefined();
      expect(
        reports(fake)
          .map((r) => `${r.mode}:${r.outcome}`)
          .sort(),
      ).toEqual(['drill:aborted', 'revert:succeeded']);
    });
  });

  describe('a drill whose ReleaseLock fails on every attempt', () => {
    const releaseOf =
      (runId: string) => (input: { ExpressionAttributeValues?: Record<string, { S?: string }> }) =>
        input.ExpressionAttributeValues?.[':runId']?.S === runId;

    it('is not reported as a clean success, and the next failover still gets through', async () => {
      fake.fail('DeleteItem', () => awsError('InternalServerError', 500, 'Internal Server Error'), {
        when: releaseOf('drill-stuck') as never,
      });
      const local = testExecutions(runbook, { cleanUpEndedRuns: false });

      const drill = await local.start({ input: { mode: 'drill' }, executionName: 'drill-stuck' }).done;
      const failover = await local.start({ input: FAILOVER, executionName: 'failover-after-stuck' }).done;
      await local.settled();

      expect(drill).toMatchObject({ status: 'FAILED', error: 'LockNotReleased' });
      const drillReport = reports(fake).find((r) => r.runId === 'drill-stuck');
      expect(drillReport?.outcome).toBe('failed');
      expect(drillReport?.lockProblem).toContain('could not be released for run drill-stuck');
      expect(failover.status).toBe('SUCCEEDED');
      expect(fake.lockItem()?.cooldownRunId?.S).toBe('failover-after-stuck');
    });
  });

  describe('a failover whose report sinks are denied', () => {
    it('SUCCEEDS, naming the failed sinks in its output and in its run record', async () => {
      process.env.REPORTS_BUCKET = 'dr-runbook-reports';
      try {
        fake.fail('Publish', accessDenied);
        fake.fail('PutObject', accessDenied);

        const run = await runRunbook(runbook, { input: FAILOVER, executionName: 'failover-mute' });

        expect(run.status).toBe('SUCCEEDED');
        const output = run.output as { report?: { sinksFailed?: Array<{ sink: string }> } };
        expect(output.report?.sinksFailed?.map((f) => f.sink).sort()).toEqual(['s3', 'sns']);
        const record = reports(fake).find((r) => r.runId === 'failover-mute');
        expect(record?.outcome).toBe('succeeded');
        expect(record?.sinksFailed.map((f) => f.sink).sort()).toEqual(['s3', 'sns']);
      } finally {
        delete process.env.REPORTS_BUCKET;
      }
    });
  });
});
