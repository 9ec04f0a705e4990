// rds-read-replica: a cross-region read replica of an RDS instance.
//   failover:   promotes the replica to a standalone instance; the RPO is its lag at promotion.
//   switchover: the planned, lossless move: promotes the replica only once its ReplicaLag is 0 on
//               a fresh datapoint (writes stopped upstream, e.g. the primary's application scaled
//               down; ../rds-queries.ts caughtUpLag); until then start and check answer not done,
//               saying the lag, and the step's deadline (timeoutMinutes) bounds the wait. The RPO is
//               that 0. Check then polls the promotion as a failover's.
//   fence:    (failover, switchover; after the promotion) stops the old primary in the primary
//             region: ../fence-primary.ts.
//   drill:    restores the newest recovery-region snapshot to a temporary instance where the
//             promoted replica would serve from (deleted on revert); the RPO is the replica's lag
//             when the copy is restored, what a failover at that moment would have lost.
import { type DBInstance, PromoteReadReplicaCommand } from '@aws-sdk/client-rds';
import type { ResourceOfType } from '../../../plan/schema.ts';
import { awsCall } from '../../shared/aws-errors.ts';
import { DRILL_RESTORE_EXPECTED_SECONDS } from '../../shared/deadlines.ts';
import { InvalidResourceStateError, ReplicaNotFoundError } from '../../shared/errors.ts';
import type { ResourceSteps } from '../../shared/family-handler.ts';
import { nextCheckSeconds, secondsBetween } from '../../shared/polling.ts';
import type {
  CheckStatus,
  ProgressResult,
  ReadinessCheck,
  ResourceEvent,
  StepContext,
} from '../../shared/step-contract.ts';
import { checkProgress, instanceProgress, requireTargetState, type Target } from '../check.ts';
import type { DatabaseClients } from '../clients.ts';
import { fencePrimary } from '../fence-primary.ts';
import {
  CAUGHT_UP_MAX_AGE_SECONDS,
  caughtUpLag,
  findInstance,
  INSTANCE_NOT_FOUND,
  INVALID_INSTANCE_STATE,
  isAwsError,
  replicaLagDatapoints,
  rpoFromReplicaLag,
} from '../rds-queries.ts';
import { type Attempt, attempt, kmsKeyCheck, probe, probeAll, snapshotChecks } from '../readiness-checks.ts';
import { type RestoreRequest, restoreNewestSnapshot } from '../restore-snapshot.ts';
import { drillInstanceOf, placementOf } from '../restore-target.ts';
import { revertDrill } from '../revert.ts';
import { type DatabaseState, earlierStart, fieldPath, type ProgressAction, requireMode } from '../state.ts';

type ReadReplica = ResourceOfType<'rds-read-replica'>;
type Event = ResourceEvent<ReadReplica>;

/** Window over which the maximum ReplicaLag must be within the RPO objective. */
export const READINESS_LAG_WINDOW_SECONDS = 600;

/**
 * Shortest wait between two looks at the lag while a switchover waits for it to reach 0: ReplicaLag
 * has one datapoint a minute, so looking every 2 s would only repeat the same answer.
 */
export const ZERO_LAG_POLL_SECONDS = 15;

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

/** What start operates on: the replica (failover, switchover) or the drill's temporary instance. */
function targetOf(event: Event): Target {
  return event.run.mode === 'drill'
    ? { operation: 'restore', instanceId: drillInstanceOf(event) }
    : { operation: 'promote', instanceId: event.resource.replicaInstanceId };
}

export const rdsReadReplicaSteps: ResourceSteps<ReadReplica, DatabaseClients> = {
  expectedSeconds(resource, mode) {
    return mode === 'drill' ? DRILL_RESTORE_EXPECTED_SECONDS : resource.expectedPromotionSeconds;
  },

  async readiness(event, clients, context) {
    return {
      family: 'database',
      checks: await readinessChecks(event, clients, context),
      predictedSeconds: rdsReadReplicaSteps.expectedSeconds(event.resource, event.run.mode),
    };
  },

  async start(event, clients, context) {
    requireMode(event, 'start', ['drill', 'failover', 'switchover']);
    if (event.run.mode !== 'drill') return promote(event, clients, context, 'start');
    return restoreNewestSnapshot(event, clients, context, await drillRestore(event, clients));
  },

  async check(event, clients, context) {
    requireMode(event, 'check', ['drill', 'failover', 'switchover']);
    const target = targetOf(event);
    // A switchover still waiting for the lag to reach 0 has not promoted yet: look again.
    if (event.run.mode === 'switchover' && requireTargetState(event, 'check', target).waitingFor) {
      return promote(event, clients, context, 'check');
    }
    return checkProgress(event, clients, context, target);
  },

  revert: revertDrill,

  async fence(event, clients) {
    requireMode(event, 'fence', ['failover', 'switchover']);
    return fencePrimary(event, clients);
  },
};

