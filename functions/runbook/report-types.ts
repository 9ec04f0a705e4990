// The report's data: what the state machine hands the report step, and the run record it keeps.
import type { Change, Family, ProgressResult, ReadinessCheck } from '../shared/step-contract.ts';
import type { RunRecord } from './execution-input.ts';
import type { TimelineRow } from './run-timeline.ts';
import type { VerifyResult } from './verify.ts';

/** A branch's last result; a branch whose call failed settles as `done: false, failed: true, error`. */
export type SettledProgress = ProgressResult & { failed?: boolean; error?: CaughtError };

/** A resource's part of the run, for the report. */
export interface ResourceRow {
  id: string;
  type: string;
  family: Family;
  outcome: 'succeeded' | 'failed' | 'unfinished';
  startedAt?: string;
  completedAt?: string;
  seconds?: number;
  detail?: string;
  measurements?: Record<string, number | string>;
}

/** What settled Parallels leave in the state: step key → resource key → that resource's last result. */
export type StepResults = Record<string, Record<string, SettledProgress | undefined> | undefined>;

/** Every resource's result, in the order the steps ran. */
export function resultsOf(results: StepResults | undefined): SettledProgress[] {
  return Object.values(results ?? {}).flatMap((step) =>
    Object.values(step ?? {}).filter((r): r is SettledProgress => r !== undefined),
  );
}

/** An error as Step Functions catches it (a Lambda error's Cause is JSON). */
export interface CaughtError {
  Error: string;
  Cause?: string;
}

/**
 * One family's readiness as the state machine hands it over: its checks, or, when the family's
 * readiness could not run at all, `{ family, error, checks: [], ready: false }`.
 */
export interface ReadinessEntry {
  family: Family;
  /** The resource (id and type) these checks are about. */
  resource?: string;
  type?: string;
  checks: ReadinessCheck[];
  predictedSeconds?: number;
  evaluatedAt?: string;
  /** No check failed (false when the family's readiness could not run). */
  ready?: boolean;
  /** Why this family's readiness could not run. */
  error?: CaughtError;
}

/** A run the lock was taken from. */
export interface LockHolder {
  runId: string;
  mode: string;
  executionArn?: string;
  /** A preempted run that could not be stopped (the failover went on): why. */
  stopFailed?: string;
}

/** What a revert run cleaned up after (a dead or preempted drill), as the cleanup step says. */
export interface CleanupSummary {
  target: { runId: string; mode: string; status: string };
  lockReleased: boolean;
  recordedAborted: boolean;
  scope: 'full' | 'drill-only' | 'none';
  /** What the revert deliberately left as it is, and why. */
  kept?: string[];
}

/** The execution a revert run undoes (`run.revertTarget`). */
export interface RevertTarget {
  runId?: string;
  executionArn: string;
  status?: string;
}

/** The execution state as the state machine hands it to Report (each part present once reached). */
export interface RunOutcomeInput {
  readiness?: ReadinessEntry[];
  /** Each step's results (`step<N>`), one per resource (keyed by its id as a path key). */
  results?: StepResults;
  verification?: VerifyResult;
  /** Set by the failure path: the state that failed and the error Step Functions caught. */
  failure?: { step: string } & CaughtError;
  /**
   * Drills and reverts: what each family's revert did (a branch that failed is `done: false`,
   * `failed: true` with its `error`), or why the revert failed (then something was left behind).
   */
  revert?: StepResults;
  revertFailure?: { step: string } & CaughtError;
  /** AcquireLock refused the run (Error "AlreadyRunning" or "LockUnavailable"): nothing was touched. */
  refusal?: CaughtError;
  /** What acquiring the lock did. */
  lock?: {
    acquired: boolean;
    /** A live run (drill, revert) this failover stopped to take the lock. */
    preempted?: LockHolder;
    /** A dead run whose lock this run took over. */
    tookOverDeadRun?: { runId: string; mode: string; status: string };
  };
  /** Set before Report by the release step: whether the lock was released (or the cooldown held). */
  lockRelease?: { released: boolean; cooldownUntil?: string; error?: CaughtError };
  /** What fencing did (a failover or switchover, after Verify), one entry per fenced resource. */
  fencing?: FenceEntry[];
  /** The fencing stage itself could not run (its Parallel failed): nothing is known of it. */
  fencingFailure?: CaughtError;
  /** Set by the readiness gate when a drill stopped before Recover because a family was not ready. */
  notReady?: boolean;
  /** This run was stopped by another run (a failover) that took its lock. */
  preempted?: { byRunId: string };
  /** Revert runs: what the cleanup step found and did before the revert. */
  cleanup?: CleanupSummary;
}

