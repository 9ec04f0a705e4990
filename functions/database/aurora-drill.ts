// The drill of an aurora-global-database: a temporary copy of the secondary cluster, created the
// way a real recovery would serve from the recovery region, and deleted on revert. Production (the
// global cluster, the secondary, the primary) is only ever described, never changed.
//
// The copy is an Aurora clone (RestoreDBClusterToPointInTime, RestoreType copy-on-write, the latest
// restorable time) of the secondary: fast whatever the volume's size, and its RPO is the global
// database's lag at that moment, what a failover then would lose. Neither the cloning limitations
// nor the global database limitations of the Aurora User Guide exclude a secondary cluster; Aurora
// clones only a cluster with at least one DB instance, which readiness checks. A clone has no
// instance of its own: one of drill.instanceClass is created once the cluster is available.
import {
  CreateDBInstanceCommand,
  type DBCluster,
  type DBInstance,
  DeleteDBClusterCommand,
  DeleteDBInstanceCommand,
  RestoreDBClusterToPointInTimeCommand,
} from '@aws-sdk/client-rds';
import type { ResourceOfType } from '../../plan/schema.ts';
import { awsCall } from '../shared/aws-errors.ts';
import { InvalidResourceStateError } from '../shared/errors.ts';
import { nextCheckSeconds, secondsBetween } from '../shared/polling.ts';
import type { Change, ProgressResult, ResourceEvent, StepContext } from '../shared/step-contract.ts';
import {
  CLUSTER_ALREADY_EXISTS,
  CLUSTER_NOT_FOUND,
  clusterTag,
  DbClusterNotFoundError,
  drillTags,
  drillTargetsOf,
  findCluster,
  INVALID_CLUSTER_STATE,
  ownership,
  rpoFromGlobalLag,
} from './aurora-clusters.ts';
import {
  type AuroraState,
  carried,
  planField,
  previousAuroraState,
  requireAuroraState,
  requireRunMode,
} from './aurora-state.ts';
import type { DatabaseClients } from './clients.ts';
import {
  findInstance,
  INSTANCE_ALREADY_EXISTS,
  INSTANCE_NOT_FOUND,
  INVALID_INSTANCE_STATE,
  isAwsError,
  tagValue,
} from './rds-queries.ts';

type Aurora = ResourceOfType<'aurora-global-database'>;
type Event = ResourceEvent<Aurora>;
type Measurements = Record<string, number | string>;

/** Cluster statuses a new cluster does not leave by itself: its creation has failed. */
export const CLUSTER_FAILED_STATUSES: ReadonlySet<string> = new Set([
  'failed',
  'cloning-failed',
  'migration-failed',
  'inaccessible-encryption-credentials',
  'inaccessible-encryption-credentials-recoverable',
  'incompatible-network',
  'incompatible-parameters',
  'incompatible-restore',
  'stopped',
  'stopping',
  'deleting',
]);

/** Instance statuses a new instance does not leave by itself. */
const INSTANCE_FAILED_STATUSES: ReadonlySet<string> = new Set([
  'failed',
  'incompatible-network',
  'incompatible-parameters',
  'incompatible-option-group',
  'inaccessible-encryption-credentials',
  'inaccessible-encryption-credentials-recoverable',
  'insufficient-capacity',
  'restore-error',
  'stopped',
  'stopping',
  'deleting',
]);

const drillCluster = (id: string) => `drill DB cluster ${id}`;

/** The state of a clone this run already started for this resource, for re-runs. */
function earlierClone(event: Event, clusterId: string): AuroraState | undefined {
  const previous = previousAuroraState(event);
  return previous?.operation === 'clone' && previous.clusterId === clusterId ? previous : undefined;
}

// ---- start: clone the secondary ------------------------------------------------------------------

