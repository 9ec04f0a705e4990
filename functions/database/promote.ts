// start, failover, promote-read-replica: promotes the cross-region read replica to a standalone
// instance, recording the replica lag at that moment as the RPO achieved.
import { PromoteReadReplicaCommand } from '@aws-sdk/client-rds';
import { awsCall } from '../shared/aws-errors.ts';
import { InvalidResourceStateError, ReplicaNotFoundError } from '../shared/errors.ts';
import { nextCheckSeconds, secondsBetween } from '../shared/polling.ts';
import type { DrPlan, ProgressResult, StepContext, StepEvent } from '../shared/step-contract.ts';
import { instanceProgress } from './check.ts';
import type { DatabaseClients } from './clients.ts';
import {
  findInstance,
  INSTANCE_NOT_FOUND,
  INVALID_INSTANCE_STATE,
  isAwsError,
  replicaLagDatapoints,
} from './rds-queries.ts';
import { type DatabaseState, earlierStart } from './state.ts';

type PromotePlan = Extract<DrPlan['database'], { strategy: 'promote-read-replica' }>;

/** Statuses in which RDS refuses PromoteReadReplica because a promotion (or other change) is already running. */
const BUSY_STATUSES: ReadonlySet<string> = new Set([
  'modifying',
  'rebooting',
  'backing-up',
  'configuring-enhanced-monitoring',
  'configuring-iam-database-auth',
  'configuring-log-exports',
  'converting-to-vpc',
  'maintenance',
  'renaming',
  'resetting-master-credentials',
  'starting',
  'storage-optimization',
  'upgrading',
]);

/** Window searched for the lag at promotion: the newest datapoint in it is the RPO achieved. */
const LAG_WINDOW_SECONDS = 300;

export async function startPromotion(
  event: StepEvent,
  plan: PromotePlan,
  clients: DatabaseClients,
  context: StepContext,
): Promise<ProgressResult> {
  const id = plan.replicaInstanceId;
  const region = event.plan.regions.recovery;
  const replica = await findInstance(clients.rds, id, 'describe the read replica');
  if (!replica) {
    throw new ReplicaNotFoundError(
      `read replica ${id} not found in ${region}: nothing to promote; check database.replicaInstanceId`,
      id,
    );
  }
  const state: DatabaseState = {
    operation: 'promote',
    instanceId: id,
    startedAt: earlierStart(event, 'promote', id)?.startedAt ?? context.now().toISOString(),
  };
  if (!replica.ReadReplicaSourceDBInstanceIdentifier) {
    // Already standalone: promoted by an earlier run (or by hand). Nothing to call.
    return instanceProgress(replica, state, context, 'start');
  }

  const measurements = await lagAtPromotion(clients, id, context.now());
  const status = replica.DBInstanceStatus ?? 'unknown';
  const setRetention = replica.BackupRetentionPeriod === 0;
  const promoted = await awsCall(
    {
      resource: `read replica ${id}`,
      operation: 'promote the read replica',
      notFound: { names: INSTANCE_NOT_FOUND, error: ReplicaNotFoundError },
    },
    async () => {
      try {
        await clients.rds.send(
          new PromoteReadReplicaCommand({
            DBInstanceIdentifier: id,
            ...(setRetention ? { BackupRetentionPeriod: plan.backupRetentionDays } : {}),
          }),
        );
        return true;
      } catch (error) {
        if (!isAwsError(error, INVALID_INSTANCE_STATE)) throw error;
        if (BUSY_STATUSES.has(status)) return false; // a promotion is already under way
        throw new InvalidResourceStateError(
          `read replica ${id} cannot be promoted while it is "${status}": wait until it is available, or promote it by hand`,
          id,
          { cause: error },
        );
      }
    },
  );

  const elapsedSeconds = secondsBetween(state.startedAt, context.now());
  const retention = setRetention ? `, backup retention set to ${plan.backupRetentionDays} days` : '';
  return {
    family: 'database',
    action: 'start',
    done: false,
    nextCheckSeconds: nextCheckSeconds(elapsedSeconds),
    detail: promoted
      ? `promoting read replica ${id} in ${region}${retention}`
      : `read replica ${id} is "${status}": promotion already under way, polling until it is standalone`,
    state,
    changes: promoted
      ? [
          {
            resource: id,
            action: 'promote-read-replica',
            detail: `promoted to a standalone instance (was replicating from ${replica.ReadReplicaSourceDBInstanceIdentifier})${retention}`,
          },
        ]
      : [],
    measurements,
  };
}

/**
 * RPO achieved = replica lag at promotion. A missing or unreadable metric (the SDK has already
 * retried throttling) is noted in the measurements, never a reason to delay recovery.
 */
async function lagAtPromotion(
  clients: DatabaseClients,
  replicaId: string,
  now: Date,
): Promise<Record<string, number | string>> {
  try {
    const latest = (await replicaLagDatapoints(clients.cloudwatch, replicaId, LAG_WINDOW_SECONDS, now)).at(
      -1,
    );
    if (latest) return { rpoSeconds: latest.seconds, rpoMeasuredAt: latest.timestamp.toISOString() };
    return {
      note: `no ReplicaLag datapoint for ${replicaId} in the last ${LAG_WINDOW_SECONDS / 60} minutes: RPO not measured`,
    };
  } catch (error) {
    return { note: `ReplicaLag of ${replicaId} unreadable (${(error as Error).message}): RPO not measured` };
  }
}
