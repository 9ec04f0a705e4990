// The state the RDS steps hand back to the state machine, the checks every action makes of its
// event (mode, state), and how messages name the resource's plan fields.
import * as z from '../../plan/zod.ts';
import { nonEmptyString } from '../../plan/zod.ts';
import { InvalidStepInputError } from '../shared/errors.ts';
import type { Action, Mode, ResourceEvent } from '../shared/step-contract.ts';
import { orList } from '../shared/words.ts';

const databaseStateSchema = z.object({
  /** promote: a read replica being promoted; restore: a snapshot being restored; delete: a drill instance being deleted. */
  operation: z.enum(['promote', 'restore', 'delete']),
  instanceId: nonEmptyString,
  /** ISO time the operation started; polling intervals grow from it. */
  startedAt: z.iso.datetime({ offset: true }),
  /** The snapshot a restore started from. */
  snapshotId: z.optional(nonEmptyString),
  /**
   * promote in a switchover: the promotion is not requested yet, because the replica's ReplicaLag
   * has not been seen at 0 (types/rds-read-replica.ts); check looks again and promotes then.
   */
  waitingFor: z.optional(z.literal('zero-lag')),
});

export type DatabaseState = z.output<typeof databaseStateSchema>;
export type Operation = DatabaseState['operation'];
export type ProgressAction = Exclude<Action, 'readiness'>;

/** What the RDS helpers read of an event: the plan, the run, the resource's id and the state. */
export type RdsEvent = ResourceEvent<unknown>;

/**
 * The path of one of this resource's plan fields, as error messages name it:
 * `resources[0].replicaInstanceId`, `resources[1].drill.kmsKeyArn`.
 */
export function fieldPath(event: Pick<RdsEvent, 'plan' | 'resourceId'>, field: string): string {
  const index = event.plan.resources.findIndex((r) => r.id === event.resourceId);
  return `resources[${index}].${field}`;
}

/** InvalidStepInputError unless the run's mode is one of `allowed`. */
export function requireMode(event: RdsEvent, action: ProgressAction, allowed: readonly Mode[]): void {
  if (!allowed.includes(event.run.mode)) {
    throw new InvalidStepInputError(
      `database ${action} of ${event.resourceId} cannot run in ${event.run.mode} mode (only ${orList(allowed)})`,
      'execution input',
    );
  }
}

/** The event's state, validated; InvalidStepInputError when it is absent or not a database state. */
export function requireState(event: RdsEvent, action: ProgressAction): DatabaseState {
  if (!event.state) {
    throw new InvalidStepInputError(
      `database ${action} of ${event.resourceId} needs the state returned by start, and the event has none: run start first`,
      'execution input',
    );
  }
  const parsed = databaseStateSchema.safeParse(event.state);
  if (!parsed.success) {
    throw new InvalidStepInputError(
      `database ${action} of ${event.resourceId} got a state that is not one the database start returns: ${JSON.stringify(event.state)}`,
      'execution input',
    );
  }
  return parsed.data;
}

/** The event's state when it is a database state, else undefined. */
export function previousState(event: RdsEvent): DatabaseState | undefined {
  const parsed = databaseStateSchema.safeParse(event.state);
  return parsed.success ? parsed.data : undefined;
}

/** Where an earlier invocation of the same operation on the same instance started, for re-runs. */
export function earlierStart(
  event: RdsEvent,
  operation: Operation,
  instanceId: string,
): DatabaseState | undefined {
  const previous = previousState(event);
  return previous?.operation === operation && previous.instanceId === instanceId ? previous : undefined;
}

/**
 * The measurements an earlier call of this start/check loop made, as runStep carries them in the
 * state (functions/shared/family-handler.ts).
 */
export function carriedMeasurements(event: RdsEvent): Record<string, unknown> {
  const carried = event.state?.measurements;
  return carried && typeof carried === 'object' ? (carried as Record<string, unknown>) : {};
}
