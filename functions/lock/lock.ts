// One run per plan at a time, and a failover always gets through (docs/design.md, "The lock").
// The lock is one DynamoDB item, written with optimistic concurrency (a fresh `token` on every
// write, each write conditional on the token it read):
// - free, or its failover cooldown is over → taken;
// - held by an execution that is no longer RUNNING (Step Functions says so), or past its expiry →
//   taken over at once (the dead run is cleaned up by its own status-change event);
// - held by a live drill, revert, or a failover still waiting for approval, and a failover asks →
//   that run is stopped (Preempted) and the lock taken over;
// - held by a live failover, or in the cooldown after one → refused (AlreadyRunning).
import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { DrPlan } from '../../plan/schema.ts';
import type { RunRecord } from '../runbook/execution-input.ts';
import { awsCall, awsErrorName } from '../shared/aws-errors.ts';
import { DrRunbookError, TransientAwsError } from '../shared/errors.ts';
import type { Executions } from './executions.ts';

/** The lock is held by a live run that a run of this mode may not preempt, or a cooldown is on. */
export class AlreadyRunningError extends DrRunbookError {
  readonly retryable = false;
}

export interface LockPorts {
  readonly dynamo: DynamoDBClient;
  readonly tableName: string;
  readonly executions: Executions;
}

/** The lock item as stored (string attributes only, plus the approval flag). */
export interface LockItem {
  runId?: string;
  executionArn?: string;
  mode?: string;
  acquiredAt?: string;
  expiresAt?: string;
  awaitingApproval?: boolean;
  cooldownUntil?: string;
  cooldownRunId?: string;
  /** The run a failover stopped to take this lock (the cleanup keeps what the failover needs). */
  preemptedRunId?: string;
  token?: string;
}

export interface HolderInfo {
  runId: string;
  mode: string;
  executionArn?: string;
}

export interface LockAcquired {
  acquired: true;
  /** The run this failover stopped; `stopFailed` when it could not be stopped (it went on anyway). */
  preempted?: HolderInfo & { stopFailed?: string };
  tookOverDeadRun?: HolderInfo & { status: string };
}

/** Modes a failover may stop: rehearsals and cleanups, which touch nothing a failover needs kept. */
// A switchover is planned: a failover (the emergency) preempts it and promotes what it had not yet.
const PREEMPTIBLE_MODES = new Set(['drill', 'revert', 'dry-run', 'switchover']);
/** Bounded: each round re-reads the item after another writer won the race. */
const MAX_ROUNDS = 5;

export const lockKey = (plan: DrPlan) => ({ pk: { S: `LOCK#${plan.name}` }, sk: { S: 'LOCK' } });

export async function readLock(plan: DrPlan, ports: LockPorts): Promise<LockItem | undefined> {
  const out = await awsCall({ resource: ports.tableName, operation: 'read the lock' }, () =>
    ports.dynamo.send(
      new GetItemCommand({ TableName: ports.tableName, Key: lockKey(plan), ConsistentRead: true }),
    ),
  );
  if (!out.Item) return undefined;
  const item: LockItem = {};
  for (const [name, value] of Object.entries(out.Item)) {
    if (name === 'pk' || name === 'sk') continue;
    if (value.S !== undefined) (item as Record<string, unknown>)[name] = value.S;
    if (value.BOOL !== undefined) (item as Record<string, unknown>)[name] = value.BOOL;
  }
  return item;
}

const isConditionFailure = (error: unknown) =>
  awsErrorName(error) === 'ConditionalCheckFailedException' ||
  awsErrorName((error as { cause?: unknown })?.cause) === 'ConditionalCheckFailedException';

/** Conditions a write on the item being exactly as it was read. */
function unchangedSince(seen: LockItem | undefined) {
  return seen?.token
    ? { ConditionExpression: '#token = :seen', ExpressionAttributeValues: { ':seen': { S: seen.token } } }
    : seen
      ? { ConditionExpression: 'attribute_not_exists(#token)' }
      : { ConditionExpression: 'attribute_not_exists(pk)' };
}

