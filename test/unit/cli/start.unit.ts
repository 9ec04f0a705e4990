import 'aws-sdk-client-mock-jest';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeStateMachineForExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import { main } from '../../../cli/main.ts';
import { startCommand } from '../../../cli/start.ts';
import { DEFAULT_PLAN } from '../../../plan/default-plan.ts';
import { mockClient } from '../../aws-mock.ts';
import { awsError, examplesDir } from '../../fixtures.ts';
import {
  captured,
  DEFINITION,
  describedStack,
  EXECUTION_ARN,
  historyBuilder,
  noCredentials,
  STATE_MACHINE_ARN,
} from './deployed-fixtures.ts';

describe('start', () => {
  const cloudFormation = mockClient(CloudFormationClient);
  const sfn = mockClient(SFNClient);

  beforeEach(() => {
    cloudFormation.reset();
    sfn.reset();
    cloudFormation.on(DescribeStacksCommand).resolves(describedStack());
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN, startDate: new Date() });
  });

  /** The input of the one StartExecution sent. */
  function sentInput(): unknown {
    const [call] = sfn.commandCalls(StartExecutionCommand);
    return JSON.parse(call?.args[0].input.input ?? 'null');
  }

  describe('dr-runbook help', () => {
    it('lists the commands for the deployed runbook', async () => {
      const output = captured();
      expect(await main(['help'], output)).toBe(0);
      for (const command of [
        'start --mode',
        'watch EXECUTION',
        'report EXECUTION|RUN_ID',
        'history',
        'approve',
        'deny',
      ]) {
        expect(output.stdout[0]).toContain(command);
      }
    });
  });

  describe('dr-runbook start', () => {
    it('starts a drill from the console and prints the execution ARN', async () => {
      const output = captured();
      const args = ['start', '--mode', 'drill', '--reason', 'game day', '--requested-by', 'alice'];
      expect(await main(args, output)).toBe(0);

      expect(cloudFormation).toHaveReceivedCommandWith(DescribeStacksCommand, {
        StackName: 'DrRunbook-shop',
      });
      expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, {
        stateMachineArn: STATE_MACHINE_ARN,
        name: expect.stringMatching(/^drill-\d{8}T\d{6}Z-[0-9a-f]{4}$/) as unknown as string,
      });
      expect(sentInput()).toEqual({
        mode: 'drill',
        trigger: { type: 'console' },
        reason: 'game day',
        requestedBy: 'alice',
      });
      expect(output.stdout).toEqual([EXECUTION_ARN]);
      expect(output.stderr).toEqual([
        expect.stringMatching(/^Follow it with: dr-runbook watch drill-\d{8}T/),
      ]);
    });

    it('sends a confirmed failover with its confirmation', async () => {
      const output = captured();
      const code = await main(
        ['start', '--mode', 'failover', '--confirm', 'shop', '--requested-by', 'bob'],
        output,
      );
      expect(code).toBe(0);
      expect(sentInput()).toMatchObject({ mode: 'failover', confirm: 'shop', trigger: { type: 'console' } });
    });

    it('refuses an unconfirmed failover before any AWS call', async () => {
      const output = captured();
      expect(await main(['start', '--mode', 'failover'], output)).toBe(2);
      expect(output.stderr.join('\n')).toContain('confirm it with --confirm shop');
      expect(output.stderr.join('\n')).toContain('usage: dr-runbook start --mode');
      expect(cloudFormation.calls()).toHaveLength(0);
      expect(sfn.calls()).toHaveLength(0);
    });

    it('refuses a failover confirmed with the wrong plan name', async () => {
      const output = captured();
      expect(await main(['start', '--mode', 'failover', '--confirm', 'shopp'], output)).toBe(2);
      expect(output.stderr[0]).toContain('got "shopp"');
      expect(sfn.calls()).toHaveLength(0);
    });

    it.each([
      ['no mode', ['start'], 'name the mode: --mode dry-run|drill|failover'],
      [
        'an unknown mode',
        ['start', '--mode', 'panic'],
        '--mode must be one of dry-run, drill, failover, switchover, got "panic"',
      ],
      ['an unknown option', ['start', '--mode', 'drill', '--force'], "Unknown option '--force'"],
      ['a positional argument', ['start', '--mode', 'drill', 'extra'], 'Unexpected argument'],
      [
        'a zero interval',
        ['start', '--mode', 'drill', '--interval-seconds', '0'],
        '--interval-seconds must be',
      ],
      [
        'a reason over 1024 characters',
        ['start', '--mode', 'drill', '--reason', 'x'.repeat(2000)],
        '--reason must be at most 1024 characters, got 2000',
      ],
    ])('exits 2 with the usage line and sends nothing for %s', async (_label, args, message) => {
      const output = captured();
      expect(await main(args, output)).toBe(2);
      expect(output.stderr.join('\n')).toContain(message);
      expect(output.stderr.join('\n')).toContain('usage: dr-runbook start');
      expect(cloudFormation.calls()).toHaveLength(0);
      expect(sfn.calls()).toHaveLength(0);
    });

    it('uses --stack, --region and --profile for the clients', async () => {
      const output = captured();
      const args = [
        'start',
        '--mode',
        'dry-run',
        '--stack',
        'Other',
        '--region',
        'eu-west-1',
        '--profile',
        'dr',
      ];
      expect(await main(args, output)).toBe(0);
      expect(cloudFormation).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'Other' });
      const client = sfn.commandCalls(StartExecutionCommand)[0]?.thisValue as SFNClient;
      expect(await client.config.region()).toBe('eu-west-1');
      expect(client.config.profile).toBe('dr');
    });

    it('says how to answer when the plan asks for approval of a failover', async () => {
      const output = captured();
      const plan = `${examplesDir}pilot-light.json`;
      expect(
        await main(['start', '--mode', 'failover', '--confirm', 'billing', '--plan', plan], output),
      ).toBe(0);
      expect(cloudFormation).toHaveReceivedCommandWith(DescribeStacksCommand, {
        StackName: 'DrRunbook-billing',
      });
      expect(output.stderr[0]).toMatch(
        /waits for a person's approval: dr-runbook approve failover-\S+ --plan /,
      );
    });

    it('never makes a drill wait for a person, whatever the plan says about approval', async () => {
      const output = captured();
      const plan = `${examplesDir}pilot-light.json`;
      expect(await main(['start', '--mode', 'drill', '--plan', plan], output)).toBe(0);
      expect(output.stderr.join('\n')).not.toContain('approval');
    });

    it('names the stack and how to deploy it when it does not exist', async () => {
      cloudFormation
        .on(DescribeStacksCommand)
        .rejects(awsError('ValidationError', 400, 'Stack with id DrRunbook-shop does not exist'));
      const output = captured();
      expect(await main(['start', '--mode', 'drill'], output)).toBe(1);
      expect(output.stderr).toEqual([
        `dr-runbook start: stack DrRunbook-shop not found in us-west-2: deploy it with npx cdk deploy --all -c plan=${DEFAULT_PLAN}, or pass --stack/--region`,
      ]);
      expect(sfn.calls()).toHaveLength(0);
    });

    it('says to set credentials when there are none', async () => {
      cloudFormation.on(DescribeStacksCommand).rejects(noCredentials());
      const output = captured();
      expect(await main(['start', '--mode', 'drill'], output)).toBe(1);
      expect(output.stderr).toEqual([
        'dr-runbook start: no AWS credentials: set AWS_PROFILE or use --profile',
      ]);
    });

    it('names the action when access is denied', async () => {
      sfn.on(StartExecutionCommand).rejects(awsError('AccessDeniedException', 400, 'not authorized'));
      const output = captured();
      expect(await main(['start', '--mode', 'drill'], output)).toBe(1);
      expect(output.stderr).toHaveLength(1);
      expect(output.stderr[0]).toMatch(
        /^dr-runbook start: access denied: these credentials may not call states:StartExecution on arn:aws:states:/,
      );
    });

    it('prints any other AWS error as its name and message', async () => {
      sfn.on(StartExecutionCommand).rejects(awsError('ExecutionLimitExceeded', 400, 'Too many\n executions'));
      const output = captured();
      expect(await main(['start', '--mode', 'drill'], output)).toBe(1);
      expect(output.stderr).toEqual(['dr-runbook start: ExecutionLimitExceeded: Too many executions']);
    });

    it('watches the run it started with --watch', async () => {
      const history = historyBuilder();
      history.started({ mode: 'drill' });
      history.entered(0, 'Succeed', 'RunSucceeded');
      history.add(1, { type: 'ExecutionSucceeded', executionSucceededEventDetails: { output: '{}' } });
      sfn.on(DescribeStateMachineForExecutionCommand).resolves({ definition: DEFINITION });
      sfn.on(GetExecutionHistoryCommand).resolves({ events: history.events });
      const sleep = jest.fn(async (_ms: number) => {});
      const output = captured();

      expect(await startCommand(['--mode', 'drill', '--watch'], output, { sleep })).toBe(0);
      expect(output.stdout[0]).toBe(EXECUTION_ARN);
      expect(output.stdout).toContain(
        `Execution ${EXECUTION_ARN.split(':').pop()} SUCCEEDED. Report: dr-runbook report ${EXECUTION_ARN.split(':').pop()}`,
      );
      expect(sleep).not.toHaveBeenCalled();
    });
  });
});
