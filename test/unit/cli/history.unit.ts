import 'aws-sdk-client-mock-jest';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { main } from '../../../cli/main.ts';
import { mockClient } from '../../aws-mock.ts';
import { awsError } from '../../fixtures.ts';
import {
  captured,
  describedStack,
  noCredentials,
  runItem,
  runReport,
  TABLE_NAME,
} from './deployed-fixtures.ts';

describe('history', () => {
  const cloudFormation = mockClient(CloudFormationClient);
  const dynamo = mockClient(DynamoDBClient);

  beforeEach(() => {
    cloudFormation.reset();
    dynamo.reset();
    cloudFormation.on(DescribeStacksCommand).resolves(describedStack());
  });

  const failedFailover = runReport({
    runId: 'failover-20261126T030000Z-beef',
    mode: 'failover',
    outcome: 'failed',
    startedAt: '2026-11-26T03:00:00.000Z',
    rto: { objectiveSeconds: 1800, achievedSeconds: null, met: null },
    rpo: { objectiveSeconds: 300, achievedSeconds: 420, met: false },
  });

  describe('dr-runbook history', () => {
    it('prints the latest runs newest first, with RTO and RPO against their objectives', async () => {
      dynamo.on(QueryCommand).resolves({ Items: [runItem(failedFailover), runItem(runReport())] });
      const output = captured();

      expect(await main(['history'], output)).toBe(0);

      expect(dynamo).toHaveReceivedCommandWith(QueryCommand, {
        TableName: TABLE_NAME,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'RUN#shop' } },
        ScanIndexForward: false,
        Limit: 10,
      });
      expect(output.stdout).toEqual([
        'started               mode      outcome    RTO achieved/objective  RPO achieved/objective  run id',
        '2026-11-26T03:00:00Z  failover  failed     — / 1800 s              420 / 300 s ✗           failover-20261126T030000Z-beef',
        '2026-11-25T12:00:00Z  drill     succeeded  512 / 1800 s ✓          12 / 300 s ✓            drill-20261125T120000Z-3f9a',
      ]);
    });

    it('reads no more than --limit runs', async () => {
      const lastKey = { pk: { S: 'RUN#shop' }, sk: { S: 'x' } };
      dynamo.on(QueryCommand).resolves({ Items: [runItem(failedFailover)], LastEvaluatedKey: lastKey });
      const output = captured();

      expect(await main(['history', '--limit', '1'], output)).toBe(0);
      expect(dynamo).toHaveReceivedCommandTimes(QueryCommand, 1);
      expect(dynamo).toHaveReceivedCommandWith(QueryCommand, { Limit: 1 });
      expect(output.stdout).toHaveLength(2);
    });

    it('says how to start a first run when there is none', async () => {
      dynamo.on(QueryCommand).resolves({ Items: [] });
      const output = captured();

      expect(await main(['history'], output)).toBe(0);
      expect(output.stdout).toEqual([
        `No runs of "shop" recorded in ${TABLE_NAME} yet: try dr-runbook start --mode dry-run`,
      ]);
    });

    it('says which stack output is missing from an incomplete stack', async () => {
      const stack = describedStack();
      const [described] = stack.Stacks ?? [];
      if (described) described.Outputs = described.Outputs?.filter((o) => o.OutputKey !== 'HistoryTableName');
      cloudFormation.on(DescribeStacksCommand).resolves(stack);
      const output = captured();

      expect(await main(['history'], output)).toBe(1);
      expect(output.stderr).toEqual([
        expect.stringMatching(
          /^dr-runbook history: stack DrRunbook-shop \(UPDATE_COMPLETE\) in us-west-2 has no output HistoryTableName: redeploy it with npx cdk deploy --all -c plan=/,
        ),
      ]);
    });

    it('says to set credentials when there are none', async () => {
      cloudFormation.on(DescribeStacksCommand).rejects(noCredentials());
      const output = captured();

      expect(await main(['history'], output)).toBe(1);
      expect(output.stderr).toEqual([
        'dr-runbook history: no AWS credentials: set AWS_PROFILE or use --profile',
      ]);
    });

    it('names the table when it is gone', async () => {
      dynamo
        .on(QueryCommand)
        .rejects(awsError('ResourceNotFoundException', 400, 'Requested resource not found'));
      const output = captured();

      expect(await main(['history'], output)).toBe(1);
      expect(output.stderr).toEqual([
        `dr-runbook history: ${TABLE_NAME} not found in us-west-2: redeploy the stack DrRunbook-shop`,
      ]);
    });

    it.each([
      ['a zero limit', ['history', '--limit', '0']],
      ['a fractional limit', ['history', '--limit', '2.5']],
      ['a positional argument', ['history', 'shop']],
    ])('exits 2 with the usage line and sends nothing for %s', async (_label, args) => {
      const output = captured();
      expect(await main(args, output)).toBe(2);
      expect(output.stderr.join('\n')).toContain('usage: dr-runbook history [--limit N]');
      expect(cloudFormation.calls()).toHaveLength(0);
      expect(dynamo.calls()).toHaveLength(0);
    });
  });
});
