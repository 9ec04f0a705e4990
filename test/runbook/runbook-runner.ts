// Runs the runbook as deployed: the state machine definition from the synthesized template, executed
// by aws-local-stepfunctions, each Lambda task calling the real handler in-process and each DynamoDB
// task sending its request, all against the fake AWS (fake-aws.ts). No Jest in here: the benchmark
// (state-size.ts) runs it too; harness.ts adds what only tests use.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { handler as computeHandler } from '../../functions/compute/handler.ts';
import { handler as databaseHandler } from '../../functions/database/handler.ts';
import { handler as hookHandler } from '../../functions/hook/handler.ts';
import { handler as lockHandler } from '../../functions/lock/handler.ts';
import { handler as runbookHandler } from '../../functions/runbook/handler.ts';
import type { RunReport } from '../../functions/runbook/report.ts';
import { handler as trafficHandler } from '../../functions/traffic/handler.ts';
import { type ExtractedRunbook, extractRunbook, taskStates } from '../../local/extract-definition.ts';
import { type LocalExecution, LocalExecutions } from '../../local/local-executions.ts';
import type { EventLog, LocalRunResult } from '../../local/run-local.ts';
import { synthesizeTemplate } from '../../local/synthesize.ts';
import {
  type JsonValue,
  type LambdaHandler,
  type LocalTaskHandler,
  localTaskHandlers,
} from '../../local/task-handlers.ts';
import type { DrPlan } from '../../plan/schema.ts';
import { examplePlan, examplesDir } from '../fixtures.ts';
import { type Environment, PILOT_LIGHT, WARM_STANDBY } from './environments.ts';
import { type FakeAws, installFakeAws } from './fake-aws.ts';

export type Example = 'warm-standby' | 'pilot-light';

const ENVIRONMENTS: Record<Example, Environment> = {
  'warm-standby': WARM_STANDBY,
  'pilot-light': PILOT_LIGHT,
};

export interface Runbook {
  readonly plan: DrPlan;
  readonly extracted: ExtractedRunbook;
  readonly environment: Environment;
}

/** The real handler of each Lambda of the runbook, by family. */
export const HANDLERS: Readonly<Record<string, LambdaHandler>> = {
  database: databaseHandler as LambdaHandler,
  compute: computeHandler as LambdaHandler,
  traffic: trafficHandler as LambdaHandler,
  hook: hookHandler as LambdaHandler,
  runbook: runbookHandler as LambdaHandler,
  lock: lockHandler as LambdaHandler,
};

/**
 * The runbook stack of a plan (~3-6 s to synthesize: once per test file, in beforeAll; read from
 * the test run's template cache when the global setup filled it, local/synthesize.ts).
 */
export async function synthesizePlan(
  plan: DrPlan,
  environment: Environment,
  planFile?: string,
): Promise<Runbook> {
  const template = await synthesizeTemplate(planFile ? { planFile } : { plan });
  return { plan, extracted: extractRunbook(template, plan.regions.recovery), environment };
}

/** The runbook of a plan example, with the environment its tests start from. */
export async function synthesizeExample(example: Example = 'warm-standby'): Promise<Runbook> {
  return synthesizePlan(examplePlan(example), ENVIRONMENTS[example], `${examplesDir}${example}.json`);
}

/** The fake the latest fakeAwsFor installed: its Step Functions answers from the test's executions. */
let currentFake: FakeAws | undefined;

/** A fresh fake of the plan's recovery-region environment, installed on every SDK client. */
export function fakeAwsFor(runbook: Runbook): FakeAws {
  currentFake = installFakeAws(runbook.environment, runbook.extracted.tableName);
  return currentFake;
}

export interface Invocation {
  readonly family: string;
  readonly action: string;
  /** The plan resource a family step acted on (absent for the runbook and lock Lambdas). */
  readonly resource?: string;
}

/** A Lambda invocation with the event it received and what it returned (once it returned). */
export interface Payload {
  readonly invocation: Invocation;
  readonly event: unknown;
  result?: unknown;
}

export interface RunbookRun extends LocalRunResult {
  /** Names of the states entered, in order (branch states included). */
  readonly entered: string[];
  /** Names of the states that failed, in order. */
  readonly failed: string[];
  /** Every Lambda invocation: family, action and resource. */
  readonly invocations: Invocation[];
  /** The same invocations with their events and results. */
  readonly payloads: Payload[];
}

export interface RunOptions {
  readonly input: JsonValue;
  /** Replaces particular Task states, e.g. "Step1.approve.WaitForApproval" (which waits for a person). */
  readonly stateOverrides?: Record<string, LocalTaskHandler>;
  /** @default a unique name per run */
  readonly executionName?: string;
}

export const TOPIC_ARN = 'arn:aws:sns:us-west-2:123456789012:dr-runbook';
export const STATE_MACHINE_ARN = 'arn:aws:states:us-west-2:123456789012:stateMachine:dr-runbook-shop';

let executions = 0;

/** No test reaches a person: a run that asks for approval without an override fails loudly. */
const noApprover: LocalTaskHandler = async () => {
  throw new Error('the run asked for approval, but the test gave no <step>.WaitForApproval override');
};

/** The approval states of the runbook ("<step>.WaitForApproval"), in definition order. */
export function approvalStates(runbook: Runbook): string[] {
  return Object.keys(taskStates(runbook.extracted.definition)).filter((name) =>
    name.endsWith('.WaitForApproval'),
  );
}

