import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import type { RunRecord } from '../../../functions/runbook/execution-input.ts';
import {
  buildReport,
  describeCause,
  predictRtoSeconds,
  type RunOutcomeInput,
  reportRun,
  summarize,
} from '../../../functions/runbook/report.ts';
import type { ProgressResult, ReadinessResult } from '../../../functions/shared/step-contract.ts';
import { accessDenied, examplePlan, testClock } from '../../fixtures.ts';

const plan = examplePlan(); // RTO 30 min, RPO 300 s, cooldown 60 min

function run(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    id: 'run-1',
    mode: 'failover',
    startedAt: '2026-11-25T12:00:00.000Z',
    incidentStartedAt: '2026-11-25T12:00:00.000Z',
    trigger: { type: 'console' },
    approvalRequired: false,
    lockExpiresAt: '2026-11-26T00:00:00.000Z',
    ...overrides,
  };
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
  fail = false,
): ReadinessResult => ({
  family,
  strategy: 's',
  predictedSeconds,
  checks: [{ name: 'c', status: fail ? 'fail' : 'pass', detail: `${family} detail` }],
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

const NOW = new Date('2026-11-25T12:30:00.000Z');

describe('buildReport', () => {
  it('measures RTO from the execution start for a console run, and RPO from the replica lag at promotion', () => {
    const report = buildReport(plan, run(), recovered('2026-11-25T12:12:30.000Z', 4), NOW);
    expect(report.outcome).toBe('succeeded');
    expect(report.rto).toEqual({ objectiveSeconds: 1800, achievedSeconds: 750, met: true });
    expect(report.rpo).toEqual({ objectiveSeconds: 300, achievedSeconds: 4, met: true });
    expect(report.changes).toEqual([{ resource: 'shop-db-replica', action: 'promote', detail: 'promoted' }]);
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

  it('holds the cooldown only after a successful failover', () => {
    expect(buildReport(plan, run(), recovered('2026-11-25T12:10:00.000Z', 1), NOW).cooldownUntil).toBe(
      '2026-11-25T13:30:00.000Z',
    );
    expect(
      buildReport(plan, run({ mode: 'drill' }), recovered('2026-11-25T12:10:00.000Z', 1), NOW).cooldownUntil,
    ).toBeUndefined();
  });

  it('calls a dry-run ready or not ready from its readiness checks', () => {
    const dry = run({ mode: 'dry-run' });
    expect(buildReport(plan, dry, { readiness: [readiness('database', 300)] }, NOW).outcome).toBe('ready');
    const notReady = buildReport(plan, dry, { readiness: [readiness('compute', 300, true)] }, NOW);
    expect(notReady.outcome).toBe('not-ready');
    expect(notReady.readinessProblems).toEqual(['compute/c: compute detail']);
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

describe('reportRun', () => {
  const dynamo = mockClient(DynamoDBClient);
  const sns = mockClient(SNSClient);
  const targets = () => ({
    dynamo: new DynamoDBClient({ region: 'us-west-2' }),
    sns: new SNSClient({ region: 'us-west-2' }),
    tableName: 'history',
    topicArn: 'arn:aws:sns:us-west-2:123456789012:dr',
  });

  beforeEach(() => {
    dynamo.reset();
    sns.reset();
  });

  it('records the run in the history table and publishes the summary', async () => {
    const clock = testClock('2026-11-25T12:30:00.000Z');
    const report = await reportRun(plan, run(), recovered('2026-11-25T12:10:00.000Z', 4), targets(), clock);
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
  });

  it('fails with a named error when the table refuses the write', async () => {
    dynamo.on(PutItemCommand).rejects(accessDenied());
    await expect(reportRun(plan, run(), {}, targets(), testClock())).rejects.toMatchObject({
      name: 'AccessDeniedError',
    });
  });
});
