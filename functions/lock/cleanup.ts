// Cleanup of a run that ended without its tail (stopped, preempted, timed out, failed outside the
// catch), or that an operator asks to revert (docs/design.md, "Nothing dies silently"). It finds
// the dead run from Step Functions, frees the lock the dead run still holds, says whether the run
// needs a record as aborted (or preempted; the runbook writes and notifies it), and what the
// revert that follows may undo:
// - `full`: the dead run was a drill and this cleanup now holds the lock: undo everything;
// - `drill-only`: a failover holds the lock (or its cooldown is on): remove only what is drill-only
//   (temporary database, drill record) and keep the compute the failover needs;
// - `none`: nothing to revert (not a drill, or its own tail already reported it).
import { type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { DrPlan } from '../../plan/schema.ts';
import {
  REVERTED_EXECUTION_STATUSES,
  type RunRecord,
  runIdFromExecutionName,
} from '../runbook/execution-input.ts';
import { awsCall } from '../shared/aws-errors.ts';
import { InvalidResourceStateError } from '../shared/errors.ts';
import { STEP_TIMEOUT_SECONDS } from '../shared/step-contract.ts';
import type { ExecutionInfo } from './executions.ts';
import { AlreadyRunningError, acquireLock, type LockPorts, readLock, releaseLock } from './lock.ts';

/** A start a dead run had invoked finishes within the step timeout: revert only after that. */
export const SETTLE_SECONDS = STEP_TIMEOUT_SECONDS + 5;
/** How far apart the record's start time and the execution's may be. */
const RECORD_CLOCK_SLACK_MS = 5_000;
/** How far a chain of dead cleanups is followed back to the drill they were cleaning up. */
const MAX_CHAIN = 3;

/** Statuses of an execution that may have ended without its tail (the execution input's list). */
export const EXECUTION_ENDED_STATUSES = REVERTED_EXECUTION_STATUSES;

/**
 * The cleanup run's input, the same from the execution-status rule (infra/triggers.ts) and from the
 * local simulation's execution registry.
 */
export function cleanupInput(executionArn: string, status: string) {
  return {
    mode: 'revert',
    requestedBy: 'execution-status-change',
    trigger: { type: 'execution-ended', executionArn, status },
  } as const;
}

export type CleanupScope = 'full' | 'drill-only' | 'none';

export interface DeadRun {
  runId: string;
  mode: string;
  status: string;
  startedAt?: string;
  stoppedAt?: string;
  executionArn: string;
}

export interface CleanupResult {
  target: DeadRun;
  scope: CleanupScope;
  /** This cleanup run now holds the lock (released by its own tail). */
  lockAcquired: boolean;
  /** The dead run's lock was removed. */
  lockReleased: boolean;
  /** The dead run has no record of its own: the runbook records it as aborted (or preempted). */
  recordedAborted: boolean;
  /** What that record says, when one is needed. */
  record?: DeadRun & { preemptedBy?: string };
  /** Families whose revert is skipped, and why. */
  kept: string[];
  /** The revert waits until then: nothing the dead run started is still in flight. */
  settleUntil: string;
  /** The run the revert steps act for (its id names what the drill created). */
  revertRun: { id: string; mode: 'drill'; startedAt: string; keepCompute: boolean };
  detail: string;
}

export type CleanupPorts = LockPorts;

export class RunStillRunningError extends InvalidResourceStateError {}

function parseInput(info: ExecutionInfo | undefined): Record<string, unknown> {
  try {
    const parsed = JSON.parse(info?.input ?? '{}') as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function deadRunOf(executionArn: string, info: ExecutionInfo | undefined, fallbackRunId?: string): DeadRun {
  const input = parseInput(info);
  return {
    runId: info ? runIdFromExecutionName(info.name) : (fallbackRunId ?? executionArn.split(':').pop() ?? ''),
    mode: typeof input.mode === 'string' ? input.mode : info ? 'dry-run' : 'drill',
    status: info?.status ?? 'UNKNOWN',
    ...(info ? { startedAt: info.startedAt } : {}),
    ...(info?.stoppedAt ? { stoppedAt: info.stoppedAt } : {}),
    executionArn,
  };
}

/** The execution a dead cleanup was cleaning up (its input names it). */
function revertTargetOf(
  run: DeadRun,
  info: ExecutionInfo | undefined,
  stateMachineArn: string,
): string | undefined {
  const input = parseInput(info);
  const trigger = input.trigger as { executionArn?: unknown } | undefined;
  if (typeof trigger?.executionArn === 'string') return trigger.executionArn;
  if (typeof input.runId === 'string')
    return `${executionPrefix(stateMachineArn, run.executionArn)}${input.runId}`;
  return undefined;
}

function executionPrefix(stateMachineArn: string, sibling: string): string {
  if (stateMachineArn.includes(':stateMachine:'))
    return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:`;
  return sibling.slice(0, sibling.lastIndexOf(':') + 1);
}

/**
 * Whether the run's own tail recorded it. Its record's key starts with its start time, which Step
 * Functions reports to the millisecond but may round differently from the run's own clock: look
 * around it and match the run id.
 */
async function hasRecord(plan: DrPlan, dynamo: DynamoDBClient, tableName: string, run: DeadRun) {
  if (!run.startedAt) return false;
  const at = new Date(run.startedAt).getTime();
  const out = await awsCall({ resource: tableName, operation: 'read the run record' }, () =>
    dynamo.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': { S: `RUN#${plan.name}` },
          ':from': { S: new Date(at - RECORD_CLOCK_SLACK_MS).toISOString() },
          ':to': { S: `${new Date(at + RECORD_CLOCK_SLACK_MS).toISOString()}~` },
        },
        ProjectionExpression: 'sk',
      }),
    ),
  );
  return (out.Items ?? []).some((item) => item.sk?.S?.endsWith(`#${run.runId}`));
}

