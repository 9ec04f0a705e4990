import { describe, expect, it } from '@jest/globals';
import {
  enforceDeadline,
  StepTimedOutError,
  stepTimeoutSeconds,
} from '../../../functions/shared/deadlines.ts';
import type { ProgressResult } from '../../../functions/shared/step-contract.ts';
import { planSchema } from '../../../plan/schema.ts';
import { examplePlan, examplePlanInput } from '../../fixtures.ts';

const plan = examplePlan(); // promotion 300 s, healthy 300 s, sync 60 s

const pending = (family: ProgressResult['family'], startedAt: string): ProgressResult => ({
  family,
  action: 'check',
  done: false,
  nextCheckSeconds: 10,
  detail: 'shop-db-replica is modifying',
  state: { startedAt },
  changes: [],
});

describe('stepTimeoutSeconds', () => {
  it('defaults to four times the expected time, and never less than 15 minutes', () => {
    expect(stepTimeoutSeconds(plan, 'database', 'failover')).toBe(1200);
    expect(stepTimeoutSeconds(plan, 'database', 'drill')).toBe(3600);
    expect(stepTimeoutSeconds(plan, 'traffic', 'failover')).toBe(900);
  });

  it('takes the plan’s timeoutMinutes when set', () => {
    const input = examplePlanInput();
    const withTimeout = planSchema.parse({ ...input, compute: { ...input.compute, timeoutMinutes: 45 } });
    expect(stepTimeoutSeconds(withTimeout, 'compute', 'failover')).toBe(2700);
  });
});

describe('enforceDeadline', () => {
  it('lets an operation within its deadline go on', () => {
    expect(() =>
      enforceDeadline(
        plan,
        'failover',
        pending('database', '2026-11-25T12:00:00Z'),
        new Date('2026-11-25T12:19:00Z'),
      ),
    ).not.toThrow();
  });

  it('fails an operation past its deadline, saying which setting to raise', () => {
    const late = () =>
      enforceDeadline(
        plan,
        'failover',
        pending('database', '2026-11-25T12:00:00Z'),
        new Date('2026-11-25T12:21:00Z'),
      );
    expect(late).toThrow(StepTimedOutError);
    expect(late).toThrow(
      'database check not done after 21 min (timeout 20 min: raise plan.database.timeoutMinutes if this is normal)',
    );
  });

  it('never fails a finished operation', () => {
    const done = { ...pending('database', '2026-11-25T10:00:00Z'), done: true };
    expect(() => enforceDeadline(plan, 'failover', done, new Date('2026-11-25T12:00:00Z'))).not.toThrow();
  });
});
