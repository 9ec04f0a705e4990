// aurora-global-database: an Aurora global database whose secondary cluster is in the recovery region.
//   failover: FailoverGlobalCluster with AllowDataLoss to the secondary (the primary region is
//             assumed unreachable and is never called); the RPO is the secondary's lag just before.
//   switchover: SwitchoverGlobalCluster to the secondary (planned, both regions healthy): Aurora
//             waits until the secondary has caught up before it swaps the roles, and the old
//             primary stays in the global database as a secondary, so nothing is lost: the RPO is
//             0. Done once the secondary is the writer, available, and no switchover is in progress.
//   fence:    nothing to call: the global failover or switchover demotes the old primary, which
//             rejoins as a secondary (skipped, saying so, for the report).
//   drill:    clones the secondary to a temporary cluster with one instance (../aurora-drill.ts),
//             deleted on revert; the RPO is the lag when the copy is taken.
// Every call goes to the recovery region, where the global cluster is described too.
import {
  type DBCluster,
  FailoverGlobalClusterCommand,
  type GlobalCluster,
  SwitchoverGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import type { ResourceOfType } from '../../../plan/schema.ts';
import { awsCall } from '../../shared/aws-errors.ts';
import { DRILL_RESTORE_EXPECTED_SECONDS } from '../../shared/deadlines.ts';
import {
  DbClusterNotFoundError,
  GlobalClusterNotFoundError,
  InvalidResourceStateError,
} from '../../shared/errors.ts';
import type { ResourceSteps } from '../../shared/family-handler.ts';
import { nextCheckSeconds, secondsBetween } from '../../shared/polling.ts';
import type {
  ProgressResult,
  ReadinessCheck,
  ResourceEvent,
  StepContext,
} from '../../shared/step-contract.ts';
import {
  activeFailover,
  CLUSTER_NOT_FOUND,
  findCluster,
  findGlobalCluster,
  GLOBAL_CLUSTER_NOT_FOUND,
  GLOBAL_LAG_METRICS,
  globalLag,
  INVALID_CLUSTER_STATE,
  INVALID_GLOBAL_CLUSTER_STATE,
  memberOf,
  rpoFromGlobalLag,
  targets,
} from '../aurora-clusters.ts';
import { CLUSTER_FAILED_STATUSES, checkClone, revertClone, startClone } from '../aurora-drill.ts';
import {
  type AuroraState,
  carried,
  planField,
  previousAuroraState,
  requireAuroraState,
  requireRunMode,
} from '../aurora-state.ts';
import type { DatabaseClients } from '../clients.ts';
import { isAwsError } from '../rds-queries.ts';
import { type Attempt, attempt, probe } from '../readiness-checks.ts';

type Aurora = ResourceOfType<'aurora-global-database'>;
type Event = ResourceEvent<Aurora>;

/** Window over which the worst lag of the secondary must be within the RPO objective. */
export const READINESS_GLOBAL_LAG_WINDOW_SECONDS = 600;

export const auroraGlobalDatabaseSteps: ResourceSteps<Aurora, DatabaseClients> = {
  expectedSeconds(resource, mode) {
    return mode === 'drill' ? DRILL_RESTORE_EXPECTED_SECONDS : resource.expectedFailoverSeconds;
  },

  async readiness(event, clients, context) {
    const { checks, writer } = await readinessChecks(event, clients, context);
    return {
      family: 'database',
      checks,
      // What a failover would take: nothing when the secondary already writes.
      predictedSeconds: writer ? 0 : event.resource.expectedFailoverSeconds,
    };
  },

  async start(event, clients, context) {
    requireRunMode(event, 'start', ['drill', 'failover', 'switchover']);
    if (event.run.mode !== 'drill') return startFailover(event, clients, context);
    return startClone(event, clients, context);
  },

  async check(event, clients, context) {
    requireRunMode(event, 'check', ['drill', 'failover', 'switchover']);
    if (event.run.mode !== 'drill') return checkFailover(event, clients, context);
    return checkClone(event, clients, context);
  },

  revert: revertClone,

  async fence() {
    return {
      outcome: 'skipped',
      detail: 'the global failover/switchover demotes the old primary: it rejoins as a secondary',
      changes: [],
    };
  },
};

// ---- what the plan names ---------------------------------------------------------------------------

function globalLabel(event: Event): string {
  return `global database ${event.resource.globalClusterId} (${planField(event, 'globalClusterId')})`;
}

function secondaryLabel(event: Event): string {
  return `secondary cluster ${event.resource.secondaryClusterId} (${planField(event, 'secondaryClusterId')})`;
}

/** The global cluster and the secondary as they are now; not-found of either is a permanent error. */
async function describeBoth(
  event: Event,
  clients: DatabaseClients,
  doing: string,
): Promise<{ global: GlobalCluster; secondary: DBCluster }> {
  const { globalClusterId, secondaryClusterId } = event.resource;
  const region = event.plan.regions.recovery;
  const [global, secondary] = await Promise.all([
    findGlobalCluster(clients.rds, globalClusterId, globalLabel(event), 'describe the global database'),
    findCluster(clients.rds, secondaryClusterId, secondaryLabel(event), 'describe the secondary cluster'),
  ]);
  if (!global) {
    throw new GlobalClusterNotFoundError(
      `global database ${globalClusterId} not found (described from ${region}) while trying to ${doing}: fix ${planField(event, 'globalClusterId')}, or create the global database`,
      globalClusterId,
    );
  }
  if (!secondary) {
    throw new DbClusterNotFoundError(
      `secondary cluster ${secondaryClusterId} not found in ${region} while trying to ${doing}: fix ${planField(event, 'secondaryClusterId')}, or add ${region} to the global database`,
      secondaryClusterId,
    );
  }
  return { global, secondary };
}

function requireMember(event: Event, global: GlobalCluster, secondary: DBCluster) {
  const member = memberOf(global, secondary);
  if (!member) {
    const { globalClusterId, secondaryClusterId } = event.resource;
    throw new InvalidResourceStateError(
      `secondary cluster ${secondaryClusterId} (${secondary.DBClusterArn ?? 'no ARN'}) is not a member of global database ${globalClusterId}: fix ${planField(event, 'secondaryClusterId')} or ${planField(event, 'globalClusterId')} (a cluster detached from the global database by hand is no longer failed over by the runbook)`,
      secondaryClusterId,
    );
  }
  return member;
}

// ---- readiness (read-only, recovery region only) ---------------------------------------------------

async function readinessChecks(
  event: Event,
  clients: DatabaseClients,
  context: StepContext,
): Promise<{ checks: ReadinessCheck[]; writer: boolean }> {
  const { globalClusterId, secondaryClusterId } = event.resource;
  const region = event.plan.regions.recovery;
  const [global, secondary] = await Promise.all([
    attempt(() =>
      findGlobalCluster(clients.rds, globalClusterId, globalLabel(event), 'describe the global database'),
    ),
    attempt(() =>
      findCluster(clients.rds, secondaryClusterId, secondaryLabel(event), 'describe the secondary cluster'),
    ),
  ]);
  const checks: ReadinessCheck[] = [];
  const globalRead = found(
    global,
    `global database ${globalClusterId} not found (described from ${region}): create it or fix ${planField(event, 'globalClusterId')}`,
  );
  const secondaryRead = found(
    secondary,
    `secondary cluster ${secondaryClusterId} not found in ${region}: add ${region} to the global database or fix ${planField(event, 'secondaryClusterId')}`,
  );

  // global-cluster: it exists, and no failover or switchover is already moving it.
  if ('problem' in globalRead) {
    checks.push({ name: 'global-cluster', status: 'fail', detail: globalRead.problem });
  } else {
    const g = globalRead.value;
    const status = g.Status ?? 'unknown';
    checks.push(
      status === 'available'
        ? {
            name: 'global-cluster',
            status: 'pass',
            detail: `global database ${globalClusterId} is available with ${(g.GlobalClusterMembers ?? []).length} member cluster(s)`,
          }
        : {
            name: 'global-cluster',
            status: 'warn',
            detail: `global database ${globalClusterId} is "${status}", not "available": a failover may wait for it; investigate it`,
          },
    );
    const moving = g.FailoverState;
    if (moving?.Status) {
      const kind = moving.IsDataLossAllowed ? 'failover' : 'switchover';
      checks.push({
        name: 'no-failover-in-progress',
        status: 'warn',
        detail: `a ${kind} of ${globalClusterId} from ${moving.FromDbClusterArn ?? '?'} to ${moving.ToDbClusterArn ?? '?'} is "${moving.Status}": wait for it to finish before relying on the readiness result`,
      });
    }
  }

  // secondary-available and secondary-instances: one describe of the secondary.
  if ('problem' in secondaryRead) {
    checks.push({ name: 'secondary-available', status: 'fail', detail: secondaryRead.problem });
  } else {
    const s = secondaryRead.value;
    const status = s.Status ?? 'unknown';
    checks.push(
      status === 'available'
        ? {
            name: 'secondary-available',
            status: 'pass',
            detail: `secondary cluster ${secondaryClusterId} is available in ${region}`,
          }
        : {
            name: 'secondary-available',
            status: 'fail',
            detail: `secondary cluster ${secondaryClusterId} is "${status}", not "available": a failover would wait or fail; investigate it`,
          },
    );
    const instances = (s.DBClusterMembers ?? []).length;
    checks.push(
      instances > 0
        ? {
            name: 'secondary-instances',
            status: 'pass',
            detail: `secondary cluster ${secondaryClusterId} has ${instances} DB instance(s)`,
          }
        : {
            name: 'secondary-instances',
            status: 'fail',
            detail: `secondary cluster ${secondaryClusterId} has no DB instance (headless): a failover would leave the global database without a writer instance and a drill cannot clone it; add an instance`,
          },
    );
  }

  // secondary-member: the secondary belongs to the global database (and whether it already writes).
  let writer = false;
  if ('problem' in globalRead) {
    checks.push({ name: 'secondary-member', status: 'fail', detail: `cannot tell: ${globalRead.problem}` });
  } else if ('problem' in secondaryRead) {
    checks.push({
      name: 'secondary-member',
      status: 'fail',
      detail: `cannot tell: ${secondaryRead.problem}`,
    });
  } else {
    const member = memberOf(globalRead.value, secondaryRead.value);
    if (!member) {
      checks.push({
        name: 'secondary-member',
        status: 'fail',
        detail: `secondary cluster ${secondaryClusterId} is not a member of global database ${globalClusterId}: add ${region} to the global database or fix ${planField(event, 'secondaryClusterId')} / ${planField(event, 'globalClusterId')}`,
      });
    } else if (member.IsWriter) {
      writer = true;
      checks.push({
        name: 'secondary-member',
        status: 'pass',
        detail: `${secondaryClusterId} is already the writer of ${globalClusterId}: a failover has nothing to do`,
      });
    } else {
      const resync = member.SynchronizationStatus === 'pending-resync';
      checks.push({
        name: 'secondary-member',
        status: resync ? 'warn' : 'pass',
        detail: resync
          ? `${secondaryClusterId} is a secondary of ${globalClusterId} but "pending-resync": its data may be far behind; investigate it`
          : `${secondaryClusterId} is a secondary (reader) of ${globalClusterId}`,
      });
    }
  }

  checks.push(
    writer
      ? {
          name: 'rpo-lag',
          status: 'pass',
          detail: `${secondaryClusterId} is the writer: it has no replication lag`,
        }
      : await probe('rpo-lag', () =>
          lagCheck(clients, context, secondaryClusterId, event.plan.objectives.rpoSeconds),
        ),
  );
  return { checks, writer };
}

/** A read's outcome: the value, or the problem (its error, or `missing` when nothing was found). */
function found<T>(read: Attempt<T | undefined>, missing: string): { value: T } | { problem: string } {
  if ('error' in read) return { problem: read.error };
  return read.value === undefined ? { problem: missing } : { value: read.value };
}

/** rpo-lag: the worst lag of the last 10 minutes against the RPO objective (like the RDS replica-lag check). */
async function lagCheck(
  clients: DatabaseClients,
  context: StepContext,
  secondaryId: string,
  rpoSeconds: number,
): Promise<ReadinessCheck> {
  const name = 'rpo-lag';
  const lag = await globalLag(
    clients.cloudwatch,
    secondaryId,
    READINESS_GLOBAL_LAG_WINDOW_SECONDS,
    context.now(),
  );
  if (!lag) {
    return {
      name,
      status: 'warn',
      detail: `no ${GLOBAL_LAG_METRICS.join(' or ')} datapoints for ${secondaryId} in the last ${READINESS_GLOBAL_LAG_WINDOW_SECONDS / 60} minutes: the RPO cannot be predicted; check the secondary is replicating`,
    };
  }
  const worst = Math.max(...lag.points.map((p) => p.seconds));
  return worst <= rpoSeconds
    ? {
        name,
        status: 'pass',
        detail: `${lag.metric} of ${secondaryId} at most ${worst} s, within the RPO of ${rpoSeconds} s`,
      }
    : {
        name,
        status: 'fail',
        detail: `${lag.metric} of ${secondaryId} reached ${worst} s, above the RPO of ${rpoSeconds} s (objectives.rpoSeconds): a failover now would lose more data than the objective allows`,
      };
}

// ---- failover and switchover ----------------------------------------------------------------------

/** How a failover or a switchover names itself: the two differ only in the call and its words. */
interface Move {
  operation: 'failover' | 'switchover';
  /** "fail over", "switch over" */
  verb: string;
  /** "failed over", "switched over" */
  past: string;
}

function moveOf(event: Event): Move {
  return event.run.mode === 'switchover'
    ? { operation: 'switchover', verb: 'switch over', past: 'switched over' }
    : { operation: 'failover', verb: 'fail over', past: 'failed over' };
}

async function startFailover(
  event: Event,
  clients: DatabaseClients,
  context: StepContext,
): Promise<ProgressResult> {
  const { globalClusterId, secondaryClusterId } = event.resource;
  const region = event.plan.regions.recovery;
  const move = moveOf(event);
  const { global, secondary } = await describeBoth(event, clients, `${move.verb} the global database`);
  const member = requireMember(event, global, secondary);
  const earlier = previousAuroraState(event);
  const state: AuroraState = {
    operation: move.operation,
    clusterId: secondaryClusterId,
    globalClusterId,
    startedAt:
      earlier?.operation === move.operation && earlier.clusterId === secondaryClusterId
        ? earlier.startedAt
        : context.now().toISOString(),
  };
  const unmeasured = (why: string): Record<string, string> =>
    'rpoSeconds' in carried(event) || 'note' in carried(event) ? {} : { note: `${why}: RPO not measured` };

  if (member.IsWriter) {
    // Failed over by an earlier attempt of this start (or by hand): nothing to call.
    const progress = failoverProgress(event, global, secondary, state, context, 'start');
    return {
      ...progress,
      measurements: {
        ...progress.measurements,
        ...unmeasured(
          `${secondaryClusterId} was already the writer of ${globalClusterId} when this start looked`,
        ),
      },
    };
  }
  const moving = activeFailover(global);
  if (moving) {
    if (!targets(moving.ToDbClusterArn, secondary)) {
      throw elsewhere(event, moving.ToDbClusterArn, moving.Status);
    }
    // Requested by an earlier attempt (its result was lost): poll it, never request it twice. A
    // switchover under way (no data loss allowed) loses nothing, whoever requested it.
    const lossless = move.operation === 'switchover' && moving.IsDataLossAllowed === false;
    return {
      ...failoverProgress(event, global, secondary, state, context, 'start'),
      measurements: lossless
        ? switchoverRpo(context)
        : unmeasured(
            `a ${move.operation} of ${globalClusterId} to ${secondaryClusterId} was already under way when this start looked`,
          ),
    };
  }
  if (global.FailoverState?.Status === 'cancelling') {
    throw new InvalidResourceStateError(
      `a failover or switchover of global database ${globalClusterId} is being cancelled: run the ${move.operation} again once it shows none in progress`,
      globalClusterId,
    );
  }

  // RPO achieved: a failover's is the secondary's lag now, read before it stops replicating; a
  // switchover loses nothing (Aurora swaps the roles only once the secondary has caught up).
  const rpo =
    move.operation === 'switchover'
      ? switchoverRpo(context)
      : await rpoFromGlobalLag(clients.cloudwatch, secondaryClusterId, context.now());
  const targetArn = secondary.DBClusterArn;
  const call = move.operation === 'switchover' ? 'SwitchoverGlobalCluster' : 'FailoverGlobalCluster';
  if (!targetArn) {
    throw new InvalidResourceStateError(
      `secondary cluster ${secondaryClusterId} reports no ARN, which ${call} needs: retry the step`,
      secondaryClusterId,
    );
  }
  const requested = await awsCall(
    { resource: globalLabel(event), operation: `${move.verb} the global database to ${secondaryClusterId}` },
    async () => {
      try {
        await clients.rds.send(
          move.operation === 'switchover'
            ? // Planned: both regions healthy, no data loss; the old primary becomes a secondary.
              new SwitchoverGlobalClusterCommand({
                GlobalClusterIdentifier: globalClusterId,
                TargetDbClusterIdentifier: targetArn,
              })
            : new FailoverGlobalClusterCommand({
                GlobalClusterIdentifier: globalClusterId,
                // The ARN, so Aurora finds the cluster in its Region.
                TargetDbClusterIdentifier: targetArn,
                // A failover, not a switchover: the primary region is assumed down.
                AllowDataLoss: true,
              }),
        );
        return true;
      } catch (error) {
        if (isAwsError(error, GLOBAL_CLUSTER_NOT_FOUND)) {
          throw new GlobalClusterNotFoundError(
            `global database ${globalClusterId} not found when ${move.operation === 'switchover' ? 'switching it over' : 'failing it over'} (it was described a moment ago): fix ${planField(event, 'globalClusterId')}`,
            globalClusterId,
            { cause: error },
          );
        }
        if (isAwsError(error, CLUSTER_NOT_FOUND)) {
          throw new DbClusterNotFoundError(
            `secondary cluster ${secondaryClusterId} (${targetArn}) not found when ${move.operation === 'switchover' ? 'switching over' : 'failing over'} to it: fix ${planField(event, 'secondaryClusterId')}`,
            secondaryClusterId,
            { cause: error },
          );
        }
        if (isAwsError(error, INVALID_GLOBAL_CLUSTER_STATE) || isAwsError(error, INVALID_CLUSTER_STATE)) {
          return refusedState(event, clients, error);
        }
        throw error;
      }
    },
  );

  const elapsedSeconds = secondsBetween(state.startedAt, context.now());
  return {
    family: 'database',
    action: 'start',
    done: false,
    nextCheckSeconds: nextCheckSeconds(elapsedSeconds),
    detail: requested
      ? move.operation === 'switchover'
        ? `switching over global database ${globalClusterId} to ${secondaryClusterId} in ${region} (planned, no data loss)`
        : `failing over global database ${globalClusterId} to ${secondaryClusterId} in ${region} (AllowDataLoss)`
      : `a ${move.operation} of global database ${globalClusterId} to ${secondaryClusterId} is already under way: polling until it is the writer`,
    state,
    changes: requested
      ? [
          {
            resource: globalClusterId,
            action: `${move.operation}-global-cluster`,
            detail:
              move.operation === 'switchover'
                ? `switched over to ${targetArn}, no data loss (the writer was ${writerArn(global) ?? 'unknown'}, now a secondary)`
                : `failed over to ${targetArn} with AllowDataLoss (the writer was ${writerArn(global) ?? 'unknown'})`,
          },
        ]
      : [],
    measurements: requested
      ? rpo
      : unmeasured(`a ${move.operation} of ${globalClusterId} was already under way`),
  };
}

/**
 * A switchover's RPO: 0 by Aurora's contract (SwitchoverGlobalCluster makes the secondary the
 * writer only once it has every committed transaction), taken when it is requested.
 */
function switchoverRpo(context: StepContext): { rpoSeconds: 0; rpoMeasuredAt: string } {
  return { rpoSeconds: 0, rpoMeasuredAt: context.now().toISOString() };
}

/**
 * AWS refused the failover for the global cluster's or the secondary's state. A failover this run
 * requested a moment ago (a retried start) is such a state: polled, not an error. Anything else is.
 */
async function refusedState(event: Event, clients: DatabaseClients, error: unknown): Promise<false> {
  const move = moveOf(event);
  const { global, secondary } = await describeBoth(event, clients, `${move.verb} the global database`);
  const member = memberOf(global, secondary);
  const moving = activeFailover(global);
  if (member?.IsWriter || (moving && targets(moving.ToDbClusterArn, secondary))) return false;
  throw new InvalidResourceStateError(
    `global database ${event.resource.globalClusterId} cannot ${move.verb} to ${event.resource.secondaryClusterId} now (${(error as Error).message}; the secondary is "${secondary.Status ?? 'unknown'}"): wait until the global database and the secondary are available${move.operation === 'switchover' ? ' (a switchover also needs the primary available and every member on the same engine version)' : ''}, then run the ${move.operation} again`,
    event.resource.globalClusterId,
    { cause: error },
  );
}

function elsewhere(
  event: Event,
  to: string | undefined,
  status: string | undefined,
): InvalidResourceStateError {
  return new InvalidResourceStateError(
    `global database ${event.resource.globalClusterId} is failing over to ${to ?? 'another cluster'} ("${status ?? 'unknown'}"), not to ${event.resource.secondaryClusterId}: wait for it to finish, or fix ${planField(event, 'secondaryClusterId')}`,
    event.resource.globalClusterId,
  );
}

function writerArn(global: GlobalCluster): string | undefined {
  return global.GlobalClusterMembers?.find((m) => m.IsWriter)?.DBClusterArn;
}

async function checkFailover(
  event: Event,
  clients: DatabaseClients,
  context: StepContext,
): Promise<ProgressResult> {
  const move = moveOf(event);
  const state = requireAuroraState(event, 'check', {
    operations: [move.operation],
    clusterId: event.resource.secondaryClusterId,
  });
  const { global, secondary } = await describeBoth(event, clients, `check the ${move.operation}`);
  return failoverProgress(event, global, secondary, state, context, 'check');
}

/**
 * Done when the secondary is the global database's writer and available; for a switchover also
 * once no switchover is in progress (the old primary has taken its place as a secondary).
 */
function failoverProgress(
  event: Event,
  global: GlobalCluster,
  secondary: DBCluster,
  state: AuroraState,
  context: StepContext,
  action: 'start' | 'check',
): ProgressResult {
  const { globalClusterId, secondaryClusterId } = event.resource;
  const move = moveOf(event);
  const member = requireMember(event, global, secondary);
  const status = secondary.Status ?? 'unknown';
  const elapsedSeconds = Math.round(secondsBetween(state.startedAt, context.now()));
  if (CLUSTER_FAILED_STATUSES.has(status)) {
    throw new InvalidResourceStateError(
      `${move.operation} of global database ${globalClusterId} to ${secondaryClusterId} cannot complete: the secondary is "${status}"; investigate it in the RDS console (events, logs)`,
      secondaryClusterId,
    );
  }
  const base = { family: 'database' as const, action, state: { ...state }, changes: [] };
  const settling = move.operation === 'switchover' ? activeFailover(global) : undefined;
  if (member.IsWriter && status === 'available' && !settling) {
    const endpoint = secondary.Endpoint;
    return {
      ...base,
      done: true,
      nextCheckSeconds: 0,
      detail: `global database ${globalClusterId} ${move.past}: ${secondaryClusterId} is the writer and available${endpoint ? ` at ${endpoint}` : ''} after ${elapsedSeconds} s`,
      measurements: { elapsedSeconds, ...(endpoint ? { endpoint } : {}) },
    };
  }
  const failover = global.FailoverState;
  if (!member.IsWriter && failover?.Status) {
    if (failover.Status === 'cancelling' && targets(failover.ToDbClusterArn, secondary)) {
      throw new InvalidResourceStateError(
        `the ${move.operation} of global database ${globalClusterId} to ${secondaryClusterId} is being cancelled, so ${secondaryClusterId} stays a reader: investigate it (RDS events), then run the ${move.operation} again`,
        globalClusterId,
      );
    }
    if (!targets(failover.ToDbClusterArn, secondary)) {
      throw elsewhere(event, failover.ToDbClusterArn, failover.Status);
    }
  }
  const waitingFor = !member.IsWriter
    ? `still a reader${failover?.Status ? ` (${move.operation} "${failover.Status}")` : ''}`
    : status !== 'available'
      ? `the writer, "${status}", waiting for "available"`
      : `the writer, waiting for the ${move.operation} ("${settling?.Status}") to finish`;
  return {
    ...base,
    done: false,
    nextCheckSeconds: nextCheckSeconds(elapsedSeconds),
    detail: `${move.operation} of global database ${globalClusterId} to ${secondaryClusterId} in progress (${elapsedSeconds} s): ${waitingFor}`,
  };
}