/** The executions of one test: run side by side, stoppable, cleaned up as the status rule does. */
export interface TestExecutions {
  readonly registry: LocalExecutions;
  /** Starts an execution; its result comes with what it entered and invoked. */
  start(options: RunOptions): { readonly execution: LocalExecution; readonly done: Promise<RunbookRun> };
  /** Every execution has ended (cleanup runs included) and every Lambda they invoked has returned. */
  settled(): Promise<void>;
}

export interface TestExecutionsOptions {
  readonly cleanUpEndedRuns?: boolean;
  readonly stateOverrides?: Record<string, LocalTaskHandler>;
  /** Real milliseconds each Wait pauses, so that a test can act while a run waits. @default 0 */
  readonly waitMilliseconds?: number;
  readonly onEvent?: (execution: LocalExecution, event: EventLog) => void;
}

/** The local Step Functions of one test, answering the runbook's own Step Functions calls. */
export function testExecutions(runbook: Runbook, options: TestExecutionsOptions = {}): TestExecutions {
  process.env.HISTORY_TABLE_NAME = runbook.extracted.tableName;
  process.env.TOPIC_ARN = TOPIC_ARN;
  const inFlight: Promise<unknown>[] = [];
  const payloadsOf = new Map<string, Payload[]>();
  const overridesOf = new Map<string, Record<string, LocalTaskHandler>>();
  const approval = Object.fromEntries(approvalStates(runbook).map((name) => [name, noApprover]));
  const registry = new LocalExecutions({
    definition: runbook.extracted.definition,
    stateMachineArn: STATE_MACHINE_ARN,
    cleanUpEndedRuns: options.cleanUpEndedRuns ?? true,
    waitMilliseconds: options.waitMilliseconds ?? 0,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    taskHandlers: (name) => {
      const payloads: Payload[] = [];
      payloadsOf.set(name, payloads);
      const lambdaHandlers = Object.fromEntries(
        Object.entries(HANDLERS).map(([family, handler]): [string, LambdaHandler] => [
          family,
          (event, context) => {
            const { action, resource } = event as { action?: unknown; resource?: unknown };
            const invocation: Invocation = {
              family,
              action: String(action),
              ...(typeof resource === 'string' ? { resource } : {}),
            };
            const payload: Payload = { invocation, event };
            payloads.push(payload);
            const running = handler(event, context).then((result) => {
              payload.result = result;
              return result;
            });
            inFlight.push(running);
            return running;
          },
        ]),
      );
      return localTaskHandlers({
        extracted: runbook.extracted,
        lambdaHandlers,
        dynamo: new DynamoDBClient({ region: runbook.plan.regions.recovery }),
        stateOverrides: { ...approval, ...options.stateOverrides, ...overridesOf.get(name) },
      });
    },
  });
  if (currentFake) currentFake.stepFunctions.executions = registry;
  const settled = async () => {
    // A failed Parallel branch stops its siblings between states, but a Lambda already running
    // finishes (as in AWS): wait for it, so its effects are in the fake before anyone asserts.
    for (;;) {
      await registry.settled();
      const pending = inFlight.length;
      await Promise.allSettled(inFlight);
      if (inFlight.length === pending && registry.list().every((e) => e.status !== 'RUNNING')) return;
    }
  };
  return {
    registry,
    settled,
    start(run) {
      executions += 1;
      const name = run.executionName ?? `runbook-test-${executions}`;
      if (run.stateOverrides) overridesOf.set(name, run.stateOverrides);
      const execution = registry.start(name, run.input);
      const done = execution.done.then((result): RunbookRun => {
        const names = (type: string) =>
          result.events.flatMap((event) =>
            event.type === type && 'state' in event ? [event.state.name] : [],
          );
        const payloads = payloadsOf.get(name) ?? [];
        return {
          ...result,
          entered: names('StateEntered'),
          failed: names('StateFailed'),
          invocations: payloads.map((p) => p.invocation),
          payloads,
        };
      });
      return { execution, done };
    },
  };
}

/** Runs one execution to its end, then lets any cleanup run it caused finish too. */
export async function runRunbook(runbook: Runbook, options: RunOptions): Promise<RunbookRun> {
  const local = testExecutions(runbook);
  const result = await local.start(options).done;
  await local.settled();
  return result;
}

/** The run records in the history table, oldest first. */
export function reports(fake: FakeAws): RunReport[] {
  return fake
    .historyItems()
    .map((item) => JSON.parse(item.record?.S ?? '{}') as RunReport)
    .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

/** The one run record in the history table; fails the test when there is not exactly one. */
export function onlyReport(fake: FakeAws): RunReport {
  const all = reports(fake);
  if (all.length !== 1) throw new Error(`expected one run record in the history table, found ${all.length}`);
  return all[0] as RunReport;
}

/** A failed run's cause as people read it: a Lambda error's message, else the cause itself. */
export function causeMessage(run: RunbookRun): string {
  try {
    const parsed = JSON.parse(run.cause ?? '') as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not a Lambda error's JSON payload
  }
  return run.cause ?? '';
}

/** Invocations of the step families (database, compute, traffic, hook): what touches the application. */
export function familyInvocations(run: RunbookRun): Invocation[] {
  return run.invocations.filter((i) => i.family !== 'runbook' && i.family !== 'lock');
}

/** The execution state at its end (the output of a run that succeeded, else the last state exited). */
export function finalState(run: RunbookRun): Record<string, unknown> | undefined {
  if (run.output && typeof run.output === 'object') return run.output as Record<string, unknown>;
  for (let i = run.events.length - 1; i >= 0; i--) {
    const event = run.events[i];
    if (event?.type === 'StateExited' && 'state' in event && event.state.output) {
      return event.state.output as Record<string, unknown>;
    }
  }
  return undefined;
}