export async function startClone(
  event: Event,
  clients: DatabaseClients,
  context: StepContext,
): Promise<ProgressResult> {
  const { clusterId, instanceId } = drillTargetsOf(event);
  const secondaryId = event.resource.secondaryClusterId;
  const region = event.plan.regions.recovery;
  const existing = await findCluster(
    clients.rds,
    clusterId,
    drillCluster(clusterId),
    'describe the drill cluster',
  );
  if (existing) return adopt(existing, event, clients, context);

  const secondaryField = planField(event, 'secondaryClusterId');
  const secondary = await findCluster(
    clients.rds,
    secondaryId,
    `secondary cluster ${secondaryId} (${secondaryField})`,
    'describe the secondary cluster',
  );
  if (!secondary) {
    throw new DbClusterNotFoundError(
      `secondary cluster ${secondaryId} not found in ${region}: the drill clones it, and a failover would promote it; create it or fix ${secondaryField}`,
      secondaryId,
    );
  }
  if ((secondary.DBClusterMembers ?? []).length === 0) {
    throw new InvalidResourceStateError(
      `secondary cluster ${secondaryId} has no DB instance: Aurora clones only a cluster with at least one instance (and a failover to it would leave the global database without a writer instance); add an instance to it`,
      secondaryId,
    );
  }

  const securityGroups = (secondary.VpcSecurityGroups ?? []).flatMap((g) =>
    g.VpcSecurityGroupId ? [g.VpcSecurityGroupId] : [],
  );
  const created = await awsCall(
    {
      resource: drillCluster(clusterId),
      operation: `clone secondary cluster ${secondaryId} (${secondaryField})`,
    },
    async () => {
      try {
        await clients.rds.send(
          new RestoreDBClusterToPointInTimeCommand({
            DBClusterIdentifier: clusterId,
            SourceDBClusterIdentifier: secondaryId,
            RestoreType: 'copy-on-write',
            UseLatestRestorableTime: true,
            // Where the secondary serves from, so the copy lands where a failover would serve.
            ...(secondary.DBSubnetGroup ? { DBSubnetGroupName: secondary.DBSubnetGroup } : {}),
            ...(securityGroups.length > 0 ? { VpcSecurityGroupIds: securityGroups } : {}),
            DeletionProtection: false,
            Tags: drillTags(event),
          }),
        );
        return true;
      } catch (error) {
        if (isAwsError(error, CLUSTER_ALREADY_EXISTS)) return false; // an earlier attempt of this run won
        if (isAwsError(error, CLUSTER_NOT_FOUND)) {
          throw new DbClusterNotFoundError(
            `secondary cluster ${secondaryId} not found in ${region} when cloning it (it was described a moment ago): check ${secondaryField}`,
            secondaryId,
            { cause: error },
          );
        }
        if (isAwsError(error, INVALID_CLUSTER_STATE)) {
          throw new InvalidResourceStateError(
            `secondary cluster ${secondaryId} is "${secondary.Status ?? 'unknown'}" and cannot be cloned now (${(error as Error).message}): run the drill again once it is available`,
            secondaryId,
            { cause: error },
          );
        }
        throw error;
      }
    },
  );
  if (!created) {
    const raced = await findCluster(
      clients.rds,
      clusterId,
      drillCluster(clusterId),
      'describe the drill cluster',
    );
    if (!raced) {
      throw new InvalidResourceStateError(
        `${drillCluster(clusterId)} was reported as already existing but cannot be described: retry the step`,
        clusterId,
      );
    }
    return adopt(raced, event, clients, context);
  }

  const now = context.now();
  const state: AuroraState = { operation: 'clone', clusterId, instanceId, startedAt: now.toISOString() };
  // What a failover at this moment would lose: the secondary's lag as the copy is taken.
  const rpo = await rpoFromGlobalLag(clients.cloudwatch, secondaryId, now);
  return {
    family: 'database',
    action: 'start',
    done: false,
    nextCheckSeconds: nextCheckSeconds(0),
    detail: `cloning secondary cluster ${secondaryId} to temporary ${drillCluster(clusterId)} in ${region}${rpoDetail(rpo, secondaryId)}`,
    state,
    changes: [
      {
        resource: clusterId,
        action: 'restore-db-cluster-to-point-in-time',
        detail: `created temporary ${drillCluster(clusterId)} as a clone (copy-on-write, latest restorable time) of secondary cluster ${secondaryId}`,
      },
    ],
    measurements: rpo,
  };
}

