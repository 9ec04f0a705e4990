// The runbook's own Lambda: validates the execution input, verifies the recovery and reports.
// One job per action; each is a pure function in its own file.
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import middy from '@middy/core';
import type { DrPlan } from '../../plan/schema.ts';
import type { DeadRun } from '../lock/cleanup.ts';
import { markAwaitingApproval } from '../lock/lock.ts';
import { clientsPerRegion } from '../shared/clients.ts';
import type { StepContext } from '../shared/step-contract.ts';
import { validateExecutionInput } from './execution-input.ts';
import { renderHtml } from './render-html.ts';
import {
  buildAbortedReport,
  type ReportSummary,
  type ReportTargets,
  recordAndNotify,
  reportRun,
  reportSummary,
} from './report.ts';
import { requestApproval } from './request-approval.ts';
import { parseRunbookEvent, type RunbookEvent } from './runbook-event.ts';
import type { ReportRenderers } from './store-report.ts';
import { verifyRecovery } from './verify.ts';

const logger = new Logger({ serviceName: 'dr-runbook', persistentKeys: { family: 'runbook' } });
const metrics = new Metrics({ namespace: 'DrRunbook', serviceName: 'dr-runbook' });

const clientsFor = clientsPerRegion((config) => ({
  cloudWatch: new CloudWatchClient(config),
  dynamo: new DynamoDBClient(config),
  sns: new SNSClient(config),
  // Local emulators serve buckets by path; AWS by virtual host (the default).
  s3: new S3Client({ ...config, forcePathStyle: process.env.DR_RUNBOOK_S3_PATH_STYLE === 'true' }),
}));

/** Formats the report step stores besides JSON and Markdown. */
const REPORT_RENDERERS: ReportRenderers = { html: (report) => renderHtml(report) };

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(
      `environment variable ${name} is not set: deploy the function with the DisasterRecoveryRunbook construct`,
    );
  return value;
}

type Clients = ReturnType<typeof clientsFor>;

function reportTargets(clients: Clients): ReportTargets {
  const bucket = process.env.REPORTS_BUCKET;
  return {
    dynamo: clients.dynamo,
    sns: clients.sns,
    tableName: requiredEnv('HISTORY_TABLE_NAME'),
    topicArn: requiredEnv('TOPIC_ARN'),
    ...(bucket ? { reports: { s3: clients.s3, bucket, renderers: REPORT_RENDERERS } } : {}),
    metrics,
  };
}

/** The record of a run that died without its tail: history and topic, each on its own. */
async function recordAborted(
  plan: DrPlan,
  dead: DeadRun & { preemptedBy?: string },
  clients: Clients,
  context: StepContext,
) {
  const report = buildAbortedReport(
    plan,
    {
      runId: dead.runId,
      mode: dead.mode,
      startedAt: dead.startedAt ?? context.now().toISOString(),
      status: dead.status as 'ABORTED' | 'TIMED_OUT' | 'FAILED',
      ...(dead.preemptedBy ? { preemptedBy: dead.preemptedBy } : {}),
    },
    context.now(),
  );
  const stored = await recordAndNotify(report, reportTargets(clients));
  return !stored.sinksFailed.some((failure) => failure.sink === 'history');
}

/** Runs one runbook action; exported for the local runner and tests. */
export async function runRunbookAction(
  event: RunbookEvent,
  context: StepContext = { now: () => new Date() },
) {
  const clients = clientsFor(event.plan.regions.recovery);
  switch (event.action) {
    case 'record-aborted':
      return { recorded: await recordAborted(event.plan, event.dead, clients, context) };
    case 'validate-input':
      return validateExecutionInput(event.input, event.plan, event.execution);
    case 'request-approval':
      // While it waits for a person, a failover may preempt this run (nothing is touched yet).
      await markAwaitingApproval(event.plan, event.run, true, {
        dynamo: clients.dynamo,
        tableName: requiredEnv('HISTORY_TABLE_NAME'),
      });
      return requestApproval(event.plan, event.run, event.gate, event.taskToken, {
        sns: clients.sns,
        topicArn: requiredEnv('TOPIC_ARN'),
      });
    case 'verify':
      return verifyRecovery(event.plan, event.run.mode, { cloudWatch: clients.cloudWatch, fetch }, context);
    case 'report': {
      // Never throws for a sink: the report names those that failed, and so does the log.
      const report = await reportRun(event.plan, event.run, event.outcome, reportTargets(clients), context);
      for (const failure of report.sinksFailed) {
        logger.error('report sink failed', { runId: report.runId, sink: failure.sink, error: failure.error });
      }
      return reportSummary(report);
    }
  }
}

export const handler = middy(async (raw: unknown) => {
  const event = parseRunbookEvent(raw);
  logger.appendKeys({ plan: event.plan.name, action: event.action });
  metrics.addDimensions({ action: event.action });
  metrics.addMetric('RunbookAction', MetricUnit.Count, 1);
  const result = await runRunbookAction(event);
  if (event.action === 'report' && result && 'outcome' in result) {
    // One line per run: the dashboard's "Recent runs" widget queries these.
    const report = result as ReportSummary;
    logger.info('run reported', {
      runId: report.runId,
      mode: report.mode,
      outcome: report.outcome,
      rtoSeconds: report.rto.achievedSeconds,
      rpoSeconds: report.rpo.achievedSeconds,
    });
  }
  return result;
})
  .use(injectLambdaContext(logger, { clearState: true }))
  .use(logMetrics(metrics));