export async function cleanUpDeadRun(
  plan: DrPlan,
  run: RunRecord,
  stateMachineArn: string,
  ports: CleanupPorts,
  now: Date,
): Promise<CleanupResult> {
  const requested = run.revertTarget;
  if (!requested) {
    throw new InvalidResourceStateError(
      'a revert run needs a target (runId or execution)',
      'execution input',
    );
  }
  const byHand = run.trigger.type !== 'execution-ended';
  let info = await ports.executions.describe(requested.executionArn);
  const direct = deadRunOf(requested.executionArn, info, requested.runId);
  if (direct.status === 'RUNNING' || direct.status === 'PENDING_REDRIVE') {
    throw new RunStillRunningError(
      `run ${direct.runId} is still running (${direct.status}): a run cleans up after itself; stop it first (aws stepfunctions stop-execution --execution-arn ${direct.executionArn}) and its cleanup starts on its own`,
      direct.executionArn,
    );
  }
  // A dead cleanup was itself reverting a drill: follow it back to that drill.
  const chain: DeadRun[] = [direct];
  let target = direct;
  while (target.mode === 'revert' && chain.length <= MAX_CHAIN) {
    const next = revertTargetOf(target, info, stateMachineArn);
    if (!next) break;
    info = await ports.executions.describe(next);
    target = deadRunOf(next, info);
    chain.push(target);
  }
  const deadIds = new Set(chain.map((r) => r.runId));

  const lock = await readLock(plan, ports);
  const heldByDead = lock?.runId !== undefined && lock.runId === direct.runId;
  const preemptedBy = lock?.preemptedRunId && deadIds.has(lock.preemptedRunId) ? lock.runId : undefined;
  const tailRan = !byHand && (await hasRecord(plan, ports.dynamo, ports.tableName, direct));
  const wantsRevert =
    target.mode === 'drill' && (byHand || heldByDead || (!tailRan && direct.status !== 'FAILED'));

  let scope: CleanupScope = 'none';
  let lockAcquired = false;
  let lockReleased = false;
  const kept: string[] = [];
  if (wantsRevert) {
    try {
      const acquired = await acquireLock(plan, run, ports, now);
      lockAcquired = true;
      lockReleased = acquired.tookOverDeadRun !== undefined;
      scope = 'full';
    } catch (error) {
      if (!(error instanceof AlreadyRunningError)) throw error;
      const current = await readLock(plan, ports);
      // A failover or a switchover moves production: what the dead drill scaled stays as it is.
      const failoverHolds =
        current?.runId !== undefined && (current.mode === 'failover' || current.mode === 'switchover');
      const cooldown = current?.runId === undefined && current?.cooldownUntil !== undefined;
      if (!failoverHolds && !cooldown) throw error; // another live drill: its drill record is shared
      scope = 'drill-only';
      kept.push(
        `compute: kept as it is for failover ${current?.runId ?? current?.cooldownRunId ?? ''}`.trim(),
      );
    }
  } else if (lock?.runId && deadIds.has(lock.runId)) {
    lockReleased = (
      await releaseLock(plan, { id: lock.runId, mode: lock.mode as RunRecord['mode'] }, false, ports, now)
    ).released;
  }

  // A FAILED run that no longer holds the lock either went through its tail or never got past its
  // input: only a run stopped, timed out, or failed while holding the lock died without a record.
  const diedMidRun = direct.status !== 'FAILED' || heldByDead;
  const recordedAborted = !byHand && !tailRan && diedMidRun;
  const stopped = direct.stoppedAt ? new Date(direct.stoppedAt).getTime() : now.getTime();
  const settleUntil = new Date(Math.max(now.getTime(), stopped + SETTLE_SECONDS * 1000)).toISOString();
  return {
    target,
    scope,
    lockAcquired,
    lockReleased,
    recordedAborted,
    ...(recordedAborted ? { record: { ...direct, ...(preemptedBy ? { preemptedBy } : {}) } } : {}),
    kept,
    settleUntil,
    revertRun: {
      id: target.runId,
      mode: 'drill',
      startedAt: target.startedAt ?? run.startedAt,
      keepCompute: scope === 'drill-only',
    },
    detail:
      scope === 'none'
        ? `run ${direct.runId} (${direct.mode}, ${direct.status}): nothing to revert${lockReleased ? '; its lock was released' : ''}`
        : `run ${target.runId} (drill, ${target.status}): reverting ${scope === 'full' ? 'everything it did' : 'what is drill-only'}`,
  };
}