/** The detail's account of the RPO. */
function rpoDetail(rpo: Measurements, secondaryId: string): string {
  if (typeof rpo.note === 'string') return `; ${rpo.note}`;
  if (typeof rpo.rpoSeconds === 'number') {
    return `; RPO ${rpo.rpoSeconds} s (${rpo.rpoMetric} of ${secondaryId}, what a failover now would lose)`;
  }
  return '';
}

/** The drill cluster exists already: this run's (an earlier attempt), polled on; anything else refused. */
async function adopt(
  cluster: DBCluster,
  event: Event,
  clients: DatabaseClients,
  context: StepContext,
): Promise<ProgressResult> {
  const { clusterId, instanceId } = drillTargetsOf(event);
  const owner = ownership((key) => clusterTag(cluster, key), event);
  if (!owner.own) {
    throw new InvalidResourceStateError(
      `DB cluster ${clusterId} already exists and was not created by run ${event.run.id} for ${event.resourceId} (its tags ${owner.tags}): refusing to use it for the drill; delete or rename it`,
      clusterId,
    );
  }
  const state: AuroraState = {
    operation: 'clone',
    clusterId,
    instanceId,
    startedAt:
      earlierClone(event, clusterId)?.startedAt ??
      cluster.ClusterCreateTime?.toISOString() ??
      context.now().toISOString(),
  };
  const progress = await cloneProgress(cluster, state, event, clients, context, 'start');
  const measured = carried(event);
  // The start that created it measured the RPO, but its result did not reach this call.
  const rpo: Measurements =
    'rpoSeconds' in measured || 'note' in measured
      ? {}
      : await rpoFromGlobalLag(clients.cloudwatch, event.resource.secondaryClusterId, context.now());
  return {
    ...progress,
    detail: `${drillCluster(clusterId)} already exists (created by this run): ${progress.detail}${rpoDetail(rpo, event.resource.secondaryClusterId)}`,
    measurements: { ...progress.measurements, ...rpo },
  };
}

// ---- check: the cluster, then its instance, until both are available -----------------------------

export async function checkClone(
  event: Event,
  clients: DatabaseClients,
  context: StepContext,
): Promise<ProgressResult> {
  const { clusterId } = drillTargetsOf(event);
  const state = requireAuroraState(event, 'check', { operations: ['clone'], clusterId });
  const cluster = await findCluster(clients.rds, clusterId, drillCluster(clusterId), 'check the drill clone');
  if (!cluster) {
    throw new DbClusterNotFoundError(
      `${drillCluster(clusterId)} not found in ${event.plan.regions.recovery} while checking its creation: it was deleted (or never created); re-run the step to start again`,
      clusterId,
    );
  }
  const owner = ownership((key) => clusterTag(cluster, key), event);
  if (!owner.own) {
    throw new InvalidResourceStateError(
      `DB cluster ${clusterId} is not this run's drill clone for ${event.resourceId} (its tags ${owner.tags}): refusing to use it`,
      clusterId,
    );
  }
  const progress = await cloneProgress(cluster, state, event, clients, context, 'check');
  // A re-run of a check that was already done keeps the restore time its first look measured.
  if (typeof carried(event).restoreSeconds === 'number' && progress.measurements) {
    const { restoreSeconds: _later, ...measurements } = progress.measurements;
    return { ...progress, measurements };
  }
  return progress;
}

/**
 * One look at the drill's cluster and instance: waits for the cluster, then creates the instance
 * (Aurora adds instances to an available cluster), then waits for it. Done when both are available;
 * `restoreSeconds` runs from the clone's start to this first look that saw them available.
 */
