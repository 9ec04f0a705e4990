// dynamodb-global-table: a DynamoDB global table (version 2019.11.21) with a replica in the
// recovery region. Global tables are multi-active: every replica takes writes, so there is nothing
// to promote.
//   failover: confirms the recovery replica is ACTIVE (waits while it is CREATING or UPDATING); the
//             RPO is its ReplicationLatency at that moment.
//   switchover: the same confirmation; the RPO is 0. A switchover's writes have stopped upstream
//             before it starts, and every write a global table took replicates to every replica
//             (multi-active, nothing to move), so nothing is lost; the ReplicationLatency a
//             failover reports measures writes still arriving, which a switchover has none of.
//   drill:    writes a probe item (marked with the run and resource) to the recovery replica and
//             reads it back with a strongly consistent read; the RPO is the replication latency at
//             that moment, what a failover would have lost. Revert deletes the probe, found by its
//             key (run id + resource id), and calls it gone only when a later look agrees.
// Every call goes to the recovery region; the primary region is never called.
import type { TableDescription } from '@aws-sdk/client-dynamodb';
import type { ResourceOfType } from '../../../plan/schema.ts';
import * as z from '../../../plan/zod.ts';
import { nonEmptyString } from '../../../plan/zod.ts';
import { InvalidResourceStateError, InvalidStepInputError } from '../../shared/errors.ts';
import type { ResourceSteps } from '../../shared/family-handler.ts';
import { nextCheckSeconds, secondsBetween } from '../../shared/polling.ts';
import type {
  Change,
  CheckStatus,
  ProgressResult,
  ReadinessCheck,
  ResourceEvent,
  StepContext,
} from '../../shared/step-contract.ts';
import type { DatabaseClients } from '../clients.ts';
import {
  LATENCY_WINDOW_SECONDS,
  type LatencyMeasurement,
  replicationLatencyDatapoints,
  rpoFromReplicationLatency,
} from '../dynamodb-latency.ts';
import {
  deleteProbe,
  describeKey,
  isOwnProbe,
  type ProbeOwner,
  probeKeyValue,
  readProbe,
  requireOwnProbe,
  writeProbe,
} from '../dynamodb-probe.ts';
import {
  findTable,
  GLOBAL_TABLE_VERSION,
  missingTableFix,
  otherReplicas,
  probeKeyOf,
  recoveryReplicaReadiness,
  replicaIn,
  requireTable,
  type TableRef,
  tableRefOf,
} from '../dynamodb-table.ts';
import { type Attempt, attempt, probe } from '../readiness-checks.ts';
import { fieldPath, requireMode } from '../state.ts';

type GlobalTable = ResourceOfType<'dynamodb-global-table'>;
type Event = ResourceEvent<GlobalTable>;

/** Start → done: a look at the replica (or a probe write and read); a replica settling may take a while. */
export const GLOBAL_TABLE_EXPECTED_SECONDS = 30;

const isoTime = z.iso.datetime({ offset: true });

const globalTableStateSchema = z.object({
  /** confirm-replica: a failover or switchover; probe: a drill's probe item; delete-probe: a drill revert. */
  operation: z.enum(['confirm-replica', 'probe', 'delete-probe']),
  tableName: nonEmptyString,
  /** ISO time the operation started; polling intervals and the deadline grow from it. */
  startedAt: isoTime,
  /** delete-probe: ISO time a revert call first found the probe gone; a later call confirms it. */
  goneSeenAt: z.optional(isoTime),
});

export type GlobalTableState = z.output<typeof globalTableStateSchema>;
type Operation = GlobalTableState['operation'];

export const dynamodbGlobalTableSteps: ResourceSteps<GlobalTable, DatabaseClients> = {
  expectedSeconds() {
    return GLOBAL_TABLE_EXPECTED_SECONDS;
  },

  async readiness(event, clients, context) {
    return {
      family: 'database',
      checks: await readinessChecks(event, clients, context),
      // Nothing to promote: the replica already serves.
      predictedSeconds: 0,
    };
  },

  async start(event, clients, context) {
    requireMode(event, 'start', ['drill', 'failover', 'switchover']);
    const operation = operationOf(event);
    const earlier = previousState(event);
    const state: GlobalTableState = {
      operation,
      tableName: event.resource.tableName,
      startedAt:
        earlier?.operation === operation && earlier.tableName === event.resource.tableName
          ? earlier.startedAt
          : context.now().toISOString(),
    };
    return advance(event, clients, context, 'start', state);
  },

  async check(event, clients, context) {
    requireMode(event, 'check', ['drill', 'failover', 'switchover']);
    const state = requireOwnState(event, 'check', [operationOf(event)]);
    return advance(event, clients, context, 'check', state);
  },

  async revert(event, clients, context) {
    requireMode(event, 'revert', ['drill']);
    return revertProbe(event, clients, context);
  },
};

