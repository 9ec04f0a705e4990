// `npm run bench`: the runbook's RTO overhead against the lower bound and against the common
// design, its cost in state transitions, and the cold start of its Lambda bundles. Prints a table
// and `name=value` lines, and writes bench/results.json.
import './env.ts';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DRILL_RESTORE_EXPECTED_SECONDS } from '../functions/shared/deadlines.ts';
import { biggestPlan, biggestPlanEnvironment } from '../test/runbook/biggest-plan.ts';
import { installFakeAws } from '../test/runbook/fake-aws.ts';
import { largestStateKib } from '../test/runbook/state-size.ts';
import { BASELINE_SCHEDULE, baselineFailover } from './baseline.ts';
import { sdkControlPlane } from './baseline-control-plane.ts';
import { type BenchCase, benchCases, DRAWN_RANGES, DRAWN_SEED, FIXED_CASES } from './cases.ts';
import { cdkBundles, measureColdStarts } from './cold-start.ts';
import { LATENCY, lowerBoundSeconds, overheadRatio } from './lower-bound.ts';
import { type BenchResults, type CaseResult, render } from './report.ts';
import { VirtualClock } from './virtual-clock.ts';
import { type BenchRunbook, runInVirtualTime, VIRTUAL_START, warmStandbyRunbook } from './virtual-runbook.ts';

const RESULTS_FILE = fileURLToPath(new URL('./results.json', import.meta.url));
/** Fresh Node processes per bundle; the median is reported. */
const IMPORT_RUNS = 7;

const FAILOVER_INPUT = { mode: 'failover', confirm: 'shop', trigger: { type: 'console' } } as const;

const timingOf = (c: BenchCase) => ({
  promotionSeconds: c.promotionSeconds,
  launchSeconds: c.launchSeconds,
  syncSeconds: c.syncSeconds,
});

async function runbookFailover(runbook: BenchRunbook, c: BenchCase) {
  const run = await runInVirtualTime(runbook, {
    input: FAILOVER_INPUT,
    timing: timingOf(c),
    latency: LATENCY,
    executionName: `bench-${c.id}`,
  });
  const report = (run.output as { report?: { rto?: { achievedSeconds?: unknown } } } | undefined)?.report;
  const rtoSeconds = report?.rto?.achievedSeconds;
  if (run.status !== 'SUCCEEDED' || typeof rtoSeconds !== 'number')
    throw new Error(`failover ${c.id} did not recover: ${run.error ?? ''} ${run.cause ?? ''}`);
  return { rtoSeconds, transitions: run.transitions, lambdaInvocations: run.lambdaInvocations };
}

async function baselineRto(runbook: BenchRunbook, c: BenchCase): Promise<number> {
  const clock = new VirtualClock(VIRTUAL_START);
  installFakeAws(runbook.environment, runbook.extracted.tableName, new Date(VIRTUAL_START), {
    ...timingOf(c),
    now: () => new Date(clock.now()),
  });
  const controlPlane = sdkControlPlane(runbook.plan, clock, LATENCY.lambdaSeconds);
  return clock.run(baselineFailover(controlPlane, clock));
}

async function measureCase(runbook: BenchRunbook, c: BenchCase): Promise<CaseResult> {
  const lowerBound = lowerBoundSeconds(c, LATENCY.lambdaSeconds);
  const runbookRun = await runbookFailover(runbook, c);
  if (runbookRun.rtoSeconds < lowerBound)
    throw new Error(`case ${c.id}: RTO ${runbookRun.rtoSeconds} s beats the lower bound ${lowerBound} s`);
  const baseline = await baselineRto(runbook, c);
  return {
    ...c,
    lowerBoundSeconds: lowerBound,
    runbook: { ...runbookRun, ratio: overheadRatio(runbookRun.rtoSeconds, lowerBound) },
    baseline: { rtoSeconds: baseline, ratio: overheadRatio(baseline, lowerBound) },
  };
}

async function drill(runbook: BenchRunbook, c: BenchCase) {
  const run = await runInVirtualTime(runbook, {
    input: { mode: 'drill' },
    timing: { ...timingOf(c), restoreSeconds: DRILL_RESTORE_EXPECTED_SECONDS },
    latency: LATENCY,
    executionName: 'bench-drill',
  });
  if (run.status !== 'SUCCEEDED') throw new Error(`the drill failed: ${run.error ?? ''} ${run.cause ?? ''}`);
  return {
    transitions: run.transitions,
    lambdaInvocations: run.lambdaInvocations,
    durationSeconds: run.durationSeconds,
  };
}

/** In real time, outside the virtual clock: the fake AWS and the local runner as the tests use them. */
async function largestStateOfBiggestPlan(): Promise<number> {
  const plan = biggestPlan();
  return largestStateKib(plan, biggestPlanEnvironment(plan));
}

async function main(): Promise<void> {
  const reference = FIXED_CASES[0] as BenchCase;
  const runbook = await warmStandbyRunbook();
  const cases: CaseResult[] = [];
  for (const c of benchCases()) cases.push(await measureCase(runbook, c));
  const drillResult = await drill(runbook, reference);
  const coldStarts = measureColdStarts(await cdkBundles(), IMPORT_RUNS);
  const maxStateKib = await largestStateOfBiggestPlan();

  const [lambdaMs, dynamoMs] = [LATENCY.lambdaSeconds * 1000, LATENCY.dynamoSeconds * 1000];
  const results: BenchResults = {
    method: {
      runbook:
        'the synthesized state machine of plan/examples/warm-standby.json with the real handlers, run by ' +
        'aws-local-stepfunctions in virtual time: each Wait state is replaced by a Task that sleeps its ' +
        'seconds on a shared discrete-event clock; new Date() reads that clock',
      fake: 'test/runbook fake AWS with timing: promotion done after P s, new instances InService after S s, Route 53 INSYNC after D s',
      latency: `each Lambda invocation takes ${lambdaMs} ms and each DynamoDB call ${dynamoMs} ms of virtual time before it acts; Pass/Choice states take none`,
      baseline: `schedule simulator (not a state machine) over the same timed fake and latency: promote, sleep ${BASELINE_SCHEDULE.sleepAfterPromotionSeconds} s, poll every ${BASELINE_SCHEDULE.pollSeconds} s; then scale and poll; then DNS and poll; then verify`,
      'lower bound': 'max(P, S) + D + verify (one Lambda invocation)',
      cases: `3 fixed, ${cases.length - FIXED_CASES.length} drawn with seed ${DRAWN_SEED} from P ${DRAWN_RANGES.promotionSeconds.join('-')} s, S ${DRAWN_RANGES.launchSeconds.join('-')} s, D ${DRAWN_RANGES.syncSeconds.join('-')} s`,
      drill: `P/S/D of ${reference.id}, snapshot restore ${DRILL_RESTORE_EXPECTED_SECONDS} s`,
      'cold start': `bundles from a cdk synth with bundling; median of ${IMPORT_RUNS} fresh Node ${process.version} processes`,
      'state size':
        'a drill and a failover of the biggest plan the schema accepts (16 resources, 40 records, 48 KiB of plan; test/runbook/biggest-plan.ts) on the fake AWS; the largest JSON of any state input/output, Lambda event or result',
    },
    cases,
    referenceCase: reference.id,
    drill: drillResult,
    coldStarts,
    maxStateKib,
  };
  writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${render(results).join('\n')}\n`);
}

await main();
