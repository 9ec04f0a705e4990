// One mechanism for every RDS restore (the drills of both RDS types, an rds-snapshot-restore
// failover): restore the newest available snapshot in the recovery region to a named instance.
// Idempotent: an instance already there that this run created (or, on failover, the plan's target)
// is polled instead.
import { type DBInstance, RestoreDBInstanceFromDBSnapshotCommand } from '@aws-sdk/client-rds';
import { awsCall } from '../shared/aws-errors.ts';
import { InvalidResourceStateError, SnapshotNotFoundError } from '../shared/errors.ts';
import { nextCheckSeconds } from '../shared/polling.ts';
import type { ProgressResult, StepContext } from '../shared/step-contract.ts';
import { instanceProgress } from './check.ts';
import type { DatabaseClients } from './clients.ts';
import {
  findInstance,
  INSTANCE_ALREADY_EXISTS,
  isAwsError,
  newestSnapshot,
  rpoFromReplicaLag,
  snapshotAgeSeconds,
  TAG_RESOURCE,
  TAG_RUN_ID,
  tagValue,
} from './rds-queries.ts';
import { type Placement, runTags } from './restore-target.ts';
import { carriedMeasurements, type DatabaseState, earlierStart, type RdsEvent } from './state.ts';

/**
 * How a restore's RPO is measured. A snapshot restore loses what came after the snapshot; the
 * drill of a read replica stands in for a promotion, whose loss is the replica's lag.
 */
export type RpoSource = { from: 'snapshot-age' } | { from: 'replica-lag'; replicaInstanceId: string };

export interface RestoreRequest {
  /** The instance to create. */
  instanceId: string;
  /** Instances whose snapshots may be restored; the newest available one wins. */
  sourceInstanceIds: string[];
  /** Plan path(s) of the sources, named when there is no snapshot. */
  sourcesField: string;
  /** @default the snapshot's class */
  instanceClass?: string | undefined;
  placement: Placement;
  rpo: RpoSource;
}

type Measurements = Record<string, number | string>;

/** The RPO measurements of a restore and, when it is not measured, why (for the detail). */
async function rpoOf(
  request: RestoreRequest,
  clients: DatabaseClients,
  now: Date,
  snapshotAge: number | undefined,
): Promise<Measurements> {
  if (request.rpo.from === 'replica-lag') {
    return rpoFromReplicaLag(clients.cloudwatch, request.rpo.replicaInstanceId, now);
  }
  return snapshotAge === undefined ? {} : { rpoSeconds: snapshotAge };
}

/** The detail's account of the RPO. */
function rpoDetail(request: RestoreRequest, measurements: Measurements): string {
  if (typeof measurements.note === 'string') return `; ${measurements.note}`;
  if (request.rpo.from === 'replica-lag' && typeof measurements.rpoSeconds === 'number') {
    return `; RPO ${measurements.rpoSeconds} s (ReplicaLag of ${request.rpo.replicaInstanceId}, what a promotion would lose)`;
  }
  return '';
}

