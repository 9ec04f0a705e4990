import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeDBInstancesCommand, PromoteReadReplicaCommand, RDSClient } from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { databaseSteps } from '../../../functions/database/steps.ts';
import {
  AccessDeniedError,
  InvalidResourceStateError,
  ReplicaNotFoundError,
  TransientAwsError,
} from '../../../functions/shared/errors.ts';
import { accessDenied, RUN_STARTED_AT, stepEvent, testClock, throttling } from '../../fixtures.ts';
import {
  databaseClients,
  invalidState,
  lagPoint,
  notFound,
  PRIMARY_ARN,
  REPLICA_ID,
  replica,
  secondsBeforeStart,
} from './database-fixtures.ts';

const rds = mockClient(RDSClient);
const cloudwatch = mockClient(CloudWatchClient);

const start = (state?: Record<string, unknown>) =>
  databaseSteps.start(stepEvent('start', { mode: 'failover', state }), databaseClients(), testClock());

describe('start (failover, promote-read-replica)', () => {
  beforeEach(() => {
    rds.reset();
    cloudwatch.reset();
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [replica()] });
    rds.on(PromoteReadReplicaCommand).resolves({});
    cloudwatch.on(GetMetricStatisticsCommand).resolves({ Datapoints: [lagPoint(60, 9), lagPoint(180, 40)] });
  });

  it('promotes the replica, setting backup retention it lacks, and records the lag at promotion as the RPO', async () => {
    const result = await start();

    expect(rds).toHaveReceivedCommandTimes(PromoteReadReplicaCommand, 1);
    expect(rds).toHaveReceivedCommandWith(PromoteReadReplicaCommand, {
      DBInstanceIdentifier: REPLICA_ID,
      BackupRetentionPeriod: 7,
    });
    expect(result).toMatchObject({
      family: 'database',
      action: 'start',
      done: false,
      nextCheckSeconds: 2,
      state: { operation: 'promote', instanceId: REPLICA_ID, startedAt: RUN_STARTED_AT },
      changes: [{ resource: REPLICA_ID, action: 'promote-read-replica' }],
      measurements: { rpoSeconds: 9 },
    });
    expect(cloudwatch).toHaveReceivedCommandWith(GetMetricStatisticsCommand, {
      MetricName: 'ReplicaLag',
      StartTime: secondsBeforeStart(300),
    });
  });

  it('keeps the backup retention of a replica that already has one', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [replica({ BackupRetentionPeriod: 3 })] });

    await start();

    expect(rds.commandCalls(PromoteReadReplicaCommand)[0]?.args[0].input).toEqual({
      DBInstanceIdentifier: REPLICA_ID,
    });
  });

  it('treats an already promoted, available instance as done without promoting again', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [replica({ ReadReplicaSourceDBInstanceIdentifier: undefined })],
    });

    const result = await start({ operation: 'promote', instanceId: REPLICA_ID, startedAt: RUN_STARTED_AT });

    expect(result).toMatchObject({ done: true, nextCheckSeconds: 0, changes: [] });
    expect(rds).not.toHaveReceivedCommand(PromoteReadReplicaCommand);
  });

  it('keeps polling when a re-run finds the promotion already under way', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolves({ DBInstances: [replica({ DBInstanceStatus: 'modifying' })] });
    rds.on(PromoteReadReplicaCommand).rejects(invalidState());

    const result = await start();

    expect(result).toMatchObject({ done: false, changes: [], state: { operation: 'promote' } });
    expect(result.nextCheckSeconds).toBeGreaterThan(0);
    expect(result.detail).toContain('already under way');
  });

  it('refuses to promote a replica in a state RDS rejects that is not a promotion under way', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolves({ DBInstances: [replica({ DBInstanceStatus: 'available' })] });
    rds.on(PromoteReadReplicaCommand).rejects(invalidState());

    await expect(start()).rejects.toThrow(InvalidResourceStateError);
  });

  it('polls start then check until the promoted instance is standalone and available', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce({ DBInstances: [replica()] })
      .resolvesOnce({ DBInstances: [replica({ DBInstanceStatus: 'modifying' })] })
      .resolvesOnce({ DBInstances: [replica({ ReadReplicaSourceDBInstanceIdentifier: undefined })] });
    const clock = testClock();

    const started = await databaseSteps.start(stepEvent('start'), databaseClients(), clock);
    clock.advance(120);
    const first = await databaseSteps.check(
      stepEvent('check', { state: started.state }),
      databaseClients(),
      clock,
    );
    clock.advance(60);
    const second = await databaseSteps.check(
      stepEvent('check', { state: first.state }),
      databaseClients(),
      clock,
    );

    expect(started.done).toBe(false);
    expect(first).toMatchObject({ done: false });
    expect(first.nextCheckSeconds).toBeGreaterThan(0);
    expect(second).toMatchObject({ done: true, nextCheckSeconds: 0, measurements: { elapsedSeconds: 180 } });
    expect(rds).toHaveReceivedCommandTimes(PromoteReadReplicaCommand, 1);
  });

  it('promotes anyway, with a note, when no ReplicaLag datapoint exists or CloudWatch refuses', async () => {
    cloudwatch.on(GetMetricStatisticsCommand).resolvesOnce({ Datapoints: [] }).rejectsOnce(accessDenied());

    const silent = await start();
    const denied = await start();

    expect(silent.measurements).toEqual({ note: expect.stringContaining('no ReplicaLag datapoint') });
    expect(denied.measurements).toEqual({ note: expect.stringContaining('RPO not measured') });
    expect(rds).toHaveReceivedCommandTimes(PromoteReadReplicaCommand, 2);
  });

  it('throws TransientAwsError when throttled, and succeeds when Step Functions retries', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .rejectsOnce(throttling())
      .resolves({ DBInstances: [replica()] });

    await expect(start()).rejects.toThrow(TransientAwsError);
    const retried = await start();

    expect(retried.changes).toHaveLength(1);
    expect(rds).toHaveReceivedCommandTimes(PromoteReadReplicaCommand, 1);
  });

  it('throws ReplicaNotFoundError naming a missing replica', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(notFound());

    const error = await start().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ReplicaNotFoundError);
    expect((error as Error).message).toContain(`read replica ${REPLICA_ID} not found in us-west-2`);
    expect(rds).not.toHaveReceivedCommand(PromoteReadReplicaCommand);
  });

  it('throws AccessDeniedError when the role may not promote', async () => {
    rds.on(PromoteReadReplicaCommand).rejects(accessDenied());

    await expect(start()).rejects.toThrow(AccessDeniedError);
  });

  it('names the source it replicated from in the change', async () => {
    const result = await start();

    expect(result.changes[0]?.detail).toContain(PRIMARY_ARN);
  });
});
