// The ProgressResult every traffic start/check/revert returns, whatever it changed (Route 53
// records, ARC routing controls): the next check is due sooner or later depending on time spent.
import { nextCheckSeconds, secondsBetween } from '../shared/polling.ts';
import type { Action, Change, ProgressResult, StepContext } from '../shared/step-contract.ts';
import type { TrafficState } from './state.ts';

export interface ProgressFields<S extends Record<string, unknown> = TrafficState> {
  done: boolean;
  detail: string;
  state: S;
  changes?: Change[];
  measurements?: Record<string, number | string>;
}

/** A traffic ProgressResult; the next check is due sooner or later depending on time spent since `since`. */
export function progress<S extends Record<string, unknown> = TrafficState>(
  action: Exclude<Action, 'readiness'>,
  fields: ProgressFields<S>,
  since: string,
  context: StepContext,
): ProgressResult<S> {
  return {
    family: 'traffic',
    action,
    done: fields.done,
    nextCheckSeconds: fields.done ? 0 : nextCheckSeconds(secondsBetween(since, context.now())),
    detail: fields.detail,
    state: fields.state,
    changes: fields.changes ?? [],
    ...(fields.measurements ? { measurements: fields.measurements } : {}),
  };
}
