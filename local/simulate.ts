// `dr-runbook simulate`: the whole runbook on a laptop. Starts moto, seeds the two-region
// environment the plan describes, synthesizes the CDK app, and executes the real state machine
// definition with aws-local-stepfunctions; every step runs its real handler in-process and every
// SDK call goes over HTTP to the emulator. Prints live progress, then the report.
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { renderMarkdown, type TimelineRow } from '../functions/runbook/render-markdown.ts';
import type { RunReport } from '../functions/runbook/report.ts';
import { setClientCustomizer } from '../functions/shared/clients.ts';
import { setDnsResolver } from '../functions/shared/dns.ts';
import type { Mode } from '../functions/shared/step-contract.ts';
import { STEP_FAMILIES } from '../infra/step-function.ts';
import { drillNameOf } from '../plan/resources/traffic-names.ts';
import type { DrPlan } from '../plan/schema.ts';
import { approvalSteps, planSteps, resourcesOf } from '../plan/steps.ts';
import { stepStateName } from '../state-machines/runbook-definition.ts';
import { resetArcCluster } from './arc-cluster.ts';
import {
  AdapterLog,
  activateRun,
  deactivateRun,
  type EmulatorScenario,
  emulatorAdapters,
  type FaultInjector,
  outageLabels,
} from './emulator-adapters.ts';
import { differences, readEnvironment } from './environment-state.ts';
import { extractRunbook, LOCAL_ACCOUNT } from './extract-definition.ts';
import { simulatedDns } from './health-check-failover.ts';
import { simulatedHook } from './hook-functions.ts';
import { localLambdaContext } from './lambda-context.ts';
import { LocalExecutions } from './local-executions.ts';
import { answersAsMoto, type RunningMoto, startMoto } from './moto-server.ts';
import { progressPrinter } from './progress.ts';
import type { EventLog, LocalRunResult } from './run-local.ts';
import { ensureRunbookResources, type RunbookResources } from './runbook-resources.ts';
import { seedEnvironment, seedReplicasCaughtUp } from './seed.ts';
import { simulatedApplicationFetch } from './simulated-app.ts';
import { synthesizeTemplate } from './synthesize.ts';
import { type LambdaHandler, type LocalTaskHandler, localTaskHandlers } from './task-handlers.ts';
import { buildTimeline } from './timeline.ts';

/**
 * - region-outage: every request to the primary region's endpoints fails, and, when the primary is
 *   us-east-1, to the global control planes served from there (Route 53's API); the failover must
 *   still complete, or fail at the step that depends on what is down, saying so.
 * - route53-control-plane-outage: only Route 53's API fails (the data plane, DNS, still answers).
 * - failover-during-drill: a drill starts; while it is in Recover a failover arrives, preempts it
 *   and must succeed; the drill's cleanup removes only what is drill-only.
 * - killed-run: a drill is killed in the middle of Recover (no tail runs); the next failover must
 *   take over its lock at once and succeed; the dead drill's leftovers are reverted.
 */
export const SCENARIOS = [
  'none',
  'region-outage',
  'route53-control-plane-outage',
  'failover-during-drill',
  'killed-run',
] as const;

