// The largest execution state of a run: Step Functions fails a run whose state (a state's input or
// output, a task's payload or result) passes 256 KiB, with an error no Catch can take
// (docs/design.md, "State stays small"). This runs a plan's drill and failover on the fake AWS
// (runbook-runner.ts) and measures, in JSON bytes, every state's input and output in the
// aws-local-stepfunctions event log and every Lambda's event and result. No Jest here: the
// benchmark calls largestStateKib too (max_state_kib=).
import type { JsonValue } from '../../local/task-handlers.ts';
import type { DrPlan } from '../../plan/schema.ts';
import type { Environment } from './environments.ts';
import {
  approvalStates,
  fakeAwsFor,
  type Runbook,
  type RunbookRun,
  synthesizePlan,
  testExecutions,
} from './runbook-runner.ts';

/** The limit Step Functions puts on a state's input, output and a task's payload. */
export const STEP_FUNCTIONS_STATE_LIMIT_BYTES = 256 * 1024;

export interface LargestState {
  readonly bytes: number;
  /** Where: the mode, the state (or Lambda) and which side, e.g. "failover Report output". */
  readonly where: string;
  /** What it is made of: the bytes of each top-level field, largest first. */
  readonly parts: Readonly<Record<string, number>>;
}

export interface StateSizes {
  readonly drill: LargestState;
  readonly failover: LargestState;
  /** The larger of the two. */
  readonly largest: LargestState;
  /** The runs measured. */
  readonly runs: { readonly drill: RunbookRun; readonly failover: RunbookRun };
}

const bytesOf = (value: unknown) => (value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value)));

/** The largest JSON in a run: every state's input and output, every Lambda event and result. */
export function largestStateOf(run: RunbookRun, label: string): LargestState {
  let largest: { bytes: number; where: string; value?: unknown } = {
    bytes: 0,
    where: `${label} (nothing measured)`,
  };
  const consider = (value: unknown, where: string) => {
    const bytes = bytesOf(value);
    if (bytes > largest.bytes) largest = { bytes, where: `${label} ${where}`, value };
  };
  for (const event of run.events) {
    if ('state' in event) {
      consider(event.state.input, `${event.state.name} input`);
      consider(event.state.output, `${event.state.name} output`);
    } else if (event.type === 'ExecutionStarted') consider(event.input, 'execution input');
    else if (event.type === 'ExecutionSucceeded') consider(event.output, 'execution output');
  }
  for (const { invocation, event, result } of run.payloads) {
    const who = `${invocation.family} ${invocation.action}${invocation.resource ? ` ${invocation.resource}` : ''}`;
    consider(event, `${who} event`);
    consider(result, `${who} result`);
  }
  const { value, ...found } = largest;
  const parts = Object.entries(value && typeof value === 'object' ? value : {})
    .map(([key, part]): [string, number] => [key, bytesOf(part)])
    .sort((a, b) => b[1] - a[1]);
  return { ...found, parts: Object.fromEntries(parts) };
}

/** "drill 187.3 KiB at drill runbook report event (outcome 120.1, plan 48.0, …)" */
export function describeLargest(state: LargestState): string {
  const kib = (bytes: number) => (bytes / 1024).toFixed(1);
  const parts = Object.entries(state.parts)
    .map(([key, bytes]) => `${key} ${kib(bytes)}`)
    .join(', ');
  return `${kib(state.bytes)} KiB at ${state.where} (KiB: ${parts})`;
}

/** Runs one mode to its end on a fresh fake (every approval granted, every probe answered 200). */
async function runOnce(runbook: Runbook, mode: 'drill' | 'failover'): Promise<RunbookRun> {
  fakeAwsFor(runbook);
  const approve = Object.fromEntries(
    approvalStates(runbook).map((name) => [name, async () => ({ approved: true })]),
  );
  const local = testExecutions(runbook, { stateOverrides: approve });
  const input: JsonValue = mode === 'failover' ? { mode, confirm: runbook.plan.name } : { mode };
  const realFetch = globalThis.fetch;
  globalThis.fetch = async () => new Response(null, { status: 200 });
  try {
    const run = await local.start({ input, executionName: `state-size-${mode}` }).done;
    await local.settled();
    if (run.status !== 'SUCCEEDED') {
      throw new Error(
        `the ${mode} of ${runbook.plan.name} ended ${run.status} ${run.error ?? ''}: ${run.cause ?? ''}`,
      );
    }
    return run;
  } finally {
    globalThis.fetch = realFetch;
  }
}

/** The largest state of a drill and of a failover of `plan`, in a healthy `environment`. */
export async function largestStates(plan: DrPlan, environment: Environment): Promise<StateSizes> {
  const runbook = await synthesizePlan(plan, environment);
  const runs = { drill: await runOnce(runbook, 'drill'), failover: await runOnce(runbook, 'failover') };
  const drill = largestStateOf(runs.drill, 'drill');
  const failover = largestStateOf(runs.failover, 'failover');
  return { drill, failover, largest: drill.bytes >= failover.bytes ? drill : failover, runs };
}

/** The largest state of a drill and a failover of `plan`, in KiB (one decimal). */
export async function largestStateKib(plan: DrPlan, environment: Environment): Promise<number> {
  const { largest } = await largestStates(plan, environment);
  return Math.round((largest.bytes / 1024) * 10) / 10;
}