export interface Objective {
  objectiveSeconds: number;
  achievedSeconds: number | null;
  met: boolean | null;
}

/** Where a report goes: each is attempted on its own, and a failure of one never stops the others. */
export const REPORT_SINKS = ['s3', 'sns', 'metrics', 'history'] as const;
export type ReportSink = (typeof REPORT_SINKS)[number];

export interface SinkFailure {
  sink: ReportSink;
  /** The error's name and message, naming the resource. */
  error: string;
}

export type RunOutcome =
  | 'succeeded'
  | 'failed'
  | 'ready'
  | 'not-ready'
  /** AcquireLock refused the run: nothing was touched. */
  | 'refused'
  /** The execution ended (stopped, timed out, failed) without reaching its report. */
  | 'aborted'
  /** A failover stopped this run to take its lock. */
  | 'preempted';

export interface RunReport {
  plan: string;
  runId: string;
  mode: RunRecord['mode'] | 'revert';
  outcome: RunOutcome;
  /** How the run was started ("unknown" for a run recorded after it died, when nobody knows). */
  trigger: RunRecord['trigger']['type'] | 'unknown';
  incidentStartedAt: string;
  startedAt: string;
  reportedAt: string;
  predictedRtoSeconds: number | null;
  rto: Objective;
  rpo: Objective;
  failedStep?: string;
  cause?: string;
  /** A drill that failed and then could not be reverted either: what the revert ran into. */
  revertProblem?: string;
  /** Failed checks (`family/check: detail`) and families whose readiness could not run. */
  readinessProblems: string[];
  /** Checks that passed with a warning (`family/check: detail`). */
  readinessWarnings: string[];
  /**
   * What the plan may get wrong in an outage, as `validate` warns (plan/advisories.ts), e.g. a
   * trigger alarm in the primary region; absent when there are none (and in older records).
   */
  advisories?: string[];
  /**
   * Failovers and switchovers that fence: each fenced resource's outcome (fenced, not-reachable,
   * failed, skipped) and what was done or found (docs/design.md, "Fencing").
   */
  fencing?: FenceRow[];
  /** Every resource that ran, in step order, with its own timing and measurements. */
  resources: ResourceRow[];
  changes: Change[];
  /** Drills and reverts: what the revert undid. */
  reverted: Change[];
  /** Reverts: what is still there after the revert (then the outcome is "failed"). */
  leftovers?: string[];
  /** One row per step that ran, in time since the incident started. */
  timeline: TimelineRow[];
  /** Where the rendered report was stored (s3:// URLs), when a reports bucket is configured. */
  storedAt?: string[];
  /** Set after a successful failover (by the release step): no new run starts before this time. */
  cooldownUntil?: string;
  /** Refused runs: why, and who holds the lock (when the refusal says). */
  refusal?: { error: string; heldBy?: string };
  /** The live run this failover stopped to take the lock. */
  preemptedRun?: LockHolder;
  /** The dead run whose lock this run took over. */
  tookOverDeadRun?: { runId: string; mode: string; status: string };
  /** The run (a failover) that stopped this one. */
  preemptedBy?: string;
  /** Runs recorded after they died: how the execution ended. */
  executionStatus?: 'ABORTED' | 'TIMED_OUT' | 'FAILED';
  /** The lock could not be released (or the cooldown not held): the next run may be refused. */
  lockProblem?: string;
  /** Reverts: the run whose leftovers this one undoes, and what the cleanup did. */
  revertTarget?: RevertTarget;
  cleanup?: CleanupSummary;
  /** The sinks that could not take the report (empty when all worked). */
  sinksFailed: SinkFailure[];
}

/** One fenced resource as the fencing stage leaves it (a FenceResult, or the Lambda's failure). */
export interface FenceEntry {
  resource?: string;
  type?: string;
  outcome?: string;
  detail?: string;
  changes?: Change[];
  fencedAt?: string;
}

export interface FenceRow {
  resource: string;
  type: string;
  outcome: string;
  detail: string;
  changes: Change[];
}
