import { describe, expect, it } from '@jest/globals';
import {
  InvalidInputError,
  RUN_TIMEOUT_HOURS,
  runIdFromExecutionName,
  validateExecutionInput,
} from '../../../functions/runbook/execution-input.ts';
import { planSchema } from '../../../plan/schema.ts';
import { examplePlan, examplePlanInput } from '../../fixtures.ts';

const plan = examplePlan();
const execution = { name: 'drill-2026-11-25_1200', startTime: '2026-11-25T12:00:00.000Z' };
const validate = (input: unknown, p = plan) => validateExecutionInput(input, p, execution);

function rejection(input: unknown, p = plan): string {
  try {
    validate(input, p);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).name).toBe('InvalidInputError');
    return (error as Error).message;
  }
  throw new Error('expected the input to be rejected');
}

describe('validateExecutionInput', () => {
  it('treats an empty or missing input as a dry-run started from the console', () => {
    for (const input of [{}, undefined, null]) {
      expect(validate(input)).toMatchObject({
        mode: 'dry-run',
        trigger: { type: 'console' },
        approvalRequired: false,
      });
    }
  });

  it('starts a drill and measures the RTO from the execution start', () => {
    const run = validate({ mode: 'drill', reason: 'game day', requestedBy: 'alice' });
    expect(run).toEqual({
      id: 'drill-2026-11-25-1200',
      mode: 'drill',
      startedAt: '2026-11-25T12:00:00.000Z',
      incidentStartedAt: '2026-11-25T12:00:00.000Z',
      trigger: { type: 'console' },
      reason: 'game day',
      requestedBy: 'alice',
      approvalRequired: false,
      lockExpiresAt: new Date(Date.parse(execution.startTime) + RUN_TIMEOUT_HOURS * 3_600_000).toISOString(),
    });
  });

  it('accepts a manual failover confirmed with the plan name', () => {
    expect(validate({ mode: 'failover', confirm: 'shop' }).mode).toBe('failover');
  });

  it('rejects a manual failover without confirm, saying what to add', () => {
    expect(rejection({ mode: 'failover' })).toBe(
      'invalid execution input: confirm: a manual failover must be confirmed with "confirm": "shop" (the plan\'s name)',
    );
  });

  it('rejects a manual failover confirmed with another name', () => {
    expect(rejection({ mode: 'failover', confirm: 'shop-prod' })).toContain('got "shop-prod"');
  });

  it('measures an alarm-triggered failover from the alarm state change', () => {
    const run = validate({
      mode: 'failover',
      trigger: { type: 'alarm', alarmName: 'shop-primary-health', stateChangeTime: '2026-11-25T11:57:30Z' },
    });
    expect(run.incidentStartedAt).toBe('2026-11-25T11:57:30.000Z');
    expect(run.startedAt).toBe('2026-11-25T12:00:00.000Z');
  });

  it('never puts the incident after the execution start (clock skew)', () => {
    const run = validate({
      mode: 'failover',
      trigger: { type: 'alarm', alarmName: 'a', stateChangeTime: '2026-11-25T12:05:00Z' },
    });
    expect(run.incidentStartedAt).toBe(run.startedAt);
  });

  it('rejects an unknown mode, naming the field and the allowed values', () => {
    expect(rejection({ mode: 'explode' })).toContain(
      'mode: must be one of "dry-run", "drill", "failover", got the string "explode"',
    );
  });

  it('rejects a misspelled field instead of silently running a dry-run', () => {
    expect(rejection({ mdoe: 'drill' })).toContain('unknown field "mdoe"');
  });

  it('rejects a schedule that asks for a failover, and an alarm that asks for a drill', () => {
    expect(rejection({ mode: 'failover', confirm: 'shop', trigger: { type: 'schedule' } })).toContain(
      'a schedule may start a "drill" or a "dry-run", never a "failover"',
    );
    expect(
      rejection({
        mode: 'drill',
        trigger: { type: 'alarm', alarmName: 'a', stateChangeTime: '2026-11-25T11:00:00Z' },
      }),
    ).toContain('an alarm trigger starts a "failover"');
  });

  it('rejects an alarm trigger without a valid state change time', () => {
    expect(
      rejection({
        mode: 'failover',
        trigger: { type: 'alarm', alarmName: 'a', stateChangeTime: 'yesterday' },
      }),
    ).toContain('trigger.stateChangeTime: must be an ISO 8601 time');
  });

  it('requires approval as the plan says: always, or only for alarm-triggered runs, never for dry-runs', () => {
    const withApproval = (approval: string) =>
      planSchema.parse({ ...examplePlanInput(), triggers: { ...examplePlanInput().triggers, approval } });
    const alarm = { type: 'alarm', alarmName: 'a', stateChangeTime: '2026-11-25T11:00:00Z' };
    expect(validate({ mode: 'drill' }, withApproval('always')).approvalRequired).toBe(true);
    expect(validate({ mode: 'dry-run' }, withApproval('always')).approvalRequired).toBe(false);
    expect(validate({ mode: 'drill' }, withApproval('alarm-triggered')).approvalRequired).toBe(false);
    expect(
      validate({ mode: 'failover', trigger: alarm }, withApproval('alarm-triggered')).approvalRequired,
    ).toBe(true);
  });
});

describe('runIdFromExecutionName', () => {
  it('keeps what resource names can carry and at most 64 characters', () => {
    expect(runIdFromExecutionName('a_b.c')).toBe('a-b-c');
    expect(runIdFromExecutionName('x'.repeat(80))).toHaveLength(64);
  });
});
