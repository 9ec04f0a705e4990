// lambda-hook: a function of the user's, invoked at its place in the steps (functions/hook/hook-contract.ts).
//   readiness: the function exists in its region and is Active (it is never invoked).
//   start/check: invoke it with "start" once, then "check" until it answers done.
//   revert (drills): invoke it with "revert" until done, so it undoes what its drill start did.
// With runInDrills false a drill never invokes it: every action is done at once.
import {
  type FunctionConfiguration,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  type InvokeCommandOutput,
} from '@aws-sdk/client-lambda';
import type { ResourceOfType } from '../../../plan/schema.ts';
import * as z from '../../../plan/zod.ts';
import { awsErrorName, toStepError } from '../../shared/aws-errors.ts';
import {
  AccessDeniedError,
  type DrRunbookError,
  InvalidStepInputError,
  TransientAwsError,
} from '../../shared/errors.ts';
import type { ResourceSteps } from '../../shared/family-handler.ts';
import type {
  Change,
  Mode,
  ProgressResult,
  ReadinessCheck,
  ResourceEvent,
} from '../../shared/step-contract.ts';
import { orList } from '../../shared/words.ts';
import type { HookClients } from '../clients.ts';
import {
  DEFAULT_NEXT_CHECK_SECONDS,
  HOOK_CONTRACT,
  type HookAction,
  type HookAnswer,
  HookFunctionError,
  HookFunctionNotFoundError,
  type HookRequest,
  InvalidHookAnswerError,
  parseHookAnswer,
  quoted,
} from '../hook-contract.ts';

type LambdaHook = ResourceOfType<'lambda-hook'>;
type Event = ResourceEvent<LambdaHook>;
type Loop = 'start' | 'revert';

const NOT_FOUND = ['ResourceNotFoundException'] as const;
export const SKIPPED_IN_DRILLS = 'skipped in drills (runInDrills: false)';

/** What a start/check loop or a revert loop hands back to the state machine. */
const loopStateSchema = z.object({
  loop: z.enum(['start', 'revert']),
  /** The loop's first call (the deadline and the hook's `startedAt`). */
  startedAt: z.iso.datetime({ offset: true }),
  /** What the hook returned last, passed back to it. */
  hookState: z.record(z.string(), z.unknown()),
});
type LoopState = z.output<typeof loopStateSchema>;

export const lambdaHookSteps: ResourceSteps<LambdaHook, HookClients> = {
  expectedSeconds(resource, mode) {
    return skipsMode(resource, mode) ? 0 : resource.expectedSeconds;
  },

  async readiness(event, clients) {
    return {
      family: 'hook',
      checks: await readinessChecks(event, clients),
      predictedSeconds: lambdaHookSteps.expectedSeconds(event.resource, event.run.mode),
    };
  },

  async start(event, clients, context) {
    requireMode(event, 'start', ['drill', 'failover', 'switchover']);
    if (skipped(event)) return skippedResult(event, 'start');
    const state: LoopState = { loop: 'start', startedAt: context.now().toISOString(), hookState: {} };
    return invokeLoop(event, clients, 'start', state, true);
  },

  async check(event, clients) {
    requireMode(event, 'check', ['drill', 'failover', 'switchover']);
    if (skipped(event)) return skippedResult(event, 'check');
    const state = loopStateOf(event, 'start');
    if (!state) {
      throw new InvalidStepInputError(
        `hook check of ${event.resourceId} needs the state returned by its start, and got ${event.state ? JSON.stringify(event.state).slice(0, 200) : 'none'}: run start first`,
        'execution input',
      );
    }
    return invokeLoop(event, clients, 'check', state, false);
  },

  async revert(event, clients, context) {
    requireMode(event, 'revert', ['drill']);
    if (skipped(event)) return skippedResult(event, 'revert');
    // A first revert has no state (the run may have died before start answered).
    const previous = loopStateOf(event, 'revert');
    const state = previous ?? { loop: 'revert', startedAt: context.now().toISOString(), hookState: {} };
    return invokeLoop(event, clients, 'revert', state, previous === undefined);
  },
};

