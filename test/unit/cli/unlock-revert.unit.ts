import 'aws-sdk-client-mock-jest';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DeleteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { main } from '../../../cli/main.ts';
import { mockClient } from '../../aws-mock.ts';
import {
  captured,
  describedStack,
  EXECUTION_ARN,
  STATE_MACHINE_ARN,
  TABLE_NAME,
} from './deployed-fixtures.ts';

describe('unlock-revert', () => {
  const cloudFormation = mockClient(CloudFormationClient);
  const dynamo = mockClient(DynamoDBClient);
  const sfn = mockClient(SFNClient);

  beforeEach(() => {
    cloudFormation.reset();
    dynamo.reset();
    sfn.reset();
    cloudFormation.on(DescribeStacksCommand).resolves(describedStack());
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION_ARN, startDate: new Date() });
  });

  describe('dr-runbook unlock', () => {
    it('answers --help and -h with its usage, touching nothing', async () => {
      for (const flag of ['--help', '-h']) {
        const output = captured();
        expect(await main(['unlock', flag], output)).toBe(0);
        expect(output.stdout[0]).toMatch(/^usage: dr-runbook unlock --confirm PLAN_NAME/);
      }
      expect(dynamo.calls()).toHaveLength(0);
      expect(cloudFormation.calls()).toHaveLength(0);
    });

    it('refuses without the plan name as confirmation (exit 2), touching nothing', async () => {
      const output = captured();
      expect(await main(['unlock', '--confirm', 'shopp'], output)).toBe(2);
      expect(output.stderr[0]).toContain('--confirm shop');
      expect(output.stderr[0]).toContain('got "shopp"');
      expect(dynamo.calls()).toHaveLength(0);
    });

    it('breaks the lock and says which run held it', async () => {
      dynamo.on(DeleteItemCommand).resolves({
        Attributes: {
          pk: { S: 'LOCK#shop' },
          sk: { S: 'LOCK' },
          runId: { S: 'drill-42' },
          mode: { S: 'drill' },
          acquiredAt: { S: '2026-11-25T12:00:00.000Z' },
        },
      });
      const output = captured();

      expect(await main(['unlock', '--confirm', 'shop'], output)).toBe(0);

      expect(dynamo).toHaveReceivedCommandWith(DeleteItemCommand, {
        TableName: TABLE_NAME,
        Key: { pk: { S: 'LOCK#shop' }, sk: { S: 'LOCK' } },
        ReturnValues: 'ALL_OLD',
      });
      expect(output.stdout[0]).toBe(
        'broke the lock of plan "shop": it was held by run drill-42 (drill, since 2026-11-25T12:00:00.000Z)',
      );
      expect(output.stderr[0]).toContain('dr-runbook revert drill-42');
    });

    it('says so when the lock was free', async () => {
      dynamo.on(DeleteItemCommand).resolves({});
      const output = captured();
      expect(await main(['unlock', '--confirm', 'shop'], output)).toBe(0);
      expect(output.stdout[0]).toBe('the lock of plan "shop" was free: nothing to break');
    });
  });

  describe('dr-runbook revert', () => {
    it('answers --help with its usage', async () => {
      const output = captured();
      expect(await main(['revert', '--help'], output)).toBe(0);
      expect(output.stdout[0]).toMatch(/^usage: dr-runbook revert RUN_ID/);
      expect(sfn.calls()).toHaveLength(0);
    });

    it.each([
      [[], 'name the run to revert'],
      [['not a run id!'], 'RUN_ID must be 1-64 letters'],
      [['a', 'b'], 'one RUN_ID'],
      [['drill-1', '--force'], "Unknown option '--force'"],
    ])('rejects %j with exit 2 and the usage, starting nothing', async (args, message) => {
      const output = captured();
      expect(await main(['revert', ...args], output)).toBe(2);
      expect(output.stderr.join('\n')).toContain(message);
      expect(output.stderr.join('\n')).toContain('usage: dr-runbook revert RUN_ID');
      expect(sfn.calls()).toHaveLength(0);
    });

    it('starts a cleanup run of the deployed runbook naming the run, and prints its ARN', async () => {
      const output = captured();

      expect(await main(['revert', 'drill-20261125T120000Z-3f9a', '--reason', 'left over'], output)).toBe(0);

      const [call] = sfn.commandCalls(StartExecutionCommand);
      expect(call?.args[0].input.stateMachineArn).toBe(STATE_MACHINE_ARN);
      expect(call?.args[0].input.name).toMatch(/^revert-drill-20261125T120000Z-3f9a-[0-9a-f]{4}$/);
      expect(JSON.parse(call?.args[0].input.input ?? '{}')).toEqual({
        mode: 'revert',
        runId: 'drill-20261125T120000Z-3f9a',
        trigger: { type: 'console' },
        requestedBy: 'dr-runbook revert',
        reason: 'left over',
      });
      expect(output.stdout).toEqual([EXECUTION_ARN]);
    });
  });
});
