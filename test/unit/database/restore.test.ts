import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  PromoteReadReplicaCommand,
  RDSClient,
  RestoreDBInstanceFromDBSnapshotCommand,
} from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { drillInstanceId } from '../../../functions/database/restore-target.ts';
import { databaseSteps } from '../../../functions/database/steps.ts';
import {
  AccessDeniedError,
  InvalidResourceStateError,
  ReplicaNotFoundError,
  SnapshotNotFoundError,
  TransientAwsError,
} from '../../../functions/shared/errors.ts';
import type { DrPlan } from '../../../functions/shared/step-contract.ts';
import {
  accessDenied,
  awsError,
  RUN_ID,
  RUN_STARTED_AT,
  stepEvent,
  testClock,
  throttling,
} from '../../fixtures.ts';
import {
  DRILL_ID,
  databaseClients,
  drillInstance,
  notFound,
  PRIMARY_ID,
  REPLICA_ID,
  replica,
  restorePlan,
  snapshot,
} from './database-fixtures.ts';

const rds = mockClient(RDSClient);
const cloudwatch = mockClient(CloudWatchClient);

const drillStart = (state?: Record<string, unknown>, plan?: DrPlan) =>
  databaseSteps.start(stepEvent('start', { mode: 'drill', state, plan }), databaseClients(), testClock());

/** The replica is there, the drill instance is not yet, two snapshots exist (newest 2 h old). */
function drillEnvironment() {
  rds
    .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: REPLICA_ID })
    .resolves({ DBInstances: [replica()] });
  rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: DRILL_ID }).rejects(notFound());
  rds.on(DescribeDBSnapshotsCommand).resolves({
    DBSnapshots: [
      snapshot('shop-db-copy-old', 26),
      snapshot('shop-db-copy-new', 2, { DBInstanceIdentifier: PRIMARY_ID }),
    ],
  });
  rds
    .on(RestoreDBInstanceFromDBSnapshotCommand)
    .resolves({ DBInstance: drillInstance({ DBInstanceStatus: 'creating' }) });
}

describe('drillInstanceId', () => {
  it('derives a valid RDS identifier from the run id, the same on every re-run', () => {
    const longPlan = `a${'b'.repeat(38)}c`;
    const longRun = 'R'.repeat(64);

    const id = drillInstanceId(longPlan, longRun);

    expect(id).toBe(drillInstanceId(longPlan, longRun));
    expect(id.length).toBeLessThanOrEqual(63);
    expect(id).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
    expect(DRILL_ID).toMatch(/^drill-shop-[0-9a-f]{8}$/);
    expect(drillInstanceId('shop', 'run-2')).not.toBe(drillInstanceId('shop', 'run-3'));
  });
});

