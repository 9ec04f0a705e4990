// Report: what the run achieved against the plan's objectives, kept in the history table and
// sent to the topic. Runs on success and on failure (then it names the failed step and why), for a
// refused run, and (buildAbortedReport + recordAndNotify, from the cleanup) for a run that died.
//
// The tail tells the truth: each sink (S3 report objects, SNS summary, metrics, history record) is
// attempted on its own, and a sink that fails is named in the report instead of stopping the rest.
// The history record is written last, so it lists every other sink that failed.
import { createHash } from 'node:crypto';
import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { planAdvisories } from '../../plan/advisories.ts';
import type { DrPlan } from '../../plan/schema.ts';
import { planSteps } from '../../plan/steps.ts';
import { awsCall, toStepError } from '../shared/aws-errors.ts';
import { DrRunbookError } from '../shared/errors.ts';
import { secondsBetween } from '../shared/polling.ts';
import type { StepContext } from '../shared/step-contract.ts';
import type { RunRecord } from './execution-input.ts';
import type {
  CaughtError,
  CleanupSummary,
  FenceRow,
  Objective,
  ReadinessEntry,
  ReportSink,
  ResourceRow,
  RevertTarget,
  RunOutcome,
  RunOutcomeInput,
  RunReport,
  SettledProgress,
} from './report-types.ts';
import { resultsOf } from './report-types.ts';
import { emitRunMetrics, emitSinkFailures, type RunMetrics } from './run-metrics.ts';
import { buildRunTimeline } from './run-timeline.ts';
import { type ReportRenderers, storeReport } from './store-report.ts';

export type {
  Objective,
  ReadinessEntry,
  ReportSink,
  RunOutcome,
  RunOutcomeInput,
  RunReport,
  SinkFailure,
} from './report-types.ts';

/** The message of a Lambda error's Cause (JSON {errorType, errorMessage, trace}), else the Cause. */
function causeMessage(cause: string | undefined): string | undefined {
  if (!cause) return undefined;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown } | null;
    if (typeof parsed?.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not JSON: a plain cause string
  }
  return cause;
}

/** A Lambda error's Cause is JSON ({errorType, errorMessage, trace}); people want the message. */
export function describeCause(error: string, cause: string | undefined): string {
  if (!cause) return error;
  try {
    const parsed = JSON.parse(cause) as { errorType?: string; errorMessage?: string };
    if (parsed.errorMessage) return `${parsed.errorType ?? error}: ${parsed.errorMessage}`;
  } catch {
    // not JSON: a plain cause string
  }
  return `${error}: ${cause}`;
}

/** Who holds the lock, as a refusal's Cause names it (the lock step's AlreadyRunning message). */
export function lockHolderOf(refusal: CaughtError): string | undefined {
  const message = causeMessage(refusal.Cause);
  if (!message) return undefined;
  const held = /holds the lock: (.+?)(?:: a live failover is not preempted)?$/s.exec(message);
  if (held?.[1]) return held[1];
  const cooldown = /cooldown after failover (\S+) until (\S+)/.exec(message);
  if (cooldown) return `the cooldown after failover ${cooldown[1]}, until ${cooldown[2]}`;
  return refusal.Error === 'AlreadyRunning' ? message : undefined;
}

function objective(objectiveSeconds: number, achieved: number | null): Objective {
  return {
    objectiveSeconds,
    achievedSeconds: achieved,
    met: achieved === null ? null : achieved <= objectiveSeconds,
  };
}

/**
 * Recovery happens in parallel, then traffic: the slower of database and compute, plus traffic.
 * Unknown (null) when a family's readiness could not run: its part of the time is not known.
 */
export function predictRtoSeconds(
  plan: DrPlan,
  readiness: readonly ReadinessEntry[] | undefined,
): number | null {
  if (!readiness?.length || readiness.some((r) => r.error)) return null;
  const of = (id: string) => readiness.find((r) => r.resource === id)?.predictedSeconds ?? 0;
  // Resources in a step run side by side; steps run one after another.
  return planSteps(plan)
    .filter((step) => step.kind === 'resources')
    .reduce((total, step) => total + Math.max(0, ...step.resources.map((r) => of(r.id))), 0);
}

interface ReadinessFindings {
  problems: string[];
  warnings: string[];
  /** What the problems are about, without their details (which change from run to run). */
  keys: string[];
}

