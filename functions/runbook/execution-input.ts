// The execution input (console, alarm rule, schedule and execution-status rule all produce this
// shape) and the run it starts. Invalid input is rejected before anything is touched.
//
// Anyone allowed to start the state machine can write any input, so nothing in it is taken on
// trust where it matters: an alarm trigger is believed only for one of the plan's own alarms and a
// recent state change (else the run is a manual failover and needs `confirm`), every text field
// and the whole input are bounded, and only a failover ever waits for a person.

import { triggerAlarms } from '../../plan/detector.ts';
import { formatIssues } from '../../plan/format-issues.ts';
import type { DrPlan } from '../../plan/schema.ts';
import { approvalSteps } from '../../plan/steps.ts';
import * as z from '../../plan/zod.ts';
import { nonEmptyString } from '../../plan/zod.ts';
import { DrRunbookError } from '../shared/errors.ts';

/**
 * What an execution may be started for. The step families accept MODES (step-contract.ts); a
 * `revert` is the runbook's own: it undoes what a drill left behind.
 */
export const RUN_MODES = ['dry-run', 'drill', 'failover', 'switchover', 'revert'] as const;
export type RunMode = (typeof RUN_MODES)[number];

/**
 * How old an alarm's state change may be when the execution starts, for the alarm trigger to be
 * believed. EventBridge delivers a state change to the rule's target within seconds; a delivery
 * that fails is retried, and the rule's retry policy must be bounded by the same age (its target's
 * maxEventAge), so a genuine alarm trigger is never older. An older one is a replayed or hand-made
 * input: the run is then treated as started from the console.
 */
export const RECENT_ALARM_MINUTES = 60;
/** How far an alarm's state change may lie after the execution start (clocks differ a little). */
export const ALARM_CLOCK_SKEW_MINUTES = 5;
/** Largest execution input accepted, as JSON (the rule inputs are a few hundred bytes). */
export const MAX_INPUT_BYTES = 8192;

/** Statuses of an ended execution that a revert cleans up after (the execution-status rule's). */
export const REVERTED_EXECUTION_STATUSES = ['ABORTED', 'FAILED', 'TIMED_OUT'] as const;

const RUN_ID = /^[A-Za-z0-9-]{1,64}$/;

const isoTime = z.iso.datetime({
  offset: true,
  error: 'must be an ISO 8601 time such as "2026-11-25T12:00:00Z"',
});

/** A string of at most `max` characters; the error gives the length found and the fix. */
function text(max: number, base = z.string()) {
  return base.check(
    z.refine((s) => s.length <= max, {
      error: (issue) => `must be at most ${max} characters, got ${String(issue.input).length}: shorten it`,
    }),
  );
}

/** A string matching `pattern` (which bounds its length); `error` says what it must be. */
const matching = (pattern: RegExp, error: string) => z.string().check(z.regex(pattern, { error }));

/** A standard execution's ARN, or a local simulation's (`local:…`). */
const executionArn = matching(
  /^(arn:aws[a-z-]{0,20}:states:[a-z0-9-]{1,32}:\d{12}:execution:[A-Za-z0-9_-]{1,80}:[A-Za-z0-9_-]{1,80}|local:[A-Za-z0-9_:-]{1,200})$/,
  'must be a Step Functions execution ARN such as "arn:aws:states:us-west-2:123456789012:execution:dr-runbook-shop:drill-1"',
);

const alarmTrigger = z.strictObject({
  type: z.literal('alarm'),
  alarmName: text(255, nonEmptyString),
  /** The alarm's state change time: the incident start for the RTO. */
  stateChangeTime: isoTime,
  reason: z.optional(text(1024)),
  region: z.optional(
    matching(
      /^[a-z]{2}(-gov|-iso[a-z]{0,4})?-[a-z]{1,16}-\d{1,2}$/,
      'must be an AWS region code such as "us-east-1"',
    ),
  ),
  account: z.optional(matching(/^\d{12}$/, 'must be a 12-digit AWS account ID')),
});

