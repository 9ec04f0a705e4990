// The operator commands against moto where it can serve them: a stack whose outputs name the
// runbook's table (moto's Step Functions does not execute, so start/watch are unit-tested only).
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { describe, expect, it } from '@jest/globals';
import { main } from '../../cli/main.ts';
import { simulate } from '../../local/simulate.ts';
import { examplePlan } from '../fixtures.ts';
import { useMoto } from './moto.ts';

const moto = useMoto();
const plan = examplePlan();

/** A stack named as `cdk deploy` names it, with the outputs the CLI reads. */
async function deployedStackOutputs(tableName: string, topicArn: string): Promise<void> {
  const template = {
    Resources: { Placeholder: { Type: 'AWS::CloudFormation::WaitConditionHandle' } },
    Outputs: {
      StateMachineArn: { Value: 'arn:aws:states:us-west-2:123456789012:stateMachine:dr-runbook-shop' },
      HistoryTableName: { Value: tableName },
      TopicArn: { Value: topicArn },
      ReportsBucketName: { Value: 'dr-runbook-shop-reports' },
    },
  };
  await new CloudFormationClient({ region: 'us-west-2', endpoint: moto.endpoint }).send(
    new CreateStackCommand({ StackName: 'DrRunbook-shop', TemplateBody: JSON.stringify(template) }),
  );
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, output: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

describe('operator CLI against moto', () => {
  it('lists the run history and prints a run report recorded by a real run', async () => {
    const drill = await simulate({
      plan,
      mode: 'drill',
      scenario: 'none',
      endpoint: moto.endpoint,
      seed: true,
      waitMilliseconds: 0,
      write: () => {},
    });
    expect(drill.run.status).toBe('SUCCEEDED');
    await deployedStackOutputs('dr-runbook-shop', 'arn:aws:sns:us-west-2:123456789012:dr-runbook-shop');

    const history = capture();
    expect(await main(['history'], history.output)).toBe(0);
    const runId = drill.report?.runId ?? '';
    expect(history.out.join('\n')).toContain(runId);
    expect(history.out.join('\n')).toMatch(/drill\s+.*succeeded/);

    const report = capture();
    expect(await main(['report', runId], report.output)).toBe(0);
    expect(report.out.join('\n')).toContain('# dr-runbook drill of `shop`: SUCCEEDED');

    const missing = capture();
    expect(await main(['report', 'no-such-run'], missing.output)).toBe(1);
    expect(missing.err.join('\n')).toContain('no-such-run');
  }, 90_000);

  it('says which stack is missing and how to deploy it', async () => {
    const result = capture();
    expect(await main(['history'], result.output)).toBe(1);
    expect(result.err.join('\n')).toMatch(/stack DrRunbook-shop not found in us-west-2/);
  }, 30_000);
});
