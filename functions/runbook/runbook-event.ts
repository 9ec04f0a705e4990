// Events the state machine sends to the runbook Lambda.

import { deployedPlan } from '../../plan/deployed-plan.ts';
import { formatIssues } from '../../plan/format-issues.ts';
import * as z from '../../plan/zod.ts';
import { nonEmptyString } from '../../plan/zod.ts';
import type { DeadRun } from '../lock/cleanup.ts';
import { InvalidStepInputError } from '../shared/errors.ts';
import { withPlanFromOutcome } from '../shared/plan-from-outcome.ts';
import type { RunRecord } from './execution-input.ts';
import type { RunOutcomeInput } from './report.ts';

// The run record and outcome are produced by the runbook itself, so they are passed through as is.
const runRecord = z.custom<RunRecord>((v) => typeof v === 'object' && v !== null && 'id' in v && 'mode' in v);
const outcome = z.custom<RunOutcomeInput>((v) => typeof v === 'object' && v !== null);

export const runbookEventSchema = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('validate-input'),
    plan: deployedPlan,
    /** The raw execution input, whatever the caller sent. */
    input: z.unknown(),
    execution: z.object({
      name: nonEmptyString,
      startTime: nonEmptyString,
      /** $$.Execution.Id */
      arn: z.optional(z.string()),
      /** $$.StateMachine.Id */
      stateMachineArn: z.optional(z.string()),
    }),
  }),
  z.object({
    action: z.literal('request-approval'),
    plan: deployedPlan,
    run: runRecord,
    /** The approval step waiting: its state name, timeout and what silence means. */
    gate: z.object({
      step: nonEmptyString,
      timeoutMinutes: z.number(),
      onTimeout: z.enum(['abort', 'proceed']),
    }),
    taskToken: nonEmptyString,
  }),
  z.object({ action: z.literal('verify'), plan: deployedPlan, run: runRecord }),
  z.object({ action: z.literal('report'), plan: deployedPlan, run: runRecord, outcome }),
  z.object({
    action: z.literal('record-aborted'),
    plan: deployedPlan,
    /** The dead run as the lock's cleanup found it (functions/lock/cleanup.ts). */
    dead: z.custom<DeadRun & { preemptedBy?: string }>(
      (v) => typeof v === 'object' && v !== null && 'runId' in v && 'status' in v,
    ),
  }),
]);
export type RunbookEvent = z.output<typeof runbookEventSchema>;

export function parseRunbookEvent(raw: unknown): RunbookEvent {
  const parsed = runbookEventSchema.safeParse(withPlanFromOutcome(raw));
  if (parsed.success) return parsed.data;
  throw new InvalidStepInputError(
    `invalid runbook event: ${formatIssues(parsed.error, raw).join('; ')}`,
    'runbook event',
  );
}
