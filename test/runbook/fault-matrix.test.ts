// The fault matrix: every AWS command a clean failover and a clean drill send (recorded here, not
// listed by hand), each made to fail in every way AWS fails: throttled, 5xx, unanswered within the
// client timeout, access denied, not found, on every call of the case (and throttled and 5xx also
// as a blip of two calls). Whatever the fault, the run must either succeed or fail safe:
// (a) production traffic moves only after database and compute recovered (a drill never moves it);
// (b) the lock is free for the next failover (proved by running one with the fault gone), or holds
//     the cooldown of the failover that succeeded (one whose cooldown could not be written must
//     name that lock problem, and the next failover must then get through);
// (c) a report names the failed step and the cause (or the refusal, the readiness problem, the
//     lock problem), or, for a fault on a report sink itself, the report names that sink;
// (d) a drill leaves nothing behind, or a failed report names what it left.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { computeSteps } from '../../functions/compute/steps.ts';
import { drillInstanceId } from '../../functions/database/restore-target.ts';
import { databaseSteps } from '../../functions/database/steps.ts';
import { SINK_RETRY } from '../../functions/runbook/report.ts';
import type { RunReport } from '../../functions/runbook/report-types.ts';
import { stepTimeoutSeconds } from '../../functions/shared/deadlines.ts';
import type { FamilySteps } from '../../functions/shared/family-handler.ts';
import { trafficSteps } from '../../functions/traffic/steps.ts';
import type { JsonValue } from '../../local/task-handlers.ts';
import { familyOf } from '../../plan/resources/index.ts';
import { isRoute53Traffic } from '../../plan/resources/traffic-names.ts';
import { planSteps, resourcesOf } from '../../plan/steps.ts';
import { stepStateName } from '../../state-machines/runbook-definition.ts';
import type { FakeAws } from './fake-aws.ts';
import {
  type Command,
  caseName,
  distinctCommands,
  FAULTS,
  type Fault,
  type FaultCase,
  type Mode,
  SINK_OF_COMMAND,
} from './fault-matrix-cases.ts';
import {
  answerProbes,
  fakeAwsFor,
  type Runbook,
  type RunbookRun,
  reports,
  synthesizeExample,
  testExecutions,
} from './harness.ts';

const FAILOVER = { mode: 'failover', confirm: 'shop', reason: 'fault matrix' };
const DRILL = { mode: 'drill' };
const INPUT: Record<Mode, JsonValue> = { failover: FAILOVER, drill: DRILL };
const REPORTS_BUCKET = 'dr-runbook-reports';
/**
 * Waits take 0 ms, so a polling loop that does not converge spins without its step deadline (wall
 * clock) ever coming. After this many states the clock jumps past every step deadline, as if the
 * loop had polled that long; one still running at MAX_STATES is stopped and counted unsafe.
 */
const JUMP_AFTER_STATES = 400;
const MAX_STATES_PER_EXECUTION = 3000;
/** Set FAULT_MATRIX_VERBOSE=1 to print every case's verdict. */
const VERBOSE = process.env.FAULT_MATRIX_VERBOSE === '1';

/** Moves `Date` (what every step reads as now) forward, for the rest of one case. */
const RealDate = Date;
const clock = {
  offsetMs: 0,
  jump(ms: number) {
    this.offsetMs += ms;
    globalThis.Date = shiftedDate;
  },
  reset() {
    this.offsetMs = 0;
    globalThis.Date = RealDate;
  },
};
const shiftedDate = new Proxy(RealDate, {
  construct: (target, args: unknown[], newTarget) =>
    Reflect.construct(target, args.length > 0 ? args : [RealDate.now() + clock.offsetMs], newTarget),
  get: (target, property, receiver) =>
    property === 'now' ? () => RealDate.now() + clock.offsetMs : Reflect.get(target, property, receiver),
});
// biome-ignore lint/suspicious/noExplicitAny: each family's registry is typed by its own clients
const STEPS: Record<string, FamilySteps<any>> = {
  database: databaseSteps,
  compute: computeSteps,
  traffic: trafficSteps,
};

/** Past the longest step deadline of any resource in any mode, well short of the lock's expiry (hours). */
function pastEveryDeadlineMs(): number {
  const modes = ['failover', 'drill'] as const;
  const longest = Math.max(
    ...runbook.plan.resources.flatMap((resource) =>
      modes.map((mode) => {
        const type = STEPS[familyOf(resource)]?.[resource.type];
        if (!type) throw new Error(`no steps for ${resource.type}`);
        return stepTimeoutSeconds(resource, type.expectedSeconds(resource, mode));
      }),
    ),
  );
  return (longest + 60) * 1000;
}