function readinessFindings(outcome: RunOutcomeInput): ReadinessFindings {
  const findings: ReadinessFindings = { problems: [], warnings: [], keys: [] };
  for (const r of outcome.readiness ?? []) {
    const who = r.resource ?? r.family;
    if (r.error) {
      findings.problems.push(
        `${who}: readiness could not run: ${describeCause(r.error.Error, r.error.Cause)}`,
      );
      findings.keys.push(`${who}!${r.error.Error}`);
    }
    for (const c of r.checks) {
      if (c.status === 'fail') {
        findings.problems.push(`${who}/${c.name}: ${c.detail}`);
        findings.keys.push(`${who}/${c.name}`);
      } else if (c.status === 'warn') findings.warnings.push(`${who}/${c.name}: ${c.detail}`);
    }
  }
  if (outcome.failure) findings.keys.push(`${outcome.failure.step}!${outcome.failure.Error}`);
  return findings;
}

/**
 * A stable signature of what a readiness check found wrong: which checks failed and which families
 * could not run (not their details, which carry numbers that change between runs).
 */
export function readinessSignature(outcome: RunOutcomeInput): string {
  const keys = [...new Set(readinessFindings(outcome).keys)].sort();
  return createHash('sha256').update(keys.join('\n')).digest('hex').slice(0, 16);
}

/** What the reverts did not finish undoing: each family whose revert is not done, or failed. */
function leftoversOf(revert: RunOutcomeInput['revert']): string[] {
  return resultsOf(revert).flatMap((result: SettledProgress) => {
    const who = result.resource ?? result.family;
    if (result.done) return [];
    if (result.error)
      return [`${who}: revert failed: ${describeCause(result.error.Error, result.error.Cause)}`];
    return [`${who}: ${result.detail ?? 'revert not finished'}`];
  });
}

/** The worst data loss any resource measured (the plan's RPO is about all its data). */
function rpoOf(results: SettledProgress[]): number | null {
  const measured = results
    .map((r) => r.measurements?.rpoSeconds)
    .filter((v): v is number => typeof v === 'number');
  return measured.length > 0 ? Math.max(...measured) : null;
}

/** One line per resource that ran: its own timing and outcome, in step order. */
function resourceRows(results: SettledProgress[]): ResourceRow[] {
  return results.map((r) => ({
    id: r.resource ?? r.family,
    type: r.type ?? r.family,
    family: r.family,
    outcome: r.failed ? 'failed' : r.done ? 'succeeded' : 'unfinished',
    ...(r.startedAt ? { startedAt: r.startedAt } : {}),
    ...(r.completedAt ? { completedAt: r.completedAt } : {}),
    ...(r.startedAt && r.completedAt ? { seconds: secondsBetween(r.startedAt, r.completedAt) } : {}),
    ...(r.detail ? { detail: r.detail } : {}),
    ...(r.measurements && Object.keys(r.measurements).length > 0 ? { measurements: r.measurements } : {}),
  }));
}

/** What fencing did, for the report: one row per fenced resource (absent when nothing was fenced). */
function fencingOf(outcome: RunOutcomeInput): { fencing?: FenceRow[] } {
  if (outcome.fencingFailure) {
    return {
      fencing: [
        {
          resource: '(all)',
          type: '',
          outcome: 'failed',
          detail: `the fencing stage could not run: ${describeCause(outcome.fencingFailure.Error, outcome.fencingFailure.Cause)}`,
          changes: [],
        },
      ],
    };
  }
  if (!outcome.fencing?.length) return {};
  return {
    fencing: outcome.fencing.map((entry) => ({
      resource: entry.resource ?? '?',
      type: entry.type ?? '?',
      outcome: entry.outcome ?? 'failed',
      detail: entry.detail ?? '',
      changes: entry.changes ?? [],
    })),
  };
}

function lockProblemOf(run: RunRecord, outcome: RunOutcomeInput): string | undefined {
  const error = outcome.lockRelease?.error;
  if (!error) return undefined;
  const what =
    (run.mode === 'failover' || run.mode === 'switchover') && outcome.verification
      ? `the lock could not be turned into the cooldown after the ${run.mode}`
      : 'the lock could not be released';
  return `${what} for run ${run.id} (${describeCause(error.Error, error.Cause)}): the next run takes it over once this execution has ended; "dr-runbook unlock" frees it by hand`;
}

