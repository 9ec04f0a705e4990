// Fixtures of the database family's tests: RDS shapes for the example plan's replica, snapshots
// and drill instances, and a restore-latest-snapshot variant of the example plan.
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { type DBInstance, type DBSnapshot, RDSClient } from '@aws-sdk/client-rds';
import type { DatabaseClients } from '../../../functions/database/clients.ts';
import { drillInstanceId } from '../../../functions/database/restore-target.ts';
import { type DrPlan, planSchema } from '../../../plan/schema.ts';
import { awsError, examplePlanInput, RUN_ID, RUN_STARTED_AT } from '../../fixtures.ts';

export const RECOVERY_REGION = 'us-west-2';
export const PRIMARY_ID = 'shop-db';
export const REPLICA_ID = 'shop-db-replica';
export const PRIMARY_ARN = `arn:aws:rds:us-east-1:123456789012:db:${PRIMARY_ID}`;
export const DRILL_ID = drillInstanceId('shop', RUN_ID);

/** Real clients (their `send` is stubbed by the test file's mockClient). */
export function databaseClients(): DatabaseClients {
  return {
    rds: new RDSClient({ region: RECOVERY_REGION }),
    cloudwatch: new CloudWatchClient({ region: RECOVERY_REGION }),
  };
}

/** A date `seconds` before the run started (negative: after). */
export function secondsBeforeStart(seconds: number): Date {
  return new Date(new Date(RUN_STARTED_AT).getTime() - seconds * 1000);
}

/** The example plan's cross-region read replica, healthy and replicating. */
export function replica(overrides: Partial<DBInstance> = {}): DBInstance {
  return {
    DBInstanceIdentifier: REPLICA_ID,
    DBInstanceStatus: 'available',
    DBInstanceClass: 'db.r6g.large',
    ReadReplicaSourceDBInstanceIdentifier: PRIMARY_ARN,
    BackupRetentionPeriod: 0,
    DBSubnetGroup: { DBSubnetGroupName: 'shop-db-subnets' },
    VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-0db1', Status: 'active' }],
    Endpoint: { Address: `${REPLICA_ID}.abc.us-west-2.rds.amazonaws.com`, Port: 5432 },
    ...overrides,
  };
}

/** An instance the drill of RUN_ID restored. */
export function drillInstance(overrides: Partial<DBInstance> = {}, runId = RUN_ID): DBInstance {
  return {
    DBInstanceIdentifier: DRILL_ID,
    DBInstanceStatus: 'available',
    InstanceCreateTime: new Date(RUN_STARTED_AT),
    TagList: [
      { Key: 'dr-runbook:plan', Value: 'shop' },
      { Key: 'dr-runbook:run-id', Value: runId },
      { Key: 'dr-runbook:purpose', Value: 'drill' },
    ],
    ...overrides,
  };
}

/** An available snapshot taken `hoursOld` hours before the run started. */
export function snapshot(id: string, hoursOld: number, overrides: Partial<DBSnapshot> = {}): DBSnapshot {
  return {
    DBSnapshotIdentifier: id,
    DBSnapshotArn: `arn:aws:rds:us-west-2:123456789012:snapshot:${id}`,
    DBInstanceIdentifier: PRIMARY_ID,
    Status: 'available',
    SnapshotCreateTime: secondsBeforeStart(hoursOld * 3600),
    ...overrides,
  };
}

/** A ReplicaLag datapoint `secondsAgo` before the run started. */
export function lagPoint(secondsAgo: number, lagSeconds: number) {
  return { Timestamp: secondsBeforeStart(secondsAgo), Maximum: lagSeconds, Unit: 'Seconds' as const };
}

export const notFound = () => awsError('DBInstanceNotFoundFault', 404, 'DBInstance not found');
export const invalidState = () =>
  awsError('InvalidDBInstanceStateFault', 400, 'Instance is not in available state');

/** The example plan using the backup-and-restore strategy. */
export function restorePlan(instanceClass?: string): DrPlan {
  const input = examplePlanInput();
  input.database = {
    strategy: 'restore-latest-snapshot',
    sourceInstanceId: PRIMARY_ID,
    restoredInstanceId: 'shop-db-restored',
    ...(instanceClass ? { instanceClass } : {}),
  };
  return planSchema.parse(input);
}

/** The example plan with no database to recover. */
export function noDatabasePlan(): DrPlan {
  const input = examplePlanInput();
  input.database = { strategy: 'none' };
  return planSchema.parse(input);
}