/** The plan's resource steps: those that recover (database, compute) and those that move traffic. */
function stepsOfPlan() {
  const steps = planSteps(runbook.plan).flatMap((step) => (step.kind === 'resources' ? [step] : []));
  const recovery = steps.filter((step) => step.resources.some((r) => familyOf(r) !== 'traffic'));
  const traffic = steps.filter((step) => step.resources.every((r) => familyOf(r) === 'traffic'));
  return {
    /** Entered only when Readiness or a recovery step failed (the step, or one of its branches). */
    recoveryFailedStates: [
      'ReadinessFailed',
      ...recovery.flatMap((step) => [
        `${stepStateName(step)}Failed`,
        ...step.resources.map((r) => `${stepStateName(step)}.${r.id}Failed`),
      ]),
    ],
    recoveryStepNames: recovery.map(stepStateName),
    /** Each recovered resource's branch done: entered before any traffic moves. */
    recoveredStates: recovery.flatMap((step) => step.resources.map((r) => `${r.id}.StartDone`)),
    trafficStepNames: traffic.map(stepStateName),
  };
}

let runbook: Runbook;
const commandsOf: Record<Mode, Command[]> = { failover: [], drill: [] };
const cleanRuns: Record<Mode, string> = { failover: '', drill: '' };
const tally = { cases: 0, survived: 0, failedSafe: 0, unsafe: 0 };
const savedSinkSleep = SINK_RETRY.sleep;
const savedBucket = process.env.REPORTS_BUCKET;

beforeAll(async () => {
  runbook = await synthesizeExample('warm-standby');
  // Reports are also stored in S3, so that PutObject is a command of the matrix too.
  process.env.REPORTS_BUCKET = REPORTS_BUCKET;
  // The report's own sink retry sleeps 200 ms and 1 s in real time; the waits are not what is tested.
  SINK_RETRY.sleep = async () => undefined;
  for (const mode of ['failover', 'drill'] as const) {
    const fake = fakeAwsFor(runbook);
    answerProbes(200);
    const local = testExecutions(runbook);
    const run = await local.start({ input: INPUT[mode], executionName: `clean-${mode}` }).done;
    await local.settled();
    cleanRuns[mode] = `${run.status}${run.error ? ` ${run.error}: ${run.cause}` : ''}`;
    commandsOf[mode] = distinctCommands(fake.calls);
  }
}, 60_000);

afterAll(() => {
  SINK_RETRY.sleep = savedSinkSleep;
  if (savedBucket === undefined) delete process.env.REPORTS_BUCKET;
  else process.env.REPORTS_BUCKET = savedBucket;
  process.stdout.write(
    `fault matrix: ${tally.cases} cases, ${tally.survived} survived, ${tally.failedSafe} failed safe, ${tally.unsafe} unsafe\n`,
  );
});

const names = (commands: Command[]) => commands.map((c) => c.command);
/** Compared as JSON: the fake's structuredClone'd objects come from another realm than the test's. */
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * What the fault matrix reads of a report: the whole run record (history), or what the Report state
 * put in the execution state, which may be a summary of it (the state is bounded: state-size.ts).
 */
type ReportSummary = Pick<RunReport, 'outcome'> & Partial<RunReport>;

/** The report the run's Report state produced (also when its history record could not be written). */
function reportStateOutput(run: RunbookRun): ReportSummary | undefined {
  const exits = run.events.flatMap((event) =>
    event.type === 'StateExited' && 'state' in event && event.state.name === 'Report' ? [event.state] : [],
  );
  return (exits.at(-1)?.output as { report?: ReportSummary } | undefined)?.report;
}

interface SeededGroup {
  readonly name: string;
  readonly templateId: string;
  readonly capacity: { min: number; desired: number; max: number };
  readonly groupTemplateVersion: string | undefined;
  readonly templateVersions: number[];
  readonly tags: string[];
}

/** Each group as the fake started: what a drill must put back. */
function seededState(fake: FakeAws): SeededGroup[] {
  return runbook.environment.groups.map(({ name, launchTemplate }) => {
    const group = fake.group(name);
    return {
      name,
      templateId: launchTemplate.id,
      capacity: fake.capacity(name),
      groupTemplateVersion: group.launchTemplate.version,
      templateVersions: fake.template(launchTemplate.id).versions.map((v) => v.number),
      tags: Object.keys(group.tags).sort(),
    };
  });
}

