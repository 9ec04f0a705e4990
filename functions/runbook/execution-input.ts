// The execution input (console, alarm rule and schedule all produce this shape) and the run it
// starts. Invalid input is rejected before anything is touched.

import { formatIssues } from '../../plan/format-issues.ts';
import type { DrPlan } from '../../plan/schema.ts';
import * as z from '../../plan/zod.ts';
import { nonEmptyString } from '../../plan/zod.ts';
import { DrRunbookError } from '../shared/errors.ts';
import { MODES, type Mode } from '../shared/step-contract.ts';

const isoTime = z.iso.datetime({
  offset: true,
  error: 'must be an ISO 8601 time such as "2026-11-25T12:00:00Z"',
});

const triggerSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('alarm'),
      alarmName: nonEmptyString,
      /** The alarm's state change time: the incident start for the RTO. */
      stateChangeTime: isoTime,
      reason: z.optional(z.string()),
      region: z.optional(z.string()),
      account: z.optional(z.string()),
    }),
    z.strictObject({ type: z.literal('console') }),
    z.strictObject({
      type: z.literal('schedule'),
      scheduleName: z.optional(z.string()),
      scheduledTime: z.optional(isoTime),
    }),
  ],
  { error: 'type must be one of "alarm", "console", "schedule"' },
);

export const executionInputSchema = z.strictObject({
  /** @default "dry-run" */
  mode: z._default(z.enum(MODES), 'dry-run'),
  reason: z.optional(z.string().check(z.maxLength(1024))),
  requestedBy: z.optional(z.string().check(z.maxLength(256))),
  /** A manual failover must repeat the plan's name here. */
  confirm: z.optional(z.string()),
  /** @default {"type": "console"} */
  trigger: z._default(triggerSchema, { type: 'console' }),
});
export type ExecutionInput = z.output<typeof executionInputSchema>;
export type Trigger = ExecutionInput['trigger'];

/** The run as the rest of the runbook sees it. `id`, `mode`, `startedAt` are what steps receive. */
export interface RunRecord {
  id: string;
  mode: Mode;
  startedAt: string;
  /** Start of the incident the RTO is measured from: the alarm's state change, else the execution start. */
  incidentStartedAt: string;
  trigger: Trigger;
  reason?: string;
  requestedBy?: string;
  /** Whether this run waits for a person's approval before changing anything. */
  approvalRequired: boolean;
  /** A lock older than this belongs to a dead execution and may be taken over. */
  lockExpiresAt: string;
}

export class InvalidInputError extends DrRunbookError {
  readonly retryable = false;
}

/** Longest a run may hold the lock (the state machine's own timeout is the same). */
export const RUN_TIMEOUT_HOURS = 12;

/** Execution names may hold "_" and run to 80 characters; run ids are what resource names can carry. */
export function runIdFromExecutionName(name: string): string {
  return name.replace(/[^A-Za-z0-9-]/g, '-').slice(-64);
}

export function validateExecutionInput(
  raw: unknown,
  plan: DrPlan,
  execution: { name: string; startTime: string },
): RunRecord {
  const parsed = executionInputSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new InvalidInputError(
      `invalid execution input: ${formatIssues(parsed.error, raw).join('; ')}. Example: {"mode": "drill"}`,
      'execution input',
    );
  }
  const input = parsed.data;
  const problems: string[] = [];
  if (input.mode === 'failover' && input.trigger.type === 'console' && input.confirm !== plan.name) {
    problems.push(
      `confirm: a manual failover must be confirmed with "confirm": "${plan.name}" (the plan's name)${
        input.confirm === undefined ? '' : `, got ${JSON.stringify(input.confirm)}`
      }`,
    );
  }
  if (input.trigger.type === 'schedule' && input.mode === 'failover') {
    problems.push('mode: a schedule may start a "drill" or a "dry-run", never a "failover"');
  }
  if (input.trigger.type === 'alarm' && input.mode !== 'failover') {
    problems.push(`mode: an alarm trigger starts a "failover", got "${input.mode}"`);
  }
  if (problems.length > 0) {
    throw new InvalidInputError(`invalid execution input: ${problems.join('; ')}`, 'execution input');
  }

  const startedAt = new Date(execution.startTime);
  const incident = input.trigger.type === 'alarm' ? new Date(input.trigger.stateChangeTime) : startedAt;
  const approval = plan.triggers.approval;
  const changesSomething = input.mode !== 'dry-run';
  return {
    id: runIdFromExecutionName(execution.name),
    mode: input.mode,
    startedAt: startedAt.toISOString(),
    incidentStartedAt: (incident < startedAt ? incident : startedAt).toISOString(),
    trigger: input.trigger,
    ...(input.reason !== undefined ? { reason: input.reason } : {}),
    ...(input.requestedBy !== undefined ? { requestedBy: input.requestedBy } : {}),
    approvalRequired:
      changesSomething &&
      (approval === 'always' || (approval === 'alarm-triggered' && input.trigger.type === 'alarm')),
    lockExpiresAt: new Date(startedAt.getTime() + RUN_TIMEOUT_HOURS * 3_600_000).toISOString(),
  };
}
