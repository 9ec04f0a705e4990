// The hook contract, "dr-runbook.hook/1": what a lambda-hook function receives and must answer.
//
// The runbook invokes the function synchronously (Lambda Invoke, RequestResponse) in its own
// region, read from functionArn (the plan's recovery region; never the primary), with
//   {"contract": "dr-runbook.hook/1", "action": "start" | "check" | "revert",
//    "mode": "drill" | "failover" | "switchover", "runId", "plan": <plan name>, "resource": <resource id>,
//    "step": <the hook's id>, "startedAt": <first call of this start or revert>, "state": <below>}
// and the function answers within invocationTimeoutSeconds (at most 45) with
//   {"done": boolean, "detail"?: string (≤ 1000 chars),
//    "nextCheckSeconds"?: integer 1-300 (default 10), "state"?: object (≤ 4 KiB of JSON)}.
// - start is called once, then check every nextCheckSeconds until done. A retried start (a
//   timeout, a throttled or killed step) comes with the same runId (and its own startedAt):
//   idempotency is the hook's job.
// - revert (drills only, after the drill; also from a cleanup of a dead drill) undoes what the
//   drill's start did; it is called again, with the state it returned, until done. It may come
//   without a start before it, or twice: answer done when there is nothing (left) to undo.
// - state is what the hook returned last in this start/check or revert loop ({} on its first
//   call; an answer without state keeps the previous one).
// - With runInDrills false a drill never invokes the hook (start, check and revert are skipped).
// - mode "switchover" is a planned, lossless move with both regions healthy: the hook is called as
//   in a failover (start, then check until done; never revert), and may rely on the primary region
//   answering.
// - Anything else fails the step, naming the resource, the function and what was wrong: an answer
//   that is not JSON or breaks the schema below (an unknown field too), a state over 4 KiB, or a
//   function error (the function threw: never retried). Throttling, 5xx and timeouts are retried
//   like every AWS call; a missing function or a denied invoke fails at once, with the fix.
import { formatIssues } from '../../plan/format-issues.ts';
import * as z from '../../plan/zod.ts';
import { DrRunbookError, ResourceNotFoundError } from '../shared/errors.ts';

export const HOOK_CONTRACT = 'dr-runbook.hook/1';
export const HOOK_ACTIONS = ['start', 'check', 'revert'] as const;
export type HookAction = (typeof HOOK_ACTIONS)[number];

/** Largest `state` a hook may answer, as UTF-8 JSON (it travels in the execution's state). */
export const MAX_HOOK_STATE_BYTES = 4096;
export const MAX_HOOK_DETAIL_CHARS = 1000;
export const DEFAULT_NEXT_CHECK_SECONDS = 10;
export const MAX_NEXT_CHECK_SECONDS = 300;

/** Size of a value as UTF-8 JSON. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

const hookState = z.record(z.string(), z.unknown()).check(
  z.refine((state) => jsonBytes(state) <= MAX_HOOK_STATE_BYTES, {
    error: (issue) =>
      `is ${jsonBytes(issue.input)} bytes of JSON, more than ${MAX_HOOK_STATE_BYTES}: keep only what the next call needs (ids, not data)`,
  }),
);

/** What the runbook sends a hook. */
export const hookRequestSchema = z.strictObject({
  contract: z.literal(HOOK_CONTRACT),
  action: z.enum(HOOK_ACTIONS),
  mode: z.enum(['drill', 'failover', 'switchover']),
  runId: z.string(),
  /** The plan's name. */
  plan: z.string(),
  /** The hook's resource id in the plan. */
  resource: z.string(),
  /** The hook's id (the same as `resource`). */
  step: z.string(),
  /** When the first call of this start/check loop (or of this revert) was made, ISO 8601. */
  startedAt: z.iso.datetime({ offset: true }),
  /** What the hook returned last in this loop, or {}. */
  state: z.record(z.string(), z.unknown()),
});
export type HookRequest = z.output<typeof hookRequestSchema>;

/** What a hook must answer. Unknown fields are refused (a typo would otherwise pass unnoticed). */
export const hookAnswerSchema = z.strictObject({
  done: z.boolean(),
  detail: z.optional(z.string().check(z.maxLength(MAX_HOOK_DETAIL_CHARS))),
  nextCheckSeconds: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(MAX_NEXT_CHECK_SECONDS))),
  state: z.optional(hookState),
});
export type HookAnswer = z.output<typeof hookAnswerSchema>;

/** What a message quotes of an answer, at most (an answer may be megabytes). */
const MAX_QUOTED_CHARS = 200;

/** Problems of one answer listed in an error message; the rest are counted. */
const MAX_LISTED_ISSUES = 5;

function cut(text: string): string {
  return text.length > MAX_QUOTED_CHARS ? `${text.slice(0, MAX_QUOTED_CHARS)}…` : text;
}

/** A text quoted in an error message, cut to a readable length. */
export function quoted(text: string): string {
  return JSON.stringify(cut(text));
}

/** The answer in a Lambda response payload, or what is wrong with it (one line per problem). */
export function parseHookAnswer(payload: string): { answer: HookAnswer } | { problem: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(payload);
  } catch {
    return {
      problem: `an answer that is not JSON: ${payload.trim() ? quoted(payload) : 'an empty payload'}`,
    };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { problem: `${quoted(payload)}, which is not a JSON object` };
  }
  const parsed = hookAnswerSchema.safeParse(raw);
  if (parsed.success) return { answer: parsed.data };
  const issues = formatIssues(parsed.error, raw).map((line) => cut(line.replace(/^\(plan\): /, '')));
  const shown = issues.slice(0, MAX_LISTED_ISSUES);
  if (issues.length > shown.length) shown.push(`and ${issues.length - shown.length} more`);
  return { problem: `an answer that breaks the contract (${shown.join('; ')})` };
}

/** The function threw (Lambda reported a FunctionError): permanent, never retried. */
export class HookFunctionError extends DrRunbookError {
  readonly retryable = false;
}

/** The function answered something the contract does not allow. */
export class InvalidHookAnswerError extends DrRunbookError {
  readonly retryable = false;
}

/** The hook's function does not exist (in the region of its ARN). */
export class HookFunctionNotFoundError extends ResourceNotFoundError {}