// ---- readiness ----------------------------------------------------------------------------------

async function readinessChecks(
  event: Event,
  clients: DatabaseClients,
  context: StepContext,
): Promise<ReadinessCheck[]> {
  const { replicaInstanceId: replicaId, primaryInstanceId: primaryId, drill } = event.resource;
  const region = event.plan.regions.recovery;
  // A drill restores this snapshot; a failover promotes the replica and only loses a fallback.
  const failure = event.run.mode === 'drill' ? 'fail' : 'warn';
  const [replica, lag, snapshots, key] = await Promise.all([
    attempt(() => findInstance(clients.rds, replicaId, 'describe the read replica')),
    probe('replica-lag', () =>
      replicaLagCheck(clients, context, replicaId, event.plan.objectives.rpoSeconds),
    ),
    probeAll('recent-snapshot', () =>
      snapshotChecks(clients, context, {
        name: 'recent-snapshot',
        sources: [primaryId, replicaId],
        maxAgeHours: drill.snapshotMaxAgeHours,
        region,
        failure,
        kmsKeyArn: drill.kmsKeyArn,
        paths: {
          maxAgeHours: fieldPath(event, 'drill.snapshotMaxAgeHours'),
          kmsKeyArn: fieldPath(event, 'drill.kmsKeyArn'),
        },
      }),
    ),
    drill.kmsKeyArn
      ? kmsKeyCheck(clients, {
          keyArn: drill.kmsKeyArn,
          path: fieldPath(event, 'drill.kmsKeyArn'),
          region,
          failure,
        })
      : undefined,
  ]);
  return [...replicaChecks(event, replica), lag, ...snapshots, ...(key ? [key] : [])];
}

/** replica-available and replicates-from-primary, from one describe of the replica (or its failure). */
function replicaChecks(event: Event, replica: Attempt<DBInstance | undefined>): ReadinessCheck[] {
  const { replicaInstanceId: replicaId, primaryInstanceId: primaryId } = event.resource;
  const region = event.plan.regions.recovery;
  const replicaPath = fieldPath(event, 'replicaInstanceId');
  if ('error' in replica || !replica.value) {
    const problem =
      'error' in replica
        ? replica.error
        : `read replica ${replicaId} not found in ${region}: create the cross-region read replica or fix ${replicaPath}`;
    return [
      { name: 'replica-available', status: 'fail', detail: problem },
      { name: 'replicates-from-primary', status: 'fail', detail: `cannot tell: ${problem}` },
    ];
  }
  const status = replica.value.DBInstanceStatus ?? 'unknown';
  const check = (name: string, result: CheckStatus, detail: string) => ({ name, status: result, detail });
  const source = replica.value.ReadReplicaSourceDBInstanceIdentifier;
  const primary = primaryId.toLowerCase();
  return [
    status === 'available'
      ? check('replica-available', 'pass', `read replica ${replicaId} is available in ${region}`)
      : check(
          'replica-available',
          'fail',
          `read replica ${replicaId} is "${status}", not "available": promotion would wait or fail; investigate it`,
        ),
    !source
      ? check(
          'replicates-from-primary',
          'warn',
          `${replicaId} has no replication source: already standalone: promotion will be a no-op`,
        )
      : source.toLowerCase() === primary || source.toLowerCase().endsWith(`:db:${primary}`)
        ? check('replicates-from-primary', 'pass', `${replicaId} replicates from ${source}`)
        : check(
            'replicates-from-primary',
            'fail',
            `${replicaId} replicates from ${source}, not from ${primaryId}: fix ${fieldPath(event, 'primaryInstanceId')} or ${replicaPath}`,
          ),
  ];
}

/** replica-lag: the worst ReplicaLag of the last 10 minutes against the RPO objective. */
async function replicaLagCheck(
  clients: DatabaseClients,
  context: StepContext,
  replicaId: string,
  rpoSeconds: number,
): Promise<ReadinessCheck> {
  const points = await replicaLagDatapoints(
    clients.cloudwatch,
    replicaId,
    READINESS_LAG_WINDOW_SECONDS,
    context.now(),
  );
  const name = 'replica-lag';
  if (points.length === 0) {
    return {
      name,
      status: 'warn',
      detail: `no ReplicaLag datapoints for ${replicaId} in the last ${READINESS_LAG_WINDOW_SECONDS / 60} minutes: the RPO cannot be predicted; check the replica is replicating`,
    };
  }
  const worst = Math.max(...points.map((p) => p.seconds));
  return worst <= rpoSeconds
    ? {
        name,
        status: 'pass',
        detail: `ReplicaLag of ${replicaId} at most ${worst} s, within the RPO of ${rpoSeconds} s`,
      }
    : {
        name,
        status: 'fail',
        detail: `ReplicaLag of ${replicaId} reached ${worst} s, above the RPO of ${rpoSeconds} s (objectives.rpoSeconds): a failover now would lose more data than the objective allows`,
      };
}