async function cloneProgress(
  cluster: DBCluster,
  state: AuroraState,
  event: Event,
  clients: DatabaseClients,
  context: StepContext,
  action: 'start' | 'check',
): Promise<ProgressResult> {
  const { clusterId, instanceId } = drillTargetsOf(event);
  const elapsedSeconds = Math.round(secondsBetween(state.startedAt, context.now()));
  const progress = (done: boolean, detail: string, extra: Partial<ProgressResult> = {}): ProgressResult => ({
    family: 'database',
    action,
    done,
    nextCheckSeconds: done ? 0 : nextCheckSeconds(elapsedSeconds),
    detail,
    state: { ...state },
    changes: [],
    ...extra,
  });

  const status = cluster.Status ?? 'unknown';
  if (CLUSTER_FAILED_STATUSES.has(status)) {
    throw new InvalidResourceStateError(
      `${drillCluster(clusterId)} cannot become available: it is "${status}"; investigate it in the RDS console (events), the drill's revert deletes it`,
      clusterId,
    );
  }
  if (status !== 'available') {
    return progress(
      false,
      `clone to ${drillCluster(clusterId)} in progress (${elapsedSeconds} s): "${status}", waiting for "available"`,
    );
  }

  const instance = await findInstance(clients.rds, instanceId, 'describe the drill cluster instance');
  if (!instance) {
    const created = await createDrillInstance(cluster, event, clients);
    const instanceClass = event.resource.drill.instanceClass;
    const changes: Change[] =
      created === 'created'
        ? [
            {
              resource: instanceId,
              action: 'create-db-instance',
              detail: `created DB instance ${instanceId} (${instanceClass}) in temporary ${drillCluster(clusterId)}`,
            },
          ]
        : [];
    const detail =
      created === 'busy'
        ? `${drillCluster(clusterId)} is available but does not take an instance yet (${elapsedSeconds} s): trying again`
        : `${drillCluster(clusterId)} is available; creating its DB instance ${instanceId} (${instanceClass}) (${elapsedSeconds} s)`;
    return progress(false, detail, { changes });
  }

  requireOwnInstance(instance, event, clusterId);
  const instanceStatus = instance.DBInstanceStatus ?? 'unknown';
  if (INSTANCE_FAILED_STATUSES.has(instanceStatus)) {
    throw new InvalidResourceStateError(
      `DB instance ${instanceId} of ${drillCluster(clusterId)} cannot become available: it is "${instanceStatus}" (check ${planField(event, 'drill.instanceClass')} is offered for the engine in ${event.plan.regions.recovery}); the drill's revert deletes it`,
      instanceId,
    );
  }
  if (instanceStatus !== 'available') {
    return progress(
      false,
      `${drillCluster(clusterId)} is available; its DB instance ${instanceId} is "${instanceStatus}", waiting for "available" (${elapsedSeconds} s)`,
    );
  }
  const endpoint = cluster.Endpoint;
  return progress(
    true,
    `drill clone ${clusterId} of ${event.resource.secondaryClusterId} done: cluster and instance ${instanceId} available${endpoint ? ` at ${endpoint}` : ''} after ${elapsedSeconds} s`,
    {
      measurements: {
        elapsedSeconds,
        restoreSeconds: elapsedSeconds,
        ...(endpoint ? { endpoint } : {}),
      },
    },
  );
}

/** CreateDBInstance into the drill cluster: created, already there, or refused for now (busy). */
async function createDrillInstance(
  cluster: DBCluster,
  event: Event,
  clients: DatabaseClients,
): Promise<'created' | 'exists' | 'busy'> {
  const { clusterId, instanceId } = drillTargetsOf(event);
  const instanceClass = event.resource.drill.instanceClass;
  const engine = cluster.Engine;
  if (!engine) {
    throw new InvalidResourceStateError(
      `${drillCluster(clusterId)} reports no engine, so no instance can be added to it: retry the step`,
      clusterId,
    );
  }
  return awsCall(
    {
      resource: `DB instance ${instanceId}`,
      operation: `create the drill instance of class ${instanceClass} (${planField(event, 'drill.instanceClass')}) in ${drillCluster(clusterId)}`,
    },
    async () => {
      try {
        await clients.rds.send(
          new CreateDBInstanceCommand({
            DBInstanceIdentifier: instanceId,
            DBClusterIdentifier: clusterId,
            DBInstanceClass: instanceClass,
            Engine: engine,
            PubliclyAccessible: false,
            Tags: drillTags(event),
          }),
        );
        return 'created' as const;
      } catch (error) {
        if (isAwsError(error, INSTANCE_ALREADY_EXISTS)) return 'exists' as const;
        if (isAwsError(error, INVALID_CLUSTER_STATE)) return 'busy' as const;
        throw error;
      }
    },
  );
}

