import 'aws-sdk-client-mock-jest';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  PromoteReadReplicaCommand,
  RDSClient,
  RestoreDBInstanceFromDBSnapshotCommand,
} from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  AccessDeniedError,
  InvalidResourceStateError,
  ReplicaNotFoundError,
  TransientAwsError,
} from '../../../functions/shared/errors.ts';
import { mockClient } from '../../aws-mock.ts';
import { accessDenied, RUN_STARTED_AT, testClock, throttling } from '../../fixtures.ts';
import {
  invalidState,
  lagPoint,
  notFound,
  PRIMARY_ARN,
  progress,
  REPLICA_ID,
  replica,
  secondsBeforeStart,
  startedState,
} from './database-fixtures.ts';

describe('rds-read-replica-failover', () => {
  const rds = mockClient(RDSClient);
  const cloudwatch = mockClient(CloudWatchClient);

  const start = (state?: Record<string, unknown>, clock = testClock()) =>
    progress('start', { mode: 'failover', state }, clock);
  const check = (state: Record<string, unknown>, clock = testClock()) =>
    progress('check', { mode: 'failover', state }, clock);

  describe('rds-read-replica failover: promote the replica', () => {
    beforeEach(() => {
      rds.reset();
      cloudwatch.reset();
      rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [replica()] });
      rds.on(PromoteReadReplicaCommand).resolves({});
      cloudwatch
        .on(GetMetricStatisticsCommand)
        .resolves({ Datapoints: [lagPoint(180, 40), lagPoint(60, 9)] });
    });

    it('promotes the replica, setting backup retention it lacks, and records the lag at promotion as the RPO', async () => {
      const result = await start();

      expect(rds).toHaveReceivedCommandTimes(PromoteReadReplicaCommand, 1);
      expect(rds.commandCalls(PromoteReadReplicaCommand)[0]?.args[0].input).toEqual({
        DBInstanceIdentifier: REPLICA_ID,
        BackupRetentionPeriod: 7,
      });
      expect(rds).toHaveReceivedCommandWith(DescribeDBInstancesCommand, { DBInstanceIdentifier: REPLICA_ID });
      expect(rds).not.toHaveReceivedCommand(RestoreDBInstanceFromDBSnapshotCommand);
      expect(rds).not.toHaveReceivedCommand(DescribeDBSnapshotsCommand);
      expect(result).toMatchObject({
        family: 'database',
        resource: 'db',
        type: 'rds-read-replica',
        action: 'start',
        done: false,
        nextCheckSeconds: 2,
        startedAt: RUN_STARTED_AT,
        state: { operation: 'promote', instanceId: REPLICA_ID, startedAt: RUN_STARTED_AT },
        changes: [{ resource: REPLICA_ID, action: 'promote-read-replica' }],
        measurements: { rpoSeconds: 9, rpoMeasuredAt: secondsBeforeStart(60).toISOString() },
      });
      expect(result.changes[0]?.detail).toContain(PRIMARY_ARN);
      expect(cloudwatch).toHaveReceivedCommandWith(GetMetricStatisticsCommand, {
        MetricName: 'ReplicaLag',
        Dimensions: [{ Name: 'DBInstanceIdentifier', Value: REPLICA_ID }],
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

    it('is idempotent: an already promoted, available instance is done without promoting again', async () => {
      rds.on(DescribeDBInstancesCommand).resolves({
        DBInstances: [replica({ ReadReplicaSourceDBInstanceIdentifier: undefined })],
      });

      const result = await start(startedState('promote', REPLICA_ID));

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
      rds.on(PromoteReadReplicaCommand).rejects(invalidState());

      await expect(start()).rejects.toThrow(InvalidResourceStateError);
    });

    it('polls start then check until the promoted instance is standalone and available, keeping the RPO', async () => {
      rds
        .on(DescribeDBInstancesCommand)
        .resolvesOnce({ DBInstances: [replica()] })
        .resolvesOnce({ DBInstances: [replica({ DBInstanceStatus: 'modifying' })] })
        .resolvesOnce({ DBInstances: [replica()] })
        .resolvesOnce({ DBInstances: [replica({ ReadReplicaSourceDBInstanceIdentifier: undefined })] });
      const clock = testClock();

      const started = await start(undefined, clock);
      clock.advance(120);
      const first = await check(started.state, clock);
      clock.advance(30);
      const stillReplica = await check(first.state, clock);
      clock.advance(30);
      const done = await check(stillReplica.state, clock);

      expect(started.done).toBe(false);
      expect(first).toMatchObject({ done: false });
      expect(first.nextCheckSeconds).toBeGreaterThan(0);
      expect(stillReplica.detail).toContain('still replicating');
      expect(done).toMatchObject({
        action: 'check',
        done: true,
        nextCheckSeconds: 0,
        completedAt: '2026-11-25T12:03:00.000Z',
        measurements: {
          elapsedSeconds: 180,
          rpoSeconds: 9,
          endpoint: `${REPLICA_ID}.abc.us-west-2.rds.amazonaws.com`,
        },
        changes: [{ resource: REPLICA_ID, action: 'promote-read-replica' }],
      });
      expect(done.measurements).not.toHaveProperty('restoreSeconds');
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

    it('throws TransientAwsError when throttled, and promotes once when Step Functions retries', async () => {
      rds
        .on(DescribeDBInstancesCommand)
        .rejectsOnce(throttling())
        .resolves({ DBInstances: [replica()] });

      await expect(start()).rejects.toThrow(TransientAwsError);
      const retried = await start();

      expect(retried.changes).toHaveLength(1);
      expect(rds).toHaveReceivedCommandTimes(PromoteReadReplicaCommand, 1);
    });

    it('throws ReplicaNotFoundError naming a missing replica and its plan field', async () => {
      rds.on(DescribeDBInstancesCommand).rejects(notFound());

      const error = await start().catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ReplicaNotFoundError);
      expect((error as Error).message).toContain(
        `read replica ${REPLICA_ID} not found in us-west-2: nothing to promote; check resources[0].replicaInstanceId`,
      );
      expect(rds).not.toHaveReceivedCommand(PromoteReadReplicaCommand);
    });

    it('throws AccessDeniedError when the role may not promote', async () => {
      rds.on(PromoteReadReplicaCommand).rejects(accessDenied());

      await expect(start()).rejects.toThrow(AccessDeniedError);
    });
  });
});