// ---- state --------------------------------------------------------------------------------------

function operationOf(event: Event): 'confirm-replica' | 'probe' {
  return event.run.mode === 'failover' || event.run.mode === 'switchover' ? 'confirm-replica' : 'probe';
}

function previousState(event: Event): GlobalTableState | undefined {
  const parsed = globalTableStateSchema.safeParse(event.state);
  return parsed.success ? parsed.data : undefined;
}

/** The event's state, which must be one this resource's start (or revert) returned for its table. */
function requireOwnState(
  event: Event,
  action: 'check' | 'revert',
  operations: Operation[],
): GlobalTableState {
  if (!event.state) {
    throw new InvalidStepInputError(
      `dynamodb-global-table ${action} of ${event.resourceId} needs the state returned by start, and the event has none: run start first`,
      'execution input',
    );
  }
  const state = previousState(event);
  if (!state) {
    throw new InvalidStepInputError(
      `dynamodb-global-table ${action} of ${event.resourceId} got a state that is not one its start returns: ${JSON.stringify(event.state)}`,
      'execution input',
    );
  }
  if (!operations.includes(state.operation) || state.tableName !== event.resource.tableName) {
    throw new InvalidStepInputError(
      `dynamodb-global-table ${action} of ${event.resourceId} got the state of a ${state.operation} of table ${state.tableName}, but its ${event.run.mode} ${action} is a ${operations.join(' or ')} of table ${event.resource.tableName}: pass the state this resource's start returned`,
      'execution input',
    );
  }
  return state;
}

function ownerOf(event: Event): ProbeOwner {
  return { planName: event.plan.name, runId: event.run.id, resourceId: event.resourceId };
}

// ---- readiness ----------------------------------------------------------------------------------

async function readinessChecks(
  event: Event,
  clients: DatabaseClients,
  context: StepContext,
): Promise<ReadinessCheck[]> {
  const ref = tableRefOf(event);
  const [table, latency] = await Promise.all([
    attempt(() => findTable(clients.dynamodb, ref)),
    probe('replication-latency', () => latencyCheck(clients, context, ref, event.plan.objectives.rpoSeconds)),
  ]);
  return [...tableChecks(event, ref, table), latency];
}

const check = (name: string, status: CheckStatus, detail: string): ReadinessCheck => ({
  name,
  status,
  detail,
});

/** table-active, global-table, replica-active (and drill-probe-key outside failovers), from one DescribeTable. */
function tableChecks(
  event: Event,
  ref: TableRef,
  found: Attempt<TableDescription | undefined>,
): ReadinessCheck[] {
  const probeKeyStatus: CheckStatus = event.run.mode === 'drill' ? 'fail' : 'warn';
  const withProbeKey = event.run.mode !== 'failover' && event.run.mode !== 'switchover';
  if ('error' in found || !found.value) {
    const problem =
      'error' in found
        ? found.error
        : `DynamoDB table ${ref.tableName} not found in ${ref.region}: ${missingTableFix(ref)}`;
    return [
      check('table-active', 'fail', problem),
      check('global-table', 'fail', `cannot tell: ${problem}`),
      check('replica-active', 'fail', `cannot tell: ${problem}`),
      ...(withProbeKey ? [check('drill-probe-key', probeKeyStatus, `cannot tell: ${problem}`)] : []),
    ];
  }
  const table = found.value;
  const checks = [tableActiveCheck(ref, table), globalTableCheck(ref, table), replicaActiveCheck(ref, table)];
  if (withProbeKey) {
    const prefixPath = fieldPath(event, 'drill.probeKeyPrefix');
    const key = probeKeyOf(
      table,
      probeKeyValue(event.resource.drill.probeKeyPrefix, ownerOf(event)),
      prefixPath,
    );
    checks.push(
      'problem' in key
        ? check('drill-probe-key', probeKeyStatus, key.problem)
        : check(
            'drill-probe-key',
            'pass',
            `the drill can write its probe item to ${ref.tableName}: key attributes ${key.attributes.join(', ')} are strings and take "${event.resource.drill.probeKeyPrefix}#<run id>#${event.resourceId}" (${prefixPath})`,
          ),
    );
  }
  return checks;
}

