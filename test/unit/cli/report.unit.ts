import 'aws-sdk-client-mock-jest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { main } from '../../../cli/main.ts';
import { runIdOf } from '../../../cli/report.ts';
import { mockClient } from '../../aws-mock.ts';
import { awsError } from '../../fixtures.ts';
import {
  captured,
  describedStack,
  EXECUTION_ARN,
  EXECUTION_NAME,
  noCredentials,
  runItem,
  runReport,
  TABLE_NAME,
} from './deployed-fixtures.ts';

describe('report', () => {
  const cloudFormation = mockClient(CloudFormationClient);
  const dynamo = mockClient(DynamoDBClient);
  const workDir = mkdtempSync(join(tmpdir(), 'dr-runbook-report-'));

  const older = runReport({ runId: 'dry-run-20261120T080000Z-0001', startedAt: '2026-11-20T08:00:00.000Z' });

  beforeEach(() => {
    cloudFormation.reset();
    dynamo.reset();
    cloudFormation.on(DescribeStacksCommand).resolves(describedStack());
  });

  describe('dr-runbook report', () => {
    it("prints the run's Markdown report, found by its execution ARN", async () => {
      dynamo.on(QueryCommand).resolves({ Items: [runItem(runReport()), runItem(older)] });
      const output = captured();

      expect(await main(['report', EXECUTION_ARN], output)).toBe(0);

      expect(dynamo).toHaveReceivedCommandWith(QueryCommand, {
        TableName: TABLE_NAME,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'RUN#shop' } },
        ScanIndexForward: false,
      });
      const markdown = output.stdout.join('\n');
      expect(markdown).toMatch(/^# dr-runbook drill of `shop`: SUCCEEDED/);
      expect(markdown).toContain(`Run \`${EXECUTION_NAME}\``);
      expect(markdown).toContain('| RTO | 1800 s | 512 s | ✅ met |');
      expect(markdown).toContain('| Readiness | +0.00 s | +4.00 s | 4.00 s | succeeded |');
      expect(output.stderr).toEqual([]);
    });

    it('finds a run by its run id on a later page of the history', async () => {
      const lastKey = { pk: { S: 'RUN#shop' }, sk: { S: `${runReport().startedAt}#${EXECUTION_NAME}` } };
      dynamo
        .on(QueryCommand)
        .resolvesOnce({ Items: [runItem(runReport())], LastEvaluatedKey: lastKey })
        .resolvesOnce({ Items: [runItem(older)] });
      const output = captured();

      expect(await main(['report', older.runId], output)).toBe(0);
      expect(dynamo).toHaveReceivedCommandWith(QueryCommand, { ExclusiveStartKey: lastKey });
      expect(output.stdout[0]).toContain('# dr-runbook drill of `shop`');
      expect(output.stdout.join('\n')).toContain(older.runId);
    });

    it('writes the HTML and Markdown files when asked', async () => {
      dynamo.on(QueryCommand).resolves({ Items: [runItem(runReport())] });
      const html = join(workDir, 'run.html');
      const md = join(workDir, 'run.md');
      const output = captured();

      expect(await main(['report', EXECUTION_NAME, '--html', html, '--md', md], output)).toBe(0);
      expect(readFileSync(md, 'utf8')).toBe(`${output.stdout.join('\n')}\n`);
      expect(readFileSync(html, 'utf8')).toMatch(/<html[\s\S]*SUCCEEDED[\s\S]*<\/html>/i);
      expect(output.stderr).toEqual([`Markdown report written to ${md}`, `HTML report written to ${html}`]);
    });

    it('names the run and the table when there is no report', async () => {
      dynamo.on(QueryCommand).resolves({ Items: [runItem(older)] });
      const output = captured();

      expect(await main(['report', 'drill-nope'], output)).toBe(1);
      expect(output.stderr).toHaveLength(1);
      expect(output.stderr[0]).toMatch(
        new RegExp(
          `^dr-runbook report: no report for run drill-nope of "shop" in table ${TABLE_NAME} \\(us-west-2\\)`,
        ),
      );
      expect(output.stdout).toEqual([]);
    });

    it('says which file it could not write, in one line', async () => {
      dynamo.on(QueryCommand).resolves({ Items: [runItem(runReport())] });
      const output = captured();
      const file = join(workDir, 'missing-dir', 'run.html');

      expect(await main(['report', EXECUTION_NAME, '--html', file], output)).toBe(1);
      expect(output.stderr).toEqual([
        `dr-runbook report: cannot write ${file} (ENOENT): check the path and its directory`,
      ]);
    });

    it('names dynamodb:Query when the credentials may not read the table', async () => {
      dynamo.on(QueryCommand).rejects(awsError('AccessDeniedException', 400, 'not authorized'));
      const output = captured();

      expect(await main(['report', EXECUTION_NAME], output)).toBe(1);
      expect(output.stderr).toEqual([
        `dr-runbook report: access denied: these credentials may not call dynamodb:Query on ${TABLE_NAME}: grant it to your role, or use a --profile that has it`,
      ]);
    });

    it('says to set credentials when there are none', async () => {
      cloudFormation.on(DescribeStacksCommand).rejects(noCredentials());
      const output = captured();

      expect(await main(['report', EXECUTION_NAME, '--profile', 'dr'], output)).toBe(1);
      expect(output.stderr).toEqual([
        'dr-runbook report: no AWS credentials for profile "dr": check ~/.aws/config, or run aws sso login --profile dr',
      ]);
      expect(dynamo.calls()).toHaveLength(0);
    });

    it.each([
      ['no run', ['report']],
      ['an empty --md', ['report', 'x', '--md', '']],
      ['an unknown option', ['report', 'x', '--pdf', 'x.pdf']],
    ])('exits 2 with the usage line and sends nothing for %s', async (_label, args) => {
      const output = captured();
      expect(await main(args, output)).toBe(2);
      expect(output.stderr.join('\n')).toContain('usage: dr-runbook report EXECUTION|RUN_ID');
      expect(cloudFormation.calls()).toHaveLength(0);
      expect(dynamo.calls()).toHaveLength(0);
    });
  });

  describe('runIdOf', () => {
    it('takes the execution name of an ARN, made resource-safe', () => {
      expect(runIdOf(EXECUTION_ARN)).toBe(EXECUTION_NAME);
      expect(runIdOf('arn:aws:states:us-west-2:1:execution:sm:game_day_1')).toBe('game-day-1');
      expect(runIdOf('drill-20261125T120000Z-3f9a')).toBe('drill-20261125T120000Z-3f9a');
    });
  });
});
