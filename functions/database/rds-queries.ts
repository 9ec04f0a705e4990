// Read-only RDS and CloudWatch queries shared by the database steps, and the RDS error codes
// they recognise (the SDK's exception names, plus the bare wire codes an emulator may return).
import { GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import {
  type DBInstance,
  type DBSnapshot,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
} from '@aws-sdk/client-rds';
import { awsCall, awsErrorName } from '../shared/aws-errors.ts';
import type { DatabaseClients } from './clients.ts';

export const INSTANCE_NOT_FOUND = ['DBInstanceNotFoundFault', 'DBInstanceNotFound'] as const;
export const INSTANCE_ALREADY_EXISTS = ['DBInstanceAlreadyExistsFault', 'DBInstanceAlreadyExists'] as const;
export const INVALID_INSTANCE_STATE = ['InvalidDBInstanceStateFault', 'InvalidDBInstanceState'] as const;

export const TAG_PLAN = 'dr-runbook:plan';
export const TAG_RUN_ID = 'dr-runbook:run-id';
export const TAG_PURPOSE = 'dr-runbook:purpose';
/** The plan resource (its id) a run created the instance for: two resources of a plan never share one. */
export const TAG_RESOURCE = 'dr-runbook:resource';

/** Whether an SDK error carries one of these AWS error codes. */
export function isAwsError(error: unknown, names: readonly string[]): boolean {
  const name = awsErrorName(error);
  return name !== undefined && names.includes(name);
}

/** The DB instance, or undefined when it does not exist. */
export async function findInstance(
  rds: DatabaseClients['rds'],
  instanceId: string,
  operation: string,
): Promise<DBInstance | undefined> {
  return awsCall({ resource: `DB instance ${instanceId}`, operation }, async () => {
    try {
      const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: instanceId }));
      return out.DBInstances?.[0];
    } catch (error) {
      if (isAwsError(error, INSTANCE_NOT_FOUND)) return undefined;
      throw error;
    }
  });
}

/** The value of one tag of a described instance. */
export function tagValue(instance: DBInstance, key: string): string | undefined {
  return instance.TagList?.find((tag) => tag.Key === key)?.Value;
}

/**
 * The newest available snapshot of any of these instances in the client's region. Snapshot copies
 * keep their source's instance id, so this finds cross-region copies of the primary's snapshots.
 */
export async function newestSnapshot(
  rds: DatabaseClients['rds'],
  instanceIds: readonly string[],
): Promise<DBSnapshot | undefined> {
  let newest: DBSnapshot | undefined;
  let marker: string | undefined;
  do {
    const page = await awsCall(
      { resource: `DB snapshots of ${instanceIds.join(', ')}`, operation: 'describe DB snapshots' },
      () =>
        rds.send(
          new DescribeDBSnapshotsCommand({
            Filters: [{ Name: 'db-instance-id', Values: [...instanceIds] }],
            Marker: marker,
          }),
        ),
    );
    for (const snapshot of page.DBSnapshots ?? []) {
      const created = snapshot.SnapshotCreateTime?.getTime();
      if (snapshot.Status !== 'available' || created === undefined) continue;
      if (!newest || created > (newest.SnapshotCreateTime?.getTime() ?? 0)) newest = snapshot;
    }
    marker = page.Marker;
  } while (marker);
  return newest;
}

/** Age of a snapshot in whole seconds at `now` (never negative). */
export function snapshotAgeSeconds(snapshot: DBSnapshot, now: Date): number {
  const created = snapshot.SnapshotCreateTime?.getTime() ?? now.getTime();
  return Math.max(0, Math.round((now.getTime() - created) / 1000));
}

export interface LagDatapoint {
  timestamp: Date;
  /** Maximum ReplicaLag in the period, in seconds. */
  seconds: number;
}

/** One-minute Maximum ReplicaLag datapoints of a replica over the last `windowSeconds`, oldest first. */
export async function replicaLagDatapoints(
  cloudwatch: DatabaseClients['cloudwatch'],
  replicaInstanceId: string,
  windowSeconds: number,
  now: Date,
): Promise<LagDatapoint[]> {
  const out = await awsCall(
    { resource: `ReplicaLag metric of ${replicaInstanceId}`, operation: 'get metric statistics' },
    () =>
      cloudwatch.send(
        new GetMetricStatisticsCommand({
          Namespace: 'AWS/RDS',
          MetricName: 'ReplicaLag',
          Dimensions: [{ Name: 'DBInstanceIdentifier', Value: replicaInstanceId }],
          StartTime: new Date(now.getTime() - windowSeconds * 1000),
          EndTime: now,
          Period: 60,
          Statistics: ['Maximum'],
        }),
      ),
  );
  return (out.Datapoints ?? [])
    .flatMap((point) =>
      point.Timestamp && point.Maximum !== undefined
        ? [{ timestamp: point.Timestamp, seconds: point.Maximum }]
        : [],
    )
    .sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
}

