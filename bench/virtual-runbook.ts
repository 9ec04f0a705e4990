// Runs the real synthesized state machine with the real handlers in virtual time, against the
// timed fake AWS of test/runbook. Waits sleep on the virtual clock (see virtual-waits.ts), every
// Lambda invocation and DynamoDB call takes its modelled latency before it acts, and `new Date()`
// reads the virtual clock, so the handlers' own clocks agree with the fake's. Pass and Choice
// states take no time.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { handler as computeHandler } from '../functions/compute/handler.ts';
import { handler as databaseHandler } from '../functions/database/handler.ts';
import { handler as lockHandler } from '../functions/lock/handler.ts';
import { handler as runbookHandler } from '../functions/runbook/handler.ts';
import { handler as trafficHandler } from '../functions/traffic/handler.ts';
import { type ExtractedRunbook, extractRunbook, taskStates } from '../local/extract-definition.ts';
import { type LocalRunResult, runLocally } from '../local/run-local.ts';
import { synthesizeRunbook } from '../local/synthesize.ts';
import {
  type JsonValue,
  type LambdaHandler,
  type LocalTaskHandler,
  localTaskHandlers,
} from '../local/task-handlers.ts';
import type { DrPlan } from '../plan/schema.ts';
import { examplePlan, examplesDir } from '../test/fixtures.ts';
import { type Environment, WARM_STANDBY } from '../test/runbook/environments.ts';
import { type FakeAws, installFakeAws } from '../test/runbook/fake-aws.ts';
import type { FakeTiming } from '../test/runbook/fake-handler.ts';
import type { LatencyModel } from './lower-bound.ts';
import { VirtualClock } from './virtual-clock.ts';
import { installVirtualDate } from './virtual-date.ts';
import { substituteWaits, virtualWaitHandlers } from './virtual-waits.ts';

/** Virtual time every run starts at. */
export const VIRTUAL_START = Date.parse('2026-11-25T12:00:00.000Z');
const TOPIC_ARN = 'arn:aws:sns:us-west-2:123456789012:dr-runbook';

export interface BenchRunbook {
  readonly plan: DrPlan;
  readonly extracted: ExtractedRunbook;
  readonly environment: Environment;
}

/** The warm-standby example as deployed: synthesized (no bundling) and its definition extracted. */
export async function warmStandbyRunbook(): Promise<BenchRunbook> {
  const plan = examplePlan('warm-standby');
  const { template } = await synthesizeRunbook({ planFile: `${examplesDir}warm-standby.json` });
  return { plan, extracted: extractRunbook(template, plan.regions.recovery), environment: WARM_STANDBY };
}

const HANDLERS: Record<string, LambdaHandler> = {
  database: databaseHandler as LambdaHandler,
  compute: computeHandler as LambdaHandler,
  traffic: trafficHandler as LambdaHandler,
  runbook: runbookHandler as LambdaHandler,
  lock: lockHandler as LambdaHandler,
};

export interface VirtualRun {
  readonly status: LocalRunResult['status'];
  readonly error?: string;
  readonly cause?: string;
  /** The execution's output (the whole execution state at the end). */
  readonly output?: JsonValue;
  /** States entered, branches included: what Step Functions bills as state transitions. */
  readonly transitions: number;
  readonly lambdaInvocations: number;
  /** Virtual seconds from the execution start to its end. */
  readonly durationSeconds: number;
  readonly fake: FakeAws;
}

export interface VirtualRunOptions {
  readonly input: JsonValue;
  readonly timing: Omit<FakeTiming, 'now'>;
  readonly latency: LatencyModel;
  readonly executionName: string;
}

/** Answers every HTTP probe of Verify with 200 while `work` runs. */
async function withHealthyProbes<T>(work: () => Promise<T>): Promise<T> {
  const realFetch = globalThis.fetch;
  globalThis.fetch = async () => new Response(null, { status: 200 });
  try {
    return await work();
  } finally {
    globalThis.fetch = realFetch;
  }
}

/** One execution of the runbook in virtual time, against a fresh timed fake. */
export async function runInVirtualTime(
  runbook: BenchRunbook,
  options: VirtualRunOptions,
): Promise<VirtualRun> {
  process.env.HISTORY_TABLE_NAME = runbook.extracted.tableName;
  process.env.TOPIC_ARN = TOPIC_ARN;
  const date = installVirtualDate(VIRTUAL_START);
  const clock = new VirtualClock(VIRTUAL_START, (ms) => date.set(ms));
  try {
    const fake = installFakeAws(runbook.environment, runbook.extracted.tableName, new Date(VIRTUAL_START), {
      ...options.timing,
      now: () => new Date(clock.now()),
    });
    const { definition, waits } = substituteWaits(runbook.extracted.definition);
    let lambdaInvocations = 0;
    const lambdaHandlers = Object.fromEntries(
      Object.entries(HANDLERS).map(([family, handler]): [string, LambdaHandler] => [
        family,
        async (event, context) => {
          lambdaInvocations += 1;
          await clock.sleep(options.latency.lambdaSeconds);
          return handler(event, context);
        },
      ]),
    );
    const handlers = localTaskHandlers({
      extracted: { ...runbook.extracted, definition },
      lambdaHandlers,
      dynamo: new DynamoDBClient({ region: runbook.plan.regions.recovery }),
      stateOverrides: virtualWaitHandlers(waits, clock),
    });
    const taskHandlers = delayServiceIntegrations(handlers, definition, clock, options.latency);
    const result = await withHealthyProbes(() =>
      clock.run(
        runLocally({ definition, input: options.input, executionName: options.executionName, taskHandlers }),
      ),
    );
    return {
      status: result.status,
      ...(result.error ? { error: result.error } : {}),
      ...(result.cause ? { cause: result.cause } : {}),
      ...(result.output !== undefined ? { output: result.output } : {}),
      transitions: result.events.filter((event) => event.type === 'StateEntered').length,
      lambdaInvocations,
      durationSeconds: (clock.now() - VIRTUAL_START) / 1000,
      fake,
    };
  } finally {
    date.uninstall();
  }
}

/** DynamoDB (service integration) tasks take their latency before they act. */
function delayServiceIntegrations(
  handlers: Record<string, LocalTaskHandler>,
  definition: ExtractedRunbook['definition'],
  clock: VirtualClock,
  latency: LatencyModel,
): Record<string, LocalTaskHandler> {
  const states = taskStates(definition);
  return Object.fromEntries(
    Object.entries(handlers).map(([name, handle]): [string, LocalTaskHandler] => {
      if (!states[name]?.Resource?.startsWith('arn:aws:states:::dynamodb:')) return [name, handle];
      return [
        name,
        async (input) => {
          await clock.sleep(latency.dynamoSeconds);
          return handle(input);
        },
      ];
    }),
  );
}