// ---- the event ----------------------------------------------------------------------------------

function skipsMode(resource: LambdaHook, mode: Mode): boolean {
  return mode === 'drill' && !resource.runInDrills;
}

function skipped(event: Event): boolean {
  return skipsMode(event.resource, event.run.mode);
}

function fieldPath(event: Event, field: string): string {
  return `resources[${event.plan.resources.findIndex((r) => r.id === event.resourceId)}].${field}`;
}

function requireMode(event: Event, action: HookAction, allowed: readonly Mode[]): void {
  if (!allowed.includes(event.run.mode)) {
    throw new InvalidStepInputError(
      `hook ${action} of ${event.resourceId} cannot run in ${event.run.mode} mode (only ${orList(allowed)})`,
      'execution input',
    );
  }
}

function loopStateOf(event: Event, loop: Loop): LoopState | undefined {
  const parsed = loopStateSchema.safeParse(event.state);
  return parsed.success && parsed.data.loop === loop ? parsed.data : undefined;
}

/** The function's ARN, name and region (from the ARN; the recovery region if the ARN names none). */
interface HookFunction {
  arn: string;
  name: string;
  region: string;
}

function functionOf(event: Event): HookFunction {
  const arn = event.resource.functionArn;
  const parts = arn.split(':');
  return { arn, name: parts[6] ?? arn, region: parts[3] || event.plan.regions.recovery };
}

/** Why the function may not be called: it is in the primary region (the schema refuses it too). */
function primaryRegionProblem(event: Event, fn: HookFunction): string | undefined {
  if (fn.region !== event.plan.regions.primary) return undefined;
  return `hook ${event.resourceId}: function ${fn.arn} is in the primary region ${fn.region}: a failover cannot depend on the failed region; deploy it in ${event.plan.regions.recovery} and fix ${fieldPath(event, 'functionArn')}`;
}

function skippedResult(event: Event, action: ProgressResult['action']): ProgressResult {
  return {
    family: 'hook',
    action,
    done: true,
    nextCheckSeconds: 0,
    detail: `hook ${event.resourceId}: ${SKIPPED_IN_DRILLS}`,
    state: {},
    changes: [],
  };
}

// ---- readiness ----------------------------------------------------------------------------------

async function readinessChecks(event: Event, clients: HookClients): Promise<ReadinessCheck[]> {
  const fn = functionOf(event);
  const inPrimary = primaryRegionProblem(event, fn);
  const checks = inPrimary
    ? [{ name: 'function-active', status: 'fail' as const, detail: inPrimary }]
    : await functionChecks(event, clients, fn);
  if (!skipped(event)) return checks;
  // A drill does not call it, so its problems do not stop the drill; a failover would still fail.
  return checks.map((check) =>
    check.status === 'fail'
      ? {
          ...check,
          status: 'warn',
          detail: `${check.detail} (a drill does not invoke it: runInDrills is false; a failover would fail)`,
        }
      : check,
  );
}