interface OutcomeFacts {
  mode: string;
  outcome: RunOutcomeInput;
  readinessProblems: string[];
  leftovers: string[];
  lockProblem: string | undefined;
}

function outcomeOf({ mode, outcome, readinessProblems, leftovers, lockProblem }: OutcomeFacts): RunOutcome {
  if (outcome.refusal) return 'refused';
  if (outcome.preempted && mode !== 'failover') return 'preempted';
  const failed = outcome.failure !== undefined || outcome.revertFailure !== undefined;
  switch (mode) {
    case 'dry-run':
      return failed || readinessProblems.length > 0 || lockProblem ? 'not-ready' : 'ready';
    case 'failover':
      // Readiness problems are advisory and a lock problem is listed: the recovery decides.
      return !failed && outcome.verification ? 'succeeded' : 'failed';
    case 'switchover':
      // Planned: a failed readiness check ends it untouched; once it moved, the recovery decides.
      if (outcome.notReady) return 'not-ready';
      return !failed && outcome.verification ? 'succeeded' : 'failed';
    case 'revert':
      return failed || leftovers.length > 0 || lockProblem ? 'failed' : 'succeeded';
    default: {
      // A drill: only clean when it recovered, reverted everything and gave the lock back.
      if (failed || leftovers.length > 0 || lockProblem) return 'failed';
      const recoveryRan = resultsOf(outcome.results).length > 0;
      if (outcome.notReady || (readinessProblems.length > 0 && !recoveryRan)) return 'not-ready';
      return outcome.verification ? 'succeeded' : 'failed';
    }
  }
}

/** What the report keeps of the cleanup step's result (which carries more, for the revert). */
function cleanupSummary(cleanup: CleanupSummary): CleanupSummary {
  const { target, lockReleased, recordedAborted, scope, kept } = cleanup;
  return {
    target: { runId: target.runId, mode: target.mode, status: target.status },
    lockReleased,
    recordedAborted,
    scope,
    ...(kept?.length ? { kept } : {}),
  };
}

export function buildReport(plan: DrPlan, run: RunRecord, outcome: RunOutcomeInput, now: Date): RunReport {
  // Modes and fields the run record gains for revert runs, read as they arrive.
  const mode = run.mode as RunReport['mode'];
  const revertTarget = (run as RunRecord & { revertTarget?: RevertTarget }).revertTarget;
  const rtoAchieved = outcome.verification
    ? secondsBetween(run.incidentStartedAt, outcome.verification.verifiedAt)
    : null;
  const results = resultsOf(outcome.results);
  const rpoAchieved = rpoOf(results);
  const findings = readinessFindings(outcome);
  const leftovers = leftoversOf(outcome.revert);
  const lockProblem = lockProblemOf(run, outcome);
  const failure = outcome.failure ?? outcome.revertFailure;
  const heldBy = outcome.refusal ? lockHolderOf(outcome.refusal) : undefined;
  const cooldownUntil = outcome.lockRelease?.cooldownUntil;
  const preempted = outcome.lock?.preempted;
  const tookOver = outcome.lock?.tookOverDeadRun;
  const advisories = planAdvisories(plan);
  return {
    plan: plan.name,
    runId: run.id,
    mode,
    outcome: outcomeOf({
      mode,
      outcome,
      readinessProblems: findings.problems,
      leftovers,
      lockProblem,
    }),
    trigger: run.trigger.type,
    incidentStartedAt: run.incidentStartedAt,
    startedAt: run.startedAt,
    reportedAt: now.toISOString(),
    predictedRtoSeconds: predictRtoSeconds(plan, outcome.readiness),
    rto: objective(plan.objectives.rtoMinutes * 60, rtoAchieved),
    rpo: objective(plan.objectives.rpoSeconds, rpoAchieved),
    ...(failure ? { failedStep: failure.step, cause: describeCause(failure.Error, failure.Cause) } : {}),
    ...(outcome.failure && outcome.revertFailure
      ? { revertProblem: describeCause(outcome.revertFailure.Error, outcome.revertFailure.Cause) }
      : {}),
    ...(outcome.refusal
      ? {
          refusal: {
            error: describeCause(outcome.refusal.Error, outcome.refusal.Cause),
            ...(heldBy ? { heldBy } : {}),
          },
        }
      : {}),
    ...(preempted
      ? {
          preemptedRun: {
            runId: preempted.runId,
            mode: preempted.mode,
            ...(preempted.executionArn ? { executionArn: preempted.executionArn } : {}),
            ...(preempted.stopFailed ? { stopFailed: preempted.stopFailed } : {}),
          },
        }
      : {}),
    ...(tookOver
      ? { tookOverDeadRun: { runId: tookOver.runId, mode: tookOver.mode, status: tookOver.status } }
      : {}),
    ...(outcome.preempted ? { preemptedBy: outcome.preempted.byRunId } : {}),
    ...(lockProblem ? { lockProblem } : {}),
    ...(mode === 'revert' && revertTarget
      ? {
          revertTarget: {
            ...(revertTarget.runId ? { runId: revertTarget.runId } : {}),
            executionArn: revertTarget.executionArn,
            ...(revertTarget.status ? { status: revertTarget.status } : {}),
          },
        }
      : {}),
    ...(outcome.cleanup ? { cleanup: cleanupSummary(outcome.cleanup) } : {}),
    readinessProblems: findings.problems,
    readinessWarnings: findings.warnings,
    ...(advisories.length > 0 ? { advisories } : {}),
    ...fencingOf(outcome),
    resources: resourceRows(results),
    changes: results.flatMap((r) => r.changes ?? []),
    timeline: buildRunTimeline(run, outcome, now),
    reverted: resultsOf(outcome.revert).flatMap((r) => r.changes ?? []),
    ...(leftovers.length > 0 ? { leftovers } : {}),
    ...(cooldownUntil ? { cooldownUntil } : {}),
    sinksFailed: [],
  };
}

