// One mechanism for every restore (drills of both strategies, restore-latest-snapshot failover):
// restore the newest available snapshot in the recovery region to a named instance. Idempotent:
// an instance already there that this run created (or, on failover, the plan's target) is polled.
import { type DBInstance, RestoreDBInstanceFromDBSnapshotCommand } from '@aws-sdk/client-rds';
import { awsCall } from '../shared/aws-errors.ts';
import { InvalidResourceStateError, SnapshotNotFoundError } from '../shared/errors.ts';
import { nextCheckSeconds } from '../shared/polling.ts';
import type { ProgressResult, StepContext, StepEvent } from '../shared/step-contract.ts';
import { instanceProgress } from './check.ts';
import type { DatabaseClients } from './clients.ts';
import {
  findInstance,
  INSTANCE_ALREADY_EXISTS,
  isAwsError,
  newestSnapshot,
  snapshotAgeSeconds,
  TAG_PLAN,
  TAG_PURPOSE,
  TAG_RUN_ID,
  tagValue,
} from './rds-queries.ts';
import { type DatabaseState, earlierStart } from './state.ts';

export interface RestoreRequest {
  /** The instance to create. */
  instanceId: string;
  /** Instances whose snapshots may be restored; the newest available one wins. */
  sourceInstanceIds: string[];
  /** @default the snapshot's class */
  instanceClass?: string | undefined;
  /** An instance (the replica) whose subnet group and security groups are copied. @default none */
  template?: DBInstance | undefined;
}

export async function restoreNewestSnapshot(
  event: StepEvent,
  clients: DatabaseClients,
  context: StepContext,
  request: RestoreRequest,
): Promise<ProgressResult> {
  const id = request.instanceId;
  const existing = await findInstance(clients.rds, id, 'describe the restore target');
  if (existing) return adopt(existing, event, context, id);

  const sources = request.sourceInstanceIds;
  const snapshot = await newestSnapshot(clients.rds, sources);
  const snapshotId = snapshot?.DBSnapshotIdentifier;
  if (!snapshot || !snapshotId) {
    throw new SnapshotNotFoundError(
      `no available DB snapshot of ${sources.join(' or ')} in ${event.plan.regions.recovery}: copy a snapshot to the recovery region (or schedule cross-region snapshot copies)`,
      sources.join(','),
    );
  }

  const drill = event.run.mode === 'drill';
  const template = request.template;
  const securityGroups = (template?.VpcSecurityGroups ?? []).flatMap((g) =>
    g.VpcSecurityGroupId ? [g.VpcSecurityGroupId] : [],
  );
  const tags = {
    ...event.plan.tags,
    [TAG_PLAN]: event.plan.name,
    [TAG_RUN_ID]: event.run.id,
    [TAG_PURPOSE]: drill ? 'drill' : 'failover',
  };
  const created = await awsCall(
    { resource: `DB instance ${id}`, operation: `restore snapshot ${snapshotId}` },
    async () => {
      try {
        await clients.rds.send(
          new RestoreDBInstanceFromDBSnapshotCommand({
            DBInstanceIdentifier: id,
            DBSnapshotIdentifier: snapshotId,
            ...(request.instanceClass ? { DBInstanceClass: request.instanceClass } : {}),
            ...(template?.DBSubnetGroup?.DBSubnetGroupName
              ? { DBSubnetGroupName: template.DBSubnetGroup.DBSubnetGroupName }
              : {}),
            ...(securityGroups.length > 0 ? { VpcSecurityGroupIds: securityGroups } : {}),
            ...(drill ? { MultiAZ: false, DeletionProtection: false } : {}),
            PubliclyAccessible: false,
            Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
          }),
        );
        return true;
      } catch (error) {
        if (isAwsError(error, INSTANCE_ALREADY_EXISTS)) return false; // a concurrent or earlier attempt won
        throw error;
      }
    },
  );
  if (!created) {
    const raced = await findInstance(clients.rds, id, 'describe the restore target');
    if (!raced) {
      throw new InvalidResourceStateError(
        `DB instance ${id} was reported as already existing but cannot be described: retry the step`,
        id,
      );
    }
    return adopt(raced, event, context, id);
  }

  const now = context.now();
  const state: DatabaseState = {
    operation: 'restore',
    instanceId: id,
    snapshotId,
    startedAt: now.toISOString(),
  };
  return {
    family: 'database',
    action: 'start',
    done: false,
    nextCheckSeconds: nextCheckSeconds(0),
    detail: `restoring snapshot ${snapshotId} to DB instance ${id} in ${event.plan.regions.recovery}`,
    state,
    changes: [
      {
        resource: id,
        action: 'restore-db-instance-from-snapshot',
        detail: `created ${drill ? 'temporary drill ' : ''}DB instance ${id} from snapshot ${snapshotId}`,
      },
    ],
    measurements: { rpoSeconds: snapshotAgeSeconds(snapshot, now), snapshotId },
  };
}

/** An instance with the target's name exists: poll it, but never adopt a foreign one in a drill. */
function adopt(instance: DBInstance, event: StepEvent, context: StepContext, id: string): ProgressResult {
  const owner = tagValue(instance, TAG_RUN_ID);
  if (event.run.mode === 'drill' && owner !== event.run.id) {
    throw new InvalidResourceStateError(
      `DB instance ${id} already exists and was not created by run ${event.run.id} (its ${TAG_RUN_ID} tag is ${owner ? `"${owner}"` : 'absent'}): refusing to use it for the drill; delete or rename it`,
      id,
    );
  }
  const earlier = earlierStart(event, 'restore', id);
  const state: DatabaseState = {
    operation: 'restore',
    instanceId: id,
    startedAt:
      earlier?.startedAt ?? instance.InstanceCreateTime?.toISOString() ?? context.now().toISOString(),
    ...(earlier?.snapshotId ? { snapshotId: earlier.snapshotId } : {}),
  };
  const progress = instanceProgress(instance, state, context, 'start');
  return {
    ...progress,
    detail: `DB instance ${id} already exists${owner === event.run.id ? ' (created by this run)' : ''}: ${progress.detail}`,
    measurements: {
      ...progress.measurements,
      note:
        owner === event.run.id
          ? 'restore started by an earlier invocation of this run; its RPO (snapshot age) was measured then'
          : `DB instance ${id} existed before this run: RPO not measured`,
    },
  };
}
