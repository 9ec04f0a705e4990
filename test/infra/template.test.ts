import { beforeAll, describe, expect, it, jest } from '@jest/globals';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { executionInputSchema } from '../../functions/runbook/execution-input.ts';
import { DisasterRecoveryRunbook } from '../../infra/disaster-recovery-runbook.ts';
import { STEP_FAMILIES } from '../../infra/step-function.ts';
import { extractRunbook } from '../../local/extract-definition.ts';
import type { DrPlan } from '../../plan/schema.ts';
import { examplePlan, examplePlanInput } from '../fixtures.ts';
import { logicalIdsOf, SYNTH_TIMEOUT_MS, synthesizeExample } from './synth.ts';

/** RetentionDays.THREE_MONTHS, the construct's default. */
const DEFAULT_RETENTION_DAYS = 90;

interface EventTarget {
  Arn: unknown;
  InputTransformer: { InputPathsMap: Record<string, string>; InputTemplate: string };
}

/** The value at a simple JSONPath ($.a.b.c) of an event. */
function valueAt(event: unknown, path: string): unknown {
  return path
    .replace(/^\$\.?/, '')
    .split('.')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], event);
}

/** What EventBridge sends to the target: the template with each <placeholder> replaced by its JSON value. */
function transform(target: EventTarget, event: unknown): unknown {
  const { InputPathsMap, InputTemplate } = target.InputTransformer;
  const text = InputTemplate.replace(/<([\w-]+)>/g, (_, name: string) => {
    const path = InputPathsMap[name];
    if (path === undefined) throw new Error(`input template uses <${name}>, which is not in InputPathsMap`);
    return JSON.stringify(valueAt(event, path));
  });
  return JSON.parse(text);
}

/** A CloudWatch alarm state-change event as EventBridge delivers it. */
function alarmEvent(alarmName: string) {
  return {
    source: 'aws.cloudwatch',
    'detail-type': 'CloudWatch Alarm State Change',
    account: '123456789012',
    region: 'us-east-1',
    time: '2026-11-25T11:58:00Z',
    detail: {
      alarmName,
      state: { value: 'ALARM', reason: 'Threshold Crossed: 3 datapoints were greater than 1 (the "max")' },
    },
  };
}