/** The production records (not the drill records) that differ from the environment the fake started from. */
function productionRecordsChanged(fake: FakeAws): string[] {
  const seededSets = runbook.environment.zones.flatMap((zone) => zone.records);
  return resourcesOf(runbook.plan, 'traffic')
    .filter(isRoute53Traffic)
    .flatMap((traffic) =>
      traffic.records.flatMap((record) => {
        const seeded = seededSets.filter((set) => set.Name === `${record.name}.` && set.Type === record.type);
        const now = [...fake.route53.zones.values()].flatMap((zone) =>
          zone.records.filter((set) => set.Name === `${record.name}.` && set.Type === record.type),
        );
        const sorted = (sets: unknown[]) => sets.map((set) => JSON.stringify(set)).sort();
        return same(sorted(now), sorted(seeded)) ? [] : [record.name];
      }),
    );
}

interface Leftover {
  readonly what: string;
  /** Any of these in a report names the leftover. */
  readonly named: string[];
}

/** What a drill left in the environment: its temporary instances, its records, the groups' changes. */
function drillLeftovers(fake: FakeAws, runId: string, seeded: SeededGroup[]): Leftover[] {
  const left: Leftover[] = [];
  for (const db of resourcesOf(runbook.plan, 'database')) {
    const instanceId = drillInstanceId(runbook.plan.name, runId, db.id);
    if (fake.rds.instances.has(instanceId))
      left.push({ what: `drill DB instance ${instanceId} of ${db.id}`, named: [instanceId] });
  }
  const allSets = [...fake.route53.zones.values()].flatMap((zone) => zone.records);
  for (const { drillRecordName } of resourcesOf(runbook.plan, 'traffic').filter(isRoute53Traffic)) {
    if (allSets.some((set) => set.Name?.replace(/\.$/, '') === drillRecordName)) {
      left.push({ what: `drill record ${drillRecordName}`, named: [drillRecordName] });
    }
  }
  for (const before of seeded) {
    const { name: groupName, templateId } = before;
    const group = fake.group(groupName);
    const capacity = fake.capacity(groupName);
    if (!same(capacity, before.capacity)) {
      left.push({ what: `group ${groupName} at ${JSON.stringify(capacity)}`, named: [groupName] });
    }
    if (group.launchTemplate.version !== before.groupTemplateVersion) {
      left.push({
        what: `group ${groupName} on template version ${group.launchTemplate.version}`,
        named: [groupName, templateId],
      });
    }
    const versions = fake.template(templateId).versions.map((v) => v.number);
    if (!same(versions, before.templateVersions)) {
      left.push({
        what: `launch template ${templateId} versions ${versions.join(',')}`,
        named: [templateId],
      });
    }
    const tags = Object.keys(group.tags).sort();
    if (!same(tags, before.tags)) {
      left.push({ what: `run tags ${tags.join(',')} on ${groupName}`, named: [groupName] });
    }
  }
  return left;
}

/** The report says what the failed run is about: the step and why, the refusal, readiness, the lock. */
function namesTheFailure(report: ReportSummary | undefined): boolean {
  if (!report || report.outcome === 'succeeded') return false;
  if (report.failedStep && report.cause) return true;
  if (report.outcome === 'refused') return report.refusal !== undefined;
  if (report.outcome === 'not-ready') return (report.readinessProblems ?? []).length > 0;
  return report.lockProblem !== undefined;
}

interface Verdict {
  readonly status: string;
  readonly problems: string[];
  readonly note?: string;
}