/** The global control planes served from us-east-1 (SDK service ids) that go down with it. */
const US_EAST_1_CONTROL_PLANES = ['Route 53'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface SimulateOptions {
  readonly plan: DrPlan;
  readonly mode: Mode | 'revert';
  /** The run a `revert` undoes (what a drill left behind, found by its run id). */
  readonly revertRunId?: string;
  readonly scenario: Scenario;
  /** Use this emulator (or account endpoint) instead of starting moto. */
  readonly endpoint?: string;
  /** Create the application's resources first. @default true */
  readonly seed: boolean;
  /** Real milliseconds each Wait state pauses (operations in the emulator complete at once). @default 50 */
  readonly waitMilliseconds?: number;
  readonly write: (line: string) => void;
  /** Faults between the SDK and the emulator, for tests only (reported in the notes). */
  readonly faults?: FaultInjector;
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

/** The runbook's ARN in the simulated account (executions are named under it). */
function localStateMachineArn(plan: DrPlan): string {
  return `arn:aws:states:${plan.regions.recovery}:${LOCAL_ACCOUNT}:stateMachine:dr-runbook-${plan.name}`;
}

function executionInput(plan: DrPlan, mode: Mode | 'revert', runId?: string): Record<string, string> {
  return {
    mode,
    ...(mode === 'revert' && runId ? { runId } : {}),
    reason: `dr-runbook simulate (${mode})`,
    requestedBy: process.env.USER ?? 'dr-runbook-simulate',
    ...(mode === 'failover' || mode === 'switchover' ? { confirm: plan.name } : {}),
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
      // A switchover starts with the replicas caught up (the writes stopped): lag 0, not 3 s.
      const seeded = await seedEnvironment(
        plan,
        endpoint,
        options.mode === 'switchover' ? { replicaLagSeconds: 0 } : {},
      );
      plan = seeded.plan;
      resources = seeded.resources;
      created.push(...seeded.created);
    } else {
      resources = await ensureRunbookResources(plan, endpoint, created);
    }
    for (const line of created) write(`  + ${line}`);

    write('Synthesizing the CDK app and extracting the state machine…');
    // Before the adapters and the simulated application's fetch are installed: the synth may ask a
    // service (local/synthesize.ts).
    const template = await synthesizeTemplate({ plan });

    const scenario: EmulatorScenario = {
      moto: emulated,
      ...(options.faults ? { inject: options.faults } : {}),
      globalTables: Object.fromEntries(
        resourcesOf(plan, 'database').flatMap((r) =>
          r.type === 'dynamodb-global-table'
            ? [[r.tableName, [plan.regions.primary, plan.regions.recovery]]]
            : [],
        ),
      ),
      // The plan's hooks run as a local stand-in of the user's function (moto needs Docker for Lambda).
      ...(resourcesOf(plan, 'hook').length > 0
        ? { hooks: (_arn: string, payload: unknown) => simulatedHook(payload) }
        : {}),
    };
    // moto has no ARC: the plan's routing controls start as a protected application has them.
    for (const line of resetArcCluster(plan)) write(`  + ${line}`);
    const log = new AdapterLog();
    setClientCustomizer(emulatorAdapters);
    activateRun(scenario, log);
    if (emulated) {
      globalThis.fetch = simulatedApplicationFetch(plan, endpoint);
      setDnsResolver(simulatedDns(plan, endpoint));
    }
    process.env.HISTORY_TABLE_NAME = resources.tableName;
    process.env.TOPIC_ARN = resources.topicArn;
    process.env.REPORTS_BUCKET = resources.reportsBucket;
    // moto serves buckets by path, not by virtual host name.
    process.env.DR_RUNBOOK_S3_PATH_STYLE = 'true';

    const extracted = extractRunbook(template, plan.regions.recovery, { tableName: resources.tableName });
    const lambdaHandlers: Record<string, LambdaHandler> = {};
    for (const family of STEP_FAMILIES) {
      lambdaHandlers[family] = (await import(`../functions/${family}/handler.ts`)).handler as LambdaHandler;
    }
    const before = await readEnvironment(plan, endpoint, resources.tableName);

    if (options.scenario === 'region-outage') {
      scenario.outageRegion = plan.regions.primary;
      if (plan.regions.primary === 'us-east-1') scenario.outageServices = US_EAST_1_CONTROL_PLANES;
      write(
        `Scenario region-outage: every request to ${plan.regions.primary} now fails${plan.regions.primary === 'us-east-1' ? ", and to Route 53's API (a global control plane served from us-east-1)" : ''}.`,
      );
    }
    if (options.scenario === 'route53-control-plane-outage') {
      scenario.outageServices = ['Route 53'];
      write(
        "Scenario route53-control-plane-outage: every request to Route 53's API now fails (DNS still answers).",
      );
    }
    const blocked = outageLabels(scenario);
    const notes: string[] = [];
    const firstStep = planSteps(plan).find((step) => step.kind === 'resources');
    const recoveryStarts = firstStep ? stepStateName(firstStep) : 'Verify';
    const firstDatabase = resourcesOf(plan, 'database')[0] ?? plan.resources[0];
    const killAt = `${firstDatabase?.id}.Start`;
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const twoRuns = options.scenario === 'failover-during-drill' || options.scenario === 'killed-run';
    const mode = twoRuns ? 'failover' : options.mode;
    const executionName = `${mode}-${stamp}`;
    const drillName = `drill-${stamp}`;
    write('');
    const t0 = Date.now();
    const printers = new Map<string, (event: EventLog) => void>();
    let second: Promise<unknown> | undefined;
    const executions: LocalExecutions = new LocalExecutions({
      definition: extracted.definition,
      stateMachineArn: localStateMachineArn(plan),
      waitMilliseconds: options.waitMilliseconds ?? 50,
      taskHandlers: () =>
        localTaskHandlers({
          extracted,
          lambdaHandlers,
          dynamo: new DynamoDBClient({ region: plan.regions.recovery }),
          stateOverrides: Object.fromEntries(
            approvalSteps(plan).map((step) => [
              `${stepStateName(step)}.WaitForApproval`,
              approveInSimulation(lambdaHandlers, write, notes),
            ]),
          ),
        }),
      onStart: (execution) => {
        const label = execution.cleanupOf
          ? 'cleanup'
          : twoRuns && execution.name === drillName
            ? 'drill'
            : undefined;
        if (execution.cleanupOf)
          write(`          ⟲ ${execution.name}: the execution-status rule starts a cleanup run`);
        printers.set(
          execution.name,
          progressPrinter(extracted.definition, label ? (line) => write(`${line}  [${label}]`) : write, t0),
        );
      },
      onEvent: (execution, event) => {
        printers.get(execution.name)?.(event);
        if (!twoRuns || execution.name !== drillName || second) return;
        // Killed once the drill's first temporary database exists; preempted as recovery begins.
        const at =
          options.scenario === 'killed-run' ? ['StateExited', killAt] : ['StateEntered', recoveryStarts];
        if (event.type !== at[0] || !('state' in event) || event.state.name !== at[1]) return;
        if (options.scenario === 'killed-run') {
          write(`          ✗ the drill is killed in the middle of Recover (no tail runs)`);
          executions.stop(execution.arn, 'killed by dr-runbook simulate --scenario killed-run');
        }
        second = startFailover();
      },
    });
    scenario.executions = executions;
    let failoverStartedAt = 0;
    const startFailover = async () => {
      write(`          ▶ a FAILOVER of "${plan.name}" arrives (execution ${executionName})`);
      failoverStartedAt = Date.now();
      return executions.start(executionName, executionInput(plan, 'failover')).done;
    };
    if (twoRuns) {
      write(`Running a DRILL of "${plan.name}" (execution ${drillName}); scenario ${options.scenario}`);
      executions.start(drillName, executionInput(plan, 'drill'));
    } else {
      if (mode === 'switchover') {
        // What the operator does before a switchover (the runbook does not stop writes yet): each
        // replica caught up, on a fresh datapoint. Said in the run's notes.
        for (const line of await seedReplicasCaughtUp(plan, endpoint)) {
          write(`  + ${line}`);
          notes.push(line);
        }
      }
      write(`Running a ${mode.toUpperCase()} of "${plan.name}" (execution ${executionName})`);
      executions.start(executionName, executionInput(plan, mode, options.revertRunId));
    }
    // The main run is the failover in the two-run scenarios: wait until it exists, then for all.
    await executions.settled();
    if (twoRuns && !second) {
      throw new Error(
        `scenario ${options.scenario}: the drill never reached ${options.scenario === 'killed-run' ? killAt : recoveryStarts}`,
      );
    }
    await executions.settled();
    const main = executions.list().find((e) => e.name === executionName);
    if (!main) throw new Error(`the ${mode} execution ${executionName} never started`);
    const run = await main.done;
    if (twoRuns) {
      const drill = executions.list().find((e) => e.name === drillName);
      const took = ((main.stoppedAt?.getTime() ?? Date.now()) - failoverStartedAt) / 1000;
      notes.push(
        `scenario ${options.scenario}: the drill ended ${drill?.status}; the failover ${run.status} ${took.toFixed(1)} s after it arrived`,
      );
      const cleanups = executions.list().filter((e) => e.cleanupOf);
      notes.push(
        `cleanup runs started by the execution-status rule: ${cleanups.map((e) => `${e.name} ${e.status}`).join(', ') || 'none'}`,
      );
    }
    if (executions.runaway)
      notes.push('cleanup runs kept starting each other: stopped after a bound (a bug)');
    scenario.outageRegion = undefined;
    scenario.outageServices = undefined;

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
    if (log.injectedFaults > 0)
      notes.push(`${log.injectedFaults} request(s) failed by the test's fault injector`);
    if (options.scenario === 'region-outage' || options.scenario === 'route53-control-plane-outage') {
      // Every blocked endpoint is named, with how many requests it refused (0 included).
      const refused = blocked.map((what) => `${log.blockedBy.get(what) ?? 0} to ${what}`).join(', ');
      notes.push(
        `${options.scenario}: ${log.blockedRequests} request(s) refused: ${refused}${log.blockedRequests === 0 ? ' (the run asked nothing of what was down)' : ''}`,
      );
    } else if (log.blockedRequests > 0) {
      notes.push(`${log.blockedRequests} request(s) failed (simulated outage)`);
    }
    const changed = differences(before, after);
    if (twoRuns) {
      const drillRecords = resourcesOf(plan, 'traffic').flatMap((t) => [
        ...(drillNameOf(t) ? [drillNameOf(t) as string] : []),
        ...(t.type === 'arc-routing-control' && t.drillRoutingControlArn ? [t.drillRoutingControlArn] : []),
      ]);
      const drillOnly = changed.filter(
        (c) => c.includes(`drill-${plan.name}-`) || drillRecords.some((name) => c.includes(name)),
      );
      notes.push(
        drillOnly.length === 0
          ? 'nothing drill-only left behind (temporary database, drill record)'
          : `left behind by the drill: ${drillOnly.join('; ')}`,
      );
      for (const change of changed.filter((c) => !drillOnly.includes(c))) notes.push(`changed: ${change}`);
    } else if (mode === 'drill' || mode === 'dry-run') {
      notes.push(
        changed.length === 0
          ? `nothing left behind: the environment after the ${mode} equals the one before`
          : `left behind by the ${mode}: ${changed.join('; ')}`,
      );
    } else {
      for (const change of changed) notes.push(`changed: ${change}`);
    }
    notes.push(
      `wall time ${((Date.now() - started) / 1000).toFixed(1)} s (run ${((Date.now() - t0) / 1000).toFixed(1)} s)`,
    );
    const markdown = report
      ? renderMarkdown(report, timeline, notes)
      : `# dr-runbook ${mode} of \`${plan.name}\`: ${run.status}\n\nNo report was recorded (${run.error}: ${run.cause}).\n\n${notes.map((n) => `- ${n}`).join('\n')}\n`;
    return { run, report, timeline, notes, markdown, plan, endpoint };
  } finally {
    globalThis.fetch = realFetch;
    setDnsResolver(undefined);
    deactivateRun();
    if (moto) await moto.stop();
  }
}