/** A run that ended without its tail (stopped, preempted, timed out), as the cleanup records it. */
export interface DeadRunRecord {
  runId: string;
  /** The mode its execution input named (validated when it started): "drill", "revert", … */
  mode: string;
  startedAt: string;
  status: 'ABORTED' | 'TIMED_OUT' | 'FAILED';
  /** The run (a failover) that stopped this one to take its lock. */
  preemptedBy?: string;
  /** How the run was started, when known. */
  trigger?: RunRecord['trigger']['type'];
}

const ENDED: Record<DeadRunRecord['status'], string> = {
  ABORTED: 'was stopped',
  TIMED_OUT: 'timed out',
  FAILED: 'failed outside the runbook',
};

/** The record of a run that died without its report: outcome "aborted" ("preempted" when stopped by a failover). */
export function buildAbortedReport(plan: DrPlan, dead: DeadRunRecord, now: Date): RunReport {
  const cause = dead.preemptedBy
    ? `preempted: failover ${dead.preemptedBy} stopped this run to take the lock`
    : `the execution ${ENDED[dead.status]} (${dead.status}) before it could report what it did`;
  const advisories = planAdvisories(plan);
  return {
    plan: plan.name,
    runId: dead.runId,
    mode: dead.mode as RunReport['mode'],
    outcome: dead.preemptedBy ? 'preempted' : 'aborted',
    trigger: dead.trigger ?? 'unknown',
    incidentStartedAt: dead.startedAt,
    startedAt: dead.startedAt,
    reportedAt: now.toISOString(),
    predictedRtoSeconds: null,
    rto: objective(plan.objectives.rtoMinutes * 60, null),
    rpo: objective(plan.objectives.rpoSeconds, null),
    cause,
    executionStatus: dead.status,
    ...(dead.preemptedBy ? { preemptedBy: dead.preemptedBy } : {}),
    readinessProblems: [],
    readinessWarnings: [],
    ...(advisories.length > 0 ? { advisories } : {}),
    resources: [],
    changes: [],
    reverted: [],
    timeline: [],
    sinksFailed: [],
  };
}

/** What Report leaves in the execution state: enough to see the outcome, bounded whatever the plan. */
export interface ReportSummary {
  runId: string;
  mode: RunReport['mode'];
  outcome: RunReport['outcome'];
  rto: Objective;
  rpo: Objective;
  failedStep?: string;
  cause?: string;
  refusal?: RunReport['refusal'];
  lockProblem?: string;
  readinessProblems: number;
  /** How many plan advisories the report lists (absent when none). */
  advisories?: number;
  sinksFailed: RunReport['sinksFailed'];
  storedAt?: string[];
}

