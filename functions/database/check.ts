// check: polls a promotion or a restore until the instance is available (and, for a promotion,
// no longer replicating), failing fast on statuses from which it will not recover by itself.
import type { DBInstance } from '@aws-sdk/client-rds';
import {
  DatabaseInstanceNotFoundError,
  InvalidResourceStateError,
  InvalidStepInputError,
} from '../shared/errors.ts';
import { nextCheckSeconds, secondsBetween } from '../shared/polling.ts';
import type { ProgressResult, StepContext, StepEvent } from '../shared/step-contract.ts';
import type { DatabaseClients } from './clients.ts';
import { findInstance } from './rds-queries.ts';
import { type DatabaseState, type ProgressAction, requireState } from './state.ts';

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

/** Progress of a promotion or restore, judged from one DescribeDBInstances answer. */
export function instanceProgress(
  instance: DBInstance,
  state: DatabaseState,
  context: StepContext,
  action: ProgressAction,
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
    return {
      ...base,
      done: true,
      nextCheckSeconds: 0,
      detail: `${what} ${id} done: available${endpoint ? ` at ${endpoint}` : ''} after ${elapsedSeconds} s`,
      measurements: { elapsedSeconds, ...(endpoint ? { endpoint } : {}) },
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

/** check: one look at the instance a start is promoting or restoring. */
export async function checkProgress(
  event: StepEvent,
  clients: DatabaseClients,
  context: StepContext,
): Promise<ProgressResult> {
  const state = requireState(event, 'check');
  if (state.operation === 'delete') {
    throw new InvalidStepInputError(
      `database check got the state of a drill revert (deleting ${state.instanceId}): revert polls itself`,
      'execution input',
    );
  }
  const id = state.instanceId;
  const instance = await findInstance(clients.rds, id, `check the ${state.operation}`);
  if (!instance) {
    throw new DatabaseInstanceNotFoundError(
      `DB instance ${id} not found in ${event.plan.regions.recovery} while checking its ${state.operation}: it was deleted (or never created); re-run the step to start again`,
      id,
    );
  }
  return instanceProgress(instance, state, context, 'check');
}
