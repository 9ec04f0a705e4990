// `dr-runbook simulate`: the whole runbook on a laptop. Starts moto, seeds the two-region
// environment the plan describes, synthesizes the CDK app, and executes the real state machine
// definition with aws-local-stepfunctions; every step runs its real handler in-process and every
// SDK call goes over HTTP to the emulator. Prints live progress, then the report.
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { renderMarkdown, type TimelineRow } from '../functions/runbook/render-markdown.ts';
import type { RunReport } from '../functions/runbook/report.ts';
import { setClientCustomizer } from '../functions/shared/clients.ts';
import type { Mode } from '../functions/shared/step-contract.ts';
import { STEP_FAMILIES } from '../infra/step-function.ts';
import type { DrPlan } from '../plan/schema.ts';
import {
  AdapterLog,
  activateRun,
  deactivateRun,
  type EmulatorScenario,
  emulatorAdapters,
} from './emulator-adapters.ts';
import { differences, readEnvironment } from './environment-state.ts';
import { extractRunbook } from './extract-definition.ts';
import { answersAsMoto, type RunningMoto, startMoto } from './moto-server.ts';
import { progressPrinter } from './progress.ts';
import { type LocalRunResult, runLocally } from './run-local.ts';
import { ensureRunbookResources, type RunbookResources } from './runbook-resources.ts';
import { seedEnvironment } from './seed.ts';
import { simulatedApplicationFetch } from './simulated-app.ts';
import { synthesizeRunbook } from './synthesize.ts';
import {
  type LambdaHandler,
  type LocalTaskHandler,
  localLambdaContext,
  localTaskHandlers,
} from './task-handlers.ts';
import { buildTimeline } from './timeline.ts';

export const SCENARIOS = ['none', 'region-outage'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface SimulateOptions {
  readonly plan: DrPlan;
  readonly mode: Mode;
  readonly scenario: Scenario;
  /** Use this emulator (or account endpoint) instead of starting moto. */
  readonly endpoint?: string;
  /** Create the application's resources first. @default true */
  readonly seed: boolean;
  /** Real milliseconds each Wait state pauses (operations in the emulator complete at once). @default 50 */
  readonly waitMilliseconds?: number;
  readonly write: (line: string) => void;
}

export interface SimulationResult {
  readonly run: LocalRunResult;
  readonly report: RunReport | undefined;
  readonly timeline: TimelineRow[];
  /** Emulator gaps that were adapted, and what a drill left behind. */
  readonly notes: string[];
  readonly markdown: string;
  readonly plan: DrPlan;
  readonly endpoint: string;
}

/** The report the run's Report step recorded in the history table. */
async function recordedReport(
  plan: DrPlan,
  tableName: string,
  runId: string,
): Promise<RunReport | undefined> {
  const dynamo = new DynamoDBClient({ region: plan.regions.recovery });
  const out = await dynamo.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: `RUN#${plan.name}` } },
    }),
  );
  const item = (out.Items ?? []).find((i) => i.sk?.S?.endsWith(`#${runId}`));
  return item?.record?.S ? (JSON.parse(item.record.S) as RunReport) : undefined;
}

/**
 * The approval gate in a simulation: the real request is published (to the emulated topic), then
 * the simulation answers for the person, and says so.
 */
function approveInSimulation(
  handlers: Record<string, LambdaHandler>,
  write: (line: string) => void,
  notes: string[],
): LocalTaskHandler {
  return async (input) => {
    const payload = (input as { Payload?: unknown }).Payload ?? input;
    await handlers.runbook?.(payload, localLambdaContext('dr-runbook-runbook'));
    write('          … approval requested on the topic; the simulation approves it');
    notes.push('the plan requires approval: the request was published and the simulation approved it');
    return { approved: true, approvedBy: 'dr-runbook simulate' };
  };
}

function executionInput(plan: DrPlan, mode: Mode): Record<string, string> {
  return {
    mode,
    reason: `dr-runbook simulate (${mode})`,
    requestedBy: process.env.USER ?? 'dr-runbook-simulate',
    ...(mode === 'failover' ? { confirm: plan.name } : {}),
  };
}

