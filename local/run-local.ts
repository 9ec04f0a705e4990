// Executes the deployed state machine definition locally with aws-local-stepfunctions: same
// states, same paths, same Retry/Catch; Tasks run through local handlers (see task-handlers.ts).
import './polyfills.ts';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
} from 'aws-local-stepfunctions';
import type { AslDefinition } from './extract-definition.ts';
import type { JsonValue, LocalTaskHandler } from './task-handlers.ts';

/** One execution event (state entered/exited/failed, branch started, …); the library does not export the type. */
export type EventLog =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

export interface LocalRunOptions {
  readonly definition: AslDefinition;
  readonly input: JsonValue;
  readonly executionName: string;
  /** $$.Execution.Id. @default "local:<executionName>" */
  readonly executionArn?: string;
  /** $$.Execution.StartTime. @default now */
  readonly startTime?: Date;
  /** $$.StateMachine.Id. @default "local:dr-runbook" */
  readonly stateMachineArn?: string;
  readonly taskHandlers: Record<string, LocalTaskHandler>;
  /** Real milliseconds each Wait state pauses (the definition's seconds are not slept). @default 0 */
  readonly waitMilliseconds?: number;
  /** Milliseconds before each retry. @default 0 */
  readonly retryMilliseconds?: number;
  /** Called with every execution event as it happens (live progress). */
  readonly onEvent?: (event: EventLog) => void;
}

export type LocalRunStatus = 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';

export interface LocalRunResult {
  readonly status: LocalRunStatus;
  readonly output?: JsonValue;
  /** The error name of a failed run (e.g. AlreadyRunning, RunbookFailed, InvalidInput). */
  readonly error?: string;
  readonly cause?: string;
  readonly events: EventLog[];
}

function statesOfType(
  definition: AslDefinition,
  predicate: (state: Record<string, unknown>) => boolean,
): string[] {
  return Object.entries(definition.States).flatMap(([name, state]) => [
    ...(predicate(state) ? [name] : []),
    ...(state.Branches ?? []).flatMap((branch) => statesOfType(branch, predicate)),
  ]);
}

/** A started local execution: stop it (as StopExecution does: no state runs after) or await its end. */
export interface LocalRun {
  abort(): void;
  readonly done: Promise<LocalRunResult>;
}

export async function runLocally(options: LocalRunOptions): Promise<LocalRunResult> {
  return startLocalRun(options).done;
}

/** One interpreter per definition (the fault matrix runs one definition hundreds of times). */
const machines = new WeakMap<AslDefinition, StateMachine>();
function machineOf(definition: AslDefinition): StateMachine {
  let machine = machines.get(definition);
  if (!machine) {
    // Not validated again here: asl-validator compiles its JSON schemas anew on every call (~0.1 s),
    // and test/infra/asl.part.ts validates the definition of every example and of the biggest plans.
    machine = new StateMachine(definition as never, { validationOptions: { noValidate: true } });
    machines.set(definition, machine);
  }
  return machine;
}

export function startLocalRun(options: LocalRunOptions): LocalRun {
  const { definition } = options;
  const waits = statesOfType(definition, (s) => s.Type === 'Wait');
  const retrying = statesOfType(definition, (s) => Array.isArray(s.Retry));
  const machine = machineOf(definition);
  const execution = machine.run(options.input, {
    overrides: {
      taskResourceLocalHandlers: options.taskHandlers,
      waitTimeOverrides: Object.fromEntries(waits.map((name) => [name, options.waitMilliseconds ?? 0])),
      retryIntervalOverrides: Object.fromEntries(
        retrying.map((name) => [name, options.retryMilliseconds ?? 0]),
      ),
    },
    context: {
      Execution: {
        Id: options.executionArn ?? `local:${options.executionName}`,
        Name: options.executionName,
      },
      StateMachine: {
        Id: options.stateMachineArn ?? 'local:dr-runbook',
        Name: (options.stateMachineArn ?? 'local:dr-runbook').split(':').pop() ?? 'dr-runbook',
      },
      // $$.Task.Token for waitForTaskToken tasks (the local handler answers instead of a person).
      Task: { Token: `local:${options.executionName}` },
    },
  });

  const events: EventLog[] = [];
  const collecting = (async () => {
    for await (const event of execution.eventLogs) {
      events.push(event);
      options.onEvent?.(event);
    }
  })();

  const done = (async (): Promise<LocalRunResult> => {
    try {
      const output = await execution.result;
      await collecting;
      return { status: 'SUCCEEDED', output, events };
    } catch (error) {
      await collecting.catch(() => undefined);
      if (error instanceof ExecutionAbortedError) return { status: 'ABORTED', events };
      if (error instanceof ExecutionTimeoutError) return { status: 'TIMED_OUT', events };
      if (!(error instanceof ExecutionError)) throw error;
      const failure = error.cause as Error | undefined;
      return { status: 'FAILED', error: failure?.name ?? 'ExecutionError', cause: failure?.message, events };
    }
  })();
  return { abort: () => execution.abort(), done };
}
