// Report: what the run achieved against the plan's objectives, kept in the history table and
// sent to the topic. Runs on success and on failure (then it names the failed step and why).
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { DrPlan } from '../../plan/schema.ts';
import { awsCall } from '../shared/aws-errors.ts';
import { secondsBetween } from '../shared/polling.ts';
import type { ReadinessResult, StepContext } from '../shared/step-contract.ts';
import type { RunRecord } from './execution-input.ts';
import type { Objective, RunOutcomeInput, RunReport } from './report-types.ts';
import { emitRunMetrics, type RunMetrics } from './run-metrics.ts';
import { buildRunTimeline } from './run-timeline.ts';
import { type ReportRenderers, storeReport } from './store-report.ts';

export type { Objective, RunOutcomeInput, RunReport } from './report-types.ts';

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

function objective(objectiveSeconds: number, achieved: number | null): Objective {
  return {
    objectiveSeconds,
    achievedSeconds: achieved,
    met: achieved === null ? null : achieved <= objectiveSeconds,
  };
}

/** Recovery happens in parallel, then traffic: the slower of database and compute, plus traffic. */
export function predictRtoSeconds(readiness: ReadinessResult[] | undefined): number | null {
  if (!readiness?.length) return null;
  const of = (family: string) => readiness.find((r) => r.family === family)?.predictedSeconds ?? 0;
  return Math.max(of('database'), of('compute')) + of('traffic');
}

export function buildReport(plan: DrPlan, run: RunRecord, outcome: RunOutcomeInput, now: Date): RunReport {
  const rtoAchieved = outcome.verification
    ? secondsBetween(run.incidentStartedAt, outcome.verification.verifiedAt)
    : null;
  const database = outcome.results?.database;
  const rpoMeasured = database?.measurements?.rpoSeconds;
  const rpoAchieved = typeof rpoMeasured === 'number' ? rpoMeasured : null;
  const readinessProblems = (outcome.readiness ?? []).flatMap((r) =>
    r.checks.filter((c) => c.status === 'fail').map((c) => `${r.family}/${c.name}: ${c.detail}`),
  );
  const failure = outcome.failure ?? outcome.revertFailure;
  const failed = failure !== undefined;
  const succeeded = !failed && (run.mode === 'dry-run' || outcome.verification !== undefined);
  return {
    plan: plan.name,
    runId: run.id,
    mode: run.mode,
    outcome:
      run.mode === 'dry-run' && !failed
        ? readinessProblems.length
          ? 'not-ready'
          : 'ready'
        : succeeded
          ? 'succeeded'
          : 'failed',
    trigger: run.trigger.type,
    incidentStartedAt: run.incidentStartedAt,
    startedAt: run.startedAt,
    reportedAt: now.toISOString(),
    predictedRtoSeconds: predictRtoSeconds(outcome.readiness),
    rto: objective(plan.objectives.rtoMinutes * 60, rtoAchieved),
    rpo: objective(plan.objectives.rpoSeconds, rpoAchieved),
    ...(failure ? { failedStep: failure.step, cause: describeCause(failure.Error, failure.Cause) } : {}),
    ...(outcome.failure && outcome.revertFailure
      ? { revertProblem: describeCause(outcome.revertFailure.Error, outcome.revertFailure.Cause) }
      : {}),
    readinessProblems,
    changes: [outcome.results?.database, outcome.results?.compute, outcome.switch?.traffic].flatMap(
      (r) => r?.changes ?? [],
    ),
    timeline: buildRunTimeline(run, outcome, now),
    reverted: [outcome.revert?.traffic, outcome.revert?.compute, outcome.revert?.database].flatMap(
      (r) => r?.changes ?? [],
    ),
    ...(run.mode === 'failover' && succeeded
      ? { cooldownUntil: new Date(now.getTime() + plan.triggers.cooldownMinutes * 60_000).toISOString() }
      : {}),
  };
}

export function summarize(report: RunReport): string {
  const secs = (o: Objective) =>
    o.achievedSeconds === null
      ? 'not measured'
      : `${Math.round(o.achievedSeconds)} s (objective ${o.objectiveSeconds} s, ${o.met ? 'met' : 'MISSED'})`;
  return [
    `dr-runbook ${report.mode} of "${report.plan}" ${report.outcome.toUpperCase()} (run ${report.runId})`,
    `RTO: ${secs(report.rto)}`,
    `RPO: ${secs(report.rpo)}`,
    ...(report.failedStep ? [`failed at ${report.failedStep}: ${report.cause}`] : []),
    ...(report.revertProblem ? [`the drill could not be reverted either: ${report.revertProblem}`] : []),
    ...report.readinessProblems.map((p) => `readiness: ${p}`),
    ...report.changes.map((c) => `changed ${c.resource}: ${c.action} (${c.detail})`),
    ...(report.storedAt?.length
      ? [`report: ${report.storedAt.find((u) => u.endsWith('.html')) ?? report.storedAt[0]}`]
      : []),
  ].join('\n');
}

export interface ReportTargets {
  dynamo: DynamoDBClient;
  sns: SNSClient;
  tableName: string;
  topicArn: string;
  /** Where rendered reports are kept (absent: not stored, e.g. an older deployment). */
  reports?: { s3: S3Client; bucket: string; renderers?: ReportRenderers };
  metrics?: RunMetrics;
}

/** Builds the report, stores it, records it in the history table, emits metrics, publishes the summary. */
export async function reportRun(
  plan: DrPlan,
  run: RunRecord,
  outcome: RunOutcomeInput,
  targets: ReportTargets,
  context: StepContext,
): Promise<RunReport> {
  const report = buildReport(plan, run, outcome, context.now());
  if (targets.reports) {
    const { s3, bucket, renderers } = targets.reports;
    report.storedAt = (await storeReport(s3, bucket, report, renderers)).map(
      (key) => `s3://${bucket}/${key}`,
    );
  }
  await awsCall({ resource: targets.tableName, operation: 'record the run' }, () =>
    targets.dynamo.send(
      new PutItemCommand({
        TableName: targets.tableName,
        Item: {
          pk: { S: `RUN#${plan.name}` },
          sk: { S: `${run.startedAt}#${run.id}` },
          mode: { S: run.mode },
          outcome: { S: report.outcome },
          record: { S: JSON.stringify(report) },
        },
      }),
    ),
  );
  await awsCall({ resource: targets.topicArn, operation: 'publish the run summary' }, () =>
    targets.sns.send(
      new PublishCommand({
        TopicArn: targets.topicArn,
        Subject: `dr-runbook ${run.mode} ${plan.name}: ${report.outcome}`.slice(0, 99),
        Message: summarize(report),
      }),
    ),
  );
  if (targets.metrics) emitRunMetrics(targets.metrics, report);
  return report;
}