describe('DisasterRecoveryRunbook for the warm-standby example', () => {
  const plan: DrPlan = examplePlan('warm-standby');
  let template: Template;
  let stateMachineId: string;
  /** The options each Lambda asset was created with (its bundling among them). */
  let assetOptions: unknown[] = [];

  beforeAll(async () => {
    const fromAsset = jest.spyOn(Code, 'fromAsset');
    const synthesized = await synthesizeExample('warm-standby');
    assetOptions = fromAsset.mock.calls.map(([, options]) => options);
    fromAsset.mockRestore();
    template = Template.fromJSON(synthesized.template);
    stateMachineId = logicalIdsOf(synthesized.template, 'AWS::StepFunctions::StateMachine')[0] ?? '';
  }, SYNTH_TIMEOUT_MS);

  describe('state machine', () => {
    it('is named after the plan, logs every execution with its data and is traced', () => {
      template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineName: 'dr-runbook-shop',
        LoggingConfiguration: {
          Level: 'ALL',
          IncludeExecutionData: true,
          Destinations: [
            { CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } } },
          ],
        },
        TracingConfiguration: { Enabled: true },
      });
    });
  });

  describe('lock and history table', () => {
    it('is keyed pk/sk, on demand, with point-in-time recovery and encryption, and survives stack deletion', () => {
      template.resourceCountIs('AWS::DynamoDB::Table', 1);
      template.hasResource('AWS::DynamoDB::Table', {
        Properties: {
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          AttributeDefinitions: Match.arrayWith([
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ]),
          BillingMode: 'PAY_PER_REQUEST',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          SSESpecification: { SSEEnabled: true },
        },
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    });
  });

  describe('notification topic', () => {
    it('is encrypted with its own rotated KMS key', () => {
      const keys = template.findResources('AWS::KMS::Key', { Properties: { EnableKeyRotation: true } });
      expect(Object.keys(keys)).toHaveLength(1);
      template.hasResourceProperties('AWS::SNS::Topic', {
        KmsMasterKeyId: { 'Fn::GetAtt': [Object.keys(keys)[0], 'Arn'] },
      });
    });

    it('refuses publishing without TLS', () => {
      const topicId = Object.keys(template.findResources('AWS::SNS::Topic'))[0];
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: topicId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Principal: '*',
              Action: 'sns:Publish',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    });

    it('has one email subscription per plan email', () => {
      const topicId = Object.keys(template.findResources('AWS::SNS::Topic'))[0];
      expect(plan.notifications.emails.length).toBeGreaterThan(0);
      template.resourceCountIs('AWS::SNS::Subscription', plan.notifications.emails.length);
      for (const email of plan.notifications.emails) {
        template.hasResourceProperties('AWS::SNS::Subscription', {
          Protocol: 'email',
          Endpoint: email,
          TopicArn: { Ref: topicId },
        });
      }
    });
  });

  describe('step functions', () => {
    it('deploys one function per step family: nodejs24.x on arm64, X-Ray active, told its family', () => {
      template.resourceCountIs('AWS::Lambda::Function', STEP_FAMILIES.length);
      for (const family of STEP_FAMILIES) {
        template.hasResourceProperties('AWS::Lambda::Function', {
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          TracingConfig: { Mode: 'Active' },
          Handler: 'index.handler',
          Environment: { Variables: Match.objectLike({ DR_RUNBOOK_FAMILY: family }) },
        });
      }
    });

    it('bundles each family handler on this machine (infra/bundling), one asset per handler', () => {
      const sources = assetOptions.map(
        (options) => (options as { bundling?: { local?: { source?: string } } }).bundling?.local?.source,
      );
      expect(sources.sort()).toEqual(STEP_FAMILIES.map((family) => `functions/${family}/handler.ts`).sort());
    });

    it('sends each function log to its own log group with a retention', () => {
      const functions = template.findResources('AWS::Lambda::Function');
      const logGroups = template.findResources('AWS::Logs::LogGroup');
      const used = Object.values(functions).map(
        (fn) =>
          (fn.Properties as { LoggingConfig?: { LogGroup?: { Ref?: string } } }).LoggingConfig?.LogGroup?.Ref,
      );
      expect(new Set(used).size).toBe(STEP_FAMILIES.length);
      for (const id of used) {
        expect(logGroups[id ?? '']?.Properties).toMatchObject({ RetentionInDays: DEFAULT_RETENTION_DAYS });
      }
    });

    it('gives every log group (functions and state machine) a retention', () => {
      const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup'));
      expect(logGroups).toHaveLength(STEP_FAMILIES.length + 1);
      for (const group of logGroups) {
        expect(group.Properties).toMatchObject({ RetentionInDays: DEFAULT_RETENTION_DAYS });
      }
    });
  });

  describe('alarm triggers', () => {
    it('has exactly one rule per plan alarm, matching only its ALARM state changes', () => {
      // … plus the execution-status rule that starts cleanup runs
      template.resourceCountIs('AWS::Events::Rule', plan.triggers.alarms.length + 1);
      for (const alarm of plan.triggers.alarms) {
        template.hasResourceProperties('AWS::Events::Rule', {
          EventPattern: {
            source: ['aws.cloudwatch'],
            'detail-type': ['CloudWatch Alarm State Change'],
            detail: { alarmName: [alarm.name], state: { value: ['ALARM'] } },
          },
          State: 'ENABLED',
          Targets: [Match.objectLike({ Arn: { Ref: stateMachineId } })],
        });
      }
    });

    it('starts a cleanup run when one of its own executions ends FAILED, TIMED_OUT or ABORTED', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: ['aws.states'],
          'detail-type': ['Step Functions Execution Status Change'],
          detail: { stateMachineArn: [{ Ref: stateMachineId }], status: ['ABORTED', 'FAILED', 'TIMED_OUT'] },
        },
        Targets: [
          Match.objectLike({
            Arn: { Ref: stateMachineId },
            InputTransformer: Match.objectLike({
              InputPathsMap: {
                'detail-executionArn': '$.detail.executionArn',
                'detail-status': '$.detail.status',
              },
            }),
          }),
        ],
      });
    });

    it('turns the alarm event into a failover input that names the alarm and the state change time', () => {
      const rules = Object.values(
        template.findResources('AWS::Events::Rule', {
          Properties: { EventPattern: { detail: { alarmName: ['shop-primary-health'] } } },
        }),
      );
      expect(rules).toHaveLength(1);
      const [target] = (rules[0]?.Properties?.Targets ?? []) as EventTarget[];
      expect(target).toBeDefined();
      const event = alarmEvent('shop-primary-health');

      const input = transform(target as EventTarget, event);

      expect(target?.InputTransformer.InputPathsMap).toMatchObject({
        'detail-alarmName': '$.detail.alarmName',
        time: '$.time',
      });
      expect(input).toMatchObject({
        mode: 'failover',
        trigger: { type: 'alarm', alarmName: 'shop-primary-health', stateChangeTime: '2026-11-25T11:58:00Z' },
      });
      expect(executionInputSchema.safeParse(input).error?.issues).toBeUndefined();
    });
  });

  describe('schedules', () => {
    it('runs the game day as a drill at the plan expression and time zone', () => {
      const gameDay = plan.schedules.gameDay;
      expect(gameDay).toBeDefined();
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: gameDay?.expression,
        ScheduleExpressionTimezone: gameDay?.timezone,
        State: 'ENABLED',
        Target: Match.objectLike({
          Arn: { Ref: stateMachineId },
          Input: Match.serializedJson(
            Match.objectLike({ mode: 'drill', trigger: { type: 'schedule', scheduleName: 'GameDay' } }),
          ),
        }),
      });
    });

    it('runs the readiness check as a dry-run at the plan expression', () => {
      const readiness = plan.schedules.readinessCheck;
      expect(readiness).toBeDefined();
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: readiness?.expression,
        ScheduleExpressionTimezone: readiness?.timezone,
        Target: Match.objectLike({
          Arn: { Ref: stateMachineId },
          Input: Match.serializedJson(Match.objectLike({ mode: 'dry-run' })),
        }),
      });
    });

    it('has no other schedule', () => {
      template.resourceCountIs('AWS::Scheduler::Schedule', 2);
    });
  });
});

