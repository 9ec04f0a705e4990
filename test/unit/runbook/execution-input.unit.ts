import { describe, expect, it } from '@jest/globals';
import {
  ALARM_CLOCK_SKEW_MINUTES,
  type ExecutionContext,
  executionArnOf,
  InvalidInputError,
  MAX_INPUT_BYTES,
  RECENT_ALARM_MINUTES,
  RUN_MODES,
  RUN_TIMEOUT_HOURS,
  runIdFromExecutionName,
  validateExecutionInput,
} from '../../../functions/runbook/execution-input.ts';
import { MODES } from '../../../functions/shared/step-contract.ts';
import { planSchema } from '../../../plan/schema.ts';
import { examplePlan, examplePlanInput } from '../../fixtures.ts';

describe('execution-input', () => {
  const plan = examplePlan(); // "shop", trigger alarm "shop-primary-health", no approval step
  const STATE_MACHINE_ARN = 'arn:aws:states:us-west-2:123456789012:stateMachine:dr-runbook-shop';
  const EXECUTIONS = 'arn:aws:states:us-west-2:123456789012:execution:dr-runbook-shop';
  const execution: ExecutionContext = {
    name: 'drill-2026-11-25_1200',
    startTime: '2026-11-25T12:00:00.000Z',
  };
  const deployed: ExecutionContext = {
    name: 'revert-2026-11-25_1300',
    startTime: '2026-11-25T13:00:00.000Z',
    arn: `${EXECUTIONS}:revert-2026-11-25_1300`,
    stateMachineArn: STATE_MACHINE_ARN,
  };
  const validate = (input: unknown, p = plan, e = execution) => validateExecutionInput(input, p, e);

  function rejection(input: unknown, p = plan, e = execution): string {
    try {
      validate(input, p, e);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as Error).name).toBe('InvalidInputError');
      return (error as Error).message;
    }
    throw new Error('expected the input to be rejected');
  }

  /** An alarm trigger for the plan's own alarm, `minutesBefore` the execution start. */
  const alarm = (minutesBefore: number, alarmName = 'shop-primary-health') => ({
    type: 'alarm',
    alarmName,
    stateChangeTime: new Date(Date.parse(execution.startTime) - minutesBefore * 60_000).toISOString(),
  });

  /** warm-standby with approval steps of these `when`s before its default steps (none: no gate). */
  const withApproval = (...when: Array<'always' | 'alarm-triggered'>) =>
    planSchema.parse({
      ...examplePlanInput(),
      steps: [
        ...when.map((w) => ({ approval: { when: w } })),
        { resources: ['db', 'web'] },
        { resources: ['dns'] },
      ],
    });

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
        executionArn: 'local:drill-2026-11-25_1200',
        reason: 'game day',
        requestedBy: 'alice',
        approvalRequired: false,
        lockExpiresAt: new Date(
          Date.parse(execution.startTime) + RUN_TIMEOUT_HOURS * 3_600_000,
        ).toISOString(),
      });
    });

    it("records the execution's own ARN when the state machine passes it", () => {
      expect(validate({ mode: 'drill' }, plan, deployed).executionArn).toBe(deployed.arn);
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
      expect(rejection({ mode: 'failover', confirm: 'shop-prod' })).toContain(
        'confirm: a manual failover must be confirmed with "confirm": "shop" (the plan\'s name), got "shop-prod"',
      );
    });

    it('rejects an unknown mode, naming the field and the allowed values', () => {
      expect(rejection({ mode: 'explode' })).toContain(
        'mode: must be one of "dry-run", "drill", "failover", "switchover", "revert", got the string "explode"',
      );
    });

    it('rejects a misspelled field instead of silently running a dry-run', () => {
      expect(rejection({ mdoe: 'drill' })).toContain(
        '(input): unknown field "mdoe": remove it or check the spelling',
      );
    });

    it('rejects an input that is not an object, saying what it must be', () => {
      for (const input of ['drill', [], 42]) {
        expect(rejection(input)).toMatch(
          /^invalid execution input: \(input\): must be a JSON object such as/,
        );
      }
    });

    it('rejects a schedule that asks for a failover, and an alarm that asks for a drill', () => {
      expect(rejection({ mode: 'failover', confirm: 'shop', trigger: { type: 'schedule' } })).toContain(
        'mode: a schedule may start a "drill" or a "dry-run", never a "failover"',
      );
      expect(rejection({ mode: 'drill', trigger: alarm(1) })).toContain(
        'mode: an alarm trigger starts a "failover", got "drill"',
      );
    });

    it('rejects an alarm trigger without a valid state change time', () => {
      expect(
        rejection({
          mode: 'failover',
          trigger: { type: 'alarm', alarmName: 'shop-primary-health', stateChangeTime: 'yesterday' },
        }),
      ).toContain('trigger.stateChangeTime: must be an ISO 8601 time');
    });

    it('rejects an unknown trigger type, listing the valid ones', () => {
      expect(rejection({ mode: 'drill', trigger: { type: 'pager' } })).toContain(
        'trigger.type: must be one of "alarm", "console", "schedule", "execution-ended"',
      );
    });
  });

  describe('validateExecutionInput: alarm triggers are believed only for the plan alarms and a recent change', () => {
    it('needs no confirmation and measures the RTO from the state change of a recent plan alarm', () => {
      const run = validate({ mode: 'failover', trigger: alarm(2.5) });

      expect(run.trigger).toEqual(alarm(2.5));
      expect(run.incidentStartedAt).toBe('2026-11-25T11:57:30.000Z');
      expect(run.startedAt).toBe('2026-11-25T12:00:00.000Z');
      expect(run.untrustedTrigger).toBeUndefined();
    });

    it(`believes a state change exactly ${RECENT_ALARM_MINUTES} min old`, () => {
      expect(validate({ mode: 'failover', trigger: alarm(RECENT_ALARM_MINUTES) }).trigger.type).toBe('alarm');
    });

    it('believes a state change a little after the execution start, but never puts the incident after it', () => {
      const run = validate({ mode: 'failover', trigger: alarm(-ALARM_CLOCK_SKEW_MINUTES) });

      expect(run.trigger.type).toBe('alarm');
      expect(run.incidentStartedAt).toBe(run.startedAt);
    });

    it("treats an alarm that is not one of the plan's as a manual failover: without confirm it is rejected, naming the field", () => {
      expect(rejection({ mode: 'failover', trigger: alarm(1, 'x') })).toBe(
        'invalid execution input: trigger.alarmName: "x" is not one of the plan\'s trigger alarms (shop-primary-health): ' +
          'the alarm claim is not accepted, so this is a manual failover and must be confirmed with "confirm": "shop" (the plan\'s name)',
      );
    });

    it('says so when the plan has no trigger alarms at all', () => {
      const noAlarms = planSchema.parse({ ...examplePlanInput(), triggers: {} });

      expect(rejection({ mode: 'failover', trigger: alarm(1) }, noAlarms)).toContain(
        'trigger.alarmName: "shop-primary-health" is not one of the plan\'s trigger alarms (the plan has none)',
      );
    });

    it(`treats a state change more than ${RECENT_ALARM_MINUTES} min old as a manual failover, naming the field`, () => {
      expect(rejection({ mode: 'failover', trigger: alarm(RECENT_ALARM_MINUTES + 1) })).toContain(
        `trigger.stateChangeTime: ${alarm(RECENT_ALARM_MINUTES + 1).stateChangeTime} is 61 min before the execution start (an alarm trigger is at most ${RECENT_ALARM_MINUTES} min old): the alarm claim is not accepted`,
      );
    });

    it(`treats a state change more than ${ALARM_CLOCK_SKEW_MINUTES} min after the execution start as a manual failover`, () => {
      expect(rejection({ mode: 'failover', trigger: alarm(-(ALARM_CLOCK_SKEW_MINUTES + 1)) })).toContain(
        `trigger.stateChangeTime: ${alarm(-6).stateChangeTime} is 6 min after the execution start (at most ${ALARM_CLOCK_SKEW_MINUTES} min of clock skew): the alarm claim is not accepted`,
      );
    });

    it('runs an unbelieved but confirmed alarm failover as console-started, noting the claim, from the execution start', () => {
      const claim = alarm(3 * 60);

      const run = validate({ mode: 'failover', confirm: 'shop', trigger: claim });

      expect(run.trigger).toEqual({ type: 'console' });
      expect(run.incidentStartedAt).toBe(run.startedAt);
      expect(run.untrustedTrigger).toEqual({
        claim,
        rejectedBecause: `trigger.stateChangeTime: ${claim.stateChangeTime} is 180 min before the execution start (an alarm trigger is at most ${RECENT_ALARM_MINUTES} min old)`,
      });
    });

    it('accepts what the alarm rule sends: reason, region and account', () => {
      const trigger = {
        ...alarm(1),
        reason: 'Threshold Crossed',
        region: 'us-east-1',
        account: '123456789012',
      };

      expect(validate({ mode: 'failover', requestedBy: 'eventbridge', trigger }).trigger).toEqual(trigger);
    });

    it('rejects a malformed region or account, naming the field', () => {
      expect(rejection({ mode: 'failover', trigger: { ...alarm(1), region: 'Ohio' } })).toContain(
        'trigger.region: must be an AWS region code such as "us-east-1"',
      );
      expect(rejection({ mode: 'failover', trigger: { ...alarm(1), account: '1234' } })).toContain(
        'trigger.account: must be a 12-digit AWS account ID',
      );
    });
  });

  describe('validateExecutionInput: sizes are bounded', () => {
    it.each([
      ['reason', 1024, (s: string) => ({ mode: 'drill', reason: s })],
      ['requestedBy', 256, (s: string) => ({ mode: 'drill', requestedBy: s })],
      ['confirm', 128, (s: string) => ({ mode: 'failover', confirm: s })],
      [
        'trigger.alarmName',
        255,
        (s: string) => ({ mode: 'failover', trigger: { ...alarm(1), alarmName: s } }),
      ],
      ['trigger.reason', 1024, (s: string) => ({ mode: 'failover', trigger: { ...alarm(1), reason: s } })],
      [
        'trigger.scheduleName',
        256,
        (s: string) => ({ mode: 'drill', trigger: { type: 'schedule', scheduleName: s } }),
      ],
    ])('rejects a %s longer than %i characters, naming the field and the fix', (field, max, input) => {
      expect(() => validate(input('x'.repeat(max)))).not.toThrow(/characters/);

      expect(rejection(input('x'.repeat(max + 1)))).toContain(
        `${field}: must be at most ${max} characters, got ${max + 1}: shorten it`,
      );
    });

    it(`rejects an input over ${MAX_INPUT_BYTES} bytes of JSON, saying what to shorten`, () => {
      const oversized = { mode: 'drill', reason: 'x'.repeat(1000), padding: 'y'.repeat(MAX_INPUT_BYTES) };

      expect(rejection(oversized)).toMatch(
        new RegExp(
          `^invalid execution input: \\(input\\): is \\d+ bytes of JSON, at most ${MAX_INPUT_BYTES} are accepted: shorten "reason"`,
        ),
      );
    });

    it('counts bytes, not characters', () => {
      // "€" is one character and three bytes: every field within its length, the whole over the size.
      const euros = (n: number) => '€'.repeat(n);
      const input = {
        mode: 'failover',
        reason: euros(1024),
        requestedBy: euros(256),
        confirm: euros(128),
        trigger: { ...alarm(1), alarmName: euros(255), reason: euros(1024) },
      };
      expect(JSON.stringify(input).length).toBeLessThan(MAX_INPUT_BYTES);
      expect(Buffer.byteLength(JSON.stringify(input))).toBeGreaterThan(MAX_INPUT_BYTES);

      expect(rejection(input)).toMatch(/^invalid execution input: \(input\): is \d+ bytes of JSON/);
    });
  });

  describe('validateExecutionInput: switchover (planned, lossless)', () => {
    it('accepts a switchover confirmed with the plan name, and refuses one without, naming the field', () => {
      expect(validate({ mode: 'switchover', confirm: 'shop' }).mode).toBe('switchover');
      expect(rejection({ mode: 'switchover' })).toContain(
        'confirm: a switchover (planned, it moves production) must be confirmed with "confirm": "shop" (the plan\'s name)',
      );
    });

    it('is never started by a schedule or an alarm', () => {
      expect(rejection({ mode: 'switchover', confirm: 'shop', trigger: { type: 'schedule' } })).toContain(
        'mode: a schedule may start a "drill" or a "dry-run", never a "switchover"',
      );
      expect(rejection({ mode: 'switchover', confirm: 'shop', trigger: alarm(1) })).toContain(
        'mode: an alarm trigger starts a "failover", got "switchover"',
      );
    });

    it('refuses a plan with a snapshot restore: it cannot move without loss', () => {
      expect(rejection({ mode: 'switchover', confirm: 'reports' }, examplePlan('backup-restore'))).toMatch(
        /mode: a switchover is lossless, but resources\[\d\] \("db"\) is an rds-snapshot-restore.*use "failover"/,
      );
    });

    it('waits at an "always" approval gate, never at an "alarm-triggered" one', () => {
      expect(validate({ mode: 'switchover', confirm: 'shop' }, withApproval('always')).approvalRequired).toBe(
        true,
      );
      expect(
        validate({ mode: 'switchover', confirm: 'shop' }, withApproval('alarm-triggered')).approvalRequired,
      ).toBe(false);
    });
  });

  describe('validateExecutionInput: only failovers wait for a person', () => {
    it('requires approval of a failover as the plan says: always, or only when a believed alarm started it', () => {
      expect(validate({ mode: 'failover', confirm: 'shop' }, withApproval('always')).approvalRequired).toBe(
        true,
      );
      expect(validate({ mode: 'failover', trigger: alarm(1) }, withApproval('always')).approvalRequired).toBe(
        true,
      );
      expect(
        validate({ mode: 'failover', trigger: alarm(1) }, withApproval('alarm-triggered')).approvalRequired,
      ).toBe(true);
      expect(
        validate({ mode: 'failover', confirm: 'shop' }, withApproval('alarm-triggered')).approvalRequired,
      ).toBe(false);
      expect(validate({ mode: 'failover', trigger: alarm(1) }, withApproval()).approvalRequired).toBe(false);
      expect(validate({ mode: 'failover', trigger: alarm(1) }, plan).approvalRequired).toBe(false);
    });

    it('waits when any of several gates would: an "always" gate after an "alarm-triggered" one', () => {
      const both = withApproval('alarm-triggered', 'always');
      expect(validate({ mode: 'failover', confirm: 'shop' }, both).approvalRequired).toBe(true);
    });

    it('reads the gates from the plan’s approval steps, wherever they stand', () => {
      const input = examplePlanInput('backup-restore'); // steps[0]: approval "always"
      const last = planSchema.parse({
        ...input,
        steps: [
          { resources: ['db', 'app'] },
          { resources: ['dns'] },
          { approval: { when: 'alarm-triggered' } },
        ],
      });
      const reports = (p: typeof last, body: Record<string, unknown>) => validate(body, p).approvalRequired;
      expect(reports(examplePlan('backup-restore'), { mode: 'failover', confirm: 'reports' })).toBe(true);
      expect(reports(last, { mode: 'failover', confirm: 'reports' })).toBe(false);
    });

    it('never waits for an unbelieved alarm claim under "alarm-triggered": it is a confirmed manual failover', () => {
      const run = validate(
        { mode: 'failover', confirm: 'shop', trigger: alarm(1, 'x') },
        withApproval('alarm-triggered'),
      );

      expect(run.approvalRequired).toBe(false);
    });

    it('never makes a drill, a dry-run or a revert wait, even when the plan says "always"', () => {
      const always = withApproval('always', 'alarm-triggered');

      expect(validate({ mode: 'drill' }, always).approvalRequired).toBe(false);
      expect(validate({ mode: 'dry-run' }, always).approvalRequired).toBe(false);
      expect(validate({ mode: 'drill', trigger: { type: 'schedule' } }, always).approvalRequired).toBe(false);
      expect(validate({ mode: 'revert', runId: 'drill-1' }, always).approvalRequired).toBe(false);
    });
  });

  describe('validateExecutionInput: revert', () => {
    const ended = (executionArn: string, status = 'ABORTED') => ({
      mode: 'revert',
      trigger: { type: 'execution-ended', executionArn, status },
    });

    it('is a run mode of its own, not a mode the step families accept', () => {
      expect(RUN_MODES).toEqual([...MODES, 'revert']);
      expect(MODES).not.toContain('revert');
    });

    it('reverts a run named by hand, deriving its execution ARN from the state machine', () => {
      const run = validate({ mode: 'revert', runId: 'drill-2026-11-25-1200' }, plan, deployed);

      expect(run).toMatchObject({
        mode: 'revert',
        trigger: { type: 'console' },
        executionArn: deployed.arn,
        revertTarget: { runId: 'drill-2026-11-25-1200', executionArn: `${EXECUTIONS}:drill-2026-11-25-1200` },
        approvalRequired: false,
      });
    });

    it('names a hand-started revert target "local:<run id>" where the state machine is unknown', () => {
      expect(validate({ mode: 'revert', runId: 'drill-1' }).revertTarget).toEqual({
        runId: 'drill-1',
        executionArn: 'local:drill-1',
      });
      expect(executionArnOf('drill-1', undefined)).toBe('local:drill-1');
    });

    it("reverts after an execution of this state machine ended, as the runbook's execution-status rule says", () => {
      const run = validate(ended(`${EXECUTIONS}:drill_2026-11-25`, 'TIMED_OUT'), plan, deployed);

      expect(run.trigger).toEqual({
        type: 'execution-ended',
        executionArn: `${EXECUTIONS}:drill_2026-11-25`,
        status: 'TIMED_OUT',
      });
      expect(run.revertTarget).toEqual({
        runId: 'drill-2026-11-25',
        executionArn: `${EXECUTIONS}:drill_2026-11-25`,
        status: 'TIMED_OUT',
      });
    });

    it('rejects an ended execution of another state machine, naming the field', () => {
      const other = 'arn:aws:states:us-west-2:123456789012:execution:dr-runbook-billing:drill-1';

      expect(rejection(ended(other), plan, deployed)).toBe(
        `invalid execution input: trigger.executionArn: "${other}" is not an execution of this state machine (${STATE_MACHINE_ARN}): a revert undoes only this runbook's own runs`,
      );
    });

    it('rejects an ended execution that is this execution itself', () => {
      expect(rejection(ended(`${EXECUTIONS}:${deployed.name}`), plan, deployed)).toContain(
        'trigger.executionArn: is this execution itself',
      );
    });

    it('rejects an execution ARN that is not one, and a status the rule never sends', () => {
      expect(rejection(ended('drill-1'))).toContain(
        'trigger.executionArn: must be a Step Functions execution ARN such as "arn:aws:states:',
      );
      expect(rejection(ended(`${EXECUTIONS}:drill-1`, 'SUCCEEDED'))).toContain(
        'trigger.status: must be one of "ABORTED", "FAILED", "TIMED_OUT", got the string "SUCCEEDED"',
      );
    });

    it('needs exactly one of runId and an execution-ended trigger, saying how to name the run', () => {
      expect(rejection({ mode: 'revert' })).toBe(
        'invalid execution input: runId: a revert must name the run it undoes: {"mode": "revert", "runId": "<run id>"} (the run id is in its report and in `dr-runbook history`)',
      );
      expect(rejection({ ...ended(`${EXECUTIONS}:drill-1`), runId: 'drill-1' }, plan, deployed)).toContain(
        'runId: give either "runId" or an "execution-ended" trigger, not both',
      );
    });

    it('rejects a run id resource names cannot carry, naming the field', () => {
      expect(rejection({ mode: 'revert', runId: 'drill_1' })).toContain(
        'runId: must be 1-64 letters, digits or "-"',
      );
      expect(rejection({ mode: 'revert', runId: 'x'.repeat(65) })).toContain('runId: must be 1-64 letters');
    });

    it('rejects a revert of this run itself', () => {
      expect(rejection({ mode: 'revert', runId: 'drill-2026-11-25-1200' })).toContain(
        'runId: "drill-2026-11-25-1200" is this run itself',
      );
    });

    it('accepts an execution-ended trigger with mode revert only, and a runId with mode revert only', () => {
      expect(rejection({ ...ended(`${EXECUTIONS}:drill-1`), mode: 'drill' }, plan, deployed)).toContain(
        'mode: an "execution-ended" trigger starts a "revert", got "drill"',
      );
      expect(rejection({ mode: 'drill', runId: 'drill-1' })).toContain(
        'runId: only a "revert" names a run to undo, got mode "drill": remove "runId" or set "mode": "revert"',
      );
    });

    it('is never started by a schedule or an alarm', () => {
      expect(rejection({ mode: 'revert', runId: 'drill-1', trigger: { type: 'schedule' } })).toContain(
        'mode: a schedule may start a "drill" or a "dry-run", never a "revert"',
      );
      expect(rejection({ mode: 'revert', runId: 'drill-1', trigger: alarm(1) })).toContain(
        'mode: an alarm trigger starts a "failover", got "revert"',
      );
    });
  });

  describe('runIdFromExecutionName', () => {
    it('keeps what resource names can carry and at most 64 characters', () => {
      expect(runIdFromExecutionName('a_b.c')).toBe('a-b-c');
      expect(runIdFromExecutionName('x'.repeat(80))).toHaveLength(64);
    });
  });
});
