// rds-read-replica switchover: the planned, lossless promotion. The replica is promoted only once
// its newest ReplicaLag datapoint is 0 and fresh (its minute ended at most 120 s ago); until then
// start and check answer not done, promoting nothing, and the step's deadline bounds the wait.
import 'aws-sdk-client-mock-jest';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeDBInstancesCommand, PromoteReadReplicaCommand, RDSClient } from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { StepTimedOutError } from '../../../functions/shared/deadlines.ts';
import { AccessDeniedError, InvalidStepInputError } from '../../../functions/shared/errors.ts';
import { mockClient } from '../../aws-mock.ts';
import { accessDenied, RUN_STARTED_AT, testClock } from '../../fixtures.ts';
import {
  lagPoint,
  progress,
  REPLICA_ID,
  replica,
  secondsBeforeStart,
  startedState,
} from './database-fixtures.ts';

describe('rds-read-replica-switchover', () => {
  const rds = mockClient(RDSClient);
  const cloudwatch = mockClient(CloudWatchClient);

  const start = (state?: Record<string, unknown>, clock = testClock()) =>
    progress('start', { mode: 'switchover', state }, clock);
  const check = (state: Record<string, unknown>, clock = testClock()) =>
    progress('check', { mode: 'switchover', state }, clock);
  /** ReplicaLag answers, oldest first: [secondsAgo, lag] before the clock's now at the run's start. */
  const lagIs = (...points: [number, number][]) =>
    cloudwatch
      .on(GetMetricStatisticsCommand)
      .resolves({ Datapoints: points.map(([ago, seconds]) => lagPoint(ago, seconds)) });

  beforeEach(() => {
    rds.reset();
    cloudwatch.reset();
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [replica()] });
    rds.on(PromoteReadReplicaCommand).resolves({});
  });

  it('waits while the lag is above 0, promoting nothing, and says the lag and why it waits', async () => {
    lagIs([180, 0], [60, 4]);

    const result = await start();

    expect(rds).not.toHaveReceivedCommand(PromoteReadReplicaCommand);
    expect(result).toMatchObject({
      action: 'start',
      done: false,
      nextCheckSeconds: 15,
      changes: [],
      state: {
        operation: 'promote',
        instanceId: REPLICA_ID,
        startedAt: RUN_STARTED_AT,
        waitingFor: 'zero-lag',
      },
    });
    expect(result.measurements).toBeUndefined();
    expect(result.detail).toContain(
      `switchover waits for the ReplicaLag of read replica ${REPLICA_ID} to be 0`,
    );
    expect(result.detail).toContain(`ReplicaLag of ${REPLICA_ID} is 4 s`);
    expect(result.detail).toContain('stop the writes to shop-db');
    expect(result.detail).toContain('resources[0].timeoutMinutes');
    expect(cloudwatch).toHaveReceivedCommandWith(GetMetricStatisticsCommand, {
      MetricName: 'ReplicaLag',
      Dimensions: [{ Name: 'DBInstanceIdentifier', Value: REPLICA_ID }],
      StartTime: secondsBeforeStart(300),
    });
  });

  it('promotes on a check once the newest datapoint is 0, with RPO 0, then polls the promotion to done', async () => {
    lagIs([60, 2]);
    const clock = testClock();
    const waiting = await start(undefined, clock);

    // A minute later the writes have stopped and the replica has caught up.
    clock.advance(60);
    lagIs([120, 2], [0, 0]);
    const promoting = await check(waiting.state, clock);

    expect(rds).toHaveReceivedCommandTimes(PromoteReadReplicaCommand, 1);
    expect(rds.commandCalls(PromoteReadReplicaCommand)[0]?.args[0].input).toEqual({
      DBInstanceIdentifier: REPLICA_ID,
      BackupRetentionPeriod: 7,
    });
    expect(promoting).toMatchObject({
      action: 'check',
      done: false,
      state: { operation: 'promote', instanceId: REPLICA_ID, startedAt: RUN_STARTED_AT },
      changes: [{ resource: REPLICA_ID, action: 'promote-read-replica' }],
      measurements: { rpoSeconds: 0, rpoMeasuredAt: RUN_STARTED_AT },
    });
    expect(promoting.state).not.toHaveProperty('waitingFor');
    expect(promoting.detail).toContain('switchover: ReplicaLag 0');

    rds
      .on(DescribeDBInstancesCommand)
      .resolves({ DBInstances: [replica({ ReadReplicaSourceDBInstanceIdentifier: undefined })] });
    clock.advance(120);
    const done = await check(promoting.state, clock);
    expect(done).toMatchObject({
      done: true,
      measurements: { rpoSeconds: 0, elapsedSeconds: 180 },
      changes: [{ resource: REPLICA_ID, action: 'promote-read-replica' }],
    });
    expect(rds).toHaveReceivedCommandTimes(PromoteReadReplicaCommand, 1);
  });

  it('promotes at once on start when the lag is already 0, and the datapoint may be up to two periods old', async () => {
    // The minute from 180 s ago ended 120 s ago: fresh enough.
    lagIs([240, 1], [180, 0]);

    const result = await start();

    expect(rds).toHaveReceivedCommandTimes(PromoteReadReplicaCommand, 1);
    expect(result).toMatchObject({
      action: 'start',
      measurements: { rpoSeconds: 0, rpoMeasuredAt: secondsBeforeStart(180).toISOString() },
    });
  });

  it('waits on a 0 that is stale (its minute ended more than 120 s ago), on no datapoint, and on -1', async () => {
    lagIs([181, 0]);
    const stale = await start();
    expect(stale.detail).toContain('ended 121 s ago, more than 120 s: the lag now is not known');

    lagIs();
    const none = await start();
    expect(none.detail).toContain(`no ReplicaLag datapoint for ${REPLICA_ID} in the last 5 minutes`);

    lagIs([60, -1]);
    const notReplicating = await start();
    expect(notReplicating.detail).toContain('is -1 s');

    for (const result of [stale, none, notReplicating]) {
      expect(result).toMatchObject({ done: false, changes: [], state: { waitingFor: 'zero-lag' } });
    }
    expect(rds).not.toHaveReceivedCommand(PromoteReadReplicaCommand);
  });

  it('never promotes on a lag it cannot read: the error fails the step, naming the metric', async () => {
    cloudwatch.on(GetMetricStatisticsCommand).rejects(accessDenied());

    await expect(start()).rejects.toThrow(AccessDeniedError);
    expect(rds).not.toHaveReceivedCommand(PromoteReadReplicaCommand);
  });

  it('fails the wait past the step deadline (4 x expectedPromotionSeconds 300), saying it still waits for the lag', async () => {
    lagIs([60, 3]);
    const late = testClock();
    late.advance(20 * 60 + 1);

    const timedOut = check(startedState('promote', REPLICA_ID, { waitingFor: 'zero-lag' }), late);
    await expect(timedOut).rejects.toThrow(StepTimedOutError);
    await expect(timedOut).rejects.toThrow(
      /db check not done after 20 min .*switchover waits for the ReplicaLag/,
    );
    expect(rds).not.toHaveReceivedCommand(PromoteReadReplicaCommand);
  });

  it('is done without promoting when the replica is already standalone, and is never reverted', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolves({ DBInstances: [replica({ ReadReplicaSourceDBInstanceIdentifier: undefined })] });

    const result = await start();

    expect(result).toMatchObject({ done: true, changes: [] });
    expect(cloudwatch).not.toHaveReceivedCommand(GetMetricStatisticsCommand);
    await expect(progress('revert', { mode: 'switchover' })).rejects.toThrow(InvalidStepInputError);
  });
});
