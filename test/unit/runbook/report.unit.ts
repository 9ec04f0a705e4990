import 'aws-sdk-client-mock-jest';
import {
  type AttributeValue,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type PutItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { beforeEach, describe, expect, it } from '@jest/globals';
import type { RunRecord } from '../../../functions/runbook/execution-input.ts';
import {
  buildAbortedReport,
  buildReport,
  describeCause,
  lockHolderOf,
  predictRtoSeconds,
  type ReportTargets,
  type RunOutcomeInput,
  type RunReport,
  readinessSignature,
  recordAndNotify,
  reportRun,
  reportSummary,
  summarize,
} from '../../../functions/runbook/report.ts';
import type { ReadinessEntry, SettledProgress } from '../../../functions/runbook/report-types.ts';
import type { RunMetrics } from '../../../functions/runbook/run-metrics.ts';
import type { ReadinessResult } from '../../../functions/shared/step-contract.ts';
import { familyOf } from '../../../plan/resources/index.ts';
import { type DrPlan, planSchema } from '../../../plan/schema.ts';
import { resourceById } from '../../../plan/steps.ts';
import { mockClient } from '../../aws-mock.ts';
import {
  accessDenied,
  awsError,
  examplePlan,
  examplePlanInput,
  runRecord,
  testClock,
  throttling,
} from '../../fixtures.ts';

describe('report', () => {
  const plan = examplePlan(); // warm-standby: RTO 30 min, RPO 300 s; db + web, then dns

  const run = runRecord;

  /** A revert run (mode and target as the execution input adds them). */
  function revertRun(): RunRecord {
    return {
      ...run({ id: 'revert-1' }),
      mode: 'revert',
      revertTarget: {
        runId: 'drill-7',
        executionArn: 'arn:aws:states:us-west-2:123456789012:execution:dr-runbook-shop:drill-7',
        status: 'TIMED_OUT',
      },
    } as unknown as RunRecord;
  }

  /** What a step returns for one of the plan's resources, stamped as runStep stamps it. */
  function progress(id: string, extra: Partial<SettledProgress> = {}, from: DrPlan = plan): SettledProgress {
    const resource = resourceById(from, id);
    if (!resource) throw new Error(`no resource ${id} in ${from.name}`);
    return {
      family: familyOf(resource),
      resource: id,
      type: resource.type,
      action: 'check',
      done: true,
      nextCheckSeconds: 0,
      detail: 'ok',
      state: {},
      changes: [],
      ...extra,
    };
  }

  /** A resource's readiness, stamped (resource, type) as runStep stamps it. */
  const readiness = (
    id: string,
    predictedSeconds: number,
    status: 'pass' | 'warn' | 'fail' = 'pass',
    name = 'c',
    from: DrPlan = plan,
  ): ReadinessResult => {
    const resource = resourceById(from, id);
    if (!resource) throw new Error(`no resource ${id} in ${from.name}`);
    return {
      family: familyOf(resource),
      resource: id,
      type: resource.type,
      predictedSeconds,
      checks: [{ name, status, detail: `${id} detail` }],
    };
  };

  /** A resource whose readiness could not run at all, as the state machine records it. */
  const readinessError = (id: string, errorName = 'AccessDeniedError'): ReadinessEntry => ({
    ...readiness(id, 0),
    error: {
      Error: errorName,
      Cause: JSON.stringify({ errorType: errorName, errorMessage: `access denied to describe ${id}` }),
    },
    checks: [],
    ready: false,
  });

  /**
   * A recovered run of warm-standby (step 1: db and web side by side; step 2: dns): the promotion
   * measured a lag of `rpo`, traffic verified at `verifiedAt`.
   */
  function recovered(verifiedAt: string, rpo: number): RunOutcomeInput {
    return {
      readiness: [readiness('db', 300), readiness('web', 240), readiness('dns', 120)],
      results: {
        step1: {
          db: progress('db', {
            measurements: { rpoSeconds: rpo },
            changes: [{ resource: 'shop-db-replica', action: 'promote', detail: 'promoted' }],
          }),
          web: progress('web'),
        },
        step2: { dns: progress('dns') },
      },
      verification: { verifiedAt, checks: [] },
    };
  }

  const releaseFailed = {
    released: false,
    error: {
      Error: 'DynamoDB.ConditionalCheckFailedException',
      Cause: 'The conditional request failed (Service: DynamoDb, Status Code: 400)',
    },
  };

  const NOW = new Date('2026-11-25T12:30:00.000Z');

  describe('buildReport', () => {
    it('measures RTO from the execution start for a console run, and RPO from the replica lag at promotion', () => {
      const report = buildReport(plan, run(), recovered('2026-11-25T12:12:30.000Z', 4), NOW);
      expect(report.outcome).toBe('succeeded');
      expect(report.rto).toEqual({ objectiveSeconds: 1800, achievedSeconds: 750, met: true });
      expect(report.rpo).toEqual({ objectiveSeconds: 300, achievedSeconds: 4, met: true });
      expect(report.changes).toEqual([
        { resource: 'shop-db-replica', action: 'promote', detail: 'promoted' },
      ]);
      expect(report.sinksFailed).toEqual([]);
    });

    it('measures an alarm-triggered run from the alarm, before the execution started', () => {
      const alarmRun = run({
        incidentStartedAt: '2026-11-25T11:50:00.000Z',
        trigger: { type: 'alarm', alarmName: 'a', stateChangeTime: '2026-11-25T11:50:00.000Z' },
      });
      const report = buildReport(plan, alarmRun, recovered('2026-11-25T12:12:30.000Z', 4), NOW);
      expect(report.rto.achievedSeconds).toBe(1350);
      expect(report.trigger).toBe('alarm');
    });

    it('flags each missed objective', () => {
      const slow = buildReport(plan, run(), recovered('2026-11-25T12:45:00.000Z', 4), NOW);
      expect(slow.rto).toEqual({ objectiveSeconds: 1800, achievedSeconds: 2700, met: false });
      expect(slow.rpo.met).toBe(true);

      const lossy = buildReport(plan, run(), recovered('2026-11-25T12:10:00.000Z', 301), NOW);
      expect(lossy.rto.met).toBe(true);
      expect(lossy.rpo).toEqual({ objectiveSeconds: 300, achievedSeconds: 301, met: false });
    });

    it('reports a failed run with the step and the cause, and measures nothing it did not reach', () => {
      const report = buildReport(
        plan,
        run(),
        {
          readiness: [readiness('db', 300)],
          failure: {
            step: 'Recover',
            Error: 'ReplicaNotFoundError',
            Cause: JSON.stringify({
              errorType: 'ReplicaNotFoundError',
              errorMessage: 'shop-db-replica not found',
            }),
          },
        },
        NOW,
      );
      expect(report).toMatchObject({
        outcome: 'failed',
        failedStep: 'Recover',
        cause: 'ReplicaNotFoundError: shop-db-replica not found',
        rto: { achievedSeconds: null, met: null },
        rpo: { achievedSeconds: null, met: null },
      });
      expect(report.cooldownUntil).toBeUndefined();
    });

    it('takes the cooldown from the release step, and computes none of its own', () => {
      const released = { released: true, cooldownUntil: '2026-11-25T13:31:00.000Z' };
      const withCooldown = { ...recovered('2026-11-25T12:10:00.000Z', 1), lockRelease: released };
      expect(buildReport(plan, run(), withCooldown, NOW).cooldownUntil).toBe('2026-11-25T13:31:00.000Z');
      expect(
        buildReport(plan, run(), recovered('2026-11-25T12:10:00.000Z', 1), NOW).cooldownUntil,
      ).toBeUndefined();
    });

    it('calls a dry-run ready or not ready from its readiness checks', () => {
      const dry = run({ mode: 'dry-run' });
      expect(buildReport(plan, dry, { readiness: [readiness('db', 300)] }, NOW).outcome).toBe('ready');
      const notReady = buildReport(plan, dry, { readiness: [readiness('web', 300, 'fail')] }, NOW);
      expect(notReady.outcome).toBe('not-ready');
      expect(notReady.readinessProblems).toEqual(['web/c: web detail']);
    });

    it('calls a dry-run whose readiness step failed not ready, naming the failure', () => {
      const report = buildReport(
        plan,
        run({ mode: 'dry-run' }),
        { failure: { step: 'Readiness', Error: 'States.Timeout' } },
        NOW,
      );
      expect(report).toMatchObject({
        outcome: 'not-ready',
        failedStep: 'Readiness',
        cause: 'States.Timeout',
      });
    });

    it('reports a switchover like a failover once it moved, and as not-ready when readiness stopped it untouched', () => {
      const switchover = run({ mode: 'switchover' });
      expect(buildReport(plan, switchover, recovered('2026-11-25T12:12:30.000Z', 0), NOW)).toMatchObject({
        outcome: 'succeeded',
        rpo: { achievedSeconds: 0 },
      });
      expect(
        buildReport(plan, switchover, { readiness: [readiness('db', 300, 'fail')], notReady: true }, NOW)
          .outcome,
      ).toBe('not-ready');
      const { verification: _unverified, ...unverified } = recovered('2026-11-25T12:12:30.000Z', 0);
      expect(buildReport(plan, switchover, unverified, NOW).outcome).toBe('failed');
    });

    it("lists fencing's outcome per resource, and says so when the fencing stage itself could not run", () => {
      const fenced = {
        ...recovered('2026-11-25T12:12:30.000Z', 4),
        fencing: [
          {
            resource: 'db',
            type: 'rds-read-replica',
            outcome: 'not-reachable',
            detail: 'us-east-1 did not answer',
            changes: [],
          },
          {
            resource: 'web',
            type: 'auto-scaling-group',
            outcome: 'fenced',
            detail: 'shop-web-primary at 0',
            changes: [{ resource: 'shop-web-primary', action: 'fence', detail: '2/4/8 -> 0/0/8' }],
          },
        ],
      };
      const report = buildReport(plan, run(), fenced, NOW);
      expect(report.outcome).toBe('succeeded');
      expect(report.fencing).toEqual([
        {
          resource: 'db',
          type: 'rds-read-replica',
          outcome: 'not-reachable',
          detail: 'us-east-1 did not answer',
          changes: [],
        },
        {
          resource: 'web',
          type: 'auto-scaling-group',
          outcome: 'fenced',
          detail: 'shop-web-primary at 0',
          changes: [{ resource: 'shop-web-primary', action: 'fence', detail: '2/4/8 -> 0/0/8' }],
        },
      ]);
      const broken = buildReport(
        plan,
        run(),
        {
          ...recovered('2026-11-25T12:12:30.000Z', 4),
          fencingFailure: { Error: 'States.Runtime', Cause: 'boom' },
        },
        NOW,
      );
      expect(broken.outcome).toBe('succeeded');
      expect(broken.fencing?.[0]).toMatchObject({
        outcome: 'failed',
        detail: expect.stringContaining('could not run'),
      });
      expect(buildReport(plan, run(), recovered('2026-11-25T12:12:30.000Z', 4), NOW).fencing).toBeUndefined();
    });

    it('names a resource whose readiness could not run as a problem, and lists warnings apart', () => {
      const report = buildReport(
        plan,
        run({ mode: 'dry-run' }),
        { readiness: [readinessError('db'), readiness('dns', 60, 'warn', 'ttl')] },
        NOW,
      );
      expect(report.outcome).toBe('not-ready');
      expect(report.readinessProblems).toEqual([
        'db: readiness could not run: AccessDeniedError: access denied to describe db',
      ]);
      expect(report.readinessWarnings).toEqual(['dns/ttl: dns detail']);
      expect(report.predictedRtoSeconds).toBeNull();
    });

    it('calls a dry-run with only warnings ready', () => {
      const report = buildReport(
        plan,
        run({ mode: 'dry-run' }),
        { readiness: [readiness('dns', 60, 'warn', 'ttl')] },
        NOW,
      );
      expect(report.outcome).toBe('ready');
      expect(report.readinessWarnings).toEqual(['dns/ttl: dns detail']);
    });

    it('calls a drill stopped by its readiness problems (Recover never ran) not ready', () => {
      const report = buildReport(
        plan,
        run({ mode: 'drill' }),
        { readiness: [readiness('db', 300), readinessError('web')] },
        NOW,
      );
      expect(report.outcome).toBe('not-ready');
      expect(report.readinessProblems).toEqual([
        'web: readiness could not run: AccessDeniedError: access denied to describe web',
      ]);
      expect(summarize(report)).toContain(
        'readiness: web: readiness could not run: AccessDeniedError: access denied to describe web',
      );
    });

    it('calls a drill the readiness gate stopped not ready', () => {
      const report = buildReport(
        plan,
        run({ mode: 'drill' }),
        {
          readiness: [{ ...readiness('db', 300), ready: false }],
          notReady: true,
          lockRelease: { released: true },
        },
        NOW,
      );
      expect(report.outcome).toBe('not-ready');
    });

    it('keeps readiness problems advisory for a failover: a recovery that verified succeeded', () => {
      const outcome = {
        ...recovered('2026-11-25T12:10:00.000Z', 4),
        readiness: [readiness('db', 300, 'fail'), readinessError('web')],
      };
      const report = buildReport(plan, run(), outcome, NOW);
      expect(report.outcome).toBe('succeeded');
      expect(report.readinessProblems).toHaveLength(2);
    });

    it('reports a run that AcquireLock refused as refused, naming who holds the lock', () => {
      const report = buildReport(
        plan,
        run({ mode: 'drill' }),
        {
          refusal: {
            Error: 'AlreadyRunning',
            Cause: JSON.stringify({
              errorType: 'AlreadyRunningError',
              errorMessage:
                'another run of plan "shop" holds the lock: run drill-7 (drill, since 2026-11-25T11:55:00.000Z)',
            }),
          },
        },
        NOW,
      );
      expect(report.outcome).toBe('refused');
      expect(report.refusal).toEqual({
        error:
          'AlreadyRunningError: another run of plan "shop" holds the lock: run drill-7 (drill, since 2026-11-25T11:55:00.000Z)',
        heldBy: 'run drill-7 (drill, since 2026-11-25T11:55:00.000Z)',
      });
      expect(report.changes).toEqual([]);
      expect(summarize(report).split('\n')).toEqual(
        expect.arrayContaining([
          'dr-runbook drill of "shop" REFUSED (run run-1)',
          'refused: the lock is held by run drill-7 (drill, since 2026-11-25T11:55:00.000Z); nothing was touched',
        ]),
      );
    });

    it('names the cooldown after a failover as what holds the lock', () => {
      expect(
        lockHolderOf({
          Error: 'AlreadyRunning',
          Cause:
            'plan "shop" is in the cooldown after failover fo-1 until 2026-11-25T13:30:00.000Z (triggers.cooldownMinutes): no new run starts before then',
        }),
      ).toBe('the cooldown after failover fo-1, until 2026-11-25T13:30:00.000Z');
    });

    it('reports a lock that could not be read as refused, with the error and no holder', () => {
      const report = buildReport(
        plan,
        run(),
        { refusal: { Error: 'LockUnavailable', Cause: 'DynamoDB.InternalServerErrorException' } },
        NOW,
      );
      expect(report.outcome).toBe('refused');
      expect(report.refusal).toEqual({ error: 'LockUnavailable: DynamoDB.InternalServerErrorException' });
    });

    it('mentions the run a failover preempted, and a dead run whose lock it took over', () => {
      const preempting = buildReport(
        plan,
        run(),
        {
          ...recovered('2026-11-25T12:10:00.000Z', 4),
          lock: {
            acquired: true,
            preempted: {
              runId: 'drill-7',
              mode: 'drill',
              executionArn: 'arn:aws:states:::execution:x:drill-7',
            },
          },
        },
        NOW,
      );
      expect(preempting.outcome).toBe('succeeded');
      expect(preempting.preemptedRun).toEqual({
        runId: 'drill-7',
        mode: 'drill',
        executionArn: 'arn:aws:states:::execution:x:drill-7',
      });
      expect(summarize(preempting)).toContain('preempted drill run drill-7 to take the lock');

      const takeover = buildReport(
        plan,
        run({ mode: 'drill' }),
        {
          ...recovered('2026-11-25T12:10:00.000Z', 4),
          lock: { acquired: true, tookOverDeadRun: { runId: 'drill-6', mode: 'drill', status: 'TIMED_OUT' } },
        },
        NOW,
      );
      expect(takeover.tookOverDeadRun).toEqual({ runId: 'drill-6', mode: 'drill', status: 'TIMED_OUT' });
      expect(summarize(takeover)).toContain('took over the lock of dead drill run drill-6, TIMED_OUT');
    });

    it('fails a drill whose lock could not be released, even though it recovered and reverted', () => {
      const report = buildReport(
        plan,
        run({ mode: 'drill' }),
        { ...recovered('2026-11-25T12:10:00.000Z', 4), revert: {}, lockRelease: releaseFailed },
        NOW,
      );
      expect(report.outcome).toBe('failed');
      expect(report.lockProblem).toBe(
        `the lock could not be released for run ${report.runId} (DynamoDB.ConditionalCheckFailedException: The conditional request failed (Service: DynamoDb, Status Code: 400)): the next run takes it over once this execution has ended; "dr-runbook unlock" frees it by hand`,
      );
      expect(summarize(report)).toContain(`lock: ${report.lockProblem}`);
    });

    it('keeps a recovered failover succeeded when the cooldown could not be held, and lists the problem', () => {
      const report = buildReport(
        plan,
        run(),
        { ...recovered('2026-11-25T12:10:00.000Z', 4), lockRelease: releaseFailed },
        NOW,
      );
      expect(report.outcome).toBe('succeeded');
      expect(report.lockProblem).toMatch(
        /^the lock could not be turned into the cooldown after the failover for run run-1 \(/,
      );
      expect(report.cooldownUntil).toBeUndefined();
    });

    it('reports a drill stopped by a failover as preempted, naming the failover', () => {
      const report = buildReport(plan, run({ mode: 'drill' }), { preempted: { byRunId: 'fo-1' } }, NOW);
      expect(report).toMatchObject({ outcome: 'preempted', preemptedBy: 'fo-1' });
      expect(summarize(report)).toContain('preempted by run fo-1');
    });

    describe('of a revert run', () => {
      const cleanup = {
        target: { runId: 'drill-7', mode: 'drill', status: 'TIMED_OUT' },
        lockReleased: true,
        recordedAborted: true,
        scope: 'full' as const,
      };
      // Reverts run step by step in reverse: step 2 (dns), then step 1 (db and web).
      const undone = {
        step2: {
          dns: progress('dns', {
            action: 'revert',
            changes: [
              { resource: 'drill.shop.example.com', action: 'delete', detail: 'drill record removed' },
            ],
          }),
        },
        step1: { db: progress('db', { action: 'revert' }), web: progress('web', { action: 'revert' }) },
      };

      it('succeeds when nothing is left, naming the target run and what it undid', () => {
        // The cleanup step's result carries more (for the revert); the report keeps the summary.
        const fromCleanup = {
          ...cleanup,
          target: { ...cleanup.target, executionArn: 'arn:x:drill-7' },
          settleUntil: '2026-11-25T12:01:05.000Z',
          kept: [],
        };
        const report = buildReport(plan, revertRun(), { cleanup: fromCleanup, revert: undone }, NOW);
        expect(report).toMatchObject({
          mode: 'revert',
          outcome: 'succeeded',
          revertTarget: { runId: 'drill-7', status: 'TIMED_OUT' },
          reverted: [
            { resource: 'drill.shop.example.com', action: 'delete', detail: 'drill record removed' },
          ],
        });
        expect(report.cleanup).toEqual(cleanup);
        expect(summarize(report)).toContain('reverting what run drill-7 (TIMED_OUT) left behind');
      });

      it('fails when the revert failed', () => {
        const report = buildReport(
          plan,
          revertRun(),
          { cleanup, revert: undone, revertFailure: { step: 'RevertDrill', Error: 'AccessDeniedError' } },
          NOW,
        );
        expect(report).toMatchObject({ outcome: 'failed', failedStep: 'RevertDrill' });
      });

      it('fails when a revert is not done, naming what is left', () => {
        const report = buildReport(
          plan,
          revertRun(),
          {
            cleanup,
            revert: {
              ...undone,
              step1: {
                ...undone.step1,
                db: progress('db', { action: 'revert', done: false, detail: 'drill-shop-x still deleting' }),
              },
            },
          },
          NOW,
        );
        expect(report.outcome).toBe('failed');
        expect(report.leftovers).toEqual(['db: drill-shop-x still deleting']);
        expect(summarize(report)).toContain('left behind: db: drill-shop-x still deleting');
      });

      it('names the error of a revert branch that failed while the others settled', () => {
        const failedBranch = {
          ...progress('db', { action: 'revert', done: false, detail: '{"errorType":"AccessDeniedError"}' }),
          failed: true,
          error: {
            Error: 'AccessDeniedError',
            Cause: JSON.stringify({ errorType: 'AccessDeniedError', errorMessage: 'no DeleteDBInstance' }),
          },
        };
        const report = buildReport(
          plan,
          run({ mode: 'drill' }),
          {
            ...recovered('2026-11-25T12:10:00.000Z', 4),
            revert: { ...undone, step1: { ...undone.step1, db: failedBranch } },
            revertFailure: { step: 'RevertDrill', Error: 'AccessDeniedError' },
          },
          NOW,
        );
        expect(report.outcome).toBe('failed');
        expect(report.leftovers).toEqual(['db: revert failed: AccessDeniedError: no DeleteDBInstance']);
      });
    });
  });

  describe('buildReport of a plan with several resources per step', () => {
    const market = examplePlan('multi-tier'); // data (orders-db, inventory, sessions), apps (web, workers), caches (flush-cache), traffic (dns)
    const of = (id: string, extra: Partial<SettledProgress> = {}) => progress(id, extra, market);
    const at = (second: number) =>
      new Date(Date.parse('2026-11-25T12:00:00.000Z') + second * 1000).toISOString();
    const timed = (start: number, end: number) => ({ startedAt: at(start), completedAt: at(end) });

    /** Results as the settled Parallels leave them: `step<N>` → resource id with "-" as "_". */
    function marketResults(): RunOutcomeInput['results'] {
      return {
        step1: {
          orders_db: of('orders-db', {
            ...timed(10, 310),
            measurements: { rpoSeconds: 4, promotedInstance: 'market-orders-replica' },
            changes: [{ resource: 'market-orders-replica', action: 'promote', detail: 'promoted' }],
          }),
          inventory: of('inventory', { ...timed(10, 130), measurements: { rpoSeconds: 9 } }),
          sessions: of('sessions', { ...timed(10, 12), measurements: { rpoSeconds: 1 } }),
        },
        step2: {
          web: of('web', {
            ...timed(311, 611),
            changes: [{ resource: 'market-web-standby', action: 'scale', detail: '0/0/0 → 2/4/8' }],
          }),
          workers: of('workers', timed(311, 500)),
        },
        step3: { flush_cache: of('flush-cache', timed(612, 640)) },
        step4: { dns: of('dns', timed(641, 701)) },
      };
    }

    it('lists every resource in step order with its own outcome, timing and measurements', () => {
      const report = buildReport(
        market,
        run(),
        { results: marketResults(), verification: { verifiedAt: at(710), checks: [] } },
        NOW,
      );
      expect(report.resources.map((r) => [r.id, r.type, r.outcome, r.seconds])).toEqual([
        ['orders-db', 'rds-read-replica', 'succeeded', 300],
        ['inventory', 'aurora-global-database', 'succeeded', 120],
        ['sessions', 'dynamodb-global-table', 'succeeded', 2],
        ['web', 'auto-scaling-group', 'succeeded', 300],
        ['workers', 'auto-scaling-group', 'succeeded', 189],
        ['flush-cache', 'lambda-hook', 'succeeded', 28],
        ['dns', 'route53-records', 'succeeded', 60],
      ]);
      expect(report.resources[0]).toEqual({
        id: 'orders-db',
        type: 'rds-read-replica',
        family: 'database',
        outcome: 'succeeded',
        startedAt: at(10),
        completedAt: at(310),
        seconds: 300,
        detail: 'ok',
        measurements: { rpoSeconds: 4, promotedInstance: 'market-orders-replica' },
      });
      expect(report.resources[3]).not.toHaveProperty('measurements');
      expect(report.changes).toEqual([
        { resource: 'market-orders-replica', action: 'promote', detail: 'promoted' },
        { resource: 'market-web-standby', action: 'scale', detail: '0/0/0 → 2/4/8' },
      ]);
      expect(report.outcome).toBe('succeeded');
      expect(report.rto.achievedSeconds).toBe(710);
    });

    it('takes the worst rpoSeconds of all resources as the run’s RPO', () => {
      const report = buildReport(
        market,
        run(),
        { results: marketResults(), verification: { verifiedAt: at(710), checks: [] } },
        NOW,
      );
      expect(report.rpo).toEqual({ objectiveSeconds: 60, achievedSeconds: 9, met: true });

      const results = marketResults();
      const step1 = results?.step1 ?? {};
      step1.sessions = of('sessions', { measurements: { rpoSeconds: 61 } });
      const lossy = buildReport(
        market,
        run(),
        { results, verification: { verifiedAt: at(710), checks: [] } },
        NOW,
      );
      expect(lossy.rpo).toEqual({ objectiveSeconds: 60, achievedSeconds: 61, met: false });
    });

    it('measures no RPO when no resource measured one', () => {
      const report = buildReport(market, run(), { results: { step4: { dns: of('dns') } } }, NOW);
      expect(report.rpo.achievedSeconds).toBeNull();
    });

    it('marks a branch that failed as failed and one that never got past its start as unfinished', () => {
      const results = marketResults();
      const apps = results?.step2 ?? {};
      apps.web = {
        ...of('web', { done: false, detail: '{"errorType":"AccessDeniedError"}' }),
        failed: true,
        error: { Error: 'AccessDeniedError', Cause: '{"errorMessage":"no SetDesiredCapacity"}' },
      };
      // The branch's Begin: what a branch reports before its first task answered.
      apps.workers = {
        resource: 'workers',
        family: 'compute',
        type: 'auto-scaling-group',
        done: false,
        changes: [],
        state: {},
      } as unknown as SettledProgress;
      const report = buildReport(
        market,
        run(),
        { results, failure: { step: 'Step2.apps', Error: 'AccessDeniedError' } },
        NOW,
      );
      expect(report.resources.filter((r) => r.family === 'compute')).toEqual([
        {
          id: 'web',
          type: 'auto-scaling-group',
          family: 'compute',
          outcome: 'failed',
          detail: '{"errorType":"AccessDeniedError"}',
        },
        { id: 'workers', type: 'auto-scaling-group', family: 'compute', outcome: 'unfinished' },
      ]);
      expect(report).toMatchObject({ outcome: 'failed', failedStep: 'Step2.apps' });
    });

    it('shows one timeline row per resource, named "id (type)", in time since the incident', () => {
      const report = buildReport(
        market,
        run(),
        { results: marketResults(), verification: { verifiedAt: at(710), checks: [] } },
        NOW,
      );
      expect(report.timeline.map((row) => [row.step, row.startMs / 1000, row.endMs / 1000])).toEqual([
        ['orders-db (rds-read-replica)', 10, 310],
        ['inventory (aurora-global-database)', 10, 130],
        ['sessions (dynamodb-global-table)', 10, 12],
        ['web (auto-scaling-group)', 311, 611],
        ['workers (auto-scaling-group)', 311, 500],
        ['flush-cache (lambda-hook)', 612, 640],
        ['dns (route53-records)', 641, 701],
        ['Verify', 701, 710],
      ]);
    });

    it('names each leftover by its resource id, and times each revert by resource', () => {
      const revert = {
        step4: {
          dns: of('dns', {
            action: 'revert',
            ...timed(720, 730),
            changes: [{ resource: 'drill.market.example.com', action: 'delete', detail: 'removed' }],
          }),
        },
        step3: { flush_cache: of('flush-cache', { action: 'revert' }) },
        step2: {
          web: of('web', {
            action: 'revert',
            done: false,
            detail: 'market-web-standby still at 4 instances',
          }),
          workers: of('workers', { action: 'revert', ...timed(731, 760) }),
        },
        step1: {
          orders_db: {
            ...of('orders-db', { action: 'revert', done: false }),
            failed: true,
            error: {
              Error: 'AccessDeniedError',
              Cause: JSON.stringify({ errorType: 'AccessDeniedError', errorMessage: 'no DeleteDBInstance' }),
            },
          },
          inventory: of('inventory', { action: 'revert' }),
          sessions: of('sessions', { action: 'revert' }),
        },
      };
      const report = buildReport(
        market,
        run({ mode: 'drill' }),
        {
          results: marketResults(),
          verification: { verifiedAt: at(710), checks: [] },
          revert,
          revertFailure: { step: 'Revert1', Error: 'AccessDeniedError' },
        },
        NOW,
      );
      expect(report.outcome).toBe('failed');
      expect(report.leftovers).toEqual([
        'web: market-web-standby still at 4 instances',
        'orders-db: revert failed: AccessDeniedError: no DeleteDBInstance',
      ]);
      expect(report.reverted).toEqual([
        { resource: 'drill.market.example.com', action: 'delete', detail: 'removed' },
      ]);
      expect(
        report.timeline
          .filter((row) => row.step.startsWith('Revert'))
          .map((row) => [row.step, row.startMs / 1000, row.endMs / 1000]),
      ).toEqual([
        ['Revert dns', 720, 730],
        ['Revert workers', 731, 760],
      ]);
    });
  });

  describe('buildAbortedReport', () => {
    it('records a run that died without its tail as aborted, saying how it ended', () => {
      const report = buildAbortedReport(
        plan,
        { runId: 'drill-7', mode: 'drill', startedAt: '2026-11-25T11:00:00.000Z', status: 'TIMED_OUT' },
        NOW,
      );
      expect(report).toMatchObject({
        plan: 'shop',
        runId: 'drill-7',
        mode: 'drill',
        outcome: 'aborted',
        executionStatus: 'TIMED_OUT',
        startedAt: '2026-11-25T11:00:00.000Z',
        reportedAt: NOW.toISOString(),
        rto: { achievedSeconds: null, met: null },
        sinksFailed: [],
      });
      expect(report.cause).toBe('the execution timed out (TIMED_OUT) before it could report what it did');
      expect(summarize(report)).toContain(report.cause);
    });

    it('records a run a failover stopped as preempted, naming the failover', () => {
      const report = buildAbortedReport(
        plan,
        {
          runId: 'drill-7',
          mode: 'drill',
          startedAt: '2026-11-25T11:00:00.000Z',
          status: 'ABORTED',
          preemptedBy: 'fo-1',
        },
        NOW,
      );
      expect(report).toMatchObject({ outcome: 'preempted', preemptedBy: 'fo-1', executionStatus: 'ABORTED' });
      expect(summarize(report)).toContain('preempted: failover fo-1 stopped this run to take the lock');
    });
  });

  describe('predictRtoSeconds', () => {
    it('adds up the steps, each as long as its slowest resource (resources in a step run side by side)', () => {
      // step 1: db 300 s and web 420 s side by side; step 2: dns 120 s.
      expect(
        predictRtoSeconds(plan, [readiness('db', 300), readiness('web', 420), readiness('dns', 120)]),
      ).toBe(540);
      expect(
        predictRtoSeconds(plan, [readiness('db', 500), readiness('web', 420), readiness('dns', 120)]),
      ).toBe(620);
    });

    it('follows the plan’s own steps, and leaves approval steps out', () => {
      const market = examplePlan('multi-tier'); // data, apps, caches, traffic
      const of = (id: string, seconds: number) => readiness(id, seconds, 'pass', 'c', market);
      const all = [
        of('orders-db', 300),
        of('inventory', 120),
        of('sessions', 5),
        of('web', 300),
        of('workers', 360),
        of('flush-cache', 30),
        of('dns', 60),
      ];
      expect(predictRtoSeconds(market, all)).toBe(300 + 360 + 30 + 60);

      const gated = examplePlan('pilot-light'); // approve, recover (db + app), switch (dns)
      const gatedOf = (id: string, seconds: number) => readiness(id, seconds, 'pass', 'c', gated);
      expect(predictRtoSeconds(gated, [gatedOf('db', 300), gatedOf('app', 420), gatedOf('dns', 60)])).toBe(
        480,
      );
    });

    it('is unknown without readiness, or when some resource’s readiness could not run', () => {
      expect(predictRtoSeconds(plan, undefined)).toBeNull();
      expect(predictRtoSeconds(plan, [])).toBeNull();
      expect(
        predictRtoSeconds(plan, [readiness('db', 300), readinessError('web'), readiness('dns', 60)]),
      ).toBeNull();
    });
  });

  describe('readinessSignature', () => {
    it('depends on which checks failed, not on their details or order', () => {
      const a = readinessSignature({ readiness: [readiness('db', 1, 'fail'), readiness('web', 1)] });
      const sameChecks = readinessSignature({
        readiness: [
          readiness('web', 1),
          { ...readiness('db', 1, 'fail'), checks: [{ name: 'c', status: 'fail', detail: 'lag 99 s' }] },
        ],
      });
      const other = readinessSignature({ readiness: [readiness('db', 1, 'fail', 'other-check')] });
      expect(sameChecks).toBe(a);
      expect(other).not.toBe(a);
    });
  });

  describe('describeCause', () => {
    it('unwraps a Lambda error payload, and keeps a plain cause as it is', () => {
      expect(describeCause('X', JSON.stringify({ errorType: 'AccessDeniedError', errorMessage: 'no' }))).toBe(
        'AccessDeniedError: no',
      );
      expect(describeCause('AlreadyRunning', 'lock held')).toBe('AlreadyRunning: lock held');
      expect(describeCause('States.Timeout', undefined)).toBe('States.Timeout');
    });
  });

  describe('summarize', () => {
    it('says outcome, RTO and RPO against the objectives in the first lines', () => {
      const text = summarize(buildReport(plan, run(), recovered('2026-11-25T12:45:00.000Z', 4), NOW));
      expect(text.split('\n').slice(0, 3)).toEqual([
        'dr-runbook failover of "shop" SUCCEEDED (run run-1)',
        'RTO: 2700 s (objective 1800 s, MISSED)',
        'RPO: 4 s (objective 300 s, met)',
      ]);
    });
  });

  /** Records what the report emits, as Powertools would receive it. */
  function metricsRecorder() {
    const emitted: Array<{ name: string; value: number; dimensions: Record<string, string> }> = [];
    let shared: Record<string, string> = {};
    const sink: RunMetrics = {
      addDimensions: (d) => {
        shared = { ...shared, ...d };
      },
      addMetric: (name, _unit, value) => {
        emitted.push({ name, value, dimensions: shared });
      },
      singleMetric: () => {
        let own: Record<string, string> = {};
        return {
          addDimensions: (d) => {
            own = { ...own, ...d };
          },
          addMetric: (name, _unit, value) => {
            emitted.push({ name, value, dimensions: own });
          },
        };
      },
    };
    return { sink, emitted, named: (name: string) => emitted.filter((m) => m.name === name) };
  }

  const dynamo = mockClient(DynamoDBClient);
  const sns = mockClient(SNSClient);
  const s3 = mockClient(S3Client);

  /** The targets of the report step, with a sleep that records instead of waiting. */
  function targetsWith(extra: Partial<ReportTargets> = {}) {
    const slept: number[] = [];
    const metrics = metricsRecorder();
    const targets: ReportTargets = {
      dynamo: new DynamoDBClient({ region: 'us-west-2' }),
      sns: new SNSClient({ region: 'us-west-2' }),
      tableName: 'history',
      topicArn: 'arn:aws:sns:us-west-2:123456789012:dr',
      reports: { s3: new S3Client({ region: 'us-west-2' }), bucket: 'reports' },
      metrics: metrics.sink,
      retry: {
        sleep: async (ms) => {
          slept.push(ms);
        },
      },
      ...extra,
    };
    return { targets, slept, metrics };
  }

  /** The run records written to the history table (pk RUN#…), parsed. */
  const historyRecords = (): RunReport[] =>
    dynamo
      .commandCalls(PutItemCommand)
      .map((call) => call.args[0].input)
      .filter((input) => input.Item?.pk?.S?.startsWith('RUN#'))
      .map((input) => JSON.parse(input.Item?.record?.S ?? '{}') as RunReport);

  beforeEach(() => {
    dynamo.reset();
    sns.reset();
    s3.reset();
  });

  describe('reportRun', () => {
    it('records the run in the history table and publishes the summary', async () => {
      const clock = testClock('2026-11-25T12:30:00.000Z');
      const { targets } = targetsWith({ reports: undefined });
      const report = await reportRun(plan, run(), recovered('2026-11-25T12:10:00.000Z', 4), targets, clock);
      expect(dynamo).toHaveReceivedCommandWith(PutItemCommand, {
        TableName: 'history',
        Item: expect.objectContaining({
          pk: { S: 'RUN#shop' },
          sk: { S: '2026-11-25T12:00:00.000Z#run-1' },
          outcome: { S: 'succeeded' },
        }),
      });
      expect(sns).toHaveReceivedCommandWith(PublishCommand, {
        TopicArn: 'arn:aws:sns:us-west-2:123456789012:dr',
        Subject: 'dr-runbook failover shop: succeeded',
      });
      expect(report.reportedAt).toBe('2026-11-25T12:30:00.000Z');
      expect(report.sinksFailed).toEqual([]);
    });

    it('still reports a recovered failover as succeeded when S3 and SNS deny it, and records which sinks failed', async () => {
      s3.on(PutObjectCommand).rejects(accessDenied());
      sns.on(PublishCommand).rejects(accessDenied());
      const { targets, metrics, slept } = targetsWith();

      const report = await reportRun(
        plan,
        run(),
        recovered('2026-11-25T12:10:00.000Z', 4),
        targets,
        testClock('2026-11-25T12:30:00.000Z'),
      );

      expect(report.outcome).toBe('succeeded');
      expect(report.sinksFailed.map((f) => f.sink)).toEqual(['s3', 'sns']);
      expect(report.sinksFailed[0]?.error).toMatch(
        /^AccessDeniedError: .*s3:\/\/reports\/reports\/shop\/run-1/,
      );
      expect(report.sinksFailed[1]?.error).toMatch(
        /^AccessDeniedError: .*arn:aws:sns:us-west-2:123456789012:dr/,
      );
      expect(report.storedAt).toBeUndefined();
      expect(slept).toEqual([]); // access denied is not retried
      expect(s3).toHaveReceivedCommandTimes(PutObjectCommand, 1);
      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);

      const [record] = historyRecords();
      expect(record).toMatchObject({ outcome: 'succeeded', sinksFailed: report.sinksFailed });
      expect(metrics.named('RunSucceeded')).toEqual([expect.objectContaining({ value: 1 })]);
      expect(metrics.named('ReportSinkFailed')).toEqual([
        { name: 'ReportSinkFailed', value: 1, dimensions: { plan: 'shop', sink: 's3' } },
        { name: 'ReportSinkFailed', value: 1, dimensions: { plan: 'shop', sink: 'sns' } },
      ]);
    });

    it('tells the topic which sinks failed before it', async () => {
      s3.on(PutObjectCommand).rejects(accessDenied());
      const { targets } = targetsWith();

      await reportRun(
        plan,
        run({ mode: 'drill' }),
        recovered('2026-11-25T12:10:00.000Z', 4),
        targets,
        testClock(),
      );

      const message = sns.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? '';
      expect(message).toMatch(/^not delivered to s3: AccessDeniedError: /m);
    });

    it('still stores, publishes and measures when the history table refuses the record', async () => {
      dynamo.on(PutItemCommand).rejects(accessDenied());
      const { targets, metrics } = targetsWith();

      const report = await reportRun(
        plan,
        run(),
        recovered('2026-11-25T12:10:00.000Z', 4),
        targets,
        testClock(),
      );

      expect(report.outcome).toBe('succeeded');
      expect(report.sinksFailed).toEqual([
        {
          sink: 'history',
          error: expect.stringMatching(/^AccessDeniedError: access denied to record the run on history/),
        },
      ]);
      expect(s3).toHaveReceivedCommandTimes(PutObjectCommand, 2); // JSON and Markdown
      expect(report.storedAt).toEqual([
        's3://reports/reports/shop/run-1.json',
        's3://reports/reports/shop/run-1.md',
      ]);
      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
      expect(metrics.named('RtoSeconds')).toHaveLength(1);
      expect(metrics.named('ReportSinkFailed')).toEqual([
        { name: 'ReportSinkFailed', value: 1, dimensions: { plan: 'shop', sink: 'history' } },
      ]);
    });

    it('names a metrics failure and still writes the record, which lists it', async () => {
      const { targets } = targetsWith();
      const broken: RunMetrics = {
        ...metricsRecorder().sink,
        addMetric: () => {
          throw new RangeError('The number of metric dimensions must be lower than 29');
        },
      };

      const report = await reportRun(
        plan,
        run(),
        recovered('2026-11-25T12:10:00.000Z', 4),
        { ...targets, metrics: broken },
        testClock(),
      );

      expect(report.sinksFailed).toEqual([
        { sink: 'metrics', error: 'RangeError: The number of metric dimensions must be lower than 29' },
      ]);
      expect(historyRecords()[0]?.sinksFailed).toEqual(report.sinksFailed);
    });

    it('retries a sink after a transient error, 200 ms later, and then succeeds', async () => {
      sns.on(PublishCommand).rejectsOnce(throttling()).resolves({ MessageId: 'm-1' });
      const { targets, slept } = targetsWith();

      const report = await reportRun(
        plan,
        run(),
        recovered('2026-11-25T12:10:00.000Z', 4),
        targets,
        testClock(),
      );

      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
      expect(slept).toEqual([200]);
      expect(report.sinksFailed).toEqual([]);
    });

    it('gives a sink three attempts (200 ms, then 1 s apart) before naming it failed', async () => {
      dynamo.on(PutItemCommand).rejects(awsError('InternalServerError', 500));
      const { targets, slept } = targetsWith({ reports: undefined });

      const report = await reportRun(
        plan,
        run(),
        recovered('2026-11-25T12:10:00.000Z', 4),
        targets,
        testClock(),
      );

      expect(dynamo).toHaveReceivedCommandTimes(PutItemCommand, 3);
      expect(slept).toEqual([200, 1000]);
      expect(report.sinksFailed).toEqual([
        { sink: 'history', error: expect.stringMatching(/^TransientAwsError: transient AWS error/) },
      ]);
    });

    it('stops retrying once delivery has used its time budget, so the history record still gets its turn', async () => {
      sns.on(PublishCommand).rejects(throttling());
      let now = 0;
      const { targets, slept } = targetsWith({ reports: undefined });
      const budgeted: ReportTargets = {
        ...targets,
        retry: {
          budgetMs: 1000,
          clock: () => now,
          sleep: async (ms) => {
            slept.push(ms);
            now += ms;
          },
        },
      };

      const report = await reportRun(
        plan,
        run(),
        recovered('2026-11-25T12:10:00.000Z', 4),
        budgeted,
        testClock(),
      );

      expect(slept).toEqual([200]); // the 1 s retry would overrun the budget
      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
      expect(report.sinksFailed.map((f) => f.sink)).toEqual(['sns']);
      expect(historyRecords()).toHaveLength(1);
    });

    it('reports a refused run: recorded and published, outcome refused', async () => {
      const { targets } = targetsWith({ reports: undefined });
      const report = await reportRun(
        plan,
        run({ mode: 'drill' }),
        {
          refusal: {
            Error: 'AlreadyRunning',
            Cause: 'another run of plan "shop" holds the lock: run d (drill, since t)',
          },
        },
        targets,
        testClock(),
      );
      expect(report.outcome).toBe('refused');
      expect(sns).toHaveReceivedCommandWith(PublishCommand, { Subject: 'dr-runbook drill shop: refused' });
      expect(historyRecords()).toEqual([expect.objectContaining({ outcome: 'refused' })]);
    });
  });

  describe('recordAndNotify', () => {
    const aborted = () =>
      buildAbortedReport(
        plan,
        { runId: 'drill-7', mode: 'drill', startedAt: '2026-11-25T11:00:00.000Z', status: 'ABORTED' },
        NOW,
      );

    it('writes the record of a dead run and publishes it', async () => {
      const { targets } = targetsWith();
      const report = await recordAndNotify(aborted(), targets);
      expect(dynamo).toHaveReceivedCommandWith(PutItemCommand, {
        TableName: 'history',
        Item: expect.objectContaining({
          pk: { S: 'RUN#shop' },
          sk: { S: '2026-11-25T11:00:00.000Z#drill-7' },
          outcome: { S: 'aborted' },
        }),
      });
      expect(sns).toHaveReceivedCommandWith(PublishCommand, { Subject: 'dr-runbook drill shop: aborted' });
      expect(s3).not.toHaveReceivedCommand(PutObjectCommand);
      expect(report.sinksFailed).toEqual([]);
    });

    it('still writes the record when the topic denies the summary, and names the topic', async () => {
      sns.on(PublishCommand).rejects(accessDenied());
      const { targets, metrics } = targetsWith();
      const report = await recordAndNotify(aborted(), targets);
      expect(report.sinksFailed.map((f) => f.sink)).toEqual(['sns']);
      expect(historyRecords()).toEqual([
        expect.objectContaining({ outcome: 'aborted', sinksFailed: report.sinksFailed }),
      ]);
      expect(metrics.named('ReportSinkFailed')).toEqual([
        { name: 'ReportSinkFailed', value: 1, dimensions: { plan: 'shop', sink: 'sns' } },
      ]);
    });
  });

  describe('plan advisories', () => {
    // warm-standby: primary us-east-1, its only trigger alarm there and no detector; dns is route53-records.
    const ALARM_ADVISORY =
      'triggers.alarms[0]: "shop-primary-health" is in the primary region us-east-1: it cannot fire once that region is dark; add triggers.detector (a probe of the primary from the recovery region) or an alarm there, so that an outage starts the failover';
    const ADVISORIES = [
      ALARM_ADVISORY,
      "resources[2]: route53-records changes records through Route 53's API, served from us-east-1, the primary region: a failover cannot move traffic while it is down; arc-routing-control and route53-health-check-failover do not depend on it",
    ];
    /** The same plan with its primary in us-east-2 and its trigger alarm in the recovery region: nothing to advise. */
    const advisedNothing = () =>
      planSchema.parse({
        ...examplePlanInput(),
        regions: { primary: 'us-east-2', recovery: 'us-west-2' },
        triggers: { alarms: [{ name: 'shop-probe' }] },
      });

    it('are in every report of a plan that has them, as validate prints them, and in its summary', () => {
      const dry = buildReport(plan, run({ mode: 'dry-run' }), { readiness: [readiness('db', 300)] }, NOW);
      const failover = buildReport(plan, run(), recovered('2026-11-25T12:10:00.000Z', 4), NOW);

      expect(dry.advisories).toEqual(ADVISORIES);
      expect(failover.advisories).toEqual(ADVISORIES);
      // Advice, not a readiness problem: the dry-run is still ready.
      expect(dry.outcome).toBe('ready');
      expect(summarize(dry).split('\n')).toContain(`plan advisory: ${ALARM_ADVISORY}`);
    });

    it('are read from the plan as the Lambda is sent it (the deployed plan, through the state as JSON)', () => {
      const deployed = JSON.parse(JSON.stringify(plan)) as DrPlan;
      expect(buildReport(deployed, run({ mode: 'dry-run' }), {}, NOW).advisories).toEqual(ADVISORIES);
    });

    it('are left out of a plan that has none', () => {
      const report = buildReport(advisedNothing(), run({ mode: 'dry-run' }), {}, NOW);
      expect(report).not.toHaveProperty('advisories');
      expect(summarize(report)).not.toContain('plan advisory');
    });

    it('are in the record of a run that died without its tail too', () => {
      const dead = {
        runId: 'drill-7',
        mode: 'drill',
        startedAt: '2026-11-25T11:00:00.000Z',
        status: 'ABORTED',
      } as const;
      expect(buildAbortedReport(plan, dead, NOW).advisories).toEqual(ADVISORIES);
      expect(buildAbortedReport(advisedNothing(), dead, NOW)).not.toHaveProperty('advisories');
    });

    it('stay out of the execution state but their count (state stays small)', () => {
      const summary = reportSummary(buildReport(plan, run({ mode: 'dry-run' }), {}, NOW));
      expect(summary.advisories).toBe(2);
      expect(JSON.stringify(summary)).not.toContain('shop-primary-health');
      expect(
        reportSummary(buildReport(advisedNothing(), run({ mode: 'dry-run' }), {}, NOW)),
      ).not.toHaveProperty('advisories');
    });

    it('reach the operator: the topic, the history record and the stored Markdown report of a dry-run', async () => {
      const { targets } = targetsWith();

      await reportRun(
        plan,
        run({ mode: 'dry-run' }),
        { readiness: [readiness('db', 300)] },
        targets,
        testClock(),
      );

      const message = sns.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? '';
      expect(message.split('\n')).toContain(`plan advisory: ${ALARM_ADVISORY}`);
      expect(historyRecords()[0]?.advisories).toEqual(ADVISORIES);
      const markdown = s3
        .commandCalls(PutObjectCommand)
        .map((call) => call.args[0].input)
        .find((input) => input.Key?.endsWith('.md'));
      expect(String(markdown?.Body)).toContain(`## Plan advisories\n\n- ${ADVISORIES.join('\n- ')}`);
    });
  });

  describe('reportRun of a scheduled readiness check', () => {
    const scheduled = run({ mode: 'dry-run', trigger: { type: 'schedule', scheduleName: 'daily' } });
    const notReady = (check = 'replica-available') => ({
      readiness: [readiness('db', 300, 'fail', check)],
    });
    const ready = { readiness: [readiness('db', 300)] };

    /** A history table that keeps what is put, and answers GetItem from it. */
    function table() {
      const items = new Map<string, Record<string, AttributeValue>>();
      const key = (k: Record<string, AttributeValue> | undefined) => `${k?.pk?.S}|${k?.sk?.S}`;
      dynamo.on(PutItemCommand).callsFake((input: PutItemCommandInput) => {
        if (input.Item) items.set(key(input.Item), input.Item);
        return {};
      });
      dynamo.on(GetItemCommand).callsFake((input: { Key?: Record<string, AttributeValue> }) => ({
        Item: items.get(key(input.Key)),
      }));
      return items;
    }

    async function check(outcome: RunOutcomeInput, id: string, targets: ReportTargets) {
      return reportRun(plan, { ...scheduled, id }, outcome, targets, testClock());
    }

    it('publishes the first check that is not ready, and not the same outcome again', async () => {
      table();
      const { targets } = targetsWith({ reports: undefined });

      await check(notReady(), 'dry-1', targets);
      await check(notReady(), 'dry-2', targets);

      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
      expect(historyRecords().map((r) => r.runId)).toEqual(['dry-1', 'dry-2']);
      expect(dynamo).toHaveReceivedCommandWith(GetItemCommand, {
        TableName: 'history',
        Key: { pk: { S: 'READINESS#shop' }, sk: { S: 'LAST' } },
      });
    });

    it('publishes when the problems change, and when readiness comes back', async () => {
      table();
      const { targets } = targetsWith({ reports: undefined });

      await check(notReady('replica-available'), 'dry-1', targets);
      await check(notReady('replica-lag'), 'dry-2', targets);
      await check(ready, 'dry-3', targets);
      await check(ready, 'dry-4', targets);

      const subjects = sns.commandCalls(PublishCommand).map((c) => c.args[0].input.Subject);
      expect(subjects).toEqual([
        'dr-runbook dry-run shop: not-ready',
        'dr-runbook dry-run shop: not-ready',
        'dr-runbook dry-run shop: ready',
      ]);
      expect(sns.commandCalls(PublishCommand)[2]?.args[0].input.Message).toContain(
        'changed since the last scheduled check (run dry-2, 2026-11-25T12:00:00.000Z): was not-ready',
      );
      expect(historyRecords()).toHaveLength(4);
    });

    it('stays quiet for a first check that is ready, and keeps its outcome', async () => {
      const items = table();
      const { targets } = targetsWith({ reports: undefined });

      await check(ready, 'dry-1', targets);

      expect(sns).not.toHaveReceivedCommand(PublishCommand);
      expect(items.get('READINESS#shop|LAST')).toMatchObject({
        outcome: { S: 'ready' },
        runId: { S: 'dry-1' },
      });
    });

    it('publishes again next time when the change could not be published', async () => {
      table();
      sns.on(PublishCommand).rejectsOnce(accessDenied()).resolves({});
      const { targets } = targetsWith({ reports: undefined });

      const first = await check(notReady(), 'dry-1', targets);
      await check(notReady(), 'dry-2', targets);

      expect(first.sinksFailed.map((f) => f.sink)).toEqual(['sns']);
      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
    });

    it('publishes when the last outcome cannot be read, naming the history table', async () => {
      table();
      dynamo.on(GetItemCommand).rejects(accessDenied());
      const { targets } = targetsWith({ reports: undefined });

      const report = await check(ready, 'dry-1', targets);

      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
      expect(report.sinksFailed).toEqual([
        {
          sink: 'history',
          error: expect.stringMatching(
            /^AccessDeniedError: access denied to read the last scheduled readiness outcome/,
          ),
        },
      ]);
      expect(historyRecords()).toHaveLength(1);
    });

    it('publishes every dry-run started by hand', async () => {
      table();
      const { targets } = targetsWith({ reports: undefined });

      await reportRun(plan, run({ mode: 'dry-run' }), ready, targets, testClock());
      await reportRun(plan, run({ mode: 'dry-run', id: 'run-2' }), ready, targets, testClock());

      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
      expect(dynamo).not.toHaveReceivedCommand(GetItemCommand);
    });
  });
});
