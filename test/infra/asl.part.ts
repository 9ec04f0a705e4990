import { beforeAll, describe, expect, it } from '@jest/globals';
import validateAsl from 'asl-validator';
import { type AslDefinition, type AslState, extractRunbook } from '../../local/extract-definition.ts';
import { familyOf } from '../../plan/resources/index.ts';
import type { DrPlan, Resource } from '../../plan/schema.ts';
import { type PlanStep, planSteps, type ResourceStep } from '../../plan/steps.ts';
import { examplePlan } from '../fixtures.ts';
import { biggestPlan } from '../fixtures-biggest-plan.ts';
import { EXAMPLES, SYNTH_TIMEOUT_MS, sharedPlanTemplate, sharedTemplate } from './synth.ts';

describe('asl', () => {
  /** The runbook's fixed states (docs/design.md, "The runbook"): the local runner and the progress view rely on their names. */
  const MAIN_STATES = [
    'InjectPlan',
    'ValidateInput',
    'NeedsLock?',
    'AcquireLock',
    'Readiness',
    'ReadinessGate',
    'BeginRecovery',
    'Verify',
    'IsDrill?',
    'PrepareDrillRevert',
    'RevertDrill',
    'ReleaseLock',
    'Report',
    'Outcome',
    'CleanUpDeadRun',
    'SettleDeadRun',
  ];

  /** Step Functions refuses longer state names. */
  const MAX_STATE_NAME_LENGTH = 80;

  /** The state name of a step, as the contract says: "Step2", or "Step2.apps" when named. */
  const stepName = (step: PlanStep) => (step.name ? `Step${step.number}.${step.name}` : `Step${step.number}`);

  const resourceSteps = (plan: DrPlan) =>
    planSteps(plan).filter((step): step is ResourceStep => step.kind === 'resources');

  /** A resource id as a JSONPath key (plan/steps.ts pathKey). */
  const keyOf = (id: string) => id.replaceAll('-', '_');

  /** Every state with its name, including those inside Parallel branches and Map processors. */
  function allStates(definition: AslDefinition): [string, AslState][] {
    return Object.entries(definition.States).flatMap(([name, state]) => {
      const nested = [
        ...(state.Branches ?? []),
        ...[state.Iterator, state.ItemProcessor].filter((d): d is AslDefinition => d !== undefined),
      ];
      return [[name, state] as [string, AslState], ...nested.flatMap(allStates)];
    });
  }

  /** States directly reachable from a state: Next, Choice rules and Default, Catch handlers. */
  function successors(state: AslState): string[] {
    const choices = (state.Choices as { Next: string }[] | undefined) ?? [];
    const catches = (state.Catch as { Next: string }[] | undefined) ?? [];
    return [state.Next, state.Default, ...choices.map((c) => c.Next), ...catches.map((c) => c.Next)].filter(
      (next): next is string => typeof next === 'string',
    );
  }

  /** Top-level states reachable from `start` without passing through `avoid`. */
  function reachable(definition: AslDefinition, start: string, avoid?: string): Set<string> {
    const seen = new Set<string>();
    const queue = [start];
    while (queue.length > 0) {
      const name = queue.shift() as string;
      if (seen.has(name) || name === avoid) continue;
      seen.add(name);
      const state = definition.States[name];
      if (state) queue.push(...successors(state));
    }
    return seen;
  }

  /** The top-level states a run passes when everything succeeds, from `start` until `end`. */
  function successPath(definition: AslDefinition, start: string, end: string): string[] {
    const path: string[] = [];
    let name = start;
    while (name !== end) {
      if (path.includes(name) || path.length > 200)
        throw new Error(`no way from ${start} to ${end}: ${path}`);
      path.push(name);
      const state = definition.States[name];
      if (!state) throw new Error(`${name} is not a state`);
      // A Choice on success takes its Default (the "nothing failed" / "no approval needed" branch).
      name = (state.Type === 'Choice' ? state.Default : state.Next) as string;
    }
    return path;
  }

  const isLambdaTask = (state: AslState) =>
    state.Type === 'Task' &&
    typeof state.Resource === 'string' &&
    /^arn:aws:(lambda:[a-z0-9-]+:\d+:function:|states:::lambda:invoke)/.test(state.Resource);

  /** A branch of a Parallel: its start and its states by name. */
  type Branch = { StartAt: string; States: Record<string, AslState> };

  /** A top-level Parallel state of the definition. */
  function parallelAt(definition: AslDefinition, name: string) {
    return definition.States[name] as unknown as { Type: string; ResultPath: string; Branches: Branch[] };
  }

  describe('asl-validator', () => {
    it('is live: it rejects a transition to a state that does not exist', () => {
      const broken = { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Missing' } } };

      expect(validateAsl(broken).isValid).toBe(false);
    });
  });

  describe.each(EXAMPLES)('runbook definition of the %s example', (name) => {
    const plan = examplePlan(name);
    let definition: AslDefinition;
    let familyByFunctionArn: Record<string, string>;

    beforeAll(async () => {
      ({ definition, familyByFunctionArn } = extractRunbook(
        await sharedTemplate(name),
        plan.regions.recovery,
      ));
    }, SYNTH_TIMEOUT_MS);

    it('is valid Amazon States Language', () => {
      const result = validateAsl(structuredClone(definition));

      expect(result.errorsText()).toBe('');
      expect(result.isValid).toBe(true);
    });

    it('has the fixed states of the runbook', () => {
      expect(Object.keys(definition.States)).toEqual(expect.arrayContaining(MAIN_STATES));
    });

    it('names no state longer than Step Functions allows', () => {
      const tooLong = allStates(definition)
        .map(([stateName]) => stateName)
        .filter((stateName) => stateName.length > MAX_STATE_NAME_LENGTH);
      expect(tooLong).toEqual([]);
    });

    it('checks the readiness of every resource side by side, each in its own <id>.Readiness branch', () => {
      const readiness = parallelAt(definition, 'Readiness');

      expect(readiness.Type).toBe('Parallel');
      expect(readiness.Branches.map((b) => b.StartAt)).toEqual(
        plan.resources.map((r) => `${r.id}.Readiness`),
      );
      for (const [i, resource] of plan.resources.entries()) {
        const check = readiness.Branches[i]?.States[`${resource.id}.Readiness`];
        expect(check?.Parameters).toMatchObject({ action: 'readiness', resource: resource.id });
        expect(familyByFunctionArn[check?.Resource ?? '']).toBe(familyOf(resource));
        // One whose readiness cannot even run is recorded as not ready, not a failed run.
        expect(check?.Catch).toEqual([expect.objectContaining({ Next: `${resource.id}.ReadinessFailed` })]);
      }
    });

    it('runs the plan steps in order after BeginRecovery, then Verify', () => {
      const expected = planSteps(plan).flatMap((step) =>
        step.kind === 'approval'
          ? [`${stepName(step)}.ApprovalRequired?`]
          : [stepName(step), `${stepName(step)}Settled?`],
      );

      expect(successPath(definition, 'BeginRecovery', 'Verify')).toEqual(['BeginRecovery', ...expected]);
    });

    it("runs each step's resources side by side, one settled branch per resource named by its id", () => {
      for (const step of resourceSteps(plan)) {
        const parallel = parallelAt(definition, stepName(step));

        expect(parallel.Type).toBe('Parallel');
        expect(parallel.ResultPath).toBe(`$.results.step${step.number}`);
        expect(parallel.Branches.map((b) => b.StartAt)).toEqual(step.resources.map((r) => `${r.id}.Begin`));
        step.resources.forEach((resource: Resource, i) => {
          const states = parallel.Branches[i]?.States ?? {};
          const id = resource.id;
          expect(Object.keys(states).sort()).toEqual(
            [
              `${id}.Begin`,
              `${id}.Start`,
              `${id}.StartDone?`,
              `${id}.StartWait`,
              `${id}.Check`,
              `${id}.StartDone`,
              `${id}.Failed`,
            ].sort(),
          );
          for (const [task, action] of [
            [`${id}.Start`, 'start'],
            [`${id}.Check`, 'check'],
          ] as const) {
            expect(states[task]?.Parameters).toMatchObject({ action, resource: id });
            expect(familyByFunctionArn[states[task]?.Resource ?? '']).toBe(familyOf(resource));
            expect(states[task]?.Catch).toEqual([expect.objectContaining({ Next: `${id}.Failed` })]);
          }
        });
      }
    });

    it('waits for a person at each approval step (<step>.WaitForApproval), failovers only', () => {
      for (const step of planSteps(plan)) {
        if (step.kind !== 'approval') continue;
        const gate = stepName(step);
        const wait = definition.States[`${gate}.WaitForApproval`];

        expect(wait).toMatchObject({
          Type: 'Task',
          Resource: expect.stringMatching(/\.waitForTaskToken$/),
          TimeoutSeconds: step.approval.timeoutMinutes * 60,
          Next: `${gate}.ApprovalGranted`,
          Parameters: {
            Payload: expect.objectContaining({
              action: 'request-approval',
              gate: {
                step: gate,
                timeoutMinutes: step.approval.timeoutMinutes,
                onTimeout: step.approval.onTimeout,
              },
              'taskToken.$': '$$.Task.Token',
            }),
          },
        });
        expect(JSON.stringify(definition.States[`${gate}.ApprovalRequired?`]?.Choices)).toContain(
          '"failover"',
        );
      }
      expect(Object.keys(definition.States).filter((s) => s.endsWith('.WaitForApproval'))).toHaveLength(
        planSteps(plan).filter((step) => step.kind === 'approval').length,
      );
    });

    it('reverts a drill step by step in reverse order (RevertDrill → Revert<N> … → ReleaseLock)', () => {
      const reverse = [...resourceSteps(plan)].reverse();

      expect(successPath(definition, 'RevertDrill', 'ReleaseLock')).toEqual([
        'RevertDrill',
        ...reverse.flatMap((step) => [`Revert${step.number}`, `Revert${step.number}Settled?`]),
      ]);
      for (const step of reverse) {
        const parallel = parallelAt(definition, `Revert${step.number}`);
        expect(parallel.ResultPath).toBe(`$.revert.step${step.number}`);
        step.resources.forEach((resource, i) => {
          const id = resource.id;
          const states = parallel.Branches[i]?.States ?? {};
          expect(Object.keys(states)).toEqual(
            expect.arrayContaining([
              `${id}.RevertBegin`,
              `${id}.Revert`,
              `${id}.RevertCheck`,
              `${id}.RevertFailed`,
            ]),
          );
          for (const task of [`${id}.Revert`, `${id}.RevertCheck`]) {
            expect(states[task]?.Parameters).toMatchObject({
              action: 'revert',
              resource: id,
              run: { 'id.$': '$.revertRun.id' },
            });
            expect(familyByFunctionArn[states[task]?.Resource ?? '']).toBe(familyOf(resource));
          }
          // Compute a failover needs is kept when the failover preempted the drill.
          expect(`${id}.KeepCompute?` in states).toBe(familyOf(resource) === 'compute');
        });
      }
    });

    it('keys each step result and revert result by resource id', () => {
      const failedChoice = (state: string) =>
        JSON.stringify((definition.States[state]?.Choices as unknown[] | undefined) ?? []);
      for (const step of resourceSteps(plan)) {
        for (const resource of step.resources) {
          expect(failedChoice(`${stepName(step)}Settled?`)).toContain(
            `$.results.step${step.number}.${keyOf(resource.id)}.failed`,
          );
          expect(failedChoice(`Revert${step.number}Settled?`)).toContain(
            `$.revert.step${step.number}.${keyOf(resource.id)}.failed`,
          );
        }
      }
    });

    it('moves traffic only in a step no path reaches without passing every database and compute step', () => {
      const steps = resourceSteps(plan);
      const trafficSteps = steps.filter((s) => s.resources.some((r) => familyOf(r) === 'traffic'));
      expect(trafficSteps.length).toBeGreaterThan(0);

      for (const traffic of trafficSteps) {
        expect(reachable(definition, 'Readiness').has(stepName(traffic))).toBe(true);
        const standby = steps.filter((s) =>
          s.resources.some((r) => familyOf(r) === 'database' || familyOf(r) === 'compute'),
        );
        expect(standby.length).toBeGreaterThan(0);
        for (const step of standby) {
          expect(step.number).toBeLessThan(traffic.number);
          expect(reachable(definition, 'Readiness', stepName(step)).has(stepName(traffic))).toBe(false);
        }
      }
    });

    it("waits only for the step's own nextCheckSeconds, never a fixed time (a cleanup waits for a dead run to settle)", () => {
      const waits = allStates(definition).filter(
        ([waitName, state]) =>
          state.Type === 'Wait' &&
          !(waitName === 'SettleDeadRun' && state.TimestampPath === '$.cleanup.settleUntil'),
      );
      expect(waits.length).toBeGreaterThan(0);

      const fixed = waits.filter(
        ([, state]) =>
          state.SecondsPath !== '$.progress.nextCheckSeconds' ||
          ['Seconds', 'Timestamp', 'TimestampPath'].some((key) => key in state),
      );

      expect(fixed.map(([waitName, state]) => ({ name: waitName, state }))).toEqual([]);
    });

    it('retries TransientAwsError in every Lambda task', () => {
      const lambdaTasks = allStates(definition).filter(([, state]) => isLambdaTask(state));
      expect(lambdaTasks.length).toBeGreaterThan(0);

      const withoutRetry = lambdaTasks
        .filter(([, state]) => {
          const retriers = (state.Retry as { ErrorEquals: string[] }[] | undefined) ?? [];
          return !retriers.some((retrier) => retrier.ErrorEquals.includes('TransientAwsError'));
        })
        .map(([taskName]) => taskName);

      expect(withoutRetry).toEqual([]);
    });
  });

  describe('runbook definition of the biggest plan (every type, every step named at its longest)', () => {
    let plan: DrPlan;
    let definition: AslDefinition;

    beforeAll(async () => {
      plan = biggestPlan('every-type');
      ({ definition } = extractRunbook(await sharedPlanTemplate(plan), plan.regions.recovery));
    }, SYNTH_TIMEOUT_MS);

    it('is valid Amazon States Language with one Parallel per resource step', () => {
      const result = validateAsl(structuredClone(definition));

      expect(result.errorsText()).toBe('');
      expect(resourceSteps(plan).map((step) => definition.States[stepName(step)]?.Type)).toEqual(
        resourceSteps(plan).map(() => 'Parallel'),
      );
    });

    it('names no state longer than Step Functions allows', () => {
      const names = allStates(definition).map(([stateName]) => stateName);
      expect(Math.max(...names.map((n) => n.length))).toBeGreaterThan(40);

      expect(names.filter((stateName) => stateName.length > MAX_STATE_NAME_LENGTH)).toEqual([]);
    });
  });
});