export async function restoreNewestSnapshot(
  event: RdsEvent,
  clients: DatabaseClients,
  context: StepContext,
  request: RestoreRequest,
): Promise<ProgressResult> {
  const id = request.instanceId;
  const region = event.plan.regions.recovery;
  const existing = await findInstance(clients.rds, id, 'describe the restore target');
  if (existing) return adopt(existing, event, clients, context, request);

  const sources = request.sourceInstanceIds;
  const snapshot = await newestSnapshot(clients.rds, sources);
  const snapshotId = snapshot?.DBSnapshotIdentifier;
  if (!snapshot || !snapshotId) {
    throw new SnapshotNotFoundError(
      `no available DB snapshot of ${sources.join(' or ')} (${request.sourcesField}) in ${region}: copy a snapshot to the recovery region (or schedule cross-region snapshot copies)`,
      sources.join(','),
    );
  }

  const drill = event.run.mode === 'drill';
  const { dbSubnetGroupName, vpcSecurityGroupIds, dbParameterGroupName } = request.placement;
  const created = await awsCall(
    { resource: `DB instance ${id}`, operation: `restore snapshot ${snapshotId}` },
    async () => {
      try {
        await clients.rds.send(
          new RestoreDBInstanceFromDBSnapshotCommand({
            DBInstanceIdentifier: id,
            DBSnapshotIdentifier: snapshotId,
            ...(request.instanceClass ? { DBInstanceClass: request.instanceClass } : {}),
            ...(dbSubnetGroupName ? { DBSubnetGroupName: dbSubnetGroupName } : {}),
            ...(vpcSecurityGroupIds?.length ? { VpcSecurityGroupIds: vpcSecurityGroupIds } : {}),
            ...(dbParameterGroupName ? { DBParameterGroupName: dbParameterGroupName } : {}),
            ...(drill ? { MultiAZ: false, DeletionProtection: false } : {}),
            PubliclyAccessible: false,
            Tags: runTags(event),
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
    return adopt(raced, event, clients, context, request);
  }

  const now = context.now();
  const state: DatabaseState = {
    operation: 'restore',
    instanceId: id,
    snapshotId,
    startedAt: now.toISOString(),
  };
  const snapshotAge = snapshotAgeSeconds(snapshot, now);
  const rpo = await rpoOf(request, clients, now, snapshotAge);
  return {
    family: 'database',
    action: 'start',
    done: false,
    nextCheckSeconds: nextCheckSeconds(0),
    detail: `restoring snapshot ${snapshotId} (${snapshotAge} s old) to DB instance ${id} in ${region}${rpoDetail(request, rpo)}`,
    state,
    changes: [
      {
        resource: id,
        action: 'restore-db-instance-from-snapshot',
        detail: `created ${drill ? 'temporary drill ' : ''}DB instance ${id} from snapshot ${snapshotId}`,
      },
    ],
    measurements: { ...rpo, snapshotId, snapshotAgeSeconds: snapshotAge },
  };
}

/**
 * An instance with the target's name exists: poll it, but in a drill never adopt one that is not
 * this run's instance of this resource.
 */
async function adopt(
  instance: DBInstance,
  event: RdsEvent,
  clients: DatabaseClients,
  context: StepContext,
  request: RestoreRequest,
): Promise<ProgressResult> {
  const id = request.instanceId;
  const owner = tagValue(instance, TAG_RUN_ID);
  const ownerResource = tagValue(instance, TAG_RESOURCE);
  const own = owner === event.run.id && ownerResource === event.resourceId;
  if (event.run.mode === 'drill' && !own) {
    throw new InvalidResourceStateError(
      `DB instance ${id} already exists and was not created by run ${event.run.id} for ${event.resourceId} (its tags ${TAG_RUN_ID}=${owner ?? '(absent)'}, ${TAG_RESOURCE}=${ownerResource ?? '(absent)'}): refusing to use it for the drill; delete or rename it`,
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
  const progress = instanceProgress(instance, state, context, 'start', event.run.id);
  const carried = carriedMeasurements(event);
  let rpo: Measurements = {};
  if (!('rpoSeconds' in carried || 'note' in carried)) {
    // The start that created it measured the RPO, but its result did not reach this call.
    if (!own) rpo = { note: `DB instance ${id} existed before this run: RPO not measured` };
    else if (request.rpo.from === 'replica-lag')
      rpo = await rpoOf(request, clients, context.now(), undefined);
    else
      rpo = {
        note: 'restore started by an earlier invocation of this run whose result was lost: RPO (snapshot age) not measured',
      };
  }
  return {
    ...progress,
    detail: `DB instance ${id} already exists${own ? ' (created by this run)' : ''}: ${progress.detail}${rpoDetail(request, rpo)}`,
    measurements: { ...progress.measurements, ...rpo },
  };
}