/** Runs one case on a fresh fake and says what, if anything, was unsafe. */
async function runCase(c: FaultCase): Promise<Verdict> {
  const fake = fakeAwsFor(runbook);
  answerProbes(200);
  const seeded = seededState(fake);
  let faulty = true;
  fake.fail(c.command, c.fault.error(c.service, c.command), {
    when: () => faulty,
    ...(c.fault.times ? { times: c.fault.times } : {}),
  });
  const runaway: string[] = [];
  const jumps: string[] = [];
  const entered = new Map<string, number>();
  const local = testExecutions(runbook, {
    onEvent: (execution, event) => {
      if (event.type !== 'StateEntered') return;
      const count = (entered.get(execution.name) ?? 0) + 1;
      entered.set(execution.name, count);
      if (count === JUMP_AFTER_STATES) {
        jumps.push(`${execution.name} at ${'state' in event ? event.state.name : '?'}`);
        clock.jump(pastEveryDeadlineMs());
      }
      if (count === MAX_STATES_PER_EXECUTION) {
        runaway.push(
          `${execution.name} entered ${count} states (at ${'state' in event ? event.state.name : '?'})`,
        );
        local.registry.stop(execution.arn, 'fault matrix: runaway execution');
      }
    },
  });
  const runId = `${c.mode}-${c.command}-${c.fault.name}`;
  const problems: string[] = [];

  const main = await local.start({ input: INPUT[c.mode], executionName: runId }).done;
  await local.settled();
  const status = `${main.status}${main.error ? ` (${main.error})` : ''}`;
  const survived = main.status === 'SUCCEEDED';
  if (runaway.length > 0 || local.registry.runaway) {
    problems.push(`runaway: ${runaway.join('; ') || 'the cleanup runs did not stop'}`);
  }
  // The run's own record (a cleanup may also have recorded it as aborted)
  const records = reports(fake).filter((r) => r.runId === runId && r.mode === c.mode);
  const record = records.find((r) => r.outcome !== 'aborted') ?? records[0];
  const reported = record ?? reportStateOutput(main);

  // (a) traffic is switched only once database and compute recovered; a drill never moves production
  const plan = stepsOfPlan();
  const switchedAt = Math.min(
    ...plan.trafficStepNames.map((name) => main.entered.indexOf(name)).filter((at) => at >= 0),
  );
  const switched = Number.isFinite(switchedAt);
  const recoveryFailed = plan.recoveryFailedStates.filter((state) => main.entered.includes(state));
  const recovered =
    recoveryFailed.length === 0 &&
    plan.recoveredStates.every((state) => {
      const at = main.entered.indexOf(state);
      return at >= 0 && at < switchedAt;
    });
  if (switched && !recovered) {
    problems.push(
      `${plan.trafficStepNames.join(', ')} was entered without a recovery (${recoveryFailed.join(', ') || 'a branch not done'})`,
    );
  }
  const moved = productionRecordsChanged(fake);
  if (moved.length > 0) {
    if (c.mode === 'drill') problems.push(`the drill changed production records ${moved.join(', ')}`);
    if (!switched)
      problems.push(`production records ${moved.join(', ')} changed, but no traffic step was entered`);
    const failedStep = reported?.failedStep ?? '';
    if (failedStep === 'Readiness' || plan.recoveryStepNames.includes(failedStep)) {
      problems.push(
        `production records ${moved.join(', ')} changed, and the report says ${failedStep} failed`,
      );
    }
  }

  // (c) a report names what failed (or, for a fault on a sink, names the sink)
  const sink = SINK_OF_COMMAND[c.command];
  if (!survived && !namesTheFailure(record)) {
    const fromState = reportStateOutput(main);
    const sinkNamed =
      sink !== undefined &&
      namesTheFailure(fromState) &&
      (fromState?.sinksFailed ?? []).some((failure) => failure.sink === sink);
    if (!sinkNamed) {
      problems.push(
        record
          ? `the report does not name what failed: ${JSON.stringify({ outcome: record.outcome, failedStep: record.failedStep, cause: record.cause })}`
          : `no report of the run (history: ${reports(fake)
              .map((r) => `${r.mode}:${r.runId}:${r.outcome}`)
              .join(', ')}; cause: ${main.cause})`,
      );
    }
  }
  // A fault that outlasts the sink's own retries is named in the report, never swallowed.
  if (
    sink &&
    c.fault.times === undefined &&
    reported &&
    !(reported.sinksFailed ?? []).some((f) => f.sink === sink)
  ) {
    problems.push(`every ${c.command} failed, but the report names no failed ${sink} sink`);
  }
  if (survived && !record && !sink) problems.push('the run succeeded, but it has no record');

  // (d) a drill leaves nothing behind, or a failed run's report names what it left
  if (c.mode === 'drill') {
    const candidates = [...reports(fake), ...(reported ? [reported] : [])].filter(
      (r) => r.outcome === 'failed',
    );
    for (const leftover of drillLeftovers(fake, runId, seeded)) {
      const named = candidates.some((r) => {
        const text = JSON.stringify([r.cause, r.leftovers, r.revertProblem, r.lockProblem]);
        return leftover.named.some((name) => text.includes(name));
      });
      if (survived || !named) {
        problems.push(
          `left behind ${leftover.what}${survived ? ' by a drill that SUCCEEDED' : ', named in no failed report'}`,
        );
      }
    }
  }

  // (b) the lock: the cooldown of a failover that succeeded, else free for the next failover
  let checkLock = true;
  if (c.mode === 'failover' && survived) {
    const lock = fake.lockItem();
    if (lock?.cooldownRunId?.S === runId && lock.cooldownUntil?.S && !lock.runId) checkLock = false;
    else if (!reported?.lockProblem) {
      problems.push(`the failover SUCCEEDED but the lock holds no cooldown for it: ${JSON.stringify(lock)}`);
    }
  }
  if (checkLock) {
    faulty = false;
    const next = await local.start({ input: FAILOVER, executionName: 'next-failover' }).done;
    await local.settled();
    if (next.status !== 'SUCCEEDED') {
      problems.push(
        `the next failover (fault removed) ended ${next.status} ${next.error ?? ''}: ${next.cause ?? ''}`,
      );
    }
  }
  // What the unsafe case's reports said, to diagnose it from the failure message alone
  const evidence = reports(fake)
    .filter((r) => r.runId !== 'next-failover')
    .map(({ mode, runId: id, outcome, failedStep, cause, leftovers, revertProblem, lockProblem }) =>
      JSON.stringify({ mode, id, outcome, failedStep, cause, leftovers, revertProblem, lockProblem }),
    );
  return {
    status,
    problems: problems.length > 0 ? [...problems, `reports: ${evidence.join(', ') || 'none'}`] : [],
    ...(jumps.length > 0 ? { note: `clock jumped past the step deadlines: ${jumps.join(', ')}` } : {}),
  };
}