/** function-active and function-last-update, from GetFunctionConfiguration (never an invoke, never the code). */
async function functionChecks(
  event: Event,
  clients: HookClients,
  fn: HookFunction,
): Promise<ReadinessCheck[]> {
  let config: FunctionConfiguration;
  try {
    config = await clients
      .lambda(fn.region)
      .send(new GetFunctionConfigurationCommand({ FunctionName: fn.arn }));
  } catch (error) {
    const failed = readError(event, fn, error);
    if (failed instanceof TransientAwsError) throw failed; // Step Functions retries the readiness step
    return [{ name: 'function-active', status: 'fail', detail: failed.message }];
  }
  const state = config.State ?? 'unknown';
  const described = `hook ${event.resourceId}: function ${fn.name} in ${fn.region}`;
  const active: ReadinessCheck =
    state === 'Active'
      ? { name: 'function-active', status: 'pass', detail: `${described} is Active` }
      : {
          name: 'function-active',
          status: 'fail',
          detail: `${described} is ${state}, not Active: ${stateFix(config)}`,
        };
  const update = config.LastUpdateStatus;
  const lastUpdate: ReadinessCheck =
    update === undefined || update === 'Successful'
      ? {
          name: 'function-last-update',
          status: 'pass',
          detail: `${described}: last update ${update ?? 'not reported'}`,
        }
      : {
          name: 'function-last-update',
          status: 'warn',
          detail: `${described}: last update is ${update}${config.LastUpdateStatusReason ? ` (${config.LastUpdateStatusReason})` : ''}: ${
            update === 'InProgress'
              ? 'an invocation now may run the previous code; check the update finishes'
              : 'the function runs its previous code; fix and redeploy it'
          }`,
        };
  return [active, lastUpdate];
}

function stateFix(config: FunctionConfiguration): string {
  const reason = config.StateReason ? ` (${config.StateReason})` : '';
  switch (config.State) {
    case 'Pending':
      return `it is still being created or updated${reason}; check it becomes Active`;
    case 'Inactive':
      return `it has been idle${reason}; its first invocations would fail until it is active again: invoke or update it once`;
    case 'Failed':
      return `it cannot run${reason}; fix and redeploy it`;
    default:
      return `invocations may fail${reason}; check the function`;
  }
}

function readError(event: Event, fn: HookFunction, error: unknown): DrRunbookError {
  const name = awsErrorName(error);
  if (name !== undefined && (NOT_FOUND as readonly string[]).includes(name)) {
    return new HookFunctionNotFoundError(
      `hook ${event.resourceId}: function ${fn.arn} not found in ${fn.region}: deploy the function in ${fn.region} or fix ${fieldPath(event, 'functionArn')}`,
      fn.arn,
      { cause: error },
    );
  }
  const classified = toStepError(error, {
    resource: `function ${fn.arn} (hook ${event.resourceId})`,
    operation: 'read the function configuration',
  });
  if (classified instanceof AccessDeniedError) {
    return new AccessDeniedError(
      `hook ${event.resourceId}: access denied reading the configuration of ${fn.arn} (${detailOf(error)}): allow lambda:GetFunctionConfiguration on ${fn.arn} to the hook role`,
      fn.arn,
      { cause: error },
    );
  }
  return classified;
}

// ---- start, check, revert: invoke and read the answer -------------------------------------------

async function invokeLoop(
  event: Event,
  clients: HookClients,
  action: HookAction,
  state: LoopState,
  first: boolean,
): Promise<ProgressResult> {
  const fn = functionOf(event);
  const inPrimary = primaryRegionProblem(event, fn);
  if (inPrimary) throw new InvalidStepInputError(inPrimary, fn.arn);
  const mode = event.run.mode as HookRequest['mode']; // requireMode: drill, failover or switchover
  const request: HookRequest = {
    contract: HOOK_CONTRACT,
    action,
    mode,
    runId: event.run.id,
    plan: event.plan.name,
    resource: event.resourceId,
    step: event.resourceId,
    startedAt: state.startedAt,
    state: state.hookState,
  };
  const answer = await invoke(event, clients, fn, request);
  const changes: Change[] = [];
  if (first) {
    changes.push({
      resource: fn.arn,
      action: `hook-${state.loop}`,
      detail: `invoked ${fn.name} with action "${state.loop}" in ${mode} mode`,
    });
  }
  if (answer.done) {
    changes.push({
      resource: fn.arn,
      action: `hook-${state.loop}-done`,
      detail: answer.detail ?? `${fn.name} answered done`,
    });
  }
  return {
    family: 'hook',
    action,
    done: answer.done,
    nextCheckSeconds: answer.done ? 0 : (answer.nextCheckSeconds ?? DEFAULT_NEXT_CHECK_SECONDS),
    detail: `hook ${event.resourceId} (${fn.name}) ${action}: ${answer.detail ?? (answer.done ? 'done' : 'not done yet')}`,
    state: { ...state, hookState: answer.state ?? state.hookState },
    changes,
  };
}

