// revert (drill only): deletes the temporary instance the drill restored, and is done only once
// RDS no longer knows it. Refuses to delete anything this run did not create.
import { DeleteDBInstanceCommand } from '@aws-sdk/client-rds';
import { awsCall } from '../shared/aws-errors.ts';
import { InvalidResourceStateError, InvalidStepInputError } from '../shared/errors.ts';
import { nextCheckSeconds, secondsBetween } from '../shared/polling.ts';
import type { ProgressResult, StepContext, StepEvent } from '../shared/step-contract.ts';
import type { DatabaseClients } from './clients.ts';
import {
  findInstance,
  INSTANCE_NOT_FOUND,
  INVALID_INSTANCE_STATE,
  isAwsError,
  TAG_PURPOSE,
  TAG_RUN_ID,
  tagValue,
} from './rds-queries.ts';
import { drillInstanceId } from './restore-target.ts';
import { type DatabaseState, nothingToDo, requireState } from './state.ts';

export async function revertDrill(
  event: StepEvent,
  clients: DatabaseClients,
  context: StepContext,
): Promise<ProgressResult> {
  // Without a state (the drill failed before its start returned, or the state machine revert is
  // the first call) the drill's instance is found by its name, which derives from the run id.
  const previous: DatabaseState = event.state
    ? requireState(event, 'revert')
    : {
        operation: 'restore',
        instanceId: drillInstanceId(event.plan.name, event.run.id),
        startedAt: context.now().toISOString(),
      };
  if (previous.operation === 'promote') {
    throw new InvalidStepInputError(
      `database revert got the state of a promotion of ${previous.instanceId}: a promotion cannot be reverted, and drills never promote`,
      previous.instanceId,
    );
  }
  const id = previous.instanceId;
  const state: DatabaseState = {
    operation: 'delete',
    instanceId: id,
    startedAt: previous.operation === 'delete' ? previous.startedAt : context.now().toISOString(),
  };
  const instance = await findInstance(clients.rds, id, 'describe the drill instance');
  if (!instance)
    return nothingToDo('revert', `drill DB instance ${id} is gone: nothing left to revert`, state);

  const runId = tagValue(instance, TAG_RUN_ID);
  const purpose = tagValue(instance, TAG_PURPOSE);
  if (runId !== event.run.id || purpose !== 'drill') {
    throw new InvalidResourceStateError(
      `refusing to delete DB instance ${id}: it is not a drill instance of run ${event.run.id} (tags ${TAG_RUN_ID}=${runId ?? '(absent)'}, ${TAG_PURPOSE}=${purpose ?? '(absent)'})`,
      id,
    );
  }

  const elapsedSeconds = secondsBetween(state.startedAt, context.now());
  const pending = (detail: string, deleted: boolean): ProgressResult => ({
    family: 'database',
    action: 'revert',
    done: false,
    nextCheckSeconds: nextCheckSeconds(elapsedSeconds),
    detail,
    state,
    changes: deleted
      ? [
          {
            resource: id,
            action: 'delete-db-instance',
            detail: `deleted drill DB instance ${id} (no final snapshot)`,
          },
        ]
      : [],
  });
  const status = instance.DBInstanceStatus ?? 'unknown';
  if (status === 'deleting') return pending(`drill DB instance ${id} is being deleted`, false);

  const outcome = await awsCall(
    { resource: `DB instance ${id}`, operation: 'delete the drill instance' },
    async () => {
      try {
        await clients.rds.send(
          new DeleteDBInstanceCommand({
            DBInstanceIdentifier: id,
            SkipFinalSnapshot: true,
            DeleteAutomatedBackups: true,
          }),
        );
        return 'deleting' as const;
      } catch (error) {
        if (isAwsError(error, INSTANCE_NOT_FOUND)) return 'gone' as const;
        if (isAwsError(error, INVALID_INSTANCE_STATE)) return 'busy' as const; // e.g. still creating
        throw error;
      }
    },
  );
  if (outcome === 'gone')
    return nothingToDo('revert', `drill DB instance ${id} is gone: nothing left to revert`, state);
  if (outcome === 'busy') {
    return pending(`drill DB instance ${id} is "${status}" and cannot be deleted yet: trying again`, false);
  }
  return pending(`deleting drill DB instance ${id}`, true);
}