describe('start (drill: restore the newest snapshot to a temporary instance)', () => {
  beforeEach(() => {
    rds.reset();
    cloudwatch.reset();
  });

  it('restores the newest snapshot with the replica network, drill settings and run tags; never promotes', async () => {
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
      ],
    });
    expect(rds).toHaveReceivedCommandWith(DescribeDBSnapshotsCommand, {
      Filters: [{ Name: 'db-instance-id', Values: [PRIMARY_ID, REPLICA_ID] }],
    });
    expect(rds).not.toHaveReceivedCommand(PromoteReadReplicaCommand);
    expect(result).toMatchObject({
      done: false,
      nextCheckSeconds: 2,
      state: {
        operation: 'restore',
        instanceId: DRILL_ID,
        snapshotId: 'shop-db-copy-new',
        startedAt: RUN_STARTED_AT,
      },
      changes: [{ resource: DRILL_ID, action: 'restore-db-instance-from-snapshot' }],
      measurements: { rpoSeconds: 7200, snapshotId: 'shop-db-copy-new' },
    });
  });

  it('uses the replica class when the plan names none', async () => {
    drillEnvironment();
    const plan = stepEvent('start').plan;
    if (plan.database.strategy === 'promote-read-replica') plan.database.drill.instanceClass = undefined;

    await drillStart(undefined, plan);

    expect(rds).toHaveReceivedCommandWith(RestoreDBInstanceFromDBSnapshotCommand, {
      DBInstanceClass: 'db.r6g.large',
    });
  });

  it('treats its own available drill instance as done on a re-run, restoring nothing', async () => {
    drillEnvironment();
    rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: DRILL_ID })
      .resolves({ DBInstances: [drillInstance()] });

    const result = await drillStart({
      operation: 'restore',
      instanceId: DRILL_ID,
      snapshotId: 'snap',
      startedAt: RUN_STARTED_AT,
    });

    expect(result).toMatchObject({ done: true, state: { snapshotId: 'snap' } });
    expect(rds).not.toHaveReceivedCommand(RestoreDBInstanceFromDBSnapshotCommand);
  });

  it('never adopts an instance with the drill name that another run created', async () => {
    drillEnvironment();
    rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: DRILL_ID })
      .resolves({ DBInstances: [drillInstance({}, 'some-other-run')] });

    const error = await drillStart().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidResourceStateError);
    expect((error as Error).message).toContain(
      `${DRILL_ID} already exists and was not created by run ${RUN_ID}`,
    );
    expect(rds).not.toHaveReceivedCommand(RestoreDBInstanceFromDBSnapshotCommand);
  });

  it('continues polling when the restore reports the instance already exists (a racing attempt won)', async () => {
    drillEnvironment();
    rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: DRILL_ID })
      .rejectsOnce(notFound())
      .resolves({ DBInstances: [drillInstance({ DBInstanceStatus: 'creating' })] });
    rds.on(RestoreDBInstanceFromDBSnapshotCommand).rejects(awsError('DBInstanceAlreadyExistsFault'));

    const result = await drillStart();

    expect(result).toMatchObject({ done: false, state: { operation: 'restore', instanceId: DRILL_ID } });
    expect(result.nextCheckSeconds).toBeGreaterThan(0);
  });

  it('polls start then check until the restored instance is available', async () => {
    drillEnvironment();
    rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: DRILL_ID })
      .rejectsOnce(notFound())
      .resolvesOnce({ DBInstances: [drillInstance({ DBInstanceStatus: 'creating' })] })
      .resolvesOnce({ DBInstances: [drillInstance({ DBInstanceStatus: 'available' })] });
    const clock = testClock();
    const started = await databaseSteps.start(
      stepEvent('start', { mode: 'drill' }),
      databaseClients(),
      clock,
    );
    const check = (state: Record<string, unknown>) =>
      databaseSteps.check(stepEvent('check', { mode: 'drill', state }), databaseClients(), clock);

    clock.advance(300);
    const first = await check(started.state);
    clock.advance(300);
    const second = await check(first.state);

    expect(first.done).toBe(false);
    expect(first.nextCheckSeconds).toBe(9);
    expect(second).toMatchObject({ done: true, nextCheckSeconds: 0 });
    expect(rds).toHaveReceivedCommandTimes(RestoreDBInstanceFromDBSnapshotCommand, 1);
  });

  it('throws SnapshotNotFoundError when no snapshot is available in the recovery region', async () => {
    drillEnvironment();
    rds
      .on(DescribeDBSnapshotsCommand)
      .resolves({ DBSnapshots: [snapshot('half-done', 1, { Status: 'creating' })] });

    const error = await drillStart().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SnapshotNotFoundError);
    expect((error as Error).message).toContain(`${PRIMARY_ID} or ${REPLICA_ID} in us-west-2`);
    expect(rds).not.toHaveReceivedCommand(RestoreDBInstanceFromDBSnapshotCommand);
  });

  it('throws ReplicaNotFoundError when the replica whose network the drill copies is missing', async () => {
    drillEnvironment();
    rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: REPLICA_ID }).rejects(notFound());

    await expect(drillStart()).rejects.toThrow(ReplicaNotFoundError);
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

describe('start (restore-latest-snapshot)', () => {
  beforeEach(() => {
    rds.reset();
    cloudwatch.reset();
  });

  it('restores the newest snapshot of the source to the plan instance on failover, tagged as failover', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(notFound());
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [snapshot('nightly', 5)] });
    rds.on(RestoreDBInstanceFromDBSnapshotCommand).resolves({});

    const result = await databaseSteps.start(
      stepEvent('start', { mode: 'failover', plan: restorePlan('db.m6g.large') }),
      databaseClients(),
      testClock(),
    );

    const input = rds.commandCalls(RestoreDBInstanceFromDBSnapshotCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      DBInstanceIdentifier: 'shop-db-restored',
      DBSnapshotIdentifier: 'nightly',
      DBInstanceClass: 'db.m6g.large',
      PubliclyAccessible: false,
    });
    expect(input?.Tags).toContainEqual({ Key: 'dr-runbook:purpose', Value: 'failover' });
    expect(input).not.toHaveProperty('MultiAZ');
    expect(input).not.toHaveProperty('DBSubnetGroupName');
    expect(rds).toHaveReceivedCommandWith(DescribeDBSnapshotsCommand, {
      Filters: [{ Name: 'db-instance-id', Values: [PRIMARY_ID] }],
    });
    expect(result).toMatchObject({ done: false, measurements: { rpoSeconds: 18000, snapshotId: 'nightly' } });
  });

  it('drills into a temporary instance, not the plan instance', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(notFound());
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [snapshot('nightly', 5)] });
    rds.on(RestoreDBInstanceFromDBSnapshotCommand).resolves({});

    await drillStart(undefined, restorePlan());

    expect(rds).toHaveReceivedCommandWith(RestoreDBInstanceFromDBSnapshotCommand, {
      DBInstanceIdentifier: DRILL_ID,
      MultiAZ: false,
      DeletionProtection: false,
    });
  });

  it('polls an existing plan instance on a failover re-run instead of restoring a second copy', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [{ DBInstanceIdentifier: 'shop-db-restored', DBInstanceStatus: 'creating' }],
    });

    const result = await databaseSteps.start(
      stepEvent('start', { mode: 'failover', plan: restorePlan() }),
      databaseClients(),
      testClock(),
    );

    expect(result).toMatchObject({
      done: false,
      state: { operation: 'restore', instanceId: 'shop-db-restored' },
    });
    expect(rds).not.toHaveReceivedCommand(RestoreDBInstanceFromDBSnapshotCommand);
    expect(rds).not.toHaveReceivedCommand(DescribeDBSnapshotsCommand);
  });
});