async function invoke(
  event: Event,
  clients: HookClients,
  fn: HookFunction,
  request: HookRequest,
): Promise<HookAnswer> {
  const timeout = event.resource.invocationTimeoutSeconds;
  let output: InvokeCommandOutput;
  try {
    output = await clients.lambda(fn.region, timeout).send(
      new InvokeCommand({
        FunctionName: fn.arn,
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode(JSON.stringify(request)),
      }),
    );
  } catch (error) {
    throw invokeError(event, fn, request.action, error);
  }
  const payload = output.Payload ? new TextDecoder().decode(output.Payload) : '';
  const where = `hook ${event.resourceId}: function ${fn.arn}`;
  if (output.FunctionError) {
    throw new HookFunctionError(
      `${where} failed on "${request.action}" (${output.FunctionError} function error: ${thrown(payload)}); see its log group /aws/lambda/${fn.name} in ${fn.region}. A function error is not retried: to be called again, a hook answers {"done": false} instead of throwing`,
      fn.arn,
    );
  }
  const parsed = parseHookAnswer(payload);
  if ('problem' in parsed) {
    throw new InvalidHookAnswerError(
      `${where} answered "${request.action}" with ${parsed.problem}: a hook answers {"done": boolean, "detail"?, "nextCheckSeconds"?, "state"?} (functions/hook/hook-contract.ts)`,
      fn.arn,
    );
  }
  return parsed.answer;
}

/** What the function threw, from the error payload Lambda returns ({errorType, errorMessage}). */
function thrown(payload: string): string {
  try {
    const { errorType, errorMessage } = JSON.parse(payload) as {
      errorType?: unknown;
      errorMessage?: unknown;
    };
    if (typeof errorType === 'string' || typeof errorMessage === 'string') {
      return `${typeof errorType === 'string' ? errorType : 'Error'}: ${quoted(String(errorMessage ?? ''))}`;
    }
  } catch {
    // not JSON: quote it as it is
  }
  return payload ? quoted(payload) : 'no payload';
}

function detailOf(error: unknown): string {
  return error instanceof Error ? `${error.name}${error.message ? `: ${error.message}` : ''}` : String(error);
}

function invokeError(event: Event, fn: HookFunction, action: HookAction, error: unknown): DrRunbookError {
  const name = awsErrorName(error);
  if (name !== undefined && (NOT_FOUND as readonly string[]).includes(name)) {
    return new HookFunctionNotFoundError(
      `hook ${event.resourceId}: function ${fn.arn} not found in ${fn.region} (${detailOf(error)}): deploy the function in ${fn.region} or fix ${fieldPath(event, 'functionArn')}`,
      fn.arn,
      { cause: error },
    );
  }
  const classified = toStepError(error, {
    resource: `function ${fn.arn} (hook ${event.resourceId})`,
    operation: `invoke the hook with action "${action}"`,
  });
  if (classified instanceof AccessDeniedError) {
    return new AccessDeniedError(
      `hook ${event.resourceId}: access denied invoking ${fn.arn} (${detailOf(error)}): allow lambda:InvokeFunction on ${fn.arn} to the hook role (and in the function's resource policy if it is in another account)`,
      fn.arn,
      { cause: error },
    );
  }
  if (classified instanceof TransientAwsError && name === 'TimeoutError') {
    return new TransientAwsError(
      `${classified.message}: the hook did not answer within ${fieldPath(event, 'invocationTimeoutSeconds')} (${event.resource.invocationTimeoutSeconds} s); answer {"done": false} sooner and let check poll`,
      fn.arn,
      { cause: error },
    );
  }
  return classified;
}
