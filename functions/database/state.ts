// The state the database steps hand back to the state machine, and the shapes every result shares.
import * as z from '../../plan/zod.ts';
import { nonEmptyString } from '../../plan/zod.ts';
import { InvalidStepInputError } from '../shared/errors.ts';
import type { Action, ProgressResult, StepEvent } from '../shared/step-contract.ts';

const databaseStateSchema = z.object({
  /** promote: a read replica being promoted; restore: a snapshot being restored; delete: a drill instance being deleted. */
  operation: z.enum(['promote', 'restore', 'delete']),
  instanceId: nonEmptyString,
  /** ISO time the operation started; polling intervals grow from it. */
  startedAt: z.iso.datetime({ offset: true }),
  /** The snapshot a restore started from. */
  snapshotId: z.optional(nonEmptyString),
});

export type DatabaseState = z.output<typeof databaseStateSchema>;
export type Operation = DatabaseState['operation'];
export type ProgressAction = Exclude<Action, 'readiness'>;

/** The event's state, validated; InvalidStepInputError when it is absent or not a database state. */
export function requireState(event: StepEvent, action: ProgressAction): DatabaseState {
  if (!event.state) {
    throw new InvalidStepInputError(
      `database ${action} needs the state returned by start, and the event has none: run start first`,
      'execution input',
    );
  }
  return parseState(event.state, action);
}

/** The event's state when it is a database state, else undefined. */
export function previousState(event: StepEvent): DatabaseState | undefined {
  const parsed = databaseStateSchema.safeParse(event.state);
  return parsed.success ? parsed.data : undefined;
}

function parseState(raw: Record<string, unknown>, action: ProgressAction): DatabaseState {
  const parsed = databaseStateSchema.safeParse(raw);
  if (!parsed.success) {
    throw new InvalidStepInputError(
      `database ${action} got a state that is not one the database start returns: ${JSON.stringify(raw)}`,
      'execution input',
    );
  }
  return parsed.data;
}

/** Where an earlier invocation of the same operation on the same instance started, for re-runs. */
export function earlierStart(
  event: StepEvent,
  operation: Operation,
  instanceId: string,
): DatabaseState | undefined {
  const previous = previousState(event);
  return previous?.operation === operation && previous.instanceId === instanceId ? previous : undefined;
}

/** A finished result for a step with nothing to do (strategy "none", nothing left to revert). */
export function nothingToDo(
  action: ProgressAction,
  detail: string,
  state: Record<string, unknown> = {},
): ProgressResult {
  return { family: 'database', action, done: true, nextCheckSeconds: 0, detail, state, changes: [] };
}