describe('fault matrix: the calls of a clean run', () => {
  const expected: Record<Mode, string[]> = {
    failover: ['PromoteReadReplica', 'UpdateAutoScalingGroup', 'ChangeResourceRecordSets'],
    drill: ['RestoreDBInstanceFromDBSnapshot', 'UpdateAutoScalingGroup', 'ChangeResourceRecordSets'],
  };
  it.each(['failover', 'drill'] as const)('a clean %s succeeds and its calls are recorded', (mode) => {
    expect(cleanRuns[mode]).toBe('SUCCEEDED');
    expect(commandsOf[mode].length).toBeGreaterThan(0);
    // …the report's sinks included: history record, SNS summary, S3 report objects
    expect(names(commandsOf[mode])).toEqual(
      expect.arrayContaining([...expected[mode], 'PutItem', 'Publish', 'PutObject']),
    );
  });

  it('names each command of one service only (fake.fail matches a command by its name)', () => {
    const services = new Map<string, Set<string>>();
    for (const { service, command } of [...commandsOf.failover, ...commandsOf.drill]) {
      services.set(command, (services.get(command) ?? new Set()).add(service));
    }
    expect([...services].filter(([, of]) => of.size > 1)).toEqual([]);
  });
});

describe.each(['failover', 'drill'] as const)('fault matrix: %s', (mode) => {
  it.each(FAULTS.map((fault): [string, Fault] => [fault.name, fault]))(
    'every command %s: the run survives or fails safe',
    async (_name, fault) => {
      const unsafe: string[] = [];
      for (const command of commandsOf[mode]) {
        const c: FaultCase = { mode, fault, ...command };
        tally.cases += 1;
        let verdict: Verdict;
        try {
          verdict = await runCase(c);
        } catch (error) {
          verdict = { status: 'CRASHED', problems: [`the case crashed: ${(error as Error).stack}`] };
        } finally {
          clock.reset();
        }
        if (VERBOSE) {
          process.stdout.write(
            `${caseName(c)} → ${verdict.status}${verdict.note ? ` [${verdict.note}]` : ''}${verdict.problems.length ? ` UNSAFE: ${verdict.problems.join(' | ')}` : ''}\n`,
          );
        }
        if (verdict.problems.length > 0) {
          tally.unsafe += 1;
          const entry = `${caseName(c)} → ${verdict.status}: ${verdict.problems.join(' | ')}`;
          unsafe.push(entry);
        } else if (verdict.status === 'SUCCEEDED') tally.survived += 1;
        else tally.failedSafe += 1;
      }
      expect(commandsOf[mode].length).toBeGreaterThan(0);
      expect(unsafe).toEqual([]);
    },
    60_000,
  );
});

describe('fault matrix: coverage', () => {
  it('ran at least 60 cases', () => {
    expect(tally.cases).toBeGreaterThanOrEqual(60);
  });
});
