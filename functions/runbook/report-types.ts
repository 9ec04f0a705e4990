// The report's data: what the state machine hands the report step, and the run record it keeps.
import type { Change, ProgressResult, ReadinessResult } from '../shared/step-contract.ts';
import type { RunRecord } from './execution-input.ts';
import type { TimelineRow } from './run-timeline.ts';
import type { VerifyResult } from './verify.ts';

/** The execution state as the state machine hands it to Report (each part present once reached). */
export interface RunOutcomeInput {
  readiness?: ReadinessResult[];
  results?: { database?: ProgressResult; compute?: ProgressResult };
  switch?: { traffic?: ProgressResult };
  verification?: VerifyResult;
  /** Set by the failure path: the state that failed and the error Step Functions caught. */
  failure?: { step: string; Error: string; Cause?: string };
  /** Drills: what the revert did, or why it failed (then the drill left something behind). */
  revert?: { database?: ProgressResult; compute?: ProgressResult; traffic?: ProgressResult };
  revertFailure?: { step: string; Error: string; Cause?: string };
}

export interface Objective {
  objectiveSeconds: number;
  achievedSeconds: number | null;
  met: boolean | null;
}

export interface RunReport {
  plan: string;
  runId: string;
  mode: RunRecord['mode'];
  outcome: 'succeeded' | 'failed' | 'ready' | 'not-ready';
  trigger: RunRecord['trigger']['type'];
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
  readinessProblems: string[];
  changes: Change[];
  /** Drills: what the revert undid. */
  reverted: Change[];
  /** One row per step that ran, in time since the incident started. */
  timeline: TimelineRow[];
  /** Where the rendered report was stored (s3:// URLs), when a reports bucket is configured. */
  storedAt?: string[];
  /** Set after a successful failover: no new run starts before this time. */
  cooldownUntil?: string;
}