/** The full report is in the history, S3 and the notification; the state keeps this. */
export function reportSummary(report: RunReport): ReportSummary {
  return {
    runId: report.runId,
    mode: report.mode,
    outcome: report.outcome,
    rto: report.rto,
    rpo: report.rpo,
    ...(report.failedStep ? { failedStep: report.failedStep } : {}),
    ...(report.cause ? { cause: report.cause.slice(0, 2000) } : {}),
    ...(report.refusal ? { refusal: report.refusal } : {}),
    ...(report.lockProblem ? { lockProblem: report.lockProblem } : {}),
    readinessProblems: report.readinessProblems.length,
    ...(report.advisories?.length ? { advisories: report.advisories.length } : {}),
    sinksFailed: report.sinksFailed,
    ...(report.storedAt ? { storedAt: report.storedAt } : {}),
  };
}

export function summarize(report: RunReport): string {
  const secs = (o: Objective) =>
    o.achievedSeconds === null
      ? 'not measured'
      : `${Math.round(o.achievedSeconds)} s (objective ${o.objectiveSeconds} s, ${o.met ? 'met' : 'MISSED'})`;
  const target = report.cleanup?.target ?? report.revertTarget;
  return [
    `dr-runbook ${report.mode} of "${report.plan}" ${report.outcome.toUpperCase()} (run ${report.runId})`,
    `RTO: ${secs(report.rto)}`,
    `RPO: ${secs(report.rpo)}`,
    ...(report.refusal
      ? [
          `refused: ${report.refusal.heldBy ? `the lock is held by ${report.refusal.heldBy}` : report.refusal.error}; nothing was touched`,
        ]
      : []),
    ...(report.revertTarget || report.cleanup
      ? [`reverting what run ${targetName(target)} left behind`]
      : []),
    ...(report.preemptedRun ? [`preempted ${holderName(report.preemptedRun)} to take the lock`] : []),
    ...(report.preemptedRun?.stopFailed
      ? [`that run could not be stopped (${report.preemptedRun.stopFailed}): stop it by hand`]
      : []),
    ...(report.tookOverDeadRun
      ? [`took over the lock of dead ${holderName(report.tookOverDeadRun)}, ${report.tookOverDeadRun.status}`]
      : []),
    ...(report.failedStep ? [`failed at ${report.failedStep}: ${report.cause}`] : []),
    ...(!report.failedStep && report.cause ? [report.cause] : []),
    ...(report.preemptedBy && !report.executionStatus ? [`preempted by run ${report.preemptedBy}`] : []),
    ...(report.revertProblem ? [`the drill could not be reverted either: ${report.revertProblem}`] : []),
    ...(report.leftovers ?? []).map((l) => `left behind: ${l}`),
    ...(report.lockProblem ? [`lock: ${report.lockProblem}`] : []),
    ...report.readinessProblems.map((p) => `readiness: ${p}`),
    ...(report.readinessWarnings ?? []).map((w) => `readiness warning: ${w}`),
    ...(report.advisories ?? []).map((a) => `plan advisory: ${a}`),
    ...report.changes.map((c) => `changed ${c.resource}: ${c.action} (${c.detail})`),
    ...(report.fencing ?? []).map((f) => `fencing ${f.resource}: ${f.outcome} (${f.detail})`),
    ...(report.cooldownUntil ? [`cooldown: no new run before ${report.cooldownUntil}`] : []),
    ...(report.sinksFailed ?? []).map((f) => `not delivered to ${f.sink}: ${f.error}`),
    ...(report.storedAt?.length
      ? [`report: ${report.storedAt.find((u) => u.endsWith('.html')) ?? report.storedAt[0]}`]
      : []),
  ].join('\n');
}

const holderName = (h: { runId: string; mode: string }) => `${h.mode} run ${h.runId}`;
function targetName(target: { runId?: string; executionArn?: string; status?: string } | undefined): string {
  if (!target) return '(unknown)';
  const name = target.runId ?? target.executionArn ?? '(unknown)';
  return target.status ? `${name} (${target.status})` : name;
}

export interface ReportTargets {
  dynamo: DynamoDBClient;
  sns: SNSClient;
  tableName: string;
  topicArn: string;
  /** Where rendered reports are kept (absent: not stored, e.g. an older deployment). */
  reports?: { s3: S3Client; bucket: string; renderers?: ReportRenderers };
  metrics?: RunMetrics;
  /** How a sink is tried again after a retryable error. @default SINK_RETRY */
  retry?: Partial<SinkRetry>;
}

