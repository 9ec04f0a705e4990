// The state the aurora-global-database steps hand back to the state machine, and the checks every
// check and revert make of the state they receive: they act only on what this resource's start
// (or revert) in this mode returned.
import * as z from '../../plan/zod.ts';
import { nonEmptyString } from '../../plan/zod.ts';
import { InvalidStepInputError } from '../shared/errors.ts';
import type { Mode, ResourceEvent } from '../shared/step-contract.ts';
import { orList } from '../shared/words.ts';

const isoTime = z.iso.datetime({ offset: true });

const auroraStateSchema = z.object({
  /**
   * failover: the global database failing over to the secondary (clusterId);
   * switchover: the same, planned and lossless (SwitchoverGlobalCluster);
   * clone: a drill's temporary cluster (clusterId, with its instance instanceId) being created;
   * delete: a drill revert deleting them.
   */
  operation: z.enum(['failover', 'switchover', 'clone', 'delete']),
  clusterId: nonEmptyString,
  /** The temporary cluster's DB instance (clone, delete). */
  instanceId: z.optional(nonEmptyString),
  /** The global database failing over (failover, switchover). */
  globalClusterId: z.optional(nonEmptyString),
  /** ISO time the operation started; polling intervals and the deadline grow from it. */
  startedAt: isoTime,
  /** delete: ISO time a revert call first found both the instance and the cluster gone. */
  goneSeenAt: z.optional(isoTime),
});

export type AuroraState = z.output<typeof auroraStateSchema>;
export type AuroraOperation = AuroraState['operation'];

/** The event's state when it is an aurora-global-database state, else undefined. */
export function previousAuroraState(event: ResourceEvent<unknown>): AuroraState | undefined {
  const parsed = auroraStateSchema.safeParse(event.state);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The event's state, which must be the state of `expected` (what this resource's start does in
 * this mode); InvalidStepInputError when it is absent, malformed or another operation's.
 */
export function requireAuroraState(
  event: ResourceEvent<unknown>,
  action: 'check' | 'revert',
  expected: { operations: readonly AuroraOperation[]; clusterId: string },
): AuroraState {
  if (!event.state) {
    throw new InvalidStepInputError(
      `aurora-global-database ${action} of ${event.resourceId} needs the state returned by start, and the event has none: run start first`,
      'execution input',
    );
  }
  const state = previousAuroraState(event);
  if (!state) {
    throw new InvalidStepInputError(
      `aurora-global-database ${action} of ${event.resourceId} got a state that is not one its start returns: ${JSON.stringify(event.state)}`,
      'execution input',
    );
  }
  if (!expected.operations.includes(state.operation) || state.clusterId !== expected.clusterId) {
    throw new InvalidStepInputError(
      `aurora-global-database ${action} of ${event.resourceId} got the state of a ${state.operation} of ${state.clusterId}, but its ${event.run.mode} ${action} acts on ${expected.clusterId} (${expected.operations.join(' or ')}): pass the state this resource's start returned`,
      'execution input',
    );
  }
  return state;
}

/** The measurements an earlier call of this start/check loop made, as runStep carries them. */
export function carried(event: ResourceEvent<unknown>): Record<string, unknown> {
  const measurements = event.state?.measurements;
  return measurements && typeof measurements === 'object' ? (measurements as Record<string, unknown>) : {};
}

/** The path of one of this resource's plan fields, as messages name it: `resources[1].globalClusterId`. */
export function planField(event: Pick<ResourceEvent<unknown>, 'plan' | 'resourceId'>, field: string): string {
  const index = event.plan.resources.findIndex((r) => r.id === event.resourceId);
  return `resources[${index}].${field}`;
}

/** InvalidStepInputError unless the run's mode is one of `allowed`. */
export function requireRunMode(
  event: ResourceEvent<unknown>,
  action: 'start' | 'check' | 'revert',
  allowed: readonly Mode[],
): void {
  if (!allowed.includes(event.run.mode)) {
    throw new InvalidStepInputError(
      `aurora-global-database ${action} of ${event.resourceId} cannot run in ${event.run.mode} mode (only ${orList(allowed)})`,
      'execution input',
    );
  }
}
