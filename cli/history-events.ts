// A deployed execution's history turned into the events local/progress.ts prints, so `watch`
// shows a run in AWS exactly as `simulate` shows a local one. History events carry no state name
// on task events (TaskScheduled, TaskFailed, …): the previousEventId chain leads to the state's
// *StateEntered event. Whether a failure is retried or ends the state is known only from the event
// after it, so a failure waits until then.
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { EventLog } from '../local/run-local.ts';

type StateData = Extract<EventLog, { type: 'StateEntered' }>['state'];
type StateType = StateData['type'];

const STATE_EVENT =
  /^(Task|Parallel|Map|Pass|Wait|Choice|Succeed|Fail)State(Entered|Exited|Started|Succeeded|Failed|Aborted)$/;
const STEP_FAILED =
  /^(Task|LambdaFunction|Activity)(Failed|TimedOut|StartFailed|SubmitFailed|ScheduleFailed)$/;
const STEP_SCHEDULED = /^(Task|LambdaFunction|Activity)Scheduled$/;
const EXECUTION_ENDED = /^Execution(Succeeded|Failed|Aborted|TimedOut)$/;

interface Failure {
  state: StateData;
  Error: string;
  Cause: string;
  timestamp: number;
  attempt: number;
}

function parseJson(text: string | undefined): StateData['input'] {
  if (text === undefined) return null;
  try {
    return JSON.parse(text) as StateData['input'];
  } catch {
    return text;
  }
}

/** The error and cause of a failure event, from whichever `*EventDetails` it carries. */
export function errorOf(event: HistoryEvent): { error: string; cause: string } {
  for (const [key, value] of Object.entries(event)) {
    if (!key.endsWith('EventDetails') || !value || typeof value !== 'object') continue;
    const details = value as { error?: string; cause?: string };
    if (details.error !== undefined || details.cause !== undefined) {
      return { error: details.error ?? 'States.Failed', cause: details.cause ?? '' };
    }
  }
  return { error: /TimedOut$/.test(event.type ?? '') ? 'States.Timeout' : String(event.type), cause: '' };
}

/** A Lambda error's cause is JSON ({errorType, errorMessage, trace}): progress shows the message. */
function readableCause(cause: string): string {
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // a plain cause string
  }
  return cause;
}

/** Whether this event ends the execution, and how. */
export function executionEnd(
  event: HistoryEvent,
): 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT' | undefined {
  const outcome = EXECUTION_ENDED.exec(event.type ?? '')?.[1];
  if (!outcome) return undefined;
  return outcome === 'TimedOut' ? 'TIMED_OUT' : (outcome.toUpperCase() as 'SUCCEEDED' | 'FAILED' | 'ABORTED');
}

/** The state a *StateEntered event enters (undefined for any other event). */
export function enteredStateOf(event: HistoryEvent): StateData | undefined {
  const match = STATE_EVENT.exec(event.type ?? '');
  if (match?.[2] !== 'Entered') return undefined;
  return {
    name: event.stateEnteredEventDetails?.name ?? '?',
    type: match[1] as StateType,
    input: parseJson(event.stateEnteredEventDetails?.input),
  };
}

/** Remembers events by id so any task event can be traced back to the state it belongs to. */
export class StateResolver {
  private readonly events = new Map<number, HistoryEvent>();
  private readonly entered = new Map<number, StateData>();

  /** Records an event; false when it was already seen (a later poll returns it again). */
  add(event: HistoryEvent): boolean {
    if (event.id === undefined || this.events.has(event.id)) return false;
    this.events.set(event.id, event);
    const state = enteredStateOf(event);
    if (state) this.entered.set(event.id, state);
    return true;
  }

  /** The state an event belongs to: the state it enters, else the nearest *StateEntered up its chain. */
  stateOf(event: HistoryEvent): StateData | undefined {
    let id: number | undefined = event.id;
    for (let hops = 0; id !== undefined && hops < 10_000; hops += 1) {
      const state = this.entered.get(id);
      if (state) return state;
      id = this.events.get(id)?.previousEventId;
    }
    return undefined;
  }
}

