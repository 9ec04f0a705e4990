// Shared test fixtures: plans, step events, a controllable clock and AWS-shaped errors.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AwsStub } from 'aws-sdk-client-mock';
import type { RunRecord } from '../functions/runbook/execution-input.ts';
import type { Action, Mode, StepContext, StepEvent } from '../functions/shared/step-contract.ts';
import { localLambdaContext } from '../local/lambda-context.ts';
import { type DrPlan, type DrPlanInput, planSchema } from '../plan/schema.ts';

export const examplesDir = fileURLToPath(new URL('../plan/examples/', import.meta.url));

/** A plan example as written (before defaults), for tests that edit it. */
export function examplePlanInput(name = 'warm-standby'): DrPlanInput {
  return JSON.parse(readFileSync(`${examplesDir}${name}.json`, 'utf8')) as DrPlanInput;
}

/** A plan example, validated, with defaults filled in. */
export function examplePlan(name = 'warm-standby'): DrPlan {
  return planSchema.parse(examplePlanInput(name));
}

export const RUN_ID = 'run-20261125-abc123';
export const RUN_STARTED_AT = '2026-11-25T12:00:00.000Z';

/** A step event as the state machine sends it, for `resource` (an id; default: the plan's first resource). */
export function stepEvent(
  action: Action,
  options: { mode?: Mode; plan?: DrPlan; state?: Record<string, unknown>; resource?: string } = {},
): StepEvent {
  const plan = options.plan ?? examplePlan();
  return {
    action,
    plan,
    run: { id: RUN_ID, mode: options.mode ?? 'failover', startedAt: RUN_STARTED_AT },
    resource: options.resource ?? plan.resources[0]?.id ?? 'db',
    ...(options.state ? { state: options.state } : {}),
  };
}

/** A clock that starts at the run's start and moves only when told to. */
export function testClock(start = RUN_STARTED_AT): StepContext & { advance(seconds: number): void } {
  let now = new Date(start).getTime();
  return {
    now: () => new Date(now),
    advance(seconds: number) {
      now += seconds * 1000;
    },
  };
}

/** An error shaped like the ones the AWS SDK throws (name = AWS error code). */
/** A run record as ValidateInput produces it: a console failover unless overridden. */
export function runRecord(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    id: 'run-1',
    mode: 'failover',
    startedAt: '2026-11-25T12:00:00.000Z',
    incidentStartedAt: '2026-11-25T12:00:00.000Z',
    trigger: { type: 'console' },
    approvalRequired: false,
    lockExpiresAt: '2026-11-26T00:00:00.000Z',
    executionArn: 'arn:aws:states:eu-central-1:123456789012:execution:dr-runbook-test:run-7',
    ...overrides,
  };
}

export function awsError(name: string, httpStatusCode = 400, message = `${name} (test)`): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode }, $fault: 'client' });
}

export const throttling = () => awsError('ThrottlingException', 400, 'Rate exceeded');
export const accessDenied = () =>
  awsError('AccessDenied', 403, 'User: arn:aws:sts::123456789012:assumed-role/x is not authorized');

const READ_ONLY = /^(Describe|List|Get|Test|Lookup|Search|Batch?Get)/;

/** Names of the commands sent through these mocks that could change something. */
// biome-ignore lint/suspicious/noExplicitAny: mocks of different clients have unrelated type parameters
export function mutatingCommandsSent(mocks: AwsStub<any, any, any>[]): string[] {
  return mocks.flatMap((mock) =>
    mock
      .calls()
      .map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, ''))
      .filter((name) => !READ_ONLY.test(name)),
  );
}

/** A minimal Lambda context for invoking a middy handler directly (the one local runs use). */
export const lambdaContext = localLambdaContext('dr-runbook-step');