export interface SinkRetry {
  /** Waits before the second, third, … attempt; one attempt more than there are delays. */
  delaysMs: readonly number[];
  sleep: (ms: number) => Promise<void>;
  /** No retry starts once delivering this report has taken this long: the sinks after it need time too. */
  budgetMs: number;
  /** Milliseconds, for the budget. */
  clock: () => number;
}

/**
 * Three attempts of a whole sink, 200 ms then 1 s apart, for retryable errors only: the SDK's
 * standard retry already retries transient errors within one call; this covers a sink of several
 * calls and a short outage. Retries stop after 20 s of delivery, well inside the report step's
 * 60 s timeout, so an outage of one sink cannot starve the history record written last.
 */
export const SINK_RETRY: SinkRetry = {
  delaysMs: [200, 1000],
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  budgetMs: 20_000,
  clock: () => Date.now(),
};

const SINK_RESOURCE = (targets: ReportTargets): Record<ReportSink, string> => ({
  s3: targets.reports ? `s3://${targets.reports.bucket}` : 's3',
  sns: targets.topicArn,
  metrics: 'CloudWatch metrics (EMF)',
  history: targets.tableName,
});

/** Runs one sink with its own bounded retry; never throws. Resolves to whether the sink worked. */
type Attempt = (sink: ReportSink, work: () => Promise<unknown>, what?: string) => Promise<boolean>;

/**
 * The sinks of one report's delivery: a sink that still fails after its retries is added to
 * `report.sinksFailed`, and the next sink is attempted all the same.
 */
function sinkAttempts(report: RunReport, targets: ReportTargets): Attempt {
  const { delaysMs, sleep, budgetMs, clock } = { ...SINK_RETRY, ...targets.retry };
  const started = clock();
  return async (sink, work, what = `deliver the report to ${sink}`) => {
    for (let tries = 0; ; tries += 1) {
      try {
        await work();
        return true;
      } catch (error) {
        const classified = toStepError(error, { resource: SINK_RESOURCE(targets)[sink], operation: what });
        const delay = delaysMs[tries];
        if (classified.retryable && delay !== undefined && clock() - started + delay <= budgetMs) {
          await sleep(delay);
          continue;
        }
        // AWS errors are named by their classification; anything else (e.g. metrics) as thrown.
        const shown = error instanceof DrRunbookError || !(error instanceof Error) ? classified : error;
        report.sinksFailed.push({ sink, error: `${shown.name}: ${shown.message}` });
        return false;
      }
    }
  };
}

function publishSummary(report: RunReport, targets: ReportTargets, extra: string[] = []) {
  return awsCall({ resource: targets.topicArn, operation: 'publish the run summary' }, () =>
    targets.sns.send(
      new PublishCommand({
        TopicArn: targets.topicArn,
        Subject: `dr-runbook ${report.mode} ${report.plan}: ${report.outcome}`.slice(0, 99),
        Message: [summarize(report), ...extra].join('\n'),
      }),
    ),
  );
}

function recordHistory(report: RunReport, targets: ReportTargets) {
  return awsCall({ resource: targets.tableName, operation: 'record the run' }, () =>
    targets.dynamo.send(
      new PutItemCommand({
        TableName: targets.tableName,
        Item: {
          pk: { S: `RUN#${report.plan}` },
          sk: { S: `${report.startedAt}#${report.runId}` },
          mode: { S: report.mode },
          outcome: { S: report.outcome },
          record: { S: JSON.stringify(report) },
        },
      }),
    ),
  );
}

/** Metrics, then the history record (last: it lists every sink that failed), then the failure counts. */
async function finish(report: RunReport, targets: ReportTargets, attempt: Attempt): Promise<RunReport> {
  const { metrics } = targets;
  if (metrics) await attempt('metrics', async () => emitRunMetrics(metrics, report));
  await attempt('history', () => recordHistory(report, targets));
  if (metrics && report.sinksFailed.length > 0) {
    try {
      emitSinkFailures(metrics, report.plan, report.sinksFailed);
    } catch {
      // Metrics are what failed: the report (returned and logged) still names every failed sink.
    }
  }
  return report;
}

/**
 * Records a report built elsewhere (e.g. buildAbortedReport, by the cleanup) and notifies: SNS
 * summary, metrics, history record, each attempted on its own. Never throws for a sink: the
 * returned report's `sinksFailed` names those that failed.
 */
