// Fixtures of the RDS types' tests: the example plans' resources "db" (warm-standby: an
// rds-read-replica; backup-restore: an rds-snapshot-restore), RDS shapes for their replica,
// snapshots and drill instances, and step events run through the family's runStep.
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { type DescribeKeyCommandOutput, type KeyState, KMSClient } from '@aws-sdk/client-kms';
import { type DBInstance, type DBSnapshot, RDSClient } from '@aws-sdk/client-rds';
import type { DatabaseClients } from '../../../functions/database/clients.ts';
import { drillInstanceId } from '../../../functions/database/restore-target.ts';
import { databaseSteps } from '../../../functions/database/steps.ts';
import { runStep } from '../../../functions/shared/family-handler.ts';
import type {
  Action,
  Mode,
  ProgressResult,
  ReadinessResult,
  StepContext,
  StepEvent,
} from '../../../functions/shared/step-contract.ts';
import { type DrPlan, planSchema } from '../../../plan/schema.ts';
import {
  awsError,
  examplePlan,
  examplePlanInput,
  RUN_ID,
  RUN_STARTED_AT,
  testClock,
} from '../../fixtures.ts';

/** warm-standby: plan "shop", recovery region us-west-2, resource "db" is an rds-read-replica. */
export const RECOVERY_REGION = 'us-west-2';
export const PRIMARY_ID = 'shop-db';
export const REPLICA_ID = 'shop-db-replica';
export const PRIMARY_ARN = `arn:aws:rds:us-east-1:123456789012:db:${PRIMARY_ID}`;
export const DRILL_ID = drillInstanceId('shop', RUN_ID, 'db');

/** backup-restore: plan "reports", recovery region us-west-1, resource "db" is an rds-snapshot-restore. */
export const SOURCE_ID = 'reports-db';
export const RESTORED_ID = 'reports-db-recovered';
export const RESTORE_DRILL_ID = drillInstanceId('reports', RUN_ID, 'db');

export const KMS_KEY = 'arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
export const OTHER_KMS_KEY = 'arn:aws:kms:us-west-2:123456789012:key/9999abcd-12ab-34cd-56ef-1234567890ab';

/** A key of backup-restore's recovery region (us-west-1). */
export const RESTORE_KMS_KEY = 'arn:aws:kms:us-west-1:123456789012:key/5678abcd-12ab-34cd-56ef-1234567890ab';

/** What KMS DescribeKey answers for a key in `state`. */
export function keyInState(state: KeyState, arn = KMS_KEY): Omit<DescribeKeyCommandOutput, '$metadata'> {
  return {
    KeyMetadata: {
      KeyId: arn.split('/')[1],
      Arn: arn,
      KeyState: state,
      Enabled: state === 'Enabled',
      KeyManager: 'CUSTOMER',
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
    },
  };
}

export const warmStandby = (): DrPlan => examplePlan('warm-standby');
export const backupRestore = (): DrPlan => examplePlan('backup-restore');

/** An example plan with its resource "db" changed by `edit` (before validation and defaults). */
export function withDb(name: 'warm-standby' | 'backup-restore', edit: (db: Record<string, unknown>) => void) {
  const input = examplePlanInput(name);
  const db = input.resources.find((r) => r.id === 'db');
  if (!db) throw new Error(`${name} has no resource "db"`);
  edit(db as unknown as Record<string, unknown>);
  return planSchema.parse(input);
}

/** warm-standby with a second read replica, "ledger", next to "db". */
export const LEDGER_REPLICA_ID = 'ledger-db-replica';
export function twoReplicasPlan(): DrPlan {
  const input = examplePlanInput('warm-standby');
  input.resources.splice(1, 0, {
    id: 'ledger',
    type: 'rds-read-replica',
    primaryInstanceId: 'ledger-db',
    replicaInstanceId: LEDGER_REPLICA_ID,
    drill: { instanceClass: 'db.t3.small' },
  });
  return planSchema.parse(input);
}

/** Real clients (their `send` is stubbed by the test file's mockClient). */
export function databaseClients(region = RECOVERY_REGION): DatabaseClients {
  return {
    rds: new RDSClient({ region }),
    cloudwatch: new CloudWatchClient({ region }),
    dynamodb: new DynamoDBClient({ region }),
    ec2: new EC2Client({ region }),
    kms: new KMSClient({ region }),
  };
}

export interface EventOptions {
  mode?: Mode;
  plan?: DrPlan;
  state?: Record<string, unknown> | undefined;
  resource?: string;
  runId?: string;
}

/** A step event as the state machine sends it; resource "db" of warm-standby unless told. */
export function rdsEvent(action: Action, options: EventOptions = {}): StepEvent {
  return {
    action,
    plan: options.plan ?? warmStandby(),
    run: { id: options.runId ?? RUN_ID, mode: options.mode ?? 'failover', startedAt: RUN_STARTED_AT },
    resource: options.resource ?? 'db',
    ...(options.state ? { state: options.state } : {}),
  };
}

/** A start, check or revert through the family's runStep, as the Lambda runs it. */
export async function progress(
  action: Exclude<Action, 'readiness'>,
  options: EventOptions = {},
  clock: StepContext = testClock(),
): Promise<ProgressResult> {
  return (await runStep(
    databaseSteps,
    () => databaseClients(),
    rdsEvent(action, options),
    clock,
  )) as ProgressResult;
}

/** Readiness through the family's runStep. */
export async function readiness(
  options: EventOptions = {},
  clock: StepContext = testClock(),
): Promise<ReadinessResult> {
  return (await runStep(
    databaseSteps,
    () => databaseClients(),
    rdsEvent('readiness', { mode: 'dry-run', ...options }),
    clock,
  )) as ReadinessResult;
}

/** The check of a readiness result named `name`. */
export function checkNamed(result: ReadinessResult, name: string) {
  const found = result.checks.find((c) => c.name === name);
  if (!found) throw new Error(`no check named ${name} in ${JSON.stringify(result.checks)}`);
  return found;
}

/** A date `seconds` before the run started (negative: after). */
export function secondsBeforeStart(seconds: number): Date {
  return new Date(new Date(RUN_STARTED_AT).getTime() - seconds * 1000);
}

/** The warm-standby plan's cross-region read replica, healthy and replicating. */
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

/** An instance a run restored for a resource: by default the drill instance of "db" in RUN_ID. */
export function restoredInstance(
  overrides: Partial<DBInstance> = {},
  owner: { plan?: string; runId?: string; resource?: string; purpose?: string; id?: string } = {},
): DBInstance {
  return {
    DBInstanceIdentifier: owner.id ?? DRILL_ID,
    DBInstanceStatus: 'available',
    InstanceCreateTime: new Date(RUN_STARTED_AT),
    TagList: [
      { Key: 'dr-runbook:plan', Value: owner.plan ?? 'shop' },
      { Key: 'dr-runbook:run-id', Value: owner.runId ?? RUN_ID },
      { Key: 'dr-runbook:purpose', Value: owner.purpose ?? 'drill' },
      { Key: 'dr-runbook:resource', Value: owner.resource ?? 'db' },
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
    Encrypted: false,
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

export const startedState = (operation: string, instanceId: string, extra: Record<string, unknown> = {}) => ({
  operation,
  instanceId,
  startedAt: RUN_STARTED_AT,
  ...extra,
});