const triggerSchema = z.discriminatedUnion(
  'type',
  [
    alarmTrigger,
    z.strictObject({ type: z.literal('console') }),
    z.strictObject({
      type: z.literal('schedule'),
      scheduleName: z.optional(text(256)),
      scheduledTime: z.optional(isoTime),
    }),
    /** The runbook's execution-status rule: one of its executions ended without its tail. */
    z.strictObject({
      type: z.literal('execution-ended'),
      executionArn,
      status: z.enum(REVERTED_EXECUTION_STATUSES),
    }),
  ],
  { error: 'must be one of "alarm", "console", "schedule", "execution-ended"' },
);

export const executionInputSchema = z.strictObject({
  /** @default "dry-run" */
  mode: z._default(z.enum(RUN_MODES), 'dry-run'),
  reason: z.optional(text(1024)),
  requestedBy: z.optional(text(256)),
  /** A manual failover must repeat the plan's name here. */
  confirm: z.optional(text(128)),
  /** A revert started by hand: the run (execution name) whose drill leftovers it undoes. */
  runId: z.optional(
    matching(
      RUN_ID,
      'must be 1-64 letters, digits or "-": the id of the run to revert, as its report names it',
    ),
  ),
  /** @default {"type": "console"} */
  trigger: z._default(triggerSchema, { type: 'console' }),
});
export type ExecutionInput = z.output<typeof executionInputSchema>;
export type Trigger = ExecutionInput['trigger'];
export type AlarmTrigger = z.output<typeof alarmTrigger>;

/** The execution a revert undoes. */
export interface RevertTarget {
  runId?: string;
  executionArn: string;
  /** How it ended, when the execution-status rule says. */
  status?: string;
}

/** An alarm trigger that was not believed: the run counts as started from the console. */
export interface UntrustedTrigger {
  claim: AlarmTrigger;
  /** Why the claim was not accepted, naming the field. */
  rejectedBecause: string;
}

/** The run as the rest of the runbook sees it. `id`, `mode`, `startedAt` are what steps receive. */
export interface RunRecord {
  id: string;
  mode: RunMode;
  startedAt: string;
  /** Start of the incident the RTO is measured from: a trusted alarm's state change, else the execution start. */
  incidentStartedAt: string;
  trigger: Trigger;
  /** This execution's ARN ($$.Execution.Id), or `local:<execution name>` where there is none. */
  executionArn: string;
  reason?: string;
  requestedBy?: string;
  /** Whether this run waits for a person's approval before changing anything (failovers only). */
  approvalRequired: boolean;
  /** A lock older than this belongs to a dead execution and may be taken over. */
  lockExpiresAt: string;
  /** Reverts: the run whose leftovers this one undoes. */
  revertTarget?: RevertTarget;
  /** An alarm trigger the input claimed but that was not believed (the run is a confirmed manual failover). */
  untrustedTrigger?: UntrustedTrigger;
}

