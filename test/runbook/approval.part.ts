// Approval with the pilot-light plan: its steps are Step1.approve (an approval gate, "when":
// "always"), Step2.recover (db ∥ app), Step3.switch (dns). Before a failover changes anything, the
// runbook publishes an approval request and waits on its task token for a person; a drill never waits.
import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { handler as runbookHandler } from '../../functions/runbook/handler.ts';
import { localLambdaContext } from '../../local/lambda-context.ts';
import type { JsonValue, LocalTaskHandler } from '../../local/task-handlers.ts';
import { first, PILOT_LIGHT } from './environments.ts';
import type { FakeAws } from './fake-aws.ts';
import {
  answerProbes,
  approvalStates,
  fakeAwsFor,
  finalState,
  onlyReport,
  type Runbook,
  runRunbook,
  synthesizeExample,
} from './harness.ts';

describe('approval', () => {
  let runbook: Runbook;
  let fake: FakeAws;
  let requests: JsonValue[];
  /** The gate's state names. */
  const GATE = 'Step1.approve';
  const WAIT = `${GATE}.WaitForApproval`;

  beforeAll(async () => {
    runbook = await synthesizeExample('pilot-light');
  }, 30_000);

  beforeEach(() => {
    fake = fakeAwsFor(runbook);
    answerProbes(200);
    requests = [];
  });

  /**
   * Stands in for the person: the real runbook Lambda publishes the approval request (as Step Functions
   * would invoke it), then the answer comes back as send-task-success or send-task-failure would give it.
   */
  function person(answer: 'approve' | 'deny'): LocalTaskHandler {
    return async (input) => {
      const { Payload } = input as { Payload: JsonValue };
      requests.push(Payload);
      await runbookHandler(Payload, localLambdaContext('dr-runbook-runbook') as never);
      if (answer === 'deny')
        throw Object.assign(new Error('not during month-end billing'), { name: 'ApprovalDenied' });
      return { approved: true };
    };
  }

  describe('runbook approval (pilot-light plan)', () => {
    it('has one approval gate, named by its step', () => {
      expect(approvalStates(runbook)).toEqual([WAIT]);
    });

    it('lets a dry-run through without asking anyone', async () => {
      const run = await runRunbook(runbook, {
        input: { mode: 'dry-run' },
        stateOverrides: { [WAIT]: person('approve') },
      });

      expect(run.status).toBe('SUCCEEDED');
      expect(run.entered).not.toContain(WAIT);
      expect(requests).toEqual([]);
      expect(onlyReport(fake)).toMatchObject({ plan: 'billing', outcome: 'ready' });
    });

    it('asks before a failover and, once approved, recovers', async () => {
      const run = await runRunbook(runbook, {
        input: { mode: 'failover', confirm: 'billing', requestedBy: 'bob' },
        stateOverrides: { [WAIT]: person('approve') },
      });

      expect(run.status).toBe('SUCCEEDED');
      const order = [
        `${GATE}.ApprovalRequired?`,
        WAIT,
        `${GATE}.ApprovalGranted`,
        'Step2.recover',
        'Step3.switch',
      ];
      expect(run.entered.filter((name) => order.includes(name))).toEqual(order);
      expect(requests).toEqual([
        expect.objectContaining({
          action: 'request-approval',
          gate: { step: GATE, timeoutMinutes: 15, onTimeout: 'abort' },
          taskToken: expect.any(String),
        }),
      ]);
      const [approvalRequest] = fake.sns.published;
      expect(approvalRequest?.Subject).toBe('dr-runbook billing: approve failover?');
      expect(approvalRequest?.Message).toContain(`past step ${GATE}`);
      expect(approvalRequest?.Message).toContain('Answer within 15 minutes, or the run is aborted.');
      expect(approvalRequest?.Message).toContain('aws stepfunctions send-task-success --region eu-central-1');

      expect(fake.replica()?.source).toBeUndefined();
      expect(fake.capacity()).toEqual({ min: 2, desired: 3, max: 6 });
      expect(fake.record('app.billing.example.org', 'A')?.AliasTarget).toEqual({
        HostedZoneId: 'Z215JYRZR1TBD5',
        DNSName: 'billing-alb-fra-123456.eu-central-1.elb.amazonaws.com.',
        EvaluateTargetHealth: true,
      });
      expect(onlyReport(fake)).toMatchObject({ mode: 'failover', outcome: 'succeeded' });
    });

    it('never makes a drill (a game day) wait for a person, whatever the plan says', async () => {
      const run = await runRunbook(runbook, {
        input: { mode: 'drill', trigger: { type: 'schedule', scheduleName: 'GameDay' } },
        stateOverrides: { [WAIT]: person('approve') },
      });

      expect(run.status).toBe('SUCCEEDED');
      expect(run.entered).toContain(`${GATE}.ApprovalRequired?`);
      expect(run.entered).not.toContain(WAIT);
      expect(run.entered).toEqual(
        expect.arrayContaining(['Step2.recover', 'Step3.switch', 'Revert3', 'Revert2']),
      );
      expect(requests).toEqual([]);
    });

    it('changes nothing when the approver denies, reports the denial and releases the lock', async () => {
      const run = await runRunbook(runbook, {
        input: { mode: 'failover', confirm: 'billing' },
        stateOverrides: { [WAIT]: person('deny') },
      });

      expect(run).toMatchObject({ status: 'FAILED', error: 'RunbookFailed' });
      expect(run.entered).toContain(`${GATE}Failed`);
      expect(run.entered).not.toContain(`${GATE}.ApprovalGranted`);
      expect(run.entered).not.toContain('Step2.recover');
      expect(finalState(run)?.failure).toMatchObject({ step: GATE, Error: 'ApprovalDenied' });
      expect(fake.mutatingCalls('rds', 'autoscaling', 'ec2', 'route53')).toEqual([]);
      expect(onlyReport(fake)).toMatchObject({
        mode: 'failover',
        outcome: 'failed',
        failedStep: GATE,
        cause: expect.stringContaining('ApprovalDenied'),
      });
      expect(fake.lockItem()).toBeUndefined();
      expect(fake.group()).toMatchObject({
        min: first(PILOT_LIGHT.groups, 'group').min,
        desired: 0,
        instances: [],
      });
    });
  });
});