describe('DisasterRecoveryRunbook for the active-active example (no game day)', () => {
  let template: Template;

  beforeAll(async () => {
    template = Template.fromJSON((await synthesizeExample('active-active')).template);
  }, SYNTH_TIMEOUT_MS);

  it('schedules only the readiness dry-run', () => {
    template.resourceCountIs('AWS::Scheduler::Schedule', 1);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(15 minutes)',
      Target: Match.objectLike({ Input: Match.serializedJson(Match.objectLike({ mode: 'dry-run' })) }),
    });
  });

  it('fails over on its own alarm only', () => {
    template.resourceCountIs('AWS::Events::Rule', 2);
    template.resourcePropertiesCountIs(
      'AWS::Events::Rule',
      { EventPattern: Match.objectLike({ source: ['aws.cloudwatch'] }) },
      1,
    );
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        detail: { alarmName: ['catalog-singapore-errors'], state: { value: ['ALARM'] } },
      }),
    });
  });
});

describe('DisasterRecoveryRunbook for the pilot-light example (approval "always")', () => {
  const plan = examplePlan('pilot-light');
  let states: Record<string, Record<string, unknown>>;

  beforeAll(async () => {
    const { template, stack } = await synthesizeExample('pilot-light');
    states = extractRunbook(template, stack.region).definition.States;
  }, SYNTH_TIMEOUT_MS);

  it('waits for a person on a task token, for the plan approval timeout', () => {
    expect(plan.triggers.approval).toBe('always');
    expect(states.WaitForApproval).toMatchObject({
      Type: 'Task',
      Resource: expect.stringMatching(/\.waitForTaskToken$/),
      TimeoutSeconds: plan.triggers.approvalTimeoutMinutes * 60,
      Parameters: { Payload: expect.objectContaining({ 'taskToken.$': '$$.Task.Token' }) },
    });
  });
});

describe('DisasterRecoveryRunbook plan checks', () => {
  /** A stack in the warm-standby plan's recovery region unless told otherwise. */
  const stackIn = (region = 'us-west-2') => new Stack(new App(), 'Test', { env: { region } });

  it('rejects an invalid plan with the field to fix', () => {
    const input = structuredClone(examplePlanInput()) as { compute: { capacity: { desired: unknown } } };
    input.compute.capacity.desired = 'four';

    expect(
      () => new DisasterRecoveryRunbook(stackIn(), 'Runbook', { plan: input as unknown as DrPlan }),
    ).toThrow(/invalid plan:[\s\S]*compute\.capacity\.desired/);
  });

  it('rejects a stack outside the plan recovery region', () => {
    expect(
      () => new DisasterRecoveryRunbook(stackIn('eu-west-1'), 'Runbook', { plan: examplePlanInput() }),
    ).toThrow(/stack is in eu-west-1 but plan\.regions\.recovery is us-west-2/);
  });
});