/** What the state machine knows about the execution ($$.Execution, $$.StateMachine). */
export interface ExecutionContext {
  name: string;
  startTime: string;
  /** $$.Execution.Id */
  arn?: string;
  /** $$.StateMachine.Id */
  stateMachineArn?: string;
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

/** The ARN prefix of this state machine's executions (`…:execution:<state machine name>:`). */
function executionPrefix(stateMachineArn: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:`;
}

/** The ARN of this state machine's execution named `runId` (`local:<runId>` where the state machine is unknown). */
export function executionArnOf(runId: string, stateMachineArn: string | undefined): string {
  return stateMachineArn ? `${executionPrefix(stateMachineArn)}${runId}` : `local:${runId}`;
}

function invalid(problems: string[]): InvalidInputError {
  return new InvalidInputError(`invalid execution input: ${problems.join('; ')}`, 'execution input');
}

/** Rejects what is not an object, or too large, before parsing it. */
function checkShapeAndSize(raw: unknown): void {
  if (raw === undefined || raw === null) return;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw invalid([
      `(input): must be a JSON object such as {"mode": "drill"}, got ${Array.isArray(raw) ? 'an array' : typeof raw}`,
    ]);
  }
  let bytes: number;
  try {
    bytes = Buffer.byteLength(JSON.stringify(raw), 'utf8');
  } catch {
    throw invalid(['(input): must be plain JSON']);
  }
  if (bytes > MAX_INPUT_BYTES) {
    throw invalid([
      `(input): is ${bytes} bytes of JSON, at most ${MAX_INPUT_BYTES} are accepted: shorten "reason" and remove fields the runbook does not use`,
    ]);
  }
}

/** Why an alarm trigger is not believed, naming the field; undefined when it is. */
function alarmClaimProblem(trigger: AlarmTrigger, plan: DrPlan, startedAt: Date): string | undefined {
  const names = triggerAlarms(plan).map((a) => a.name);
  if (!names.includes(trigger.alarmName)) {
    return `trigger.alarmName: ${JSON.stringify(trigger.alarmName)} is not one of the plan's trigger alarms (${
      names.length > 0 ? names.join(', ') : 'the plan has none'
    })`;
  }
  const minutes = (startedAt.getTime() - new Date(trigger.stateChangeTime).getTime()) / 60_000;
  if (minutes > RECENT_ALARM_MINUTES) {
    return `trigger.stateChangeTime: ${trigger.stateChangeTime} is ${Math.round(minutes)} min before the execution start (an alarm trigger is at most ${RECENT_ALARM_MINUTES} min old)`;
  }
  if (-minutes > ALARM_CLOCK_SKEW_MINUTES) {
    return `trigger.stateChangeTime: ${trigger.stateChangeTime} is ${Math.round(-minutes)} min after the execution start (at most ${ALARM_CLOCK_SKEW_MINUTES} min of clock skew)`;
  }
  return undefined;
}

/** `what`, then how to confirm: undefined when `confirm` already names the plan. */
function confirmProblem(plan: DrPlan, confirm: string | undefined, what: string): string | undefined {
  if (confirm === plan.name) return undefined;
  return `${what} must be confirmed with "confirm": "${plan.name}" (the plan's name)${
    confirm === undefined ? '' : `, got ${JSON.stringify(confirm)}`
  }`;
}

/** Resource types a switchover cannot move without loss: each named with its field and the fix. */
function switchoverProblems(plan: DrPlan): string[] {
  return plan.resources.flatMap((resource, i) =>
    resource.type === 'rds-snapshot-restore'
      ? [
          `mode: a switchover is lossless, but resources[${i}] ("${resource.id}") is an rds-snapshot-restore, which loses what came after its snapshot: use "failover" for this plan`,
        ]
      : [],
  );
}

/** The mode/trigger combinations that make no sense, and what a revert must name. */
function modeProblems(input: ExecutionInput, execution: ExecutionContext, ownRunId: string): string[] {
  const { mode, trigger, runId } = input;
  const problems: string[] = [];
  if (trigger.type === 'schedule' && (mode === 'failover' || mode === 'switchover' || mode === 'revert')) {
    problems.push(`mode: a schedule may start a "drill" or a "dry-run", never a "${mode}"`);
  }
  if (trigger.type === 'alarm' && mode !== 'failover') {
    problems.push(`mode: an alarm trigger starts a "failover", got "${mode}"`);
  }
  if (trigger.type === 'execution-ended' && mode !== 'revert') {
    problems.push(`mode: an "execution-ended" trigger starts a "revert", got "${mode}"`);
  }
  if (mode !== 'revert') {
    if (runId !== undefined) {
      problems.push(
        `runId: only a "revert" names a run to undo, got mode "${mode}": remove "runId" or set "mode": "revert"`,
      );
    }
    return problems;
  }
  const ended = trigger.type === 'execution-ended';
  if (runId !== undefined && ended) {
    problems.push('runId: give either "runId" or an "execution-ended" trigger, not both');
  } else if (runId === undefined && !ended && trigger.type !== 'alarm' && trigger.type !== 'schedule') {
    problems.push(
      'runId: a revert must name the run it undoes: {"mode": "revert", "runId": "<run id>"} (the run id is in its report and in `dr-runbook history`)',
    );
  }
  if (runId !== undefined && runId === ownRunId) {
    problems.push(`runId: "${runId}" is this run itself: name the drill run to revert`);
  }
  if (ended) {
    const { stateMachineArn, arn } = execution;
    if (stateMachineArn && !trigger.executionArn.startsWith(executionPrefix(stateMachineArn))) {
      problems.push(
        `trigger.executionArn: "${trigger.executionArn}" is not an execution of this state machine (${stateMachineArn}): a revert undoes only this runbook's own runs`,
      );
    } else if (arn !== undefined && trigger.executionArn === arn) {
      problems.push(
        'trigger.executionArn: is this execution itself: name the ended execution to clean up after',
      );
    }
  }
  return problems;
}

