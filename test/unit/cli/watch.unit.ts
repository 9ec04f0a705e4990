import 'aws-sdk-client-mock-jest';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeStateMachineForExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import { main } from '../../../cli/main.ts';
import { watchCommand } from '../../../cli/watch.ts';
import { mockClient } from '../../aws-mock.ts';
import { awsError } from '../../fixtures.ts';
import {
  captured,
  DEFINITION,
  describedStack,
  EXECUTION_ARN,
  EXECUTION_NAME,
  historyBuilder,
} from './deployed-fixtures.ts';

describe('watch', () => {
  const cloudFormation = mockClient(CloudFormationClient);
  const sfn = mockClient(SFNClient);
  const sleep = jest.fn(async (_ms: number) => {});

  beforeEach(() => {
    cloudFormation.reset();
    sfn.reset();
    sleep.mockClear();
    cloudFormation.on(DescribeStacksCommand).resolves(describedStack());
    sfn.on(DescribeStateMachineForExecutionCommand).resolves({ definition: DEFINITION });
  });

  const lambdaCause = (errorType: string, errorMessage: string) =>
    JSON.stringify({ errorType, errorMessage, trace: ['at step (file.js:1:1)'] });

  /** A drill that succeeds: Readiness, then Recover (database and compute in parallel), Report. */
  function succeedingRun(): { firstPoll: HistoryEvent[]; secondPoll: HistoryEvent[] } {
    const h = historyBuilder();
    h.started({ mode: 'drill', trigger: { type: 'console' } });
    h.entered(0, 'Task', 'Readiness');
    h.taskRan(4);
    h.exited(4, 'Task', 'Readiness', { detail: 'all 9 checks pass' });
    h.entered(4, 'Parallel', 'Recover');
    const branches = h.add(4, { type: 'ParallelStateStarted' });
    const database = h.entered(4, 'Task', 'DatabaseStart', branches);
    const compute = h.entered(4, 'Task', 'ComputeStart', branches);
    const firstPoll = [...h.events];
    h.add(4, { type: 'TaskScheduled' }, database);
    h.add(60, { type: 'TaskSucceeded' });
    h.exited(60, 'Task', 'DatabaseStart');
    h.add(4, { type: 'TaskScheduled' }, compute);
    h.add(90, { type: 'TaskSucceeded' });
    h.exited(90, 'Task', 'ComputeStart');
    h.add(90, { type: 'ParallelStateSucceeded' });
    h.exited(90, 'Parallel', 'Recover');
    h.entered(90, 'Task', 'Report');
    h.taskRan(95);
    h.exited(95, 'Task', 'Report');
    h.entered(95, 'Succeed', 'RunSucceeded');
    h.add(95, { type: 'ExecutionSucceeded', executionSucceededEventDetails: { output: '{}' } });
    return { firstPoll, secondPoll: h.events };
  }

  /** A drill whose standby never gets healthy: one retried throttle, then a caught failure, then RunFailed. */
  function failingRun(): { firstPoll: HistoryEvent[]; secondPoll: HistoryEvent[] } {
    const h = historyBuilder();
    h.started({ mode: 'drill' });
    h.entered(0, 'Parallel', 'Recover');
    const branches = h.add(0, { type: 'ParallelStateStarted' });
    h.entered(0, 'Task', 'ComputeStart', branches);
    h.add(0, { type: 'TaskScheduled' });
    h.taskFailed(10, 'TransientAwsError', lambdaCause('TransientAwsError', 'Rate exceeded'));
    const firstPoll = [...h.events];
    h.add(12, { type: 'TaskScheduled' });
    const notHealthy = lambdaCause(
      'StandbyNotHealthyError',
      'shop-web-standby has 0 of 4 instances InService',
    );
    h.taskFailed(30, 'StandbyNotHealthyError', notHealthy);
    h.add(30, { type: 'ParallelStateFailed' });
    h.exited(30, 'Parallel', 'Recover');
    h.entered(30, 'Pass', 'RecoverFailed');
    h.entered(31, 'Fail', 'RunFailed');
    h.add(31, {
      type: 'ExecutionFailed',
      executionFailedEventDetails: { error: 'RunbookFailed', cause: notHealthy },
    });
    return { firstPoll, secondPoll: h.events };
  }

  describe('dr-runbook watch', () => {
    it('prints the progress of a run over two polls until it succeeds, exit 0', async () => {
      const { firstPoll, secondPoll } = succeedingRun();
      sfn
        .on(GetExecutionHistoryCommand)
        .resolvesOnce({ events: firstPoll.slice(0, 5), nextToken: 'page-2' })
        .resolvesOnce({ events: firstPoll.slice(5) })
        .resolvesOnce({ events: secondPoll });
      const output = captured();

      const code = await watchCommand([EXECUTION_ARN, '--interval-seconds', '2'], output, { sleep });

      expect(code).toBe(0);
      expect(output.stdout).toEqual([
        `Watching a DRILL of "shop" (execution ${EXECUTION_NAME}, started 2026-11-25T12:00:00.000Z)`,
        '+  4.00s  ✓ Readiness (4.00 s) — all 9 checks pass',
        '+  4.00s  ┌ Recover',
        '+ 60.00s    ✓ DatabaseStart (56.0 s)',
        '+ 90.00s    ✓ ComputeStart (86.0 s)',
        '+ 90.00s  └ Recover (86.0 s)',
        '+ 95.00s  ✓ Report (5.00 s)',
        '+ 95.00s  ✓ RunSucceeded',
        `Execution ${EXECUTION_NAME} SUCCEEDED. Report: dr-runbook report ${EXECUTION_NAME}`,
      ]);
      expect(sleep).toHaveBeenCalledTimes(1);
      expect(sleep).toHaveBeenCalledWith(2000);
      expect(sfn).toHaveReceivedCommandWith(GetExecutionHistoryCommand, {
        executionArn: EXECUTION_ARN,
        reverseOrder: false,
        nextToken: 'page-2',
      });
      expect(sfn).toHaveReceivedCommandWith(DescribeStateMachineForExecutionCommand, {
        executionArn: EXECUTION_ARN,
      });
      expect(cloudFormation.calls()).toHaveLength(0);
    });

    it('prints retries and the failure, the error and its cause, and exits 1 when the run fails', async () => {
      const { firstPoll, secondPoll } = failingRun();
      sfn
        .on(GetExecutionHistoryCommand)
        .resolvesOnce({ events: firstPoll })
        .resolvesOnce({ events: secondPoll });
      const output = captured();

      expect(await watchCommand([EXECUTION_ARN], output, { sleep })).toBe(1);

      expect(output.stdout).toEqual([
        `Watching a DRILL of "shop" (execution ${EXECUTION_NAME}, started 2026-11-25T12:00:00.000Z)`,
        '+  0.00s  ┌ Recover',
        '+ 10.00s    ↻ retry ComputeStart (10.0 s) — TransientAwsError: Rate exceeded',
        '+ 30.00s    ✗ ComputeStart (30.0 s) — StandbyNotHealthyError: shop-web-standby has 0 of 4 instances InService',
        '+ 30.00s  ✗ Recover (30.0 s) — StandbyNotHealthyError: shop-web-standby has 0 of 4 instances InService',
        '+ 31.00s  ✗ RunFailed',
      ]);
      expect(output.stderr).toEqual([
        `Execution ${EXECUTION_NAME} FAILED: RunbookFailed: StandbyNotHealthyError: shop-web-standby has 0 of 4 instances InService`,
        `Report (if one was recorded): dr-runbook report ${EXECUTION_NAME}`,
      ]);
      expect(sleep).toHaveBeenCalledWith(5000);
    });

    it('resolves an execution name against the stack state machine', async () => {
      const { secondPoll } = succeedingRun();
      sfn.on(GetExecutionHistoryCommand).resolves({ events: secondPoll });
      const output = captured();

      expect(await watchCommand([EXECUTION_NAME], output, { sleep })).toBe(0);
      expect(cloudFormation).toHaveReceivedCommandWith(DescribeStacksCommand, {
        StackName: 'DrRunbook-shop',
      });
      expect(sfn).toHaveReceivedCommandWith(GetExecutionHistoryCommand, { executionArn: EXECUTION_ARN });
      expect(sleep).not.toHaveBeenCalled();
    });

    it('names the execution when it does not exist', async () => {
      sfn
        .on(DescribeStateMachineForExecutionCommand)
        .rejects(awsError('ExecutionDoesNotExist', 400, `Execution Does Not Exist: '${EXECUTION_ARN}'`));
      const output = captured();

      expect(await watchCommand([EXECUTION_ARN], output, { sleep })).toBe(1);
      expect(output.stderr).toEqual([
        `dr-runbook watch: execution ${EXECUTION_ARN} does not exist in us-west-2: check the name or ARN (and --region)`,
      ]);
    });

    it('says so in one line when the credentials may not read the history', async () => {
      sfn.on(GetExecutionHistoryCommand).rejects(awsError('AccessDeniedException', 400, 'not authorized'));
      const output = captured();

      expect(await watchCommand([EXECUTION_ARN], output, { sleep })).toBe(1);
      expect(output.stderr).toHaveLength(1);
      expect(output.stderr[0]).toContain('may not call states:GetExecutionHistory on arn:aws:states:');
    });

    it.each([
      ['no execution', ['watch']],
      ['two executions', ['watch', 'a', 'b']],
      ['a negative interval', ['watch', EXECUTION_ARN, '--interval-seconds', '-1']],
      ['a non-numeric interval', ['watch', EXECUTION_ARN, '--interval-seconds', 'soon']],
    ])('exits 2 with the usage line and sends nothing for %s', async (_label, args) => {
      const output = captured();
      expect(await main(args, output)).toBe(2);
      expect(output.stderr.join('\n')).toContain('usage: dr-runbook watch EXECUTION');
      expect(sfn.calls()).toHaveLength(0);
      expect(cloudFormation.calls()).toHaveLength(0);
    });
  });
});
