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
import { drillInstanceId } from '../../../functions/database/restore-target.ts';
import {
  AccessDeniedError,
  InvalidResourceStateError,
  ReplicaNotFoundError,
  SnapshotNotFoundError,
  TransientAwsError,
} from '../../../functions/shared/errors.ts';
import { mockClient } from '../../aws-mock.ts';
import { accessDenied, awsError, RUN_ID, RUN_STARTED_AT, testClock, throttling } from '../../fixtures.ts';
import {
  DRILL_ID,
  lagPoint,
  notFound,
  PRIMARY_ID,
  progress,
  REPLICA_ID,
  replica,
  restoredInstance,
  secondsBeforeStart,
  snapshot,
  startedState,
  warmStandby,
  withDb,
} from './database-fixtures.ts';

describe('rds-read-replica-drill', () => {
  const rds = mockClient(RDSClient);
  const cloudwatch = mockClient(CloudWatchClient);

  const drillStart = (
    options: { state?: Record<string, unknown>; plan?: ReturnType<typeof warmStandby> } = {},
  ) => progress('start', { mode: 'drill', ...options });

  /** The replica is there, the drill instance is not yet, two snapshots exist (newest 2 h old), lag 12 s. */
  function drillEnvironment() {
    rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: REPLICA_ID })
      .resolves({ DBInstances: [replica()] });
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: DRILL_ID }).rejects(notFound());
    rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [snapshot('shop-db-copy-old', 26), snapshot('shop-db-copy-new', 2)],
    });
    rds
      .on(RestoreDBInstanceFromDBSnapshotCommand)
      .resolves({ DBInstance: restoredInstance({ DBInstanceStatus: 'creating' }) });
    cloudwatch.on(GetMetricStatisticsCommand).resolves({ Datapoints: [lagPoint(120, 30), lagPoint(60, 12)] });
  }

  describe('drillInstanceId', () => {
    it('derives a valid RDS identifier from the run and the resource, the same on every re-run', () => {
      const longPlan = `a${'b'.repeat(38)}c`;
      const longRun = 'R'.repeat(64);
      const longResource = `r${'x'.repeat(62)}`;

      const id = drillInstanceId(longPlan, longRun, longResource);

      expect(id).toBe(drillInstanceId(longPlan, longRun, longResource));
      expect(id.length).toBeLessThanOrEqual(63);
      expect(id).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
      expect(DRILL_ID).toMatch(/^drill-shop-[0-9a-f]{8}$/);
      expect(drillInstanceId('shop', 'run-2', 'db')).not.toBe(drillInstanceId('shop', 'run-3', 'db'));
      expect(drillInstanceId('shop', RUN_ID, 'db')).not.toBe(drillInstanceId('shop', RUN_ID, 'ledger'));
    });
  });

  describe('rds-read-replica drill: restore the newest snapshot to a temporary instance', () => {
    beforeEach(() => {
      rds.reset();
      cloudwatch.reset();
    });

    it('restores the newest snapshot with the replica placement, drill settings and run tags; never promotes', async () => {
      drillEnvironment();

      const result = await drillStart();

      expect(rds).toHaveReceivedCommandTimes(RestoreDBInstanceFromDBSnapshotCommand, 1);
      expect(rds.commandCalls(RestoreDBInstanceFromDBSnapshotCommand)[0]?.args[0].input).toEqual({
        DBInstanceIdentifier: DRILL_ID,
        DBSnapshotIdentifier: 'shop-db-copy-new',
        DBInstanceClass: 'db.t3.micro',
        DBSubnetGroupName: 'shop-db-subnets',
        VpcSecurityGroupIds: ['sg-0db1'],
        MultiAZ: false,
        DeletionProtection: false,
        PubliclyAccessible: false,
        Tags: [
          { Key: 'team', Value: 'sre' },
          { Key: 'app', Value: 'shop' },
          { Key: 'dr-runbook:plan', Value: 'shop' },
          { Key: 'dr-runbook:run-id', Value: RUN_ID },
          { Key: 'dr-runbook:purpose', Value: 'drill' },
          { Key: 'dr-runbook:resource', Value: 'db' },
        ],
      });
      expect(rds).toHaveReceivedCommandWith(DescribeDBSnapshotsCommand, {
        Filters: [{ Name: 'db-instance-id', Values: [PRIMARY_ID, REPLICA_ID] }],
      });
      expect(rds).not.toHaveReceivedCommand(PromoteReadReplicaCommand);
      expect(result).toMatchObject({
        resource: 'db',
        type: 'rds-read-replica',
        done: false,
        nextCheckSeconds: 2,
        state: {
          operation: 'restore',
          instanceId: DRILL_ID,
          snapshotId: 'shop-db-copy-new',
          startedAt: RUN_STARTED_AT,
        },
        changes: [{ resource: DRILL_ID, action: 'restore-db-instance-from-snapshot' }],
      });
    });

    it('measures what a failover would: the RPO is the replica lag at the restore, not the snapshot age', async () => {
      drillEnvironment();
      const plan = warmStandby();

      const result = await drillStart({ plan });

      expect(result.measurements).toEqual({
        rpoSeconds: 12,
        rpoMeasuredAt: secondsBeforeStart(60).toISOString(),
        snapshotId: 'shop-db-copy-new',
        snapshotAgeSeconds: 7200,
      });
      expect(cloudwatch).toHaveReceivedCommandWith(GetMetricStatisticsCommand, {
        Namespace: 'AWS/RDS',
        MetricName: 'ReplicaLag',
        Dimensions: [{ Name: 'DBInstanceIdentifier', Value: REPLICA_ID }],
        StartTime: secondsBeforeStart(300),
        Statistics: ['Maximum'],
      });
      // The objective (300 s) is met by the lag; the 2 h old snapshot would have missed it.
      const rpo = result.measurements?.rpoSeconds as number;
      expect(rpo).toBeLessThanOrEqual(plan.objectives.rpoSeconds);
      expect(result.measurements?.snapshotAgeSeconds as number).toBeGreaterThan(plan.objectives.rpoSeconds);
      expect(result.detail).toContain(`RPO 12 s (ReplicaLag of ${REPLICA_ID}`);
    });

    it('omits the RPO, saying why, when the lag cannot be read: never the snapshot age instead', async () => {
      drillEnvironment();
      cloudwatch.on(GetMetricStatisticsCommand).resolvesOnce({ Datapoints: [] }).rejectsOnce(accessDenied());

      const silent = await drillStart();
      const denied = await drillStart();

      for (const result of [silent, denied]) {
        expect(result.measurements).not.toHaveProperty('rpoSeconds');
      }
      expect(silent.measurements).toMatchObject({
        snapshotAgeSeconds: 7200,
        note: expect.stringContaining(`no ReplicaLag datapoint for ${REPLICA_ID}`),
      });
      expect(silent.detail).toContain('RPO not measured');
      expect(rds).toHaveReceivedCommandTimes(RestoreDBInstanceFromDBSnapshotCommand, 2);
      expect(denied.measurements?.note).toContain(`ReplicaLag of ${REPLICA_ID} unreadable`);
    });

    it('sends the placement the plan names instead of the replica’s', async () => {
      drillEnvironment();
      const plan = withDb('warm-standby', (db) => {
        db.drill = {
          instanceClass: 'db.t3.small',
          dbSubnetGroupName: 'drill-subnets',
          vpcSecurityGroupIds: ['sg-0123456789abcdef0', 'sg-0fedcba987654321f'],
          dbParameterGroupName: 'shop-pg16',
        };
      });

      await drillStart({ plan });

      expect(rds).toHaveReceivedCommandWith(RestoreDBInstanceFromDBSnapshotCommand, {
        DBInstanceClass: 'db.t3.small',
        DBSubnetGroupName: 'drill-subnets',
        VpcSecurityGroupIds: ['sg-0123456789abcdef0', 'sg-0fedcba987654321f'],
        DBParameterGroupName: 'shop-pg16',
      });
    });

    it('uses the replica class when the plan names none, and no parameter group unless told', async () => {
      drillEnvironment();
      const plan = withDb('warm-standby', (db) => {
        db.drill = {};
      });

      await drillStart({ plan });

      const input = rds.commandCalls(RestoreDBInstanceFromDBSnapshotCommand)[0]?.args[0].input;
      expect(input).toMatchObject({ DBInstanceClass: 'db.r6g.large', DBSubnetGroupName: 'shop-db-subnets' });
      expect(input).not.toHaveProperty('DBParameterGroupName');
    });

    it('is idempotent: its own available drill instance is done on a re-run, restoring nothing', async () => {
      drillEnvironment();
      rds
        .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: DRILL_ID })
        .resolves({ DBInstances: [restoredInstance()] });
      const earlier = {
        ...startedState('restore', DRILL_ID, { snapshotId: 'snap' }),
        measurements: { rpoSeconds: 12 },
      };

      const result = await drillStart({ state: earlier });

      expect(result).toMatchObject({
        done: true,
        state: { snapshotId: 'snap' },
        measurements: { rpoSeconds: 12 },
      });
      expect(result.detail).toContain('created by this run');
      expect(rds).not.toHaveReceivedCommand(RestoreDBInstanceFromDBSnapshotCommand);
      expect(cloudwatch).not.toHaveReceivedCommand(GetMetricStatisticsCommand);
    });

    it('reads the lag when it adopts its own instance whose start result was lost', async () => {
      drillEnvironment();
      rds
        .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: DRILL_ID })
        .resolves({ DBInstances: [restoredInstance({ DBInstanceStatus: 'creating' })] });

      const result = await drillStart();

      expect(result).toMatchObject({ done: false, measurements: { rpoSeconds: 12 } });
      expect(rds).not.toHaveReceivedCommand(RestoreDBInstanceFromDBSnapshotCommand);
    });

    it('never adopts an instance with the drill name that another run, or another resource, created', async () => {
      drillEnvironment();
      rds
        .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: DRILL_ID })
        .resolvesOnce({ DBInstances: [restoredInstance({}, { runId: 'some-other-run' })] })
        .resolvesOnce({ DBInstances: [restoredInstance({}, { resource: 'ledger' })] });

      const otherRun = await drillStart().catch((e: unknown) => e);
      const otherResource = await drillStart().catch((e: unknown) => e);

      expect(otherRun).toBeInstanceOf(InvalidResourceStateError);
      expect((otherRun as Error).message).toContain(
        `${DRILL_ID} already exists and was not created by run ${RUN_ID} for db`,
      );
      expect(otherResource).toBeInstanceOf(InvalidResourceStateError);
      expect((otherResource as Error).message).toContain('dr-runbook:resource=ledger');
      expect(rds).not.toHaveReceivedCommand(RestoreDBInstanceFromDBSnapshotCommand);
    });

    it('continues polling when the restore reports the instance already exists (a racing attempt won)', async () => {
      drillEnvironment();
      rds
        .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: DRILL_ID })
        .rejectsOnce(notFound())
        .resolves({ DBInstances: [restoredInstance({ DBInstanceStatus: 'creating' })] });
      rds.on(RestoreDBInstanceFromDBSnapshotCommand).rejects(awsError('DBInstanceAlreadyExistsFault'));

      const result = await drillStart();

      expect(result).toMatchObject({ done: false, state: { operation: 'restore', instanceId: DRILL_ID } });
      expect(result.nextCheckSeconds).toBeGreaterThan(0);
    });

    it('polls start then check until the copy is available, reporting the restore time and keeping the RPO', async () => {
      drillEnvironment();
      rds
        .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: DRILL_ID })
        .rejectsOnce(notFound())
        .resolvesOnce({ DBInstances: [restoredInstance({ DBInstanceStatus: 'creating' })] })
        .resolvesOnce({ DBInstances: [restoredInstance({ DBInstanceStatus: 'available' })] })
        .resolves({ DBInstances: [restoredInstance({ DBInstanceStatus: 'available' })] });
      const clock = testClock();
      const check = (state: Record<string, unknown>) => progress('check', { mode: 'drill', state }, clock);

      const started = await progress('start', { mode: 'drill' }, clock);
      clock.advance(300);
      const first = await check(started.state);
      clock.advance(300);
      const second = await check(first.state);
      clock.advance(60);
      const rerun = await check(second.state);

      expect(first.done).toBe(false);
      expect(first.nextCheckSeconds).toBe(9);
      expect(second).toMatchObject({
        done: true,
        nextCheckSeconds: 0,
        measurements: { rpoSeconds: 12, snapshotAgeSeconds: 7200, restoreSeconds: 600, elapsedSeconds: 600 },
      });
      expect(rerun).toMatchObject({ done: true, measurements: { restoreSeconds: 600, elapsedSeconds: 660 } });
      expect(rds).toHaveReceivedCommandTimes(RestoreDBInstanceFromDBSnapshotCommand, 1);
      expect(cloudwatch).toHaveReceivedCommandTimes(GetMetricStatisticsCommand, 1);
    });

    it('throws SnapshotNotFoundError when no snapshot is available in the recovery region', async () => {
      drillEnvironment();
      rds
        .on(DescribeDBSnapshotsCommand)
        .resolves({ DBSnapshots: [snapshot('half-done', 1, { Status: 'creating' })] });

      const error = await drillStart().catch((e: unknown) => e);

      expect(error).toBeInstanceOf(SnapshotNotFoundError);
      expect((error as Error).message).toContain(`${PRIMARY_ID} or ${REPLICA_ID}`);
      expect((error as Error).message).toContain('in us-west-2');
      expect(rds).not.toHaveReceivedCommand(RestoreDBInstanceFromDBSnapshotCommand);
    });

    it('throws ReplicaNotFoundError, naming the field, when the replica it stands in for is missing', async () => {
      drillEnvironment();
      rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: REPLICA_ID }).rejects(notFound());

      const error = await drillStart().catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ReplicaNotFoundError);
      expect((error as Error).message).toContain('resources[0].replicaInstanceId');
      expect(rds).not.toHaveReceivedCommand(RestoreDBInstanceFromDBSnapshotCommand);
    });

    it('throws TransientAwsError when throttled, and restores once when Step Functions retries', async () => {
      drillEnvironment();
      rds
        .on(DescribeDBSnapshotsCommand)
        .rejectsOnce(throttling())
        .resolves({ DBSnapshots: [snapshot('s1', 1)] });

      await expect(drillStart()).rejects.toThrow(TransientAwsError);
      const retried = await drillStart();

      expect(retried.state).toMatchObject({ snapshotId: 's1' });
      expect(rds).toHaveReceivedCommandTimes(RestoreDBInstanceFromDBSnapshotCommand, 1);
    });

    it('throws AccessDeniedError when the role may not restore', async () => {
      drillEnvironment();
      rds.on(RestoreDBInstanceFromDBSnapshotCommand).rejects(accessDenied());

      await expect(drillStart()).rejects.toThrow(AccessDeniedError);
    });
  });
});
