// Events the state machine sends to the lock Lambda.

import { deployedPlan } from '../../plan/deployed-plan.ts';
import { formatIssues } from '../../plan/format-issues.ts';
import * as z from '../../plan/zod.ts';
import type { RunRecord } from '../runbook/execution-input.ts';
import { InvalidStepInputError } from '../shared/errors.ts';
import { withPlanFromOutcome } from '../shared/plan-from-outcome.ts';

// The run record and outcome are produced by the runbook itself, so they are passed through as is.
const runRecord = z.custom<RunRecord>((v) => typeof v === 'object' && v !== null && 'id' in v && 'mode' in v);
const outcome = z.custom<{ verification?: unknown; failure?: unknown }>(
  (v) => typeof v === 'object' && v !== null,
);

export const lockEventSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('acquire-lock'), plan: deployedPlan, run: runRecord }),
  z.object({ action: z.literal('approval-granted'), plan: deployedPlan, run: runRecord }),
  z.object({ action: z.literal('release-lock'), plan: deployedPlan, run: runRecord, outcome }),
  z.object({ action: z.literal('cleanup'), plan: deployedPlan, run: runRecord, stateMachineArn: z.string() }),
]);
export type LockEvent = z.output<typeof lockEventSchema>;

export function parseLockEvent(raw: unknown): LockEvent {
  const parsed = lockEventSchema.safeParse(withPlanFromOutcome(raw));
  if (parsed.success) return parsed.data;
  throw new InvalidStepInputError(
    `invalid lock event: ${formatIssues(parsed.error, raw).join('; ')}`,
    'lock event',
  );
}
