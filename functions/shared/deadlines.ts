// Every polling loop has a deadline, so a step that never completes fails the run (which then
// reports it, reverts a drill and releases the lock) instead of polling until the execution times out.
import type { DrPlan } from '../../plan/schema.ts';
import { DrRunbookError } from './errors.ts';
import { secondsBetween } from './polling.ts';
import type { Family, Mode, ProgressResult } from './step-contract.ts';

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

function expectedSeconds(plan: DrPlan, family: Family, mode: Mode): number | undefined {
  if (family === 'database') {
    const db = plan.database;
    if (db.strategy === 'none') return undefined;
    if (mode === 'drill') return DRILL_RESTORE_EXPECTED_SECONDS;
    return db.strategy === 'promote-read-replica' ? db.expectedPromotionSeconds : db.expectedRestoreSeconds;
  }
  if (family === 'compute')
    return plan.compute.strategy === 'none' ? undefined : plan.compute.expectedHealthySeconds;
  return plan.traffic.expectedSyncSeconds;
}

/** The plan's `timeoutMinutes` for the family, else 4× the expected time (at least 15 minutes). */
export function stepTimeoutSeconds(plan: DrPlan, family: Family, mode: Mode): number {
  const section = plan[family] as { timeoutMinutes?: number };
  if (section.timeoutMinutes !== undefined) return section.timeoutMinutes * 60;
  return Math.max(MIN_TIMEOUT_SECONDS, TIMEOUT_FACTOR * (expectedSeconds(plan, family, mode) ?? 0));
}

/** Throws StepTimedOutError when an unfinished operation has run past its deadline. */
export function enforceDeadline(plan: DrPlan, mode: Mode, result: ProgressResult, now: Date): void {
  const startedAt = result.state.startedAt;
  if (result.done || typeof startedAt !== 'string') return;
  const elapsed = secondsBetween(startedAt, now);
  const timeout = stepTimeoutSeconds(plan, result.family, mode);
  if (elapsed > timeout) {
    throw new StepTimedOutError(
      `${result.family} ${result.action} not done after ${Math.round(elapsed / 60)} min (timeout ${timeout / 60} min: ` +
        `raise plan.${result.family}.timeoutMinutes if this is normal): ${result.detail}`,
      result.family,
    );
  }
}