/** Converts history events, in order, into progress events; stateful across polls. */
export class HistoryEventConverter {
  private readonly resolver = new StateResolver();
  /** Parallel and Map states entered and not yet exited, innermost last. */
  private readonly open: StateData[] = [];
  /** Failures whose outcome (retried, caught, fatal) the next event will tell. */
  private readonly pending = new Map<string, Failure>();
  private readonly attempts = new Map<string, number>();

  convert(event: HistoryEvent): EventLog[] {
    const type = event.type ?? '';
    const timestamp = event.timestamp?.getTime() ?? 0;
    const match = STATE_EVENT.exec(type);
    const phase = match?.[2];
    const stateType = match?.[1] as StateType | undefined;
    if (!this.resolver.add(event)) return [];
    const entered = phase === 'Entered' ? this.resolver.stateOf(event) : undefined;

    if (entered) {
      if (stateType === 'Parallel' || stateType === 'Map') this.open.push(entered);
      return [{ type: 'StateEntered', timestamp, state: entered }];
    }
    if (phase === 'Exited' && stateType) {
      const name = event.stateExitedEventDetails?.name ?? '?';
      const index = this.open.findLastIndex((s) => s.name === name);
      if (index >= 0) this.open.splice(index, 1);
      const output = parseJson(event.stateExitedEventDetails?.output);
      const state: StateData = { name, type: stateType, input: null, output };
      return [...this.flush((f) => f.state.name === name), { type: 'StateExited', timestamp, state }];
    }
    if (phase === 'Failed') {
      // A Parallel or Map failed because a branch did: the branch failures are final now.
      const container = this.open.at(-1);
      const inner = this.flush((f) => f.state.name !== container?.name);
      if (container) {
        const first = inner.find((e) => e.type === 'StateFailed');
        const error =
          first && 'Error' in first ? { error: first.Error, cause: String(first.Cause) } : errorOf(event);
        this.fail(container, error, timestamp);
      }
      return inner;
    }
    if (phase === 'Started' || STEP_SCHEDULED.test(type)) {
      // Scheduled again after a failure: that failure was retried.
      const state = phase === 'Started' ? this.open.at(-1) : this.resolver.stateOf(event);
      const failure = state && this.pending.get(state.name);
      if (!state || !failure) return [];
      this.pending.delete(state.name);
      const retried = {
        type: 'StateRetried',
        timestamp: failure.timestamp,
        state,
        retry: { retrier: { ErrorEquals: [failure.Error] }, attempt: failure.attempt },
        Error: failure.Error,
        Cause: failure.Cause,
      };
      return [retried as EventLog];
    }
    if (STEP_FAILED.test(type)) {
      const state = this.resolver.stateOf(event);
      if (state) this.fail(state, errorOf(event), timestamp);
      return [];
    }
    if (executionEnd(event)) return this.flush(() => true);
    return [];
  }

  private fail(state: StateData, error: { error: string; cause: string }, timestamp: number): void {
    const attempt = (this.attempts.get(state.name) ?? 0) + 1;
    this.attempts.set(state.name, attempt);
    const cause = readableCause(error.cause);
    this.pending.set(state.name, { state, Error: error.error, Cause: cause, timestamp, attempt });
  }

  /** Final failures (caught, or fatal to the branch or execution) as StateFailed events, in time order. */
  private flush(which: (failure: Failure) => boolean): EventLog[] {
    const failures = [...this.pending.values()].filter(which).sort((a, b) => a.timestamp - b.timestamp);
    for (const failure of failures) this.pending.delete(failure.state.name);
    return failures.map((f) => ({
      type: 'StateFailed',
      timestamp: f.timestamp,
      state: f.state,
      Error: f.Error,
      Cause: f.Cause,
    }));
  }
}