function tableActiveCheck(ref: TableRef, table: TableDescription): ReadinessCheck {
  const status = table.TableStatus ?? 'unknown';
  if (status === 'ACTIVE') {
    return check('table-active', 'pass', `DynamoDB table ${ref.tableName} is ACTIVE in ${ref.region}`);
  }
  if (status === 'CREATING' || status === 'UPDATING') {
    return check(
      'table-active',
      'warn',
      `DynamoDB table ${ref.tableName} is ${status} in ${ref.region}: a failover now waits until it is ACTIVE`,
    );
  }
  return check(
    'table-active',
    'fail',
    `DynamoDB table ${ref.tableName} is ${status} in ${ref.region}, not ACTIVE: a failover would fail; investigate it in the DynamoDB console`,
  );
}

function globalTableCheck(ref: TableRef, table: TableDescription): ReadinessCheck {
  const name = 'global-table';
  const version = table.GlobalTableVersion;
  if (version !== undefined && version !== GLOBAL_TABLE_VERSION) {
    return check(
      name,
      'fail',
      `${ref.tableName} is a global table of version ${version}, not ${GLOBAL_TABLE_VERSION}: upgrade it to version ${GLOBAL_TABLE_VERSION} (the current version)`,
    );
  }
  const others = (table.Replicas ?? []).filter((replica) => replica.RegionName !== ref.region);
  if (others.length === 0) {
    return check(
      name,
      'fail',
      `${ref.tableName} in ${ref.region} is not a global table (no replica in another region): a failover would serve a table that receives none of the primary's writes; make it a replica of the ${ref.primaryRegion} table, or fix ${ref.path}`,
    );
  }
  const primary = replicaIn(table, ref.primaryRegion);
  if (!primary) {
    return check(
      name,
      'fail',
      `global table ${ref.tableName} has replicas in ${others.map((r) => r.RegionName).join(', ')} but none in the primary region ${ref.primaryRegion}: fix regions.primary or ${ref.path}`,
    );
  }
  const replicas = otherReplicas(table, ref.region);
  if (primary.ReplicaStatus !== 'ACTIVE') {
    return check(
      name,
      'warn',
      `global table ${ref.tableName}: its ${ref.primaryRegion} replica is ${primary.ReplicaStatus ?? 'unknown'}, not ACTIVE (replicas: ${replicas}): writes in ${ref.primaryRegion} may not be reaching ${ref.region}; investigate the replica`,
    );
  }
  return check(
    name,
    'pass',
    `${ref.tableName} is a global table${version ? ` (version ${version})` : ''} replicating with ${replicas}`,
  );
}

function replicaActiveCheck(ref: TableRef, table: TableDescription): ReadinessCheck {
  const replica = recoveryReplicaReadiness(table, ref);
  switch (replica.state) {
    case 'active':
      return check('replica-active', 'pass', `the ${ref.region} replica takes writes: ${replica.detail}`);
    case 'settling':
      return check('replica-active', 'warn', `${replica.detail}; a failover now waits for it`);
    case 'unusable':
      return check('replica-active', 'fail', replica.detail);
  }
}

/** replication-latency: the worst ReplicationLatency into the recovery region against the RPO objective. */
async function latencyCheck(
  clients: DatabaseClients,
  context: StepContext,
  ref: TableRef,
  rpoSeconds: number,
): Promise<ReadinessCheck> {
  const points = await replicationLatencyDatapoints(
    clients.cloudwatch,
    ref.tableName,
    ref.region,
    context.now(),
  );
  const name = 'replication-latency';
  const what = `ReplicationLatency of ${ref.tableName} into ${ref.region}`;
  if (points.length === 0) {
    return check(
      name,
      'warn',
      `no ${what} datapoints in the last ${LATENCY_WINDOW_SECONDS / 60} minutes: the RPO cannot be predicted; DynamoDB emits it only while items replicate, so check the primary's writes reach the replica`,
    );
  }
  const worst = Math.max(...points.map((point) => point.milliseconds));
  return worst <= rpoSeconds * 1000
    ? check(name, 'pass', `${what} at most ${worst} ms, within the RPO of ${rpoSeconds} s`)
    : check(
        name,
        'fail',
        `${what} reached ${worst} ms, above the RPO of ${rpoSeconds} s (objectives.rpoSeconds): a failover now would lose more data than the objective allows`,
      );
}

// ---- start / check ------------------------------------------------------------------------------

/**
 * One look at the recovery replica: while it settles (CREATING, UPDATING) the step polls; once it
 * is ACTIVE a failover is done and a drill writes and reads its probe.
 */