export async function simulate(options: SimulateOptions): Promise<SimulationResult> {
  const { write } = options;
  const started = Date.now();
  let moto: RunningMoto | undefined;
  const realFetch = globalThis.fetch;
  try {
    let endpoint = options.endpoint;
    if (!endpoint) {
      write('Starting the moto AWS emulator…');
      moto = await startMoto();
      endpoint = moto.endpoint;
    }
    write(`Emulator: ${endpoint}`);
    const emulated = await answersAsMoto(endpoint, 2000);
    process.env.AWS_ENDPOINT_URL = endpoint;
    process.env.AWS_ACCESS_KEY_ID ??= 'test';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
    // The steps' own logs and metrics would drown the progress: the report says what happened.
    process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
    process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

    let plan = options.plan;
    const created: string[] = [];
    let resources: RunbookResources;
    if (options.seed) {
      write(
        `Seeding the ${plan.regions.primary} → ${plan.regions.recovery} environment of plan "${plan.name}"…`,
      );
      const seeded = await seedEnvironment(plan, endpoint);
      plan = seeded.plan;
      resources = seeded.resources;
      created.push(...seeded.created);
    } else {
      resources = await ensureRunbookResources(plan, endpoint, created);
    }
    for (const line of created) write(`  + ${line}`);

    const scenario: EmulatorScenario = { moto: emulated };
    const log = new AdapterLog();
    setClientCustomizer(emulatorAdapters);
    activateRun(scenario, log);
    if (emulated) globalThis.fetch = simulatedApplicationFetch(plan, endpoint);
    process.env.HISTORY_TABLE_NAME = resources.tableName;
    process.env.TOPIC_ARN = resources.topicArn;
    process.env.REPORTS_BUCKET = resources.reportsBucket;
    // moto serves buckets by path, not by virtual host name.
    process.env.DR_RUNBOOK_S3_PATH_STYLE = 'true';

    write('Synthesizing the CDK app and extracting the state machine…');
    const { template } = await synthesizeRunbook({ plan });
    const extracted = extractRunbook(template, plan.regions.recovery, { tableName: resources.tableName });
    const lambdaHandlers: Record<string, LambdaHandler> = {};
    for (const family of STEP_FAMILIES) {
      lambdaHandlers[family] = (await import(`../functions/${family}/handler.ts`)).handler as LambdaHandler;
    }
    const before = await readEnvironment(plan, endpoint, resources.tableName);

    if (options.scenario === 'region-outage') {
      scenario.outageRegion = plan.regions.primary;
      write(`Scenario region-outage: every request to ${plan.regions.primary} now fails.`);
    }
    const notes: string[] = [];
    const executionName = `${options.mode}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    write('');
    write(`Running a ${options.mode.toUpperCase()} of "${plan.name}" (execution ${executionName})`);
    const t0 = Date.now();
    const run = await runLocally({
      definition: extracted.definition,
      input: executionInput(plan, options.mode),
      executionName,
      taskHandlers: localTaskHandlers({
        extracted,
        lambdaHandlers,
        dynamo: new DynamoDBClient({ region: plan.regions.recovery }),
        stateOverrides: { WaitForApproval: approveInSimulation(lambdaHandlers, write, notes) },
      }),
      waitMilliseconds: options.waitMilliseconds ?? 50,
      onEvent: progressPrinter(extracted.definition, write, t0),
    });
    scenario.outageRegion = undefined;

    const timeline = buildTimeline(extracted.definition, run.events).map((e) => ({
      step: e.step,
      startMs: e.start - t0,
      endMs: e.end - t0,
      outcome: e.outcome,
    }));
    // The local event log times every state exactly; rows are in time since the run started.
    const runId = executionName;
    const report = await recordedReport(plan, resources.tableName, runId);
    const after = await readEnvironment(plan, endpoint, resources.tableName);
    notes.push(...log.notes);
    if (log.blockedRequests > 0)
      notes.push(`${log.blockedRequests} request(s) to ${plan.regions.primary} failed (simulated outage)`);
    if (options.scenario === 'region-outage') {
      notes.push(
        `region-outage: the run made no request to ${plan.regions.primary} (${log.blockedRequests} blocked)`,
      );
    }
    const changed = differences(before, after);
    if (options.mode === 'drill' || options.mode === 'dry-run') {
      notes.push(
        changed.length === 0
          ? `nothing left behind: the environment after the ${options.mode} equals the one before`
          : `left behind by the ${options.mode}: ${changed.join('; ')}`,
      );
    } else {
      for (const change of changed) notes.push(`changed: ${change}`);
    }
    notes.push(
      `wall time ${((Date.now() - started) / 1000).toFixed(1)} s (run ${((Date.now() - t0) / 1000).toFixed(1)} s)`,
    );
    const markdown = report
      ? renderMarkdown(report, timeline, notes)
      : `# dr-runbook ${options.mode} of \`${plan.name}\`: ${run.status}\n\nNo report was recorded (${run.error}: ${run.cause}).\n\n${notes.map((n) => `- ${n}`).join('\n')}\n`;
    return { run, report, timeline, notes, markdown, plan, endpoint };
  } finally {
    globalThis.fetch = realFetch;
    deactivateRun();
    if (moto) await moto.stop();
  }
}
