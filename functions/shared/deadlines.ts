// Every polling loop has a deadline, so a step that never completes fails the run (which then
// reports it, reverts a drill and releases the lock) instead of polling until the execution times out.
import { DrRunbookError } from './errors.ts';
import { secondsBetween } from './polling.ts';
import type { ProgressResult, ResourceEvent } from './step-contract.ts';

export class StepTimedOutError extends DrRunbookError {
  readonly retryable = false;
}

/**
 * A drill restores a snapshot even where a failover would promote a replica; a small instance
 * typically restores in 10–20 minutes.
 */
export const DRILL_RESTORE_EXPECTED_SECONDS = 900;
const MIN_TIMEOUT_SECONDS = 15 * 60;
const TIMEOUT_FACTOR = 4;

/** The resource's `timeoutMinutes`, else 4× the expected time (at least 15 minutes). */
export function stepTimeoutSeconds(resource: { timeoutMinutes?: number }, expectedSeconds: number): number {
  if (resource.timeoutMinutes !== undefined) return resource.timeoutMinutes * 60;
  return Math.max(MIN_TIMEOUT_SECONDS, TIMEOUT_FACTOR * expectedSeconds);
}

/** Throws StepTimedOutError when an unfinished operation has run past its deadline. */
export function enforceDeadline(
  event: ResourceEvent<{ timeoutMinutes?: number }>,
  expectedSeconds: number,
  result: ProgressResult,
  now: Date,
): void {
  const startedAt = result.state.startedAt;
  if (result.done || typeof startedAt !== 'string') return;
  const elapsed = secondsBetween(startedAt, now);
  const timeout = stepTimeoutSeconds(event.resource, expectedSeconds);
  if (elapsed > timeout) {
    const index = event.plan.resources.findIndex((r) => r.id === event.resourceId);
    throw new StepTimedOutError(
      `${event.resourceId} ${result.action} not done after ${Math.round(elapsed / 60)} min (timeout ${timeout / 60} min: ` +
        `raise resources[${index}].timeoutMinutes if this is normal): ${result.detail}`,
      event.resourceId,
    );
  }
}