/** Window searched for the lag at recovery: the newest datapoint in it is the RPO achieved. */
export const LAG_AT_RECOVERY_WINDOW_SECONDS = 300;

/**
 * RPO of a recovery from the replica = its ReplicaLag at that moment (the newest datapoint of the
 * last 5 minutes): read when a failover promotes the replica, and when a drill restores its
 * temporary copy, so a drill measures what a failover would. Never throws: a missing or unreadable
 * metric (the SDK has already retried throttling) is a note, never a reason to delay recovery,
 * and never replaced by another number.
 */
export async function rpoFromReplicaLag(
  cloudwatch: DatabaseClients['cloudwatch'],
  replicaInstanceId: string,
  now: Date,
): Promise<{ rpoSeconds: number; rpoMeasuredAt: string } | { note: string }> {
  try {
    const latest = (
      await replicaLagDatapoints(cloudwatch, replicaInstanceId, LAG_AT_RECOVERY_WINDOW_SECONDS, now)
    ).at(-1);
    if (latest) return { rpoSeconds: latest.seconds, rpoMeasuredAt: latest.timestamp.toISOString() };
    return {
      note: `no ReplicaLag datapoint for ${replicaInstanceId} in the last ${LAG_AT_RECOVERY_WINDOW_SECONDS / 60} minutes: RPO not measured`,
    };
  } catch (error) {
    return {
      note: `ReplicaLag of ${replicaInstanceId} unreadable (${(error as Error).message}): RPO not measured`,
    };
  }
}

/** Period of the ReplicaLag datapoints replicaLagDatapoints reads. */
const LAG_PERIOD_SECONDS = 60;

/**
 * A switchover promotes only once the newest datapoint's period ended at most this long ago: two
 * periods. RDS publishes ReplicaLag every minute and CloudWatch shows it a minute or two late, so a
 * replicating instance always has one this fresh; an older one says nothing of the lag now.
 */
export const CAUGHT_UP_MAX_AGE_SECONDS = 2 * LAG_PERIOD_SECONDS;

export type CaughtUp =
  | { caughtUp: true; rpoSeconds: 0; rpoMeasuredAt: string }
  | { caughtUp: false; why: string };

/**
 * Whether a switchover may promote the replica now, losing nothing: its newest ReplicaLag datapoint
 * of the last 5 minutes is exactly 0 (the maximum of its minute, so every sample in it was 0; -1,
 * which MySQL and MariaDB report while replication is not running, is not caught up) and its
 * period ended at most CAUGHT_UP_MAX_AGE_SECONDS ago. No datapoint, or only an older one, is "not
 * yet": a lag read minutes ago says nothing of the writes since. The RPO measured is that
 * datapoint's 0. Errors reading the metric propagate (classified by awsCall): a switchover never
 * promotes on a lag it could not read.
 */
export async function caughtUpLag(
  cloudwatch: DatabaseClients['cloudwatch'],
  replicaInstanceId: string,
  now: Date,
): Promise<CaughtUp> {
  const latest = (
    await replicaLagDatapoints(cloudwatch, replicaInstanceId, LAG_AT_RECOVERY_WINDOW_SECONDS, now)
  ).at(-1);
  if (!latest) {
    return {
      caughtUp: false,
      why: `no ReplicaLag datapoint for ${replicaInstanceId} in the last ${LAG_AT_RECOVERY_WINDOW_SECONDS / 60} minutes`,
    };
  }
  const at = latest.timestamp.toISOString();
  const ageSeconds = Math.round((now.getTime() - latest.timestamp.getTime()) / 1000) - LAG_PERIOD_SECONDS;
  if (latest.seconds !== 0) {
    return {
      caughtUp: false,
      why: `ReplicaLag of ${replicaInstanceId} is ${latest.seconds} s (the minute from ${at})`,
    };
  }
  if (ageSeconds > CAUGHT_UP_MAX_AGE_SECONDS) {
    return {
      caughtUp: false,
      why: `the newest ReplicaLag datapoint of ${replicaInstanceId} (0 s, the minute from ${at}) ended ${ageSeconds} s ago, more than ${CAUGHT_UP_MAX_AGE_SECONDS} s: the lag now is not known`,
    };
  }
  return { caughtUp: true, rpoSeconds: 0, rpoMeasuredAt: at };
}