async function writeHolder(
  plan: DrPlan,
  run: RunRecord,
  seen: LockItem | undefined,
  ports: LockPorts,
  extra: Record<string, { S: string }> = {},
): Promise<boolean> {
  const condition = unchangedSince(seen);
  try {
    await awsCall({ resource: ports.tableName, operation: 'take the lock' }, () =>
      ports.dynamo.send(
        new PutItemCommand({
          TableName: ports.tableName,
          Item: {
            ...lockKey(plan),
            runId: { S: run.id },
            executionArn: { S: run.executionArn },
            mode: { S: run.mode },
            acquiredAt: { S: run.startedAt },
            expiresAt: { S: run.lockExpiresAt },
            token: { S: crypto.randomUUID() },
            ...extra,
          },
          ConditionExpression: condition.ConditionExpression,
          ...(condition.ConditionExpression.includes('#token')
            ? { ExpressionAttributeNames: { '#token': 'token' } }
            : {}),
          ...('ExpressionAttributeValues' in condition
            ? { ExpressionAttributeValues: condition.ExpressionAttributeValues }
            : {}),
        }),
      ),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

function describeHolder(item: LockItem): string {
  return `run ${item.runId} (${item.mode}, since ${item.acquiredAt})`;
}

/** Takes the plan's lock for `run`, preempting or taking over as the rules above say. */
export async function acquireLock(
  plan: DrPlan,
  run: RunRecord,
  ports: LockPorts,
  now: Date,
): Promise<LockAcquired> {
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const item = await readLock(plan, ports);
    if (item?.runId === run.id) return { acquired: true }; // a retried acquire: ours already
    if (!item?.runId) {
      if (item?.cooldownUntil && item.cooldownUntil > now.toISOString()) {
        throw new AlreadyRunningError(
          `plan "${plan.name}" is in the cooldown after failover ${item.cooldownRunId ?? '(unknown)'} until ${item.cooldownUntil} (triggers.cooldownMinutes): no new run starts before then; run "dr-runbook unlock" to end it early`,
          ports.tableName,
        );
      }
      if (await writeHolder(plan, run, item, ports)) return { acquired: true };
      continue;
    }
    const holder: HolderInfo = {
      runId: item.runId,
      mode: item.mode ?? 'unknown',
      ...(item.executionArn ? { executionArn: item.executionArn } : {}),
    };
    // A failover does not let an unreadable holder stop it: it treats the holder as live (so a live
    // failover still refuses it) and preempts it if it may.
    let status: string;
    try {
      status = await holderStatus(item, ports, now);
    } catch (error) {
      if (run.mode !== 'failover') throw error;
      status = 'RUNNING';
    }
    if (status !== 'RUNNING') {
      if (await writeHolder(plan, run, item, ports))
        return { acquired: true, tookOverDeadRun: { ...holder, status } };
      continue;
    }
    const preemptible = PREEMPTIBLE_MODES.has(holder.mode) || item.awaitingApproval === true;
    if (run.mode !== 'failover' || !preemptible) {
      throw new AlreadyRunningError(
        `another run of plan "${plan.name}" holds the lock: ${describeHolder(item)}${
          run.mode === 'failover' ? ': a live failover is not preempted' : ''
        }`,
        ports.tableName,
      );
    }
    // Stop first, then take the lock: a preempted drill that kept running could revert compute
    // the failover is scaling up. Stopping an execution that has ended is harmless. If it cannot be
    // stopped (its SDK retries exhausted), the failover still goes on and says so: a drill left
    // running only touches its own drill resources, its compute revert refuses a group the
    // failover has tagged, and compute check raises a group someone lowered.
    let stopFailed: string | undefined;
    if (item.executionArn) {
      try {
        await ports.executions.stop(
          item.executionArn,
          'Preempted',
          `preempted by failover ${run.id} of plan "${plan.name}"; its cleanup reverts only what is drill-only`,
        );
      } catch (error) {
        stopFailed = error instanceof Error ? error.message : String(error);
      }
    }
    if (await writeHolder(plan, run, item, ports, { preemptedRunId: { S: holder.runId } }))
      return { acquired: true, preempted: { ...holder, ...(stopFailed ? { stopFailed } : {}) } };
  }
  throw new TransientAwsError(
    `the lock of plan "${plan.name}" changed ${MAX_ROUNDS} times while being taken: another run is starting; try again`,
    ports.tableName,
  );
}

/** RUNNING, or why the holder counts as dead (its status, or EXPIRED past expiresAt). */
async function holderStatus(item: LockItem, ports: LockPorts, now: Date): Promise<string> {
  if (item.expiresAt && item.expiresAt < now.toISOString()) return 'EXPIRED';
  if (!item.executionArn) return 'RUNNING'; // an item without an execution: only its expiry frees it
  const execution = await ports.executions.describe(item.executionArn);
  return execution ? execution.status : 'UNKNOWN_EXECUTION';
}

export interface LockReleased {
  /** Whether this run's lock was removed (or turned into the cooldown). */
  released: boolean;
  /** Set after a recovered failover: no new run starts before this time. */
  cooldownUntil?: string;
  /** Why nothing was released, when the lock was not this run's (preempted, taken over, never taken). */
  detail?: string;
}

/**
 * Ends this run's hold on the lock: a recovered failover turns it into the cooldown, anything else
 * deletes it. A lock that is no longer this run's is left alone (a failover preempted it).
 */
export async function releaseLock(
  plan: DrPlan,
  run: Pick<RunRecord, 'id' | 'mode'>,
  recovered: boolean,
  ports: LockPorts,
  now: Date,
): Promise<LockReleased> {
  const mine = {
    ConditionExpression: 'runId = :runId',
    ExpressionAttributeValues: { ':runId': { S: run.id } },
  };
  const cooldownUntil =
    (run.mode === 'failover' || run.mode === 'switchover') && recovered
      ? new Date(now.getTime() + plan.triggers.cooldownMinutes * 60_000).toISOString()
      : undefined;
  try {
    await awsCall({ resource: ports.tableName, operation: 'release the lock' }, () =>
      ports.dynamo.send(
        cooldownUntil
          ? new UpdateItemCommand({
              TableName: ports.tableName,
              Key: lockKey(plan),
              UpdateExpression:
                'REMOVE runId, executionArn, expiresAt, awaitingApproval, preemptedRunId SET cooldownUntil = :until, cooldownRunId = :runId, #token = :token',
              ConditionExpression: mine.ConditionExpression,
              ExpressionAttributeNames: { '#token': 'token' },
              ExpressionAttributeValues: {
                ...mine.ExpressionAttributeValues,
                ':until': { S: cooldownUntil },
                ':token': { S: crypto.randomUUID() },
              },
            })
          : new DeleteItemCommand({ TableName: ports.tableName, Key: lockKey(plan), ...mine }),
      ),
    );
  } catch (error) {
    if (isConditionFailure(error))
      return { released: false, detail: `the lock of plan "${plan.name}" is not held by run ${run.id}` };
    throw error;
  }
  return { released: true, ...(cooldownUntil ? { cooldownUntil } : {}) };
}

/** Marks (or clears) that the holder waits for a person: a failover may then preempt it. */
export async function markAwaitingApproval(
  plan: DrPlan,
  run: Pick<RunRecord, 'id'>,
  awaiting: boolean,
  ports: Pick<LockPorts, 'dynamo' | 'tableName'>,
): Promise<{ awaitingApproval: boolean }> {
  try {
    await awsCall({ resource: ports.tableName, operation: 'mark the lock as waiting for approval' }, () =>
      ports.dynamo.send(
        new UpdateItemCommand({
          TableName: ports.tableName,
          Key: lockKey(plan),
          UpdateExpression: 'SET awaitingApproval = :awaiting, #token = :token',
          ConditionExpression: 'runId = :runId',
          ExpressionAttributeNames: { '#token': 'token' },
          ExpressionAttributeValues: {
            ':awaiting': { BOOL: awaiting },
            ':runId': { S: run.id },
            ':token': { S: crypto.randomUUID() },
          },
        }),
      ),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  return { awaitingApproval: awaiting };
}

/** Removes the lock whoever holds it (the operator's `dr-runbook unlock`); returns what it held. */
export async function breakLock(plan: DrPlan, ports: Pick<LockPorts, 'dynamo' | 'tableName'>) {
  const out = await awsCall({ resource: ports.tableName, operation: 'break the lock' }, () =>
    ports.dynamo.send(
      new DeleteItemCommand({ TableName: ports.tableName, Key: lockKey(plan), ReturnValues: 'ALL_OLD' }),
    ),
  );
  return out.Attributes
    ? Object.fromEntries(
        Object.entries(out.Attributes)
          .filter(([k]) => k !== 'pk' && k !== 'sk')
          .map(([k, v]) => [k, v.S ?? v.BOOL ?? null]),
      )
    : undefined;
}
