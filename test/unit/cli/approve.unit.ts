import 'aws-sdk-client-mock-jest';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  GetExecutionHistoryCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { waitingApproval } from '../../../cli/approve.ts';
import { main } from '../../../cli/main.ts';
import { mockClient } from '../../aws-mock.ts';
import { awsError } from '../../fixtures.ts';
import {
  captured,
  describedStack,
  EXECUTION_ARN,
  EXECUTION_NAME,
  historyBuilder,
} from './deployed-fixtures.ts';

describe('approve', () => {
  const cloudFormation = mockClient(CloudFormationClient);
  const sfn = mockClient(SFNClient);

  beforeEach(() => {
    cloudFormation.reset();
    sfn.reset();
    cloudFormation.on(DescribeStacksCommand).resolves(describedStack());
    sfn.on(SendTaskSuccessCommand).resolves({});
    sfn.on(SendTaskFailureCommand).resolves({});
  });

  /** A failover paused at its approval gate; `answered` adds what happened to the gate after. */
  function atApprovalGate(answered?: 'succeeded' | 'retried' | 'ended') {
    const h = historyBuilder();
    h.started({ mode: 'failover', confirm: 'shop' });
    h.entered(5, 'Task', 'Step1.approve.WaitForApproval');
    const schedule = (token: string) =>
      h.add(5, {
        type: 'TaskScheduled',
        taskScheduledEventDetails: {
          resourceType: 'lambda',
          resource: 'invoke.waitForTaskToken',
          region: 'us-west-2',
          parameters: JSON.stringify({
            FunctionName: 'arn:aws:lambda:us-west-2:123456789012:function:runbook',
            Payload: {
              action: 'request-approval',
              run: { id: EXECUTION_NAME, mode: 'failover' },
              taskToken: token,
            },
          }),
        },
      });
    schedule('token-1');
    h.add(6, { type: 'TaskStarted' });
    if (answered === 'retried') {
      h.taskFailed(7, 'TransientAwsError', 'throttled');
      schedule('token-2');
      h.add(9, { type: 'TaskStarted' });
    }
    if (answered === 'succeeded') {
      h.add(60, { type: 'TaskSucceeded' });
      h.exited(60, 'Task', 'Step1.approve.WaitForApproval');
      h.entered(60, 'Parallel', 'Recover');
    }
    if (answered === 'ended') h.add(60, { type: 'ExecutionAborted', executionAbortedEventDetails: {} });
    return h.events;
  }

  describe('dr-runbook approve and deny', () => {
    it('approves the waiting failover with the task token from the history', async () => {
      sfn.on(GetExecutionHistoryCommand).resolves({ events: atApprovalGate() });
      const output = captured();

      expect(await main(['approve', EXECUTION_ARN, '--by', 'alice'], output)).toBe(0);

      expect(sfn).toHaveReceivedCommandWith(GetExecutionHistoryCommand, {
        executionArn: EXECUTION_ARN,
        reverseOrder: false,
      });
      expect(sfn).toHaveReceivedCommandWith(SendTaskSuccessCommand, {
        taskToken: 'token-1',
        output: JSON.stringify({ approved: true, approvedBy: 'alice' }),
      });
      expect(sfn).not.toHaveReceivedCommand(SendTaskFailureCommand);
      expect(output.stdout).toEqual([
        `Approved the FAILOVER of "shop" (run ${EXECUTION_NAME}) as alice: the run goes on. Follow it with: dr-runbook watch ${EXECUTION_NAME}`,
      ]);
    });

    it('denies with the reason and who denied as the cause', async () => {
      sfn.on(GetExecutionHistoryCommand).resolves({ events: atApprovalGate() });
      const output = captured();

      const args = ['deny', EXECUTION_NAME, '--reason', 'primary is back', '--by', 'bob'];
      expect(await main(args, output)).toBe(0);

      expect(sfn).toHaveReceivedCommandWith(GetExecutionHistoryCommand, { executionArn: EXECUTION_ARN });
      expect(sfn).toHaveReceivedCommandWith(SendTaskFailureCommand, {
        taskToken: 'token-1',
        error: 'ApprovalDenied',
        cause: 'primary is back (denied by bob)',
      });
      expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
    });

    it('answers the newest request after the gate was retried', async () => {
      sfn.on(GetExecutionHistoryCommand).resolves({ events: atApprovalGate('retried') });
      expect(await main(['approve', EXECUTION_ARN, '--by', 'alice'], captured())).toBe(0);
      expect(sfn).toHaveReceivedCommandWith(SendTaskSuccessCommand, { taskToken: 'token-2' });
    });

    it.each([
      ['already answered', 'succeeded'],
      ['ended', 'ended'],
    ] as const)('exits 1 in one line when the approval was %s', async (_label, answered) => {
      sfn.on(GetExecutionHistoryCommand).resolves({ events: atApprovalGate(answered) });
      const output = captured();

      expect(await main(['approve', EXECUTION_ARN], output)).toBe(1);
      expect(output.stderr).toEqual([
        `dr-runbook approve: execution ${EXECUTION_NAME} is not waiting for an approval: nothing to approve`,
      ]);
      expect(sfn).not.toHaveReceivedCommand(SendTaskSuccessCommand);
    });

    it('names the execution when it does not exist', async () => {
      sfn
        .on(GetExecutionHistoryCommand)
        .rejects(awsError('ExecutionDoesNotExist', 400, 'Execution Does Not Exist'));
      const output = captured();

      expect(await main(['deny', EXECUTION_ARN], output)).toBe(1);
      expect(output.stderr).toEqual([
        `dr-runbook deny: execution ${EXECUTION_ARN} does not exist in us-west-2: check the name or ARN (and --region)`,
      ]);
      expect(sfn).not.toHaveReceivedCommand(SendTaskFailureCommand);
    });

    it('says the request is no longer waiting when the token has timed out', async () => {
      sfn.on(GetExecutionHistoryCommand).resolves({ events: atApprovalGate() });
      sfn.on(SendTaskSuccessCommand).rejects(awsError('TaskTimedOut', 400, 'Task Timed Out'));
      const output = captured();

      expect(await main(['approve', EXECUTION_ARN], output)).toBe(1);
      expect(output.stderr).toEqual([
        `dr-runbook approve: the approval request in ${EXECUTION_ARN} is no longer waiting (TaskTimedOut): it timed out or was already answered`,
      ]);
    });

    it('names states:SendTaskSuccess when the credentials may not answer', async () => {
      sfn.on(GetExecutionHistoryCommand).resolves({ events: atApprovalGate() });
      sfn.on(SendTaskSuccessCommand).rejects(awsError('AccessDeniedException', 400, 'not authorized'));
      const output = captured();

      expect(await main(['approve', EXECUTION_ARN], output)).toBe(1);
      expect(output.stderr[0]).toContain('may not call states:SendTaskSuccess on');
    });

    it.each([
      ['approve without an execution', ['approve'], 'usage: dr-runbook approve EXECUTION'],
      ['approve with --reason', ['approve', EXECUTION_ARN, '--reason', 'x'], "Unknown option '--reason'"],
      ['deny with two executions', ['deny', 'a', 'b'], 'usage: dr-runbook deny EXECUTION [--reason TEXT]'],
    ])('exits 2 and sends nothing for %s', async (_label, args, message) => {
      const output = captured();
      expect(await main(args, output)).toBe(2);
      expect(output.stderr.join('\n')).toContain(message);
      expect(sfn.calls()).toHaveLength(0);
      expect(cloudFormation.calls()).toHaveLength(0);
    });
  });

  describe('waitingApproval', () => {
    it('finds the run the gate is asking about', () => {
      expect(waitingApproval(atApprovalGate())).toEqual({
        taskToken: 'token-1',
        run: { id: EXECUTION_NAME, mode: 'failover' },
        since: new Date('2026-11-25T12:00:05Z'),
      });
    });
  });
});