export async function recordAndNotify(report: RunReport, targets: ReportTargets): Promise<RunReport> {
  const attempt = sinkAttempts(report, targets);
  await attempt('sns', () => publishSummary(report, targets));
  return finish(report, targets, attempt);
}

// ---- Scheduled readiness checks notify when readiness fails or changes, not on every run.

/** The last scheduled readiness check's outcome, kept in the history table. */
export const readinessStateKey = (plan: string) => ({ pk: { S: `READINESS#${plan}` }, sk: { S: 'LAST' } });

interface LastReadiness {
  outcome: string;
  signature: string;
  runId?: string;
  reportedAt?: string;
}

async function readLastReadiness(report: RunReport, targets: ReportTargets) {
  const out = await awsCall(
    { resource: targets.tableName, operation: 'read the last scheduled readiness outcome' },
    () =>
      targets.dynamo.send(
        new GetItemCommand({
          TableName: targets.tableName,
          Key: readinessStateKey(report.plan),
          ConsistentRead: true,
        }),
      ),
  );
  const item = out.Item;
  if (!item?.outcome?.S) return undefined;
  return {
    outcome: item.outcome.S,
    signature: item.signature?.S ?? '',
    ...(item.runId?.S ? { runId: item.runId.S } : {}),
    ...(item.reportedAt?.S ? { reportedAt: item.reportedAt.S } : {}),
  } satisfies LastReadiness;
}

function writeLastReadiness(report: RunReport, signature: string, targets: ReportTargets) {
  return awsCall(
    { resource: targets.tableName, operation: 'keep the last scheduled readiness outcome' },
    () =>
      targets.dynamo.send(
        new PutItemCommand({
          TableName: targets.tableName,
          Item: {
            ...readinessStateKey(report.plan),
            outcome: { S: report.outcome },
            signature: { S: signature },
            runId: { S: report.runId },
            reportedAt: { S: report.reportedAt },
            problems: { S: JSON.stringify(report.readinessProblems) },
          },
        }),
      ),
  );
}

/**
 * A scheduled dry-run publishes only when its outcome or its problems changed since the last
 * scheduled check (the first one: when not ready). When the last outcome cannot be read it
 * publishes (better twice than never). The kept outcome moves on only once the change was published.
 */
async function notifyScheduledReadiness(
  report: RunReport,
  outcome: RunOutcomeInput,
  targets: ReportTargets,
  attempt: Attempt,
) {
  const signature = readinessSignature(outcome);
  const kept: { last?: LastReadiness } = {};
  const read = await attempt(
    'history',
    async () => {
      const found = await readLastReadiness(report, targets);
      if (found) kept.last = found;
    },
    'read the last scheduled readiness outcome (notified anyway)',
  );
  const { last } = kept;
  const unchanged = read && last?.outcome === report.outcome && last.signature === signature;
  const firstAndReady = read && last === undefined && report.outcome === 'ready';
  if (unchanged) return;
  const published =
    firstAndReady ||
    (await attempt('sns', () =>
      publishSummary(
        report,
        targets,
        last
          ? [
              `changed since the last scheduled check${last.runId ? ` (run ${last.runId}${last.reportedAt ? `, ${last.reportedAt}` : ''})` : ''}: was ${last.outcome}`,
            ]
          : [],
      ),
    ));
  if (published) {
    await attempt(
      'history',
      () => writeLastReadiness(report, signature, targets),
      'keep the last scheduled readiness outcome',
    );
  }
}

/**
 * Builds the report and delivers it: S3 report objects, SNS summary, metrics, history record, each
 * attempted (and retried) on its own. Never throws for a sink: `sinksFailed` names those that failed.
 */
export async function reportRun(
  plan: DrPlan,
  run: RunRecord,
  outcome: RunOutcomeInput,
  targets: ReportTargets,
  context: StepContext,
): Promise<RunReport> {
  const report = buildReport(plan, run, outcome, context.now());
  const attempt = sinkAttempts(report, targets);
  const { reports } = targets;
  if (reports) {
    await attempt('s3', async () => {
      const keys = await storeReport(reports.s3, reports.bucket, report, reports.renderers);
      report.storedAt = keys.map((key) => `s3://${reports.bucket}/${key}`);
    });
  }
  if (run.mode === 'dry-run' && run.trigger.type === 'schedule') {
    await notifyScheduledReadiness(report, outcome, targets, attempt);
  } else {
    await attempt('sns', () => publishSummary(report, targets));
  }
  return finish(report, targets, attempt);
}
