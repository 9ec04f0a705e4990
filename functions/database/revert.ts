// revert (drill only), shared by the RDS types: deletes the temporary instance the drill of this
// resource restored, and is done only once RDS has twice answered that it no longer knows it: a
// single not-found is never trusted (a restore still in flight may create the instance late, and
// RDS reads are eventually consistent). Refuses to delete anything this run did not create for
// this resource.
import { DeleteDBInstanceCommand } from '@aws-sdk/client-rds';
import * as z from '../../plan/zod.ts';
import { awsCall } from '../shared/aws-errors.ts';
import { InvalidResourceStateError, InvalidStepInputError } from '../shared/errors.ts';
import { nextCheckSeconds, secondsBetween } from '../shared/polling.ts';
import type { ProgressResult, StepContext } from '../shared/step-contract.ts';
import type { DatabaseClients } from './clients.ts';
import {
  findInstance,
  INSTANCE_NOT_FOUND,
  INVALID_INSTANCE_STATE,
  isAwsError,
  TAG_PURPOSE,
  TAG_RESOURCE,
  TAG_RUN_ID,
  tagValue,
} from './rds-queries.ts';
import { drillInstanceOf } from './restore-target.ts';
import { type DatabaseState, type RdsEvent, requireMode, requireState } from './state.ts';

/** The state of a revert in progress: the delete, and when the instance was first seen gone. */
export type RevertState = DatabaseState & {
  /** ISO time a revert call first found the instance absent; the next call confirms it. */
  goneSeenAt?: string;
};

const goneSeenAtSchema = z.iso.datetime({ offset: true });

/** When an earlier call of this revert first saw the instance gone, if it did. */
function goneSeenAt(event: RdsEvent, previous: DatabaseState): string | undefined {
  if (previous.operation !== 'delete') return undefined;
  const parsed = goneSeenAtSchema.safeParse(event.state?.goneSeenAt);
  return parsed.success ? parsed.data : undefined;
}

export async function revertDrill(
  event: RdsEvent,
  clients: DatabaseClients,
  context: StepContext,
): Promise<ProgressResult> {
  requireMode(event, 'revert', ['drill']);
  // Without a state (the drill failed before its start returned, or the state machine revert is
  // the first call) the drill's instance is found by its name, which derives from the run id and
  // the resource id.
  const id = drillInstanceOf(event);
  const previous: DatabaseState = event.state
    ? requireState(event, 'revert')
    : { operation: 'restore', instanceId: id, startedAt: context.now().toISOString() };
  if (previous.operation === 'promote') {
    throw new InvalidStepInputError(
      `database revert of ${event.resourceId} got the state of a promotion of ${previous.instanceId}: a promotion cannot be reverted, and drills never promote`,
      previous.instanceId,
    );
  }
  if (previous.instanceId !== id) {
    throw new InvalidStepInputError(
      `database revert of ${event.resourceId} got the state of ${previous.instanceId}, not of its drill instance ${id}: pass the state this resource's start returned`,
      'execution input',
    );
  }
  const now = context.now();
  const state: DatabaseState = {
    operation: 'delete',
    instanceId: id,
    startedAt: previous.operation === 'delete' ? previous.startedAt : now.toISOString(),
  };
  const elapsedSeconds = secondsBetween(state.startedAt, now);
  const seenGone = goneSeenAt(event, previous);

  const result = (
    done: boolean,
    detail: string,
    extra: { goneSeenAt?: string; deleted?: boolean } = {},
  ): ProgressResult<RevertState> => ({
    family: 'database',
    action: 'revert',
    done,
    nextCheckSeconds: done ? 0 : nextCheckSeconds(elapsedSeconds),
    detail,
    state: { ...state, ...(extra.goneSeenAt ? { goneSeenAt: extra.goneSeenAt } : {}) },
    changes: extra.deleted
      ? [
          {
            resource: id,
            action: 'delete-db-instance',
            detail: `deleted drill DB instance ${id} (no final snapshot)`,
          },
        ]
      : [],
  });
  /** RDS says the instance does not exist: trusted only when an earlier call saw the same. */
  const absent = (how: string): ProgressResult<RevertState> => {
    if (seenGone) {
      return result(
        true,
        `drill DB instance ${id} confirmed gone: ${how} again, ${Math.round(secondsBetween(seenGone, now))} s after it was first seen gone; nothing left to revert`,
        // Kept, so that a re-run with this state that finds it gone once more is done too.
        { goneSeenAt: seenGone },
      );
    }
    return result(
      false,
      `drill DB instance ${id}: ${how}; looking again before calling it gone (a restore in flight may still create it)`,
      { goneSeenAt: now.toISOString() },
    );
  };

  const instance = await findInstance(clients.rds, id, 'describe the drill instance');
  if (!instance) return absent('RDS does not know it');

  const runId = tagValue(instance, TAG_RUN_ID);
  const purpose = tagValue(instance, TAG_PURPOSE);
  const resource = tagValue(instance, TAG_RESOURCE);
  if (runId !== event.run.id || purpose !== 'drill' || resource !== event.resourceId) {
    throw new InvalidResourceStateError(
      `refusing to delete DB instance ${id}: it is not the drill instance of run ${event.run.id} for ${event.resourceId} (tags ${TAG_RUN_ID}=${runId ?? '(absent)'}, ${TAG_PURPOSE}=${purpose ?? '(absent)'}, ${TAG_RESOURCE}=${resource ?? '(absent)'})`,
      id,
    );
  }

  // An instance seen gone that is back (e.g. a restore in flight created it late) is deleted as usual.
  const reappeared = seenGone
    ? `drill DB instance ${id} reappeared after it was seen gone at ${seenGone}: `
    : '';
  const status = instance.DBInstanceStatus ?? 'unknown';
  if (status === 'deleting') return result(false, `${reappeared}drill DB instance ${id} is being deleted`);

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
  // Described a moment ago, so this not-found is a first sighting whatever an earlier call saw.
  if (outcome === 'gone') {
    return result(
      false,
      `drill DB instance ${id}: DeleteDBInstance says it does not exist (it was described a moment ago); looking again before calling it gone`,
      { goneSeenAt: now.toISOString() },
    );
  }
  if (outcome === 'busy') {
    return result(
      false,
      `${reappeared}drill DB instance ${id} is "${status}" and cannot be deleted yet: trying again`,
    );
  }
  return result(false, `${reappeared}deleting drill DB instance ${id}`, { deleted: true });
}