async function advance(
  event: Event,
  clients: DatabaseClients,
  context: StepContext,
  action: 'start' | 'check',
  state: GlobalTableState,
): Promise<ProgressResult> {
  const ref = tableRefOf(event);
  const failover = operationOf(event) === 'confirm-replica';
  // The RPO of a failover is the replication latency when it was decided (start); checks carry it.
  // A switchover's is 0 (above).
  const [table, measured] = await Promise.all([
    requireTable(
      clients.dynamodb,
      ref,
      failover
        ? 'the failover has no replica to serve from'
        : 'the drill probes the replica a failover would serve from',
    ),
    failover && action === 'start'
      ? event.run.mode === 'switchover'
        ? { rpoSeconds: 0, rpoMeasuredAt: context.now().toISOString() }
        : rpoFromReplicationLatency(clients.cloudwatch, ref.tableName, ref.region, context.now())
      : undefined,
  ]);
  const measurements = measured ?? {};
  const replica = recoveryReplicaReadiness(table, ref);
  const elapsedSeconds = Math.round(secondsBetween(state.startedAt, context.now()));
  if (replica.state === 'unusable') {
    throw new InvalidResourceStateError(
      `the ${ref.region} replica of global table ${ref.tableName} cannot take writes: ${replica.detail}`,
      ref.tableName,
    );
  }
  if (replica.state === 'settling') {
    return {
      family: 'database',
      action,
      done: false,
      nextCheckSeconds: nextCheckSeconds(elapsedSeconds),
      detail: `${replica.detail} (${elapsedSeconds} s)`,
      state,
      changes: [],
      measurements,
    };
  }
  if (failover) return confirmed(ref, table, action, state, measurements, elapsedSeconds);
  return probed(event, clients, context, ref, table, action, state);
}

/** Failover done: the replica is ACTIVE; nothing was promoted, since every replica takes writes. */
function confirmed(
  ref: TableRef,
  table: TableDescription,
  action: 'start' | 'check',
  state: GlobalTableState,
  measurements: LatencyMeasurement | { rpoSeconds: 0; rpoMeasuredAt: string } | Record<string, never>,
  elapsedSeconds: number,
): ProgressResult {
  const replicas = otherReplicas(table, ref.region);
  const change: Change = {
    resource: ref.tableName,
    action: 'confirm-global-table-replica',
    detail: `nothing to promote: the ${ref.region} replica of global table ${ref.tableName} is ACTIVE and takes writes (every replica of a global table does); other replicas: ${replicas}`,
  };
  return {
    family: 'database',
    action,
    done: true,
    nextCheckSeconds: 0,
    detail: `global table ${ref.tableName}: the ${ref.region} replica is ACTIVE and writable, nothing to promote${elapsedSeconds > 0 ? ` (after ${elapsedSeconds} s)` : ''}`,
    state,
    changes: [change],
    measurements: { ...measurements },
  };
}

/** Drill: the probe item written to the recovery replica and read back with a consistent read. */
async function probed(
  event: Event,
  clients: DatabaseClients,
  context: StepContext,
  ref: TableRef,
  table: TableDescription,
  action: 'start' | 'check',
  state: GlobalTableState,
): Promise<ProgressResult> {
  const owner = ownerOf(event);
  const prefixPath = fieldPath(event, 'drill.probeKeyPrefix');
  const probeKey = probeKeyOf(table, probeKeyValue(event.resource.drill.probeKeyPrefix, owner), prefixPath);
  if ('problem' in probeKey) throw new InvalidResourceStateError(probeKey.problem, ref.tableName);
  const { key } = probeKey;

  // What a failover at this moment would lose.
  const rpo = await rpoFromReplicationLatency(clients.cloudwatch, ref.tableName, ref.region, context.now());
  const writtenAt = context.now();
  await writeProbe(clients.dynamodb, ref, key, owner, writtenAt, prefixPath);
  const item = await readProbe(clients.dynamodb, ref, key);
  const probeRoundTripMs = Math.max(0, context.now().getTime() - writtenAt.getTime());
  if (!item || !isOwnProbe(item, owner)) {
    throw new InvalidResourceStateError(
      `wrote the drill probe item ${describeKey(key)} to table ${ref.tableName} in ${ref.region}, but a strongly consistent read ${item ? 'returned an item that is not it' : 'did not find it'}: the replica does not keep its writes; investigate the table (and whether something deletes items with the prefix of ${prefixPath})`,
      ref.tableName,
    );
  }
  return {
    family: 'database',
    action,
    done: true,
    nextCheckSeconds: 0,
    detail: `drill probe of global table ${ref.tableName}: wrote ${describeKey(key)} to the ${ref.region} replica and read it back (consistent read) in ${probeRoundTripMs} ms`,
    state,
    changes: [
      {
        resource: ref.tableName,
        action: 'write-probe-item',
        detail: `wrote drill probe item ${describeKey(key)} to the ${ref.region} replica (replicated to ${otherReplicas(table, ref.region)}); revert deletes it`,
      },
    ],
    measurements: { ...rpo, probeRoundTripMs },
  };
}

