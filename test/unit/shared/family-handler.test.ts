import { beforeAll, describe, expect, it } from '@jest/globals';
import { InvalidStepInputError } from '../../../functions/shared/errors.ts';
import {
  type FamilySteps,
  familyHandler,
  parseStepEvent,
  runStep,
} from '../../../functions/shared/family-handler.ts';
import type { ProgressResult, StepEvent } from '../../../functions/shared/step-contract.ts';
import { lambdaContext, stepEvent, testClock } from '../../fixtures.ts';

beforeAll(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

/** A family that records what it was called with. */
function recordingFamily() {
  const calls: Array<{ action: string; region: string; event: StepEvent }> = [];
  const progress =
    (action: ProgressResult['action']) => async (event: StepEvent, clients: { region: string }) => {
      calls.push({ action, region: clients.region, event });
      return {
        family: 'database',
        action,
        done: true,
        nextCheckSeconds: 0,
        detail: 'ok',
        state: {},
        changes: [],
      } as ProgressResult;
    };
  const steps: FamilySteps<{ region: string }> = {
    readiness: async (event, clients) => {
      calls.push({ action: 'readiness', region: clients.region, event });
      return { family: 'database', strategy: 'none', checks: [], predictedSeconds: 0 };
    },
    start: progress('start'),
    check: progress('check'),
    revert: progress('revert'),
  };
  return { calls, steps, clientsFor: (region: string) => ({ region }) };
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

  it('rejects an event without a plan', () => {
    const { plan: _plan, ...raw } = stepEvent('start');
    expect(() => parseStepEvent(raw)).toThrow(/invalid step event: plan: is required/);
  });
});

describe('runStep', () => {
  it('dispatches the action with clients for the plan’s recovery region', async () => {
    const family = recordingFamily();
    await runStep(family.steps, family.clientsFor, stepEvent('check', { state: { instanceId: 'x' } }));
    expect(family.calls).toHaveLength(1);
    expect(family.calls[0]).toMatchObject({
      action: 'check',
      region: 'us-west-2',
      event: { state: { instanceId: 'x' } },
    });
  });
});

describe('familyHandler', () => {
  it('is a Lambda handler that returns the step result', async () => {
    const family = recordingFamily();
    const handler = familyHandler('database', family.steps, family.clientsFor);
    const result = await handler(stepEvent('readiness'), lambdaContext);
    expect(result).toEqual({
      family: 'database',
      strategy: 'none',
      checks: [],
      predictedSeconds: 0,
      evaluatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      ready: true,
    });
    expect(family.calls.map((c) => c.action)).toEqual(['readiness']);
  });

  it('fails with InvalidStepInputError on a malformed event, touching nothing', async () => {
    const family = recordingFamily();
    const handler = familyHandler('database', family.steps, family.clientsFor);
    await expect(handler({ action: 'start' }, lambdaContext)).rejects.toMatchObject({
      name: 'InvalidStepInputError',
    });
    expect(family.calls).toEqual([]);
  });

  it('lets a step error through with its name, for Step Functions Catch', async () => {
    const family = recordingFamily();
    family.steps.start = async () => {
      throw new InvalidStepInputError('nope', 'shop-db-replica');
    };
    const handler = familyHandler('database', family.steps, family.clientsFor);
    await expect(handler(stepEvent('start'), lambdaContext)).rejects.toMatchObject({
      name: 'InvalidStepInputError',
      resource: 'shop-db-replica',
    });
  });
});

describe('runStep along a polling loop', () => {
  it('carries what start changed and measured into every later check result, once', async () => {
    const family = recordingFamily();
    const change = { resource: 'shop-db-replica', action: 'promote', detail: 'promoted' };
    family.steps.start = async () => ({
      family: 'database',
      action: 'start',
      done: false,
      nextCheckSeconds: 2,
      detail: 'promoting',
      state: { startedAt: '2026-11-25T12:00:00.000Z' },
      changes: [change],
      measurements: { rpoSeconds: 4 },
    });
    family.steps.check = async () => ({
      family: 'database',
      action: 'check',
      done: true,
      nextCheckSeconds: 0,
      detail: 'available',
      state: { startedAt: '2026-11-25T12:00:00.000Z' },
      changes: [change],
    });
    // A fixed clock: the run started at 12:00, so wall-clock time would trip the loop's deadline.
    const clock = testClock();
    const started = (await runStep(
      family.steps,
      family.clientsFor,
      stepEvent('start'),
      clock,
    )) as ProgressResult;
    clock.advance(30);
    const checked = (await runStep(
      family.steps,
      family.clientsFor,
      stepEvent('check', { state: started.state }),
      clock,
    )) as ProgressResult;
    expect(checked.measurements).toEqual({ rpoSeconds: 4 });
    expect(started.startedAt).toBe('2026-11-25T12:00:00.000Z');
    expect(started.completedAt).toBeUndefined();
    expect(checked.completedAt).toEqual(expect.any(String));
    expect(checked.changes).toEqual([change]);
  });
});