function revertTargetOf(input: ExecutionInput, execution: ExecutionContext): RevertTarget | undefined {
  if (input.mode !== 'revert') return undefined;
  if (input.trigger.type === 'execution-ended') {
    const name = input.trigger.executionArn.split(':').pop() ?? '';
    return {
      runId: runIdFromExecutionName(name),
      executionArn: input.trigger.executionArn,
      status: input.trigger.status,
    };
  }
  if (input.runId === undefined) return undefined;
  return { runId: input.runId, executionArn: executionArnOf(input.runId, execution.stateMachineArn) };
}

export function validateExecutionInput(raw: unknown, plan: DrPlan, execution: ExecutionContext): RunRecord {
  checkShapeAndSize(raw);
  const parsed = executionInputSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new InvalidInputError(
      `invalid execution input: ${formatIssues(parsed.error, raw)
        .map((line) => line.replace(/^\(plan\):/, '(input):'))
        .join('; ')}. Example: {"mode": "drill"}`,
      'execution input',
    );
  }
  const input = parsed.data;
  const id = runIdFromExecutionName(execution.name);
  const startedAt = new Date(execution.startTime);

  const problems = modeProblems(input, execution, id);
  // An alarm claim that is not believed makes this a manual failover, which needs `confirm`.
  const claim = input.trigger.type === 'alarm' ? input.trigger : undefined;
  const distrust = claim ? alarmClaimProblem(claim, plan, startedAt) : undefined;
  const trustedAlarm = claim !== undefined && distrust === undefined;
  if (input.mode === 'switchover') {
    const missing = confirmProblem(
      plan,
      input.confirm,
      'confirm: a switchover (planned, it moves production)',
    );
    if (missing) problems.push(missing);
    problems.push(...switchoverProblems(plan));
  }
  if (input.mode === 'failover') {
    const missing =
      input.trigger.type === 'console'
        ? confirmProblem(plan, input.confirm, 'confirm: a manual failover')
        : distrust !== undefined
          ? confirmProblem(
              plan,
              input.confirm,
              `${distrust}: the alarm claim is not accepted, so this is a manual failover and`,
            )
          : undefined;
    if (missing) problems.push(missing);
  }
  if (problems.length > 0) throw invalid(problems);

  const incident = claim && trustedAlarm ? new Date(claim.stateChangeTime) : startedAt;
  const gates = approvalSteps(plan).map((step) => step.approval.when);
  const revertTarget = revertTargetOf(input, execution);
  return {
    id,
    mode: input.mode,
    startedAt: startedAt.toISOString(),
    incidentStartedAt: (incident < startedAt ? incident : startedAt).toISOString(),
    trigger: claim && !trustedAlarm ? { type: 'console' } : input.trigger,
    executionArn: execution.arn ?? `local:${execution.name}`,
    ...(input.reason !== undefined ? { reason: input.reason } : {}),
    ...(input.requestedBy !== undefined ? { requestedBy: input.requestedBy } : {}),
    // Drills, dry-runs and reverts never wait for a person: only a failover or a switchover
    // changes production, and only a failover can be alarm-triggered.
    approvalRequired:
      (input.mode === 'switchover' && gates.includes('always')) ||
      (input.mode === 'failover' &&
        (gates.includes('always') || (gates.includes('alarm-triggered') && trustedAlarm))),
    lockExpiresAt: new Date(startedAt.getTime() + RUN_TIMEOUT_HOURS * 3_600_000).toISOString(),
    ...(revertTarget ? { revertTarget } : {}),
    ...(claim && distrust !== undefined ? { untrustedTrigger: { claim, rejectedBecause: distrust } } : {}),
  };
}