// ---- drill: restore the newest snapshot where the replica serves from ---------------------------

/**
 * The drill copies the replica's network placement (unless the plan's drill sets it), so the
 * temporary instance lands where the promoted replica would serve from; without the replica a
 * failover would fail too.
 */
async function drillRestore(event: Event, clients: DatabaseClients): Promise<RestoreRequest> {
  const { replicaInstanceId: replicaId, primaryInstanceId: primaryId, drill } = event.resource;
  const replica = await findInstance(clients.rds, replicaId, 'describe the read replica');
  if (!replica) {
    throw new ReplicaNotFoundError(
      `read replica ${replicaId} not found in ${event.plan.regions.recovery}: the drill copies its placement and stands in for its promotion; check ${fieldPath(event, 'replicaInstanceId')}`,
      replicaId,
    );
  }
  return {
    instanceId: drillInstanceOf(event),
    sourceInstanceIds: [primaryId, replicaId],
    sourcesField: `${fieldPath(event, 'primaryInstanceId')}, ${fieldPath(event, 'replicaInstanceId')}`,
    instanceClass: drill.instanceClass ?? replica.DBInstanceClass,
    placement: placementOf(drill, replica),
    rpo: { from: 'replica-lag', replicaInstanceId: replicaId },
  };
}

// ---- failover and switchover: promote the replica ----------------------------------------------

/**
 * Promotes the replica: at once in a failover, once its lag is 0 in a switchover. `action` is
 * start, or check when a switchover's start found the lag above 0.
 */
async function promote(
  event: Event,
  clients: DatabaseClients,
  context: StepContext,
  action: Exclude<ProgressAction, 'revert'>,
): Promise<ProgressResult> {
  const { replicaInstanceId: id, backupRetentionDays } = event.resource;
  const region = event.plan.regions.recovery;
  const replica = await findInstance(clients.rds, id, 'describe the read replica');
  if (!replica) {
    throw new ReplicaNotFoundError(
      `read replica ${id} not found in ${region}: nothing to promote; check ${fieldPath(event, 'replicaInstanceId')}`,
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
    return instanceProgress(replica, state, context, action, event.run.id);
  }

  // RPO achieved = replica lag at promotion, read before the replica stops replicating; a
  // switchover promotes only at 0.
  const switchover = event.run.mode === 'switchover';
  let measurements: Record<string, number | string>;
  if (switchover) {
    const lag = await caughtUpLag(clients.cloudwatch, id, context.now());
    if (!lag.caughtUp) return waitingForZeroLag(event, state, lag.why, context, action);
    measurements = { rpoSeconds: lag.rpoSeconds, rpoMeasuredAt: lag.rpoMeasuredAt };
  } else {
    measurements = await rpoFromReplicaLag(clients.cloudwatch, id, context.now());
  }
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
            ...(setRetention ? { BackupRetentionPeriod: backupRetentionDays } : {}),
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
  const retention = setRetention ? `, backup retention set to ${backupRetentionDays} days` : '';
  return {
    family: 'database',
    action,
    done: false,
    nextCheckSeconds: nextCheckSeconds(elapsedSeconds),
    detail: promoted
      ? `promoting read replica ${id} in ${region}${switchover ? ' (switchover: ReplicaLag 0)' : ''}${retention}`
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

/** A switchover's promotion not requested yet: the lag is not (known to be) 0. */
function waitingForZeroLag(
  event: Event,
  state: DatabaseState,
  why: string,
  context: StepContext,
  action: Exclude<ProgressAction, 'revert'>,
): ProgressResult {
  const elapsedSeconds = secondsBetween(state.startedAt, context.now());
  return {
    family: 'database',
    action,
    done: false,
    nextCheckSeconds: Math.max(ZERO_LAG_POLL_SECONDS, nextCheckSeconds(elapsedSeconds)),
    detail: `switchover waits for the ReplicaLag of read replica ${event.resource.replicaInstanceId} to be 0 on a datapoint at most ${CAUGHT_UP_MAX_AGE_SECONDS} s old before promoting it (${Math.round(elapsedSeconds)} s so far): ${why}; stop the writes to ${event.resource.primaryInstanceId} (the step's timeout bounds the wait: ${fieldPath(event, 'timeoutMinutes')})`,
    state: { ...state, waitingFor: 'zero-lag' },
    changes: [],
  };
}
