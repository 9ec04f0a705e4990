import { beforeAll, describe, expect, it } from '@jest/globals';
import { StepTimedOutError } from '../../../functions/shared/deadlines.ts';
import {
  AccessDeniedError,
  InvalidStepInputError,
  TransientAwsError,
} from '../../../functions/shared/errors.ts';
import {
  type FamilySteps,
  familyHandler,
  parseStepEvent,
  type ResourceSteps,
  runStep,
} from '../../../functions/shared/family-handler.ts';
import type { Mode, ProgressResult, ResourceEvent } from '../../../functions/shared/step-contract.ts';
import type { ResourceOfType } from '../../../plan/schema.ts';
import { examplePlan, lambdaContext, stepEvent, testClock } from '../../fixtures.ts';

describe('family-handler', () => {
  beforeAll(() => {
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  });

  type Group = ResourceOfType<'auto-scaling-group'>;
  type Clients = { region: string };

  // warm-standby: resources db (rds-read-replica), web (auto-scaling-group), dns (route53-records).
  const plan = examplePlan();

  /** A fake auto-scaling-group type that records what it was called with and answers `answer`. */
  function fakeGroupType(answer: Partial<ProgressResult> = {}) {
    const calls: Array<{ action: string; region: string; event: ResourceEvent<Group> }> = [];
    const expected: Array<{ resource: Group; mode: Mode }> = [];
    const progress =
      (action: ProgressResult['action']) => async (event: ResourceEvent<Group>, clients: Clients) => {
        calls.push({ action, region: clients.region, event });
        return {
          family: 'compute',
          action,
          done: true,
          nextCheckSeconds: 0,
          detail: `${event.resource.autoScalingGroupName} ok`,
          state: {},
          changes: [],
          ...answer,
        } satisfies ProgressResult;
      };
    const steps: ResourceSteps<Group, Clients> = {
      expectedSeconds: (resource, mode) => {
        expected.push({ resource, mode });
        return resource.expectedHealthySeconds;
      },
      readiness: async (event, clients) => {
        calls.push({ action: 'readiness', region: clients.region, event });
        return {
          family: 'compute',
          checks: [{ name: 'group-exists', status: 'pass', detail: event.resource.autoScalingGroupName }],
          predictedSeconds: 300,
        };
      },
      start: progress('start'),
      check: progress('check'),
      revert: progress('revert'),
    };
    const registry: FamilySteps<Clients> = { 'auto-scaling-group': steps };
    return { calls, expected, steps, registry, clientsFor: (region: string) => ({ region }) };
  }

  describe('parseStepEvent', () => {
    it('fills in plan defaults', () => {
      const event = parseStepEvent(JSON.parse(JSON.stringify(stepEvent('readiness'))));
      expect(event.plan.triggers.cooldownMinutes).toBe(60);
    });

    it('rejects an unknown action, naming the field and the allowed values', () => {
      const raw = { ...stepEvent('start'), action: 'explode' };
      expect(() => parseStepEvent(raw)).toThrow(InvalidStepInputError);
      expect(() => parseStepEvent(raw)).toThrow(
        /action: must be one of "readiness", "start", "check", "revert"/,
      );
    });

    it('rejects an event without a plan, or with something that is not the deployed plan', () => {
      const { plan: _plan, ...raw } = stepEvent('start');
      expect(() => parseStepEvent(raw)).toThrow(/invalid step event: plan: must be the deployed DR plan/);
      expect(() => parseStepEvent({ ...raw, plan: { name: 'shop' } })).toThrow(
        /plan: must be the deployed DR plan \(an object with "name" and "resources"\)/,
      );
    });

    it('rejects an event that names no resource, or one that is not a resource id', () => {
      const { resource: _resource, ...raw } = stepEvent('start');
      expect(() => parseStepEvent(raw)).toThrow(/invalid step event: resource: is required: add a string/);
      expect(() => parseStepEvent({ ...stepEvent('start'), resource: 'Web_Tier' })).toThrow(
        /resource: must start with a lowercase letter/,
      );
    });
  });

  describe('runStep fence: best effort, never thrown', () => {
    type FenceClients = { region: string; profile: string };
    const withFence = (fence: ResourceSteps<Group, FenceClients>['fence']) => {
      const family = fakeGroupType();
      const steps = { ...(family.steps as unknown as ResourceSteps<Group, FenceClients>), fence };
      const registry: FamilySteps<FenceClients> = { 'auto-scaling-group': steps };
      const asked: string[] = [];
      const clientsFor = (region: string, profile = 'default') => {
        asked.push(`${profile}:${region}`);
        return { region, profile };
      };
      const fenceRun = () =>
        runStep(registry, clientsFor, stepEvent('fence', { resource: 'web' }), testClock());
      return { fenceRun, asked };
    };

    it("calls the type's fence with fencing's clients of the primary region, and stamps the result", async () => {
      const { fenceRun, asked } = withFence(async (event, clients) => ({
        outcome: 'fenced',
        detail: `${event.resource.autoScalingGroupName} in ${clients.region} (${clients.profile}) at 0`,
        changes: [],
      }));
      expect(await fenceRun()).toEqual({
        family: 'compute',
        action: 'fence',
        outcome: 'fenced',
        detail: 'shop-web-standby in us-east-1 (fence) at 0',
        changes: [],
        fencedAt: '2026-11-25T12:00:00.000Z',
        resource: 'web',
        type: 'auto-scaling-group',
      });
      expect(asked).toEqual(['fence:us-east-1']);
    });

    it('records a transient error (the region did not answer) as not-reachable, any other as failed, with its message', async () => {
      const unreachable = withFence(async () => {
        throw new TransientAwsError('connect ETIMEDOUT us-east-1', 'web');
      });
      expect(await unreachable.fenceRun()).toMatchObject({
        outcome: 'not-reachable',
        detail: 'connect ETIMEDOUT us-east-1',
      });
      const refused = withFence(async () => {
        throw new AccessDeniedError('access denied to scale the primary group', 'web');
      });
      expect(await refused.fenceRun()).toMatchObject({
        outcome: 'failed',
        detail: 'access denied to scale the primary group',
      });
    });

    it('skips a type with nothing to fence, and asks for no clients', async () => {
      const { fenceRun, asked } = withFence(undefined);
      expect(await fenceRun()).toMatchObject({ outcome: 'skipped', detail: 'nothing to fence' });
      expect(asked).toEqual([]);
    });
  });

  describe('runStep dispatch by resource type', () => {
    it('calls the type of the named resource with the plan entry and clients for the recovery region', async () => {
      const family = fakeGroupType();
      await runStep(
        family.registry,
        family.clientsFor,
        stepEvent('check', { resource: 'web', state: { instanceId: 'x' } }),
        testClock(),
      );
      expect(family.calls).toHaveLength(1);
      const [call] = family.calls;
      expect(call?.action).toBe('check');
      expect(call?.region).toBe('us-west-2');
      expect(call?.event.resourceId).toBe('web');
      expect(call?.event.resource).toEqual(plan.resources[1]);
      expect(call?.event.state).toEqual({ instanceId: 'x' });
      expect(call?.event.run).toEqual({
        id: 'run-20261125-abc123',
        mode: 'failover',
        startedAt: '2026-11-25T12:00:00.000Z',
      });
      // The implementation sees the resource, not the raw id field of the step event.
      expect(Object.keys(call?.event ?? {}).sort()).toEqual([
        'action',
        'plan',
        'resource',
        'resourceId',
        'run',
        'state',
      ]);
    });

    it('dispatches each action to its own function', async () => {
      const family = fakeGroupType();
      for (const action of ['readiness', 'start', 'check', 'revert'] as const) {
        await runStep(
          family.registry,
          family.clientsFor,
          stepEvent(action, { resource: 'web', mode: 'drill' }),
          testClock(),
        );
      }
      expect(family.calls.map((c) => c.action)).toEqual(['readiness', 'start', 'check', 'revert']);
    });

    it('fails an id that is not in the plan with InvalidStepInputError naming the plan’s ids', async () => {
      const family = fakeGroupType();
      const run = runStep(family.registry, family.clientsFor, stepEvent('start', { resource: 'cache' }));
      await expect(run).rejects.toThrow(InvalidStepInputError);
      await expect(run).rejects.toThrow('resource "cache" is not in plan shop (its resources: db, web, dns)');
      expect(family.calls).toEqual([]);
    });

    it('fails a resource of a type this family does not run, naming the types it runs', async () => {
      const family = fakeGroupType();
      const registry: FamilySteps<Clients> = { ...family.registry, 'lambda-hook': family.steps };
      const run = runStep(registry, family.clientsFor, stepEvent('start', { resource: 'db' }));
      await expect(run).rejects.toThrow(InvalidStepInputError);
      await expect(run).rejects.toThrow(
        'resource "db" is of type "rds-read-replica", which this family does not run (it runs auto-scaling-group, lambda-hook)',
      );
      expect(family.calls).toEqual([]);
    });

    it('stamps every progress result with the resource id and type, over whatever the type said', async () => {
      const family = fakeGroupType({ resource: 'someone-else', type: 'x' } as Partial<ProgressResult>);
      const result = await runStep(
        family.registry,
        family.clientsFor,
        stepEvent('start', { resource: 'web' }),
        testClock(),
      );
      expect(result).toMatchObject({
        family: 'compute',
        resource: 'web',
        type: 'auto-scaling-group',
        done: true,
      });
    });

    it('stamps a readiness result with resource, type, readiness and when it was evaluated', async () => {
      const family = fakeGroupType();
      const clock = testClock('2026-11-25T12:00:07.000Z');
      const result = await runStep(
        family.registry,
        family.clientsFor,
        stepEvent('readiness', { resource: 'web' }),
        clock,
      );
      expect(result).toEqual({
        family: 'compute',
        resource: 'web',
        type: 'auto-scaling-group',
        checks: [{ name: 'group-exists', status: 'pass', detail: 'shop-web-standby' }],
        predictedSeconds: 300,
        ready: true,
        evaluatedAt: '2026-11-25T12:00:07.000Z',
      });
      expect(family.expected).toEqual([]); // readiness has no deadline
    });

    it('calls a resource not ready when one of its checks failed, and ready with only warnings', async () => {
      const family = fakeGroupType();
      const withChecks = (statuses: Array<'pass' | 'warn' | 'fail'>) => {
        family.steps.readiness = async () => ({
          family: 'compute',
          checks: statuses.map((status, i) => ({ name: `c${i}`, status, detail: status })),
          predictedSeconds: 1,
        });
        return runStep(
          family.registry,
          family.clientsFor,
          stepEvent('readiness', { resource: 'web' }),
          testClock(),
        );
      };
      await expect(withChecks(['pass', 'fail'])).resolves.toMatchObject({ ready: false });
      await expect(withChecks(['warn', 'pass'])).resolves.toMatchObject({ ready: true });
    });

    it('asks the type for the expected time of this resource in this mode, for the deadline', async () => {
      const family = fakeGroupType({ done: false, state: { startedAt: '2026-11-25T12:00:00.000Z' } });
      await runStep(
        family.registry,
        family.clientsFor,
        stepEvent('check', { resource: 'web', mode: 'drill' }),
        testClock(),
      );
      expect(family.expected).toEqual([{ resource: plan.resources[1], mode: 'drill' }]);
    });

    it('fails a loop past its deadline, naming resources[i].timeoutMinutes of that resource', async () => {
      const family = fakeGroupType({
        done: false,
        detail: 'shop-web-standby has 1 of 4 instances in service',
        state: { startedAt: '2026-11-25T12:00:00.000Z' },
      });
      const clock = testClock();
      clock.advance(21 * 60); // 4 × 300 s expected = 20 min
      const run = runStep(family.registry, family.clientsFor, stepEvent('check', { resource: 'web' }), clock);
      await expect(run).rejects.toThrow(StepTimedOutError);
      await expect(run).rejects.toMatchObject({
        resource: 'web',
        message:
          'web check not done after 21 min (timeout 20 min: raise resources[1].timeoutMinutes if this is normal): shop-web-standby has 1 of 4 instances in service',
      });
    });
  });

  describe('familyHandler', () => {
    it('is a Lambda handler that returns the stamped step result', async () => {
      const family = fakeGroupType();
      const handler = familyHandler('compute', family.registry, family.clientsFor);
      const result = await handler(stepEvent('readiness', { resource: 'web' }), lambdaContext);
      expect(result).toEqual({
        family: 'compute',
        resource: 'web',
        type: 'auto-scaling-group',
        checks: [{ name: 'group-exists', status: 'pass', detail: 'shop-web-standby' }],
        predictedSeconds: 300,
        evaluatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        ready: true,
      });
      expect(family.calls.map((c) => c.action)).toEqual(['readiness']);
    });

    it('fails with InvalidStepInputError on a malformed event, touching nothing', async () => {
      const family = fakeGroupType();
      const handler = familyHandler('compute', family.registry, family.clientsFor);
      await expect(handler({ action: 'start' }, lambdaContext)).rejects.toMatchObject({
        name: 'InvalidStepInputError',
      });
      expect(family.calls).toEqual([]);
    });

    it('fails with InvalidStepInputError on a resource it does not run', async () => {
      const family = fakeGroupType();
      const handler = familyHandler('compute', family.registry, family.clientsFor);
      await expect(handler(stepEvent('start', { resource: 'dns' }), lambdaContext)).rejects.toMatchObject({
        name: 'InvalidStepInputError',
        message: expect.stringContaining('resource "dns" is of type "route53-records"'),
      });
    });

    it('lets a step error through with its name, for Step Functions Catch', async () => {
      const family = fakeGroupType();
      family.steps.start = async () => {
        throw new InvalidStepInputError('nope', 'shop-web-standby');
      };
      const handler = familyHandler('compute', family.registry, family.clientsFor);
      await expect(handler(stepEvent('start', { resource: 'web' }), lambdaContext)).rejects.toMatchObject({
        name: 'InvalidStepInputError',
        resource: 'shop-web-standby',
      });
    });
  });

  describe('runStep along a polling loop', () => {
    it('carries what start changed and measured into every later check result, once', async () => {
      const family = fakeGroupType();
      const change = { resource: 'shop-web-standby', action: 'scale', detail: '0/0/0 → 2/4/8' };
      family.steps.start = async () => ({
        family: 'compute',
        action: 'start',
        done: false,
        nextCheckSeconds: 2,
        detail: 'scaling',
        state: { startedAt: '2026-11-25T12:00:00.000Z' },
        changes: [change],
        measurements: { instancesBefore: 0 },
      });
      family.steps.check = async () => ({
        family: 'compute',
        action: 'check',
        done: true,
        nextCheckSeconds: 0,
        detail: 'in service',
        state: { startedAt: '2026-11-25T12:00:00.000Z' },
        changes: [change],
      });
      // A fixed clock: the run started at 12:00, so wall-clock time would trip the loop's deadline.
      const clock = testClock();
      const started = (await runStep(
        family.registry,
        family.clientsFor,
        stepEvent('start', { resource: 'web' }),
        clock,
      )) as ProgressResult;
      clock.advance(30);
      const checked = (await runStep(
        family.registry,
        family.clientsFor,
        stepEvent('check', { resource: 'web', state: started.state }),
        clock,
      )) as ProgressResult;
      expect(checked.measurements).toEqual({ instancesBefore: 0 });
      expect(started.startedAt).toBe('2026-11-25T12:00:00.000Z');
      expect(started.completedAt).toBeUndefined();
      expect(checked.completedAt).toBe('2026-11-25T12:00:30.000Z');
      expect(checked.changes).toEqual([change]);
      expect(checked).toMatchObject({ resource: 'web', type: 'auto-scaling-group' });
    });
  });
});
