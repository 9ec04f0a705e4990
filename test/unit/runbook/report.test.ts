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
import { mockClient } from 'aws-sdk-client-mock';
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
  summarize,
} from '../../../functions/runbook/report.ts';
import type { RunMetrics } from '../../../functions/runbook/run-metrics.ts';
import type { ProgressResult, ReadinessResult } from '../../../functions/shared/step-contract.ts';
import { accessDenied, awsError, examplePlan, runRecord, testClock, throttling } from '../../fixtures.ts';

const plan = examplePlan(); // RTO 30 min, RPO 300 s, cooldown 60 min

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

function progress(family: ProgressResult['family'], extra: Partial<ProgressResult> = {}): ProgressResult {
  return {
    family,
    action: 'check',
    done: true,
    nextCheckSeconds: 0,
    detail: 'ok',
    state: {},
    changes: [],
    ...extra,
  };
}

const readiness = (
  family: ReadinessResult['family'],
  predictedSeconds: number,
  status: 'pass' | 'warn' | 'fail' = 'pass',
  name = 'c',
): ReadinessResult => ({
  family,
  strategy: 's',
  predictedSeconds,
  checks: [{ name, status, detail: `${family} detail` }],
});

/** A family whose readiness could not run at all, as the state machine records it. */
const readinessError = (family: ReadinessResult['family'], errorName = 'AccessDeniedError') => ({
  family,
  error: {
    Error: errorName,
    Cause: JSON.stringify({ errorType: errorName, errorMessage: `access denied to describe ${family}` }),
  },
  checks: [],
  ready: false,
});

