// Fixtures of the hook family's tests: the multi-tier example's resource "flush-cache" (a
// lambda-hook in us-west-2, the recovery region), events run through the family's runStep, Lambda
// answers as Invoke returns them, and clients that record which region and timeout each call used.
import { type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import type { HookClients } from '../../../functions/hook/clients.ts';
import { hookSteps } from '../../../functions/hook/steps.ts';
import { runStep } from '../../../functions/shared/family-handler.ts';
import type {
  Action,
  Mode,
  ProgressResult,
  ReadinessResult,
  StepContext,
  StepEvent,
} from '../../../functions/shared/step-contract.ts';
import { type DrPlan, planSchema } from '../../../plan/schema.ts';
import { examplePlan, examplePlanInput, RUN_ID, RUN_STARTED_AT, testClock } from '../../fixtures.ts';

export const HOOK_ID = 'flush-cache';
export const HOOK_ARN = 'arn:aws:lambda:us-west-2:123456789012:function:market-flush-cache';
export const HOOK_INDEX = 5; // resources[5] of multi-tier
export const RECOVERY_REGION = 'us-west-2';

export const multiTier = (): DrPlan => examplePlan('multi-tier');

/** multi-tier with its hook changed by `edit` (before validation and defaults). */
export function withHook(edit: (hook: Record<string, unknown>) => void): DrPlan {
  const input = examplePlanInput('multi-tier');
  const hook = input.resources.find((r) => r.id === HOOK_ID);
  if (!hook) throw new Error(`multi-tier has no resource "${HOOK_ID}"`);
  edit(hook as unknown as Record<string, unknown>);
  return planSchema.parse(input);
}

export interface EventOptions {
  mode?: Mode;
  plan?: DrPlan;
  state?: Record<string, unknown>;
  runId?: string;
}

/** A step event as the state machine sends it, for resource "flush-cache". */
export function hookEvent(action: Action, options: EventOptions = {}): StepEvent {
  return {
    action,
    plan: options.plan ?? multiTier(),
    run: { id: options.runId ?? RUN_ID, mode: options.mode ?? 'failover', startedAt: RUN_STARTED_AT },
    resource: HOOK_ID,
    ...(options.state ? { state: options.state } : {}),
  };
}

/** Clients whose `lambda` records the region and request timeout it was asked for. */
export function recordingClients() {
  const made: Array<{ region: string; requestTimeoutSeconds: number | undefined }> = [];
  const clients: HookClients = {
    lambda(region, requestTimeoutSeconds) {
      made.push({ region, requestTimeoutSeconds });
      return new LambdaClient({ region });
    },
  };
  return { clients, made };
}

/** A start, check or revert through the family's runStep, as the Lambda runs it. */
export async function progress(
  action: Exclude<Action, 'readiness'>,
  options: EventOptions = {},
  clock: StepContext = testClock(),
  clients: HookClients = recordingClients().clients,
): Promise<ProgressResult> {
  return (await runStep(hookSteps, () => clients, hookEvent(action, options), clock)) as ProgressResult;
}

/** Readiness through the family's runStep (a dry-run unless told). */
export async function readiness(
  options: EventOptions = {},
  clock: StepContext = testClock(),
  clients: HookClients = recordingClients().clients,
): Promise<ReadinessResult> {
  return (await runStep(
    hookSteps,
    () => clients,
    hookEvent('readiness', { mode: 'dry-run', ...options }),
    clock,
  )) as ReadinessResult;
}

/** What Invoke returns when the function answered `answer` (a value to JSON-encode, or raw text). */
export function answered(answer: unknown, extra: Partial<InvokeCommandOutput> = {}): InvokeCommandOutput {
  const text = typeof answer === 'string' ? answer : JSON.stringify(answer);
  return {
    StatusCode: 200,
    ExecutedVersion: '$LATEST',
    Payload: new TextEncoder().encode(text) as InvokeCommandOutput['Payload'],
    $metadata: { httpStatusCode: 200 },
    ...extra,
  };
}

/** The JSON a recorded Invoke sent, decoded from its Payload bytes. */
export function sentPayload(input: { Payload?: unknown }): unknown {
  const bytes = input.Payload;
  if (!(bytes instanceof Uint8Array)) throw new Error(`Payload is not bytes: ${String(bytes)}`);
  return JSON.parse(new TextDecoder().decode(bytes));
}

/** A start loop's state as start returns it (before runStep adds measurements and changes). */
export function startState(hookState: Record<string, unknown> = {}, startedAt = RUN_STARTED_AT) {
  return { loop: 'start', startedAt, hookState };
}
