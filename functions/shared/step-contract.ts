// What every step family receives and returns. The state machine passes the plan, the run and the
// id of the resource to act on in every event, so the Lambdas hold no state between calls.

import { deployedPlan } from '../../plan/deployed-plan.ts';
import { resourceId } from '../../plan/fields.ts';
import type { DrPlan } from '../../plan/schema.ts';
import * as z from '../../plan/zod.ts';

/** `switchover`: planned and lossless, both regions healthy (docs/design.md, "Switchover"). */
export const MODES = ['dry-run', 'drill', 'failover', 'switchover'] as const;
export type Mode = (typeof MODES)[number];

/** Every step Lambda's timeout; SDK timeouts sit well inside it (functions/shared/clients.ts). */
export const STEP_TIMEOUT_SECONDS = 60;

/** `fence`: one best-effort call into the primary region (docs/design.md, "Fencing"). */
export const ACTIONS = ['readiness', 'start', 'check', 'revert', 'fence'] as const;
export type Action = (typeof ACTIONS)[number];

export const runSchema = z.strictObject({
  /** Unique per execution; names temporary resources and tags. */
  id: z.string().check(z.regex(/^[A-Za-z0-9-]{1,64}$/, { error: 'must be 1-64 letters, digits or "-"' })),
  mode: z.enum(MODES),
  /** ISO 8601 time the execution started. */
  startedAt: z.iso.datetime({ offset: true }),
});
export type Run = z.output<typeof runSchema>;

export const stepEventSchema = z.strictObject({
  action: z.enum(ACTIONS),
  plan: deployedPlan,
  run: runSchema,
  /** Which of the plan's resources this step acts on (its family's Lambda runs its type). */
  resource: resourceId,
  /** The `state` returned by this family's previous start/check/revert (absent for readiness and a first start). */
  state: z.optional(z.record(z.string(), z.unknown())),
});
export type StepEvent = z.output<typeof stepEventSchema>;

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface ReadinessCheck {
  /** Short stable name, e.g. "replica-available". */
  name: string;
  status: CheckStatus;
  /** What was found, naming the resource; for warn/fail also what to do. */
  detail: string;
}

export interface ReadinessResult {
  family: Family;
  /** The resource's id and type (set by runStep). */
  resource?: string;
  type?: string;
  checks: ReadinessCheck[];
  /** How long this family's recovery is expected to take, for the predicted RTO. */
  predictedSeconds: number;
  /** When the checks ran (set by runStep). */
  evaluatedAt?: string;
  /** No check failed (set by runStep; false when the readiness step itself could not run). */
  ready?: boolean;
  /** Set by the state machine when this family's readiness could not run at all. */
  error?: { Error: string; Cause?: string };
}

/** Something the step changed (or, in a drill, created), for the report and for revert. */
export interface Change {
  resource: string;
  action: string;
  detail: string;
}

/** Result of start, check and revert: a long operation is polled until done. */
export interface ProgressResult<S extends Record<string, unknown> = Record<string, unknown>> {
  family: Family;
  /** The resource's id and type (set by runStep). */
  resource?: string;
  type?: string;
  action: Exclude<Action, 'readiness'>;
  done: boolean;
  /** Seconds the state machine waits before the next check (0 when done). */
  nextCheckSeconds: number;
  /** Human-readable status, naming the resource. */
  detail: string;
  /** Passed back in the next event's `state`: everything check and revert need. */
  state: S;
  changes: Change[];
  /** Measurements for the report, e.g. rpoSeconds (replica lag at promotion, snapshot age). */
  measurements?: Record<string, number | string>;
  /** When the operation started and, once done, when a check first saw it done (set by runStep). */
  startedAt?: string;
  completedAt?: string;
}

/**
 * What fencing did to one resource: fenced (it no longer takes writes or serves), not reachable
 * (its region did not answer in time), failed (it answered, and refused), or skipped (the plan
 * turned it off, or there is nothing of this resource to fence).
 */
export const FENCE_OUTCOMES = ['fenced', 'not-reachable', 'failed', 'skipped'] as const;
export type FenceOutcome = (typeof FENCE_OUTCOMES)[number];

/** Result of `fence`: never thrown, always recorded (runStep turns errors into outcomes). */
export interface FenceResult {
  family: Family;
  /** The resource's id and type (set by runStep). */
  resource?: string;
  type?: string;
  action: 'fence';
  outcome: FenceOutcome;
  /** What was done or found, naming the primary-region resource. */
  detail: string;
  changes: Change[];
  /** When the call was made (set by runStep). */
  fencedAt?: string;
}

export type Family = 'database' | 'compute' | 'traffic' | 'hook';
export type StepResult = ReadinessResult | ProgressResult | FenceResult;

/** A step event with its resource looked up in the plan: what a resource type's actions receive. */
export type ResourceEvent<R> = Omit<StepEvent, 'resource'> & { resourceId: string; resource: R };

/** Injected into every step: the clock makes timing testable. */
export interface StepContext {
  now: () => Date;
}

export type { DrPlan };