/** A recovered run: promotion measured a lag of `rpo`, traffic verified at `verifiedAt`. */
function recovered(verifiedAt: string, rpo: number): RunOutcomeInput {
  return {
    readiness: [readiness('database', 300), readiness('compute', 240), readiness('traffic', 120)],
    results: {
      database: progress('database', {
        measurements: { rpoSeconds: rpo },
        changes: [{ resource: 'shop-db-replica', action: 'promote', detail: 'promoted' }],
      }),
      compute: progress('compute'),
    },
    switch: { traffic: progress('traffic') },
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
    expect(report.changes).toEqual([{ resource: 'shop-db-replica', action: 'promote', detail: 'promoted' }]);
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
        readiness: [readiness('database', 300)],
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
    expect(buildReport(plan, dry, { readiness: [readiness('database', 300)] }, NOW).outcome).toBe('ready');
    const notReady = buildReport(plan, dry, { readiness: [readiness('compute', 300, 'fail')] }, NOW);
    expect(notReady.outcome).toBe('not-ready');
    expect(notReady.readinessProblems).toEqual(['compute/c: compute detail']);
  });

  it('calls a dry-run whose readiness step failed not ready, naming the failure', () => {
    const report = buildReport(
      plan,
      run({ mode: 'dry-run' }),
      { failure: { step: 'Readiness', Error: 'States.Timeout' } },
      NOW,
    );
    expect(report).toMatchObject({ outcome: 'not-ready', failedStep: 'Readiness', cause: 'States.Timeout' });
  });

  it('names a family whose readiness could not run as a problem, and lists warnings apart', () => {
    const report = buildReport(
      plan,
      run({ mode: 'dry-run' }),
      { readiness: [readinessError('database'), readiness('traffic', 60, 'warn', 'ttl')] },
      NOW,
    );
    expect(report.outcome).toBe('not-ready');
    expect(report.readinessProblems).toEqual([
      'database: readiness could not run: AccessDeniedError: access denied to describe database',
    ]);
    expect(report.readinessWarnings).toEqual(['traffic/ttl: traffic detail']);
    expect(report.predictedRtoSeconds).toBeNull();
  });

  it('calls a dry-run with only warnings ready', () => {
    const report = buildReport(
      plan,
      run({ mode: 'dry-run' }),
      { readiness: [readiness('traffic', 60, 'warn', 'ttl')] },
      NOW,
    );
    expect(report.outcome).toBe('ready');
    expect(report.readinessWarnings).toEqual(['traffic/ttl: traffic detail']);
  });

  it('calls a drill stopped by its readiness problems (Recover never ran) not ready', () => {
    const report = buildReport(
      plan,
      run({ mode: 'drill' }),
      { readiness: [readiness('database', 300), readinessError('compute')] },
      NOW,
    );
    expect(report.outcome).toBe('not-ready');
    expect(report.readinessProblems).toEqual([
      'compute: readiness could not run: AccessDeniedError: access denied to describe compute',
    ]);
    expect(summarize(report)).toContain(
      'readiness: compute: readiness could not run: AccessDeniedError: access denied to describe compute',
    );
  });

  it('calls a drill the readiness gate stopped not ready', () => {
    const report = buildReport(
      plan,
      run({ mode: 'drill' }),
      {
        readiness: [{ ...readiness('database', 300), ready: false }],
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
      readiness: [readiness('database', 300, 'fail'), readinessError('compute')],
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
    const undone = {
      traffic: progress('traffic', {
        action: 'revert',
        changes: [{ resource: 'drill.shop.example.com', action: 'delete', detail: 'drill record removed' }],
      }),
      database: progress('database', { action: 'revert' }),
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
        reverted: [{ resource: 'drill.shop.example.com', action: 'delete', detail: 'drill record removed' }],
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
            database: progress('database', { done: false, detail: 'drill-shop-x still deleting' }),
          },
        },
        NOW,
      );
      expect(report.outcome).toBe('failed');
      expect(report.leftovers).toEqual(['database: drill-shop-x still deleting']);
      expect(summarize(report)).toContain('left behind: database: drill-shop-x still deleting');
    });

    it('names the error of a revert branch that failed while the others settled', () => {
      const failedBranch = {
        ...progress('database', { done: false, detail: '{"errorType":"AccessDeniedError"}' }),
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
          revert: { ...undone, database: failedBranch },
          revertFailure: { step: 'RevertDrill', Error: 'AccessDeniedError' },
        },
        NOW,
      );
      expect(report.outcome).toBe('failed');
      expect(report.leftovers).toEqual(['database: revert failed: AccessDeniedError: no DeleteDBInstance']);
    });
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
  it('adds traffic to the slower of database and compute, which recover side by side', () => {
    expect(
      predictRtoSeconds([readiness('database', 300), readiness('compute', 420), readiness('traffic', 120)]),
    ).toBe(540);
    expect(predictRtoSeconds(undefined)).toBeNull();
  });
});

describe('readinessSignature', () => {
  it('depends on which checks failed, not on their details or order', () => {
    const a = readinessSignature({ readiness: [readiness('database', 1, 'fail'), readiness('compute', 1)] });
    const sameChecks = readinessSignature({
      readiness: [
        readiness('compute', 1),
        { ...readiness('database', 1, 'fail'), checks: [{ name: 'c', status: 'fail', detail: 'lag 99 s' }] },
      ],
    });
    const other = readinessSignature({ readiness: [readiness('database', 1, 'fail', 'other-check')] });
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

describe('reportRun of a scheduled readiness check', () => {
  const scheduled = run({ mode: 'dry-run', trigger: { type: 'schedule', scheduleName: 'daily' } });
  const notReady = (check = 'replica-available') => ({
    readiness: [readiness('database', 300, 'fail', check)],
  });
  const ready = { readiness: [readiness('database', 300)] };

  /** A history table that keeps what is put, and answers GetItem from it. */
  function table() {
    const items = new Map<string, Record<string, AttributeValue>>();
    const key = (k: Record<string, AttributeValue> | undefined) => `${k?.pk?.S}|${k?.sk?.S}`;
    dynamo.on(PutItemCommand).callsFake((input: PutItemCommandInput) => {
      if (input.Item) items.set(key(input.Item), input.Item);
      return {};
    });
    dynamo
      .on(GetItemCommand)
      .callsFake((input: { Key?: Record<string, AttributeValue> }) => ({ Item: items.get(key(input.Key)) }));
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
