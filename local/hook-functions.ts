// A local stand-in for the example plans' lambda-hook functions, for the simulation: pure, no AWS.
// It answers done on the second call of each action in a run (start → check → check: done;
// revert → revert: done), counting in the state the runbook passes back, so the simulation runs
// the hook's polling loop and its state round trip (functions/hook/hook-contract.ts).
import type { FunctionConfiguration } from '@aws-sdk/client-lambda';
import { type HookAnswer, type HookRequest, hookRequestSchema } from '../functions/hook/hook-contract.ts';

/** How long the stand-in asks the runbook to wait between its calls. */
export const SIMULATED_NEXT_CHECK_SECONDS = 5;

/** The stand-in's answer to one invocation. */
export function simulatedHook(payload: HookRequest): HookAnswer {
  const { runId, action, state } = payload;
  const calls =
    state.runId === runId && state.action === action && typeof state.calls === 'number' ? state.calls + 1 : 1;
  const done = calls >= 2;
  return {
    done,
    detail: `simulated hook ${payload.resource}: ${action} call ${calls} of run ${runId}${done ? ', done' : ''}`,
    ...(done ? {} : { nextCheckSeconds: SIMULATED_NEXT_CHECK_SECONDS }),
    state: { runId, action, calls },
  };
}

/**
 * What Lambda's Invoke (RequestResponse) would return for these request bytes: the stand-in's
 * answer, or, for a request that breaks the contract, a function error as a throwing hook gives.
 */
export function simulatedInvoke(payload: Uint8Array | string | undefined): {
  StatusCode: number;
  ExecutedVersion: string;
  Payload: Uint8Array;
  FunctionError?: string;
} {
  const text = typeof payload === 'string' ? payload : new TextDecoder().decode(payload ?? new Uint8Array());
  const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
  let request: ReturnType<typeof hookRequestSchema.safeParse>;
  try {
    request = hookRequestSchema.safeParse(JSON.parse(text));
  } catch {
    request = hookRequestSchema.safeParse(undefined);
  }
  if (!request.success) {
    return {
      StatusCode: 200,
      ExecutedVersion: '$LATEST',
      FunctionError: 'Unhandled',
      Payload: encode({
        errorType: 'Error',
        errorMessage: `not a dr-runbook.hook/1 request: ${text.slice(0, 200)}`,
      }),
    };
  }
  return { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: encode(simulatedHook(request.data)) };
}

/** What GetFunctionConfiguration would return for the stand-in: an Active, successfully updated function. */
export function simulatedFunctionConfiguration(functionArn: string): FunctionConfiguration {
  return {
    FunctionArn: functionArn,
    FunctionName: functionArn.split(':')[6] ?? functionArn,
    State: 'Active',
    LastUpdateStatus: 'Successful',
  };
}
