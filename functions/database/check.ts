// check: polls a promotion or a restore until the instance is available (and, for a promotion,
// no longer replicating), failing fast on statuses from which it will not recover by itself.
// Shared by the RDS resource types (types/rds-read-replica.ts, types/rds-snapshot-restore.ts).
import type { DBInstance } from '@aws-sdk/client-rds';
import {
  DatabaseInstanceNotFoundError,
  InvalidResourceStateError,
  InvalidStepInputError,
} from '../shared/errors.ts';
import { nextCheckSeconds, secondsBetween } from '../shared/polling.ts';
import type { ProgressResult, StepContext } from '../shared/step-contract.ts';
import type { DatabaseClients } from './clients.ts';
import { findInstance, TAG_RUN_ID, tagValue } from './rds-queries.ts';
import {
  carriedMeasurements,
  type DatabaseState,
  type ProgressAction,
  type RdsEvent,
  requireState,
} from './state.ts';

/** What this resource's start operates on in this mode: check and revert accept only its state. */
export interface Target {
  operation: 'promote' | 'restore';
  instanceId: string;
}

/** Statuses an instance does not leave without someone's help: a promotion or restore in them has failed. */
export const TERMINAL_BAD_STATUSES: ReadonlySet<string> = new Set([
  'failed',
  'incompatible-restore',
  'incompatible-parameters',
  'incompatible-network',
  'incompatible-option-group',
  'incompatible-credentials',
  'inaccessible-encryption-credentials',
  'inaccessible-encryption-credentials-recoverable',
  'insufficient-capacity',
  'restore-error',
  'storage-full',
  'stopped',
  'stopping',
  'deleting',
]);

/**
 * Progress of a promotion or restore, judged from one DescribeDBInstances answer. A restore this
 * run started (the instance carries its run tag) reports `restoreSeconds` once it is available:
 * from the restore's start to this first look that saw it available.
 */
export function instanceProgress(
  instance: DBInstance,
  state: DatabaseState,
  context: StepContext,
  action: ProgressAction,
  runId: string,
): ProgressResult {
  const id = state.instanceId;
  const status = instance.DBInstanceStatus ?? 'unknown';
  const what = state.operation === 'promote' ? 'promotion of read replica' : 'restore of DB instance';
  if (TERMINAL_BAD_STATUSES.has(status)) {
    throw new InvalidResourceStateError(
      `${what} ${id} cannot complete: the instance is "${status}"; investigate it in the RDS console (events, logs) and fix or recreate it`,
      id,
    );
  }
  const stillReplica =
    state.operation === 'promote' && Boolean(instance.ReadReplicaSourceDBInstanceIdentifier);
  const elapsedSeconds = Math.round(secondsBetween(state.startedAt, context.now()));
  const base = { family: 'database' as const, action, state: { ...state }, changes: [] };
  if (status === 'available' && !stillReplica) {
    const endpoint = instance.Endpoint?.Address;
    const restoredByRun = state.operation === 'restore' && tagValue(instance, TAG_RUN_ID) === runId;
    return {
      ...base,
      done: true,
      nextCheckSeconds: 0,
      detail: `${what} ${id} done: available${endpoint ? ` at ${endpoint}` : ''} after ${elapsedSeconds} s`,
      measurements: {
        elapsedSeconds,
        ...(restoredByRun ? { restoreSeconds: elapsedSeconds } : {}),
        ...(endpoint ? { endpoint } : {}),
      },
    };
  }
  const waitingFor = stillReplica
    ? `still replicating from ${instance.ReadReplicaSourceDBInstanceIdentifier}`
    : `"${status}", waiting for "available"`;
  return {
    ...base,
    done: false,
    nextCheckSeconds: nextCheckSeconds(elapsedSeconds),
    detail: `${what} ${id} in progress (${elapsedSeconds} s): ${waitingFor}`,
  };
}

/**
 * The event's state, which must be the state of `target` (what this resource's start does in this
 * mode): a check or revert never acts on an instance of another resource.
 */
export function requireTargetState(
  event: RdsEvent,
  action: 'check',
  target: Target,
): DatabaseState & { operation: Target['operation'] } {
  const state = requireState(event, action);
  if (state.operation === 'delete') {
    throw new InvalidStepInputError(
      `database ${action} of ${event.resourceId} got the state of a drill revert (deleting ${state.instanceId}): revert polls itself`,
      'execution input',
    );
  }
  if (state.operation !== target.operation || state.instanceId !== target.instanceId) {
    throw new InvalidStepInputError(
      `database ${action} of ${event.resourceId} got the state of a ${state.operation} of ${state.instanceId}, but its ${event.run.mode} is a ${target.operation} of ${target.instanceId}: pass the state this resource's start returned`,
      'execution input',
    );
  }
  return { ...state, operation: state.operation };
}

/** check: one look at the instance this resource's start is promoting or restoring. */
export async function checkProgress(
  event: RdsEvent,
  clients: DatabaseClients,
  context: StepContext,
  target: Target,
): Promise<ProgressResult> {
  const state = requireTargetState(event, 'check', target);
  const id = state.instanceId;
  const instance = await findInstance(clients.rds, id, `check the ${state.operation}`);
  if (!instance) {
    throw new DatabaseInstanceNotFoundError(
      `DB instance ${id} not found in ${event.plan.regions.recovery} while checking its ${state.operation}: it was deleted (or never created); re-run the step to start again`,
      id,
    );
  }
  const progress = instanceProgress(instance, state, context, 'check', event.run.id);
  // A re-run of a check that was already done keeps the restore time its first look measured.
  if (typeof carriedMeasurements(event).restoreSeconds === 'number' && progress.measurements) {
    const { restoreSeconds: _later, ...measurements } = progress.measurements;
    return { ...progress, measurements };
  }
  return progress;
}
