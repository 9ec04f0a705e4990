// The one change the benchmark makes to the deployed definition: every Wait state becomes a Task
// state whose local handler sleeps the same seconds on the virtual clock and passes its input
// through, as a Wait does. aws-local-stepfunctions waits in real time (or not at all, with
// waitTimeOverrides); this keeps the states, their names, paths and transitions as deployed while
// letting parallel branches wait on one shared virtual clock.
import type { AslDefinition, AslState } from '../local/extract-definition.ts';
import type { JsonValue, LocalTaskHandler } from '../local/task-handlers.ts';
import type { VirtualClock } from './virtual-clock.ts';

/** Resource of a substituted Wait: never deployed, only ever handled locally. */
export const VIRTUAL_WAIT_RESOURCE = 'arn:aws:states:::bench:virtualWait';

/** How long a Wait state waited: a fixed number of seconds or a path into its input. */
export type WaitDuration =
  | { readonly seconds: number }
  | { readonly secondsPath: string }
  | { readonly timestampPath: string };

export interface SubstitutedDefinition {
  readonly definition: AslDefinition;
  /** Every substituted Wait state (branches included), by name. */
  readonly waits: Record<string, WaitDuration>;
}

const PASSED_ON = ['Next', 'End', 'InputPath', 'OutputPath', 'Comment'] as const;

function waitDuration(name: string, state: AslState): WaitDuration {
  if (typeof state.Seconds === 'number') return { seconds: state.Seconds };
  if (typeof state.SecondsPath === 'string') return { secondsPath: state.SecondsPath };
  if (typeof state.TimestampPath === 'string') return { timestampPath: state.TimestampPath };
  throw new Error(
    `Wait state ${name}: only Seconds, SecondsPath and TimestampPath can be run in virtual time`,
  );
}

/** A copy of `definition` with each Wait state (branches included) replaced by a virtual-wait Task. */
export function substituteWaits(definition: AslDefinition): SubstitutedDefinition {
  const waits: Record<string, WaitDuration> = {};
  const copy = (machine: AslDefinition): AslDefinition => ({
    ...machine,
    States: Object.fromEntries(
      Object.entries(machine.States).map(([name, state]): [string, AslState] => {
        if (state.Type === 'Wait') {
          waits[name] = waitDuration(name, state);
          const kept = Object.fromEntries(PASSED_ON.filter((k) => k in state).map((k) => [k, state[k]]));
          return [name, { ...kept, Type: 'Task', Resource: VIRTUAL_WAIT_RESOURCE }];
        }
        if (state.Branches) return [name, { ...state, Branches: state.Branches.map(copy) }];
        return [name, state];
      }),
    ),
  });
  return { definition: copy(definition), waits };
}

/** Reads a reference path such as `$.progress.nextCheckSeconds` (the only kind a Wait uses here). */
export function readPath(input: JsonValue, path: string): JsonValue | undefined {
  if (path === '$') return input;
  if (!/^\$(\.[A-Za-z_][\w-]*)+$/.test(path)) throw new Error(`unsupported reference path ${path}`);
  let value: JsonValue | undefined = input;
  for (const key of path.slice(2).split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = value[key];
  }
  return value;
}

/** The seconds a Wait state would wait for this input (`nowMs`: the clock, for a timestamp). */
export function waitSeconds(wait: WaitDuration, input: JsonValue, nowMs = Date.now()): number {
  if ('seconds' in wait) return wait.seconds;
  if ('timestampPath' in wait) {
    const value = readPath(input, wait.timestampPath);
    const at = typeof value === 'string' ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(at))
      throw new Error(`${wait.timestampPath} must be an ISO timestamp, got ${JSON.stringify(value)}`);
    return Math.max(0, (at - nowMs) / 1000);
  }
  const value = readPath(input, wait.secondsPath);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw new Error(
      `${wait.secondsPath} must be a non-negative integer for a Wait, got ${JSON.stringify(value)}`,
    );
  return value;
}

/** Local handlers of the substituted Wait states: sleep on the virtual clock, return the input. */
export function virtualWaitHandlers(
  waits: Record<string, WaitDuration>,
  clock: VirtualClock,
): Record<string, LocalTaskHandler> {
  return Object.fromEntries(
    Object.entries(waits).map(([name, wait]): [string, LocalTaskHandler] => [
      name,
      async (input) => {
        await clock.sleep(waitSeconds(wait, input, clock.now()));
        return input;
      },
    ]),
  );
}