// ---- revert (drill only) ------------------------------------------------------------------------

async function revertProbe(
  event: Event,
  clients: DatabaseClients,
  context: StepContext,
): Promise<ProgressResult> {
  const ref = tableRefOf(event);
  const owner = ownerOf(event);
  // Without a state (the drill failed before its start returned, or a cleanup run) the probe is
  // found by its key, which derives from the run id and the resource id.
  const previous = event.state ? requireOwnState(event, 'revert', ['probe', 'delete-probe']) : undefined;
  const now = context.now();
  const state: GlobalTableState = {
    operation: 'delete-probe',
    tableName: ref.tableName,
    startedAt: previous?.operation === 'delete-probe' ? previous.startedAt : now.toISOString(),
  };
  const seenGone = previous?.operation === 'delete-probe' ? previous.goneSeenAt : undefined;
  const elapsedSeconds = secondsBetween(state.startedAt, now);

  const result = (
    done: boolean,
    detail: string,
    extra: { goneSeenAt?: string; deleted?: string } = {},
  ): ProgressResult<GlobalTableState> => ({
    family: 'database',
    action: 'revert',
    done,
    nextCheckSeconds: done ? 0 : nextCheckSeconds(elapsedSeconds),
    detail,
    state: { ...state, ...(extra.goneSeenAt ? { goneSeenAt: extra.goneSeenAt } : {}) },
    changes: extra.deleted
      ? [
          {
            resource: ref.tableName,
            action: 'delete-probe-item',
            detail: `deleted drill probe item ${extra.deleted}`,
          },
        ]
      : [],
  });
  /** The probe is not there: trusted only when an earlier call saw the same. */
  const absent = (what: string, how: string): ProgressResult => {
    if (seenGone) {
      return result(
        true,
        `drill probe ${what} confirmed gone: ${how} again, ${Math.round(secondsBetween(seenGone, now))} s after it was first seen gone; nothing left to revert`,
        // Kept, so that a re-run with this state that finds it gone once more is done too.
        { goneSeenAt: seenGone },
      );
    }
    return result(
      false,
      `drill probe ${what}: ${how}; looking again before calling it gone (a drill start in flight may still write it)`,
      { goneSeenAt: now.toISOString() },
    );
  };

  const table = await findTable(clients.dynamodb, ref);
  if (!table) return absent(`of table ${ref.tableName}`, `the table does not exist in ${ref.region}`);
  const prefixPath = fieldPath(event, 'drill.probeKeyPrefix');
  const probeKey = probeKeyOf(table, probeKeyValue(event.resource.drill.probeKeyPrefix, owner), prefixPath);
  if ('problem' in probeKey) {
    // The start refuses such a table before writing anything: no probe can exist.
    return result(true, `no drill probe to delete from ${ref.tableName}: ${probeKey.problem}`);
  }
  const { key } = probeKey;
  const what = `${describeKey(key)} in ${ref.tableName} (${ref.region})`;
  const item = await readProbe(clients.dynamodb, ref, key);
  if (!item) return absent(what, 'a consistent read does not find it');
  requireOwnProbe(item, ref, key, owner);

  const reappeared = seenGone ? `it reappeared after it was seen gone at ${seenGone}; ` : '';
  const outcome = await deleteProbe(clients.dynamodb, ref, key, owner);
  // The second look: a consistent read right after the delete; the next call confirms it.
  const after = await readProbe(clients.dynamodb, ref, key);
  const deleted = outcome === 'deleted' ? { deleted: what } : {};
  if (after) {
    return result(
      false,
      `drill probe ${what}: ${reappeared}still there after the delete; trying again`,
      deleted,
    );
  }
  return result(
    false,
    `drill probe ${what}: ${reappeared}${outcome === 'deleted' ? 'deleted' : 'gone before the delete'}; looking again before calling it gone`,
    { ...deleted, goneSeenAt: now.toISOString() },
  );
}