/** Refuses an instance with the drill instance's name that this run did not create in its clone. */
function requireOwnInstance(instance: DBInstance, event: Event, clusterId: string): void {
  const id = instance.DBInstanceIdentifier ?? drillTargetsOf(event).instanceId;
  const owner = ownership((key) => tagValue(instance, key), event);
  if (!owner.own) {
    throw new InvalidResourceStateError(
      `DB instance ${id} is not this run's drill instance for ${event.resourceId} (its tags ${owner.tags}): refusing to use or delete it`,
      id,
    );
  }
  if (instance.DBClusterIdentifier && instance.DBClusterIdentifier !== clusterId) {
    throw new InvalidResourceStateError(
      `DB instance ${id} belongs to DB cluster ${instance.DBClusterIdentifier}, not to ${drillCluster(clusterId)}: refusing to use or delete it`,
      id,
    );
  }
}

// ---- revert: the instance, then the cluster; gone only on a second look ---------------------------

/**
 * revert (drill only): deletes the drill's instance, then its cluster (no final snapshot), both
 * found by name; done only once RDS has answered twice, in two calls, that it knows neither (a
 * clone still in flight may create them late, and RDS reads are eventually consistent). Refuses to
 * delete anything this run did not create for this resource; never touches the global cluster or
 * the secondary.
 */
export async function revertClone(
  event: Event,
  clients: DatabaseClients,
  context: StepContext,
): Promise<ProgressResult<AuroraState>> {
  requireRunMode(event, 'revert', ['drill']);
  const { clusterId, instanceId } = drillTargetsOf(event);
  // Without a state (the drill failed before its start returned, or the revert is a cleanup's)
  // the clone is found by its name, which derives from the run id and the resource id.
  const previous = event.state
    ? requireAuroraState(event, 'revert', { operations: ['clone', 'delete'], clusterId })
    : undefined;
  const now = context.now();
  const state: AuroraState = {
    operation: 'delete',
    clusterId,
    instanceId,
    startedAt: previous?.operation === 'delete' ? previous.startedAt : now.toISOString(),
  };
  const seenGone = previous?.operation === 'delete' ? previous.goneSeenAt : undefined;
  const elapsedSeconds = secondsBetween(state.startedAt, now);
  const result = (
    done: boolean,
    detail: string,
    extra: { goneSeenAt?: string; changes?: Change[] } = {},
  ): ProgressResult<AuroraState> => ({
    family: 'database',
    action: 'revert',
    done,
    nextCheckSeconds: done ? 0 : nextCheckSeconds(elapsedSeconds),
    detail,
    state: { ...state, ...(extra.goneSeenAt ? { goneSeenAt: extra.goneSeenAt } : {}) },
    changes: extra.changes ?? [],
  });
  const both = `${drillCluster(clusterId)} and its DB instance ${instanceId}`;

  const [instance, cluster] = await Promise.all([
    findInstance(clients.rds, instanceId, 'describe the drill cluster instance'),
    findCluster(clients.rds, clusterId, drillCluster(clusterId), 'describe the drill cluster'),
  ]);
  if (!instance && !cluster) {
    if (seenGone) {
      return result(
        true,
        `${both} confirmed gone: RDS knows neither again, ${Math.round(secondsBetween(seenGone, now))} s after they were first seen gone; nothing left to revert`,
        // Kept, so that a re-run with this state that finds them gone once more is done too.
        { goneSeenAt: seenGone },
      );
    }
    return result(
      false,
      `${both}: RDS knows neither; looking again before calling them gone (a clone in flight may still create them)`,
      { goneSeenAt: now.toISOString() },
    );
  }

  // Nothing is deleted unless everything found is this run's.
  if (instance) requireOwnInstance(instance, event, clusterId);
  if (cluster) {
    const owner = ownership((key) => clusterTag(cluster, key), event);
    if (!owner.own) {
      throw new InvalidResourceStateError(
        `refusing to delete DB cluster ${clusterId}: it is not the drill clone of run ${event.run.id} for ${event.resourceId} (its tags ${owner.tags})`,
        clusterId,
      );
    }
  }

  const changes: Change[] = [];
  const doing: string[] = [];
  let instanceGone = !instance;
  let instanceLeaving = !instance;
  if (instance) {
    const status = instance.DBInstanceStatus ?? 'unknown';
    if (status === 'deleting') {
      instanceLeaving = true;
      doing.push(`DB instance ${instanceId} is being deleted`);
    } else {
      const outcome = await deleteDrillInstance(instanceId, clients);
      if (outcome === 'deleting') {
        instanceLeaving = true;
        changes.push({
          resource: instanceId,
          action: 'delete-db-instance',
          detail: `deleted drill DB instance ${instanceId} (no final snapshot)`,
        });
        doing.push(`deleting DB instance ${instanceId}`);
      } else if (outcome === 'gone') {
        instanceGone = true;
        instanceLeaving = true;
        doing.push(`DeleteDBInstance says ${instanceId} does not exist (it was described a moment ago)`);
      } else {
        doing.push(`DB instance ${instanceId} is "${status}" and cannot be deleted yet`);
      }
    }
  }

  let clusterGone = !cluster;
  if (cluster) {
    const status = cluster.Status ?? 'unknown';
    if (status === 'deleting') {
      doing.push(`${drillCluster(clusterId)} is being deleted`);
    } else if (!instanceLeaving) {
      doing.push(`${drillCluster(clusterId)} waits for its instance to be deleted`);
    } else {
      const outcome = await deleteDrillCluster(clusterId, clients);
      if (outcome === 'deleting') {
        changes.push({
          resource: clusterId,
          action: 'delete-db-cluster',
          detail: `deleted temporary ${drillCluster(clusterId)} (no final snapshot)`,
        });
        doing.push(`deleting ${drillCluster(clusterId)}`);
      } else if (outcome === 'gone') {
        clusterGone = true;
        doing.push(`DeleteDBCluster says ${clusterId} does not exist (it was described a moment ago)`);
      } else {
        doing.push(
          `${drillCluster(clusterId)} is "${status}" and cannot be deleted yet (its instance is still leaving)`,
        );
      }
    }
  }

  const reappeared = seenGone ? `${both} reappeared after they were seen gone at ${seenGone}: ` : '';
  // A not-found from a delete right after a describe found it is a first sighting, never proof.
  const firstSighting = instanceGone && clusterGone ? { goneSeenAt: now.toISOString() } : {};
  return result(false, `${reappeared}${doing.join('; ')}`, { changes, ...firstSighting });
}

