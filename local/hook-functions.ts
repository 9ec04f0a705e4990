// A local stand-in for the example plans' lambda-hook functions, for the simulation: pure, no AWS.
// It answers done on the second call of each action in a run (start → check → check: done;
// revert → revert: done), counting in the state the runbook passes back, so the simulation runs
// the hook's polling loop and its state round trip (functions/hook/hook-contract.ts).
import {
  HOOK_CONTRACT,
  type HookAnswer,
  type HookRequest,
  hookRequestSchema,
} from '../functions/hook/hook-contract.ts';

/** How long the stand-in asks the runbook to wait between its calls. */
export const SIMULATED_NEXT_CHECK_SECONDS = 5;

/**
 * The stand-in's answer to one invocation. A payload outside the contract is a bug of the runbook's,
 * so it throws (the SDK call fails with it) instead of answering.
 */
export function simulatedHook(payload: unknown): HookAnswer {
  const parsed = hookRequestSchema.safeParse(payload);
  if (!parsed.success) {
    throw new Error(
      `simulated hook: not a ${HOOK_CONTRACT} request: ${JSON.stringify(payload)?.slice(0, 200)}`,
    );
  }
  return answer(parsed.data);
}

function answer(payload: HookRequest): HookAnswer {
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