async function deleteDrillInstance(
  instanceId: string,
  clients: DatabaseClients,
): Promise<'deleting' | 'gone' | 'busy'> {
  return awsCall(
    { resource: `DB instance ${instanceId}`, operation: 'delete the drill cluster instance' },
    async () => {
      try {
        await clients.rds.send(
          new DeleteDBInstanceCommand({ DBInstanceIdentifier: instanceId, SkipFinalSnapshot: true }),
        );
        return 'deleting' as const;
      } catch (error) {
        if (isAwsError(error, INSTANCE_NOT_FOUND)) return 'gone' as const;
        if (isAwsError(error, INVALID_INSTANCE_STATE)) return 'busy' as const; // e.g. still creating
        throw error;
      }
    },
  );
}

async function deleteDrillCluster(
  clusterId: string,
  clients: DatabaseClients,
): Promise<'deleting' | 'gone' | 'busy'> {
  return awsCall({ resource: drillCluster(clusterId), operation: 'delete the drill cluster' }, async () => {
    try {
      await clients.rds.send(
        new DeleteDBClusterCommand({ DBClusterIdentifier: clusterId, SkipFinalSnapshot: true }),
      );
      return 'deleting' as const;
    } catch (error) {
      if (isAwsError(error, CLUSTER_NOT_FOUND)) return 'gone' as const;
      // Still creating, or an instance not yet deleting: RDS refuses until it is.
      if (isAwsError(error, INVALID_CLUSTER_STATE)) return 'busy' as const;
      throw error;
    }
  });
}
