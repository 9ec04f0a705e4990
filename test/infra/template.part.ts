import { beforeAll, describe, expect, it, jest } from '@jest/globals';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { executionInputSchema, validateExecutionInput } from '../../functions/runbook/execution-input.ts';
import { AlarmForwarderStack, forwardedAlarmRegions } from '../../infra/alarm-forwarder-stack.ts';
import { buildApp } from '../../infra/app.ts';
import { DisasterRecoveryRunbook } from '../../infra/disaster-recovery-runbook.ts';
import { SYNTH_SERVICE_ENV, synthesizeRunbook } from '../../local/synthesize.ts';
import { RESOURCE_FAMILIES } from '../../plan/resources/index.ts';
import { type DrPlan, planSchema } from '../../plan/schema.ts';
import { resourcesOf } from '../../plan/steps.ts';
import { examplePlan, examplePlanInput } from '../fixtures.ts';
import { SYNTH_SERVICE_VARIABLE } from '../global-setup.ts';
import {
  combinedDetectorPlan,
  EXAMPLES,
  logicalIdsOf,
  SYNTH_TIMEOUT_MS,
  sharedPlanTemplate,
  sharedTemplate,
} from './synth.ts';

describe('template', () => {
  /** An ARN of this stack's partition and account as CloudFormation writes it: arn:<partition>`middle`<account>`tail`. */
  const arnInThisAccount = (middle: string, tail: string) => ({
    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, middle, { Ref: 'AWS::AccountId' }, tail]],
  });

  /** RetentionDays.THREE_MONTHS, the construct's default. */
  const DEFAULT_RETENTION_DAYS = 90;

  /** The Lambdas every runbook has besides one per resource family the plan uses. */
  const OWN_FUNCTIONS = ['runbook', 'lock'];

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

  /** The resource families a plan uses, in RESOURCE_FAMILIES order, and its detector's probe. */
  const familiesOf = (plan: DrPlan) => [
    ...RESOURCE_FAMILIES.filter((f) => resourcesOf(plan, f).length > 0),
    ...(plan.triggers.detector ? ['detector'] : []),
  ];

  /** DR_RUNBOOK_FAMILY of every Lambda in the template, sorted. */
  function functionFamilies(template: Template): string[] {
    return Object.values(template.findResources('AWS::Lambda::Function'))
      .map(
        (fn) =>
          (fn.Properties as { Environment: { Variables: Record<string, string> } }).Environment.Variables,
      )
      .map((variables) => variables.DR_RUNBOOK_FAMILY ?? '')
      .sort();
  }

  describe('the template service', () => {
    it('is the one the global setup starts and local/synthesize.ts asks', () => {
      expect(SYNTH_SERVICE_VARIABLE).toBe(SYNTH_SERVICE_ENV);
      expect(process.env[SYNTH_SERVICE_ENV]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    });

    it("serves an example's template to a test that passes the loaded plan instead of its file", async () => {
      const template = await sharedPlanTemplate(examplePlan('pilot-light'));

      expect(template).toEqual(await sharedTemplate('pilot-light'));
      expect(logicalIdsOf(template, 'AWS::StepFunctions::StateMachine')).toHaveLength(1);
    });

    it('answers a plan that does not synthesize with the error the synth throws here', async () => {
      // Past the schema (which would refuse it), as a bug in the app would be.
      const broken = { ...examplePlan(), regions: undefined } as unknown as DrPlan;
      const here = await synthesizeRunbook({ plan: broken }).then(
        () => 'synthesized',
        (error: Error) => error.message,
      );

      expect(here).not.toBe('synthesized');
      await expect(sharedPlanTemplate(broken)).rejects.toThrow(here);
    });
  });

  describe('one Lambda per resource family the plan uses', () => {
    it('deploys database, compute and traffic for warm-standby, and no hook', async () => {
      const template = Template.fromJSON(await sharedTemplate('warm-standby'));

      expect(functionFamilies(template)).toEqual(['compute', 'database', 'lock', 'runbook', 'traffic']);
    });

    it('deploys all four families for multi-tier', async () => {
      const template = Template.fromJSON(await sharedTemplate('multi-tier'));

      expect(functionFamilies(template)).toEqual([
        'compute',
        'database',
        'hook',
        'lock',
        'runbook',
        'traffic',
      ]);
    });
  });

  describe.each(EXAMPLES)('DisasterRecoveryRunbook for the %s example', (name) => {
    const plan = examplePlan(name);
    const families = [...familiesOf(plan), ...OWN_FUNCTIONS];
    let template: Template;
    let stateMachineId: string;

    beforeAll(async () => {
      const json = await sharedTemplate(name);
      template = Template.fromJSON(json);
      stateMachineId = logicalIdsOf(json, 'AWS::StepFunctions::StateMachine')[0] ?? '';
    }, SYNTH_TIMEOUT_MS);

    it('is named after the plan, logs every execution with its data and is traced', () => {
      template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
      template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineName: `dr-runbook-${plan.name}`,
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

    it('deploys a Lambda for each family its resources use, and the runbook and lock ones: nodejs24.x on arm64, X-Ray active', () => {
      expect(functionFamilies(template)).toEqual([...families].sort());
      for (const family of families) {
        template.hasResourceProperties('AWS::Lambda::Function', {
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          TracingConfig: { Mode: 'Active' },
          Handler: 'index.handler',
          // Steps have 60 s; the probe its own timeout and 10 s more.
          Timeout: family === 'detector' ? (plan.triggers.detector?.timeoutSeconds ?? 0) + 10 : 60,
          Environment: { Variables: Match.objectLike({ DR_RUNBOOK_FAMILY: family }) },
        });
      }
    });

    it('sends each function log to its own log group, and gives every log group a retention', () => {
      const functions = template.findResources('AWS::Lambda::Function');
      const logGroups = template.findResources('AWS::Logs::LogGroup');
      const used = Object.values(functions).map(
        (fn) =>
          (fn.Properties as { LoggingConfig?: { LogGroup?: { Ref?: string } } }).LoggingConfig?.LogGroup?.Ref,
      );

      expect(new Set(used).size).toBe(families.length);
      // … and the state machine's.
      expect(Object.keys(logGroups)).toHaveLength(families.length + 1);
      for (const group of Object.values(logGroups)) {
        expect(group.Properties).toMatchObject({ RetentionInDays: DEFAULT_RETENTION_DAYS });
      }
    });

    it('has one email subscription per plan email', () => {
      const topicId = Object.keys(template.findResources('AWS::SNS::Topic'))[0];
      template.resourceCountIs('AWS::SNS::Subscription', plan.notifications.emails.length);
      for (const email of plan.notifications.emails) {
        template.hasResourceProperties('AWS::SNS::Subscription', {
          Protocol: 'email',
          Endpoint: email,
          TopicArn: { Ref: topicId },
        });
      }
    });

    it('has one rule per plan alarm matching only its ALARM state changes by ARN (account and region), and the execution-status rule', () => {
      // … the detector's alarm too, when the plan has one (its own test below).
      template.resourceCountIs(
        'AWS::Events::Rule',
        plan.triggers.alarms.length + (plan.triggers.detector ? 1 : 0) + 1,
      );
      for (const alarm of plan.triggers.alarms) {
        template.hasResourceProperties('AWS::Events::Rule', {
          EventPattern: {
            source: ['aws.cloudwatch'],
            'detail-type': ['CloudWatch Alarm State Change'],
            resources: [
              arnInThisAccount(
                `:cloudwatch:${alarm.region ?? plan.regions.recovery}:`,
                `:alarm:${alarm.name}`,
              ),
            ],
            detail: { state: { value: ['ALARM'] } },
          },
          State: 'ENABLED',
          Targets: [Match.objectLike({ Arn: { Ref: stateMachineId } })],
        });
      }
    });

    it('schedules the game day as a drill and the readiness check as a dry-run, as the plan says', () => {
      const { gameDay, readinessCheck } = plan.schedules;
      // … and the detector's probe, every minute, when the plan has one (its own test below).
      template.resourceCountIs(
        'AWS::Scheduler::Schedule',
        [gameDay, readinessCheck, plan.triggers.detector].filter(Boolean).length,
      );
      for (const [schedule, mode] of [
        [gameDay, 'drill'],
        [readinessCheck, 'dry-run'],
      ] as const) {
        if (!schedule) continue;
        template.hasResourceProperties('AWS::Scheduler::Schedule', {
          ScheduleExpression: schedule.expression,
          ScheduleExpressionTimezone: schedule.timezone,
          State: schedule.enabled ? 'ENABLED' : 'DISABLED',
          Target: Match.objectLike({
            Arn: { Ref: stateMachineId },
            Input: Match.serializedJson(Match.objectLike({ mode })),
          }),
        });
      }
    });
  });

  describe("the warm-standby runbook's table, topic and triggers", () => {
    const plan = examplePlan('warm-standby');
    let template: Template;
    let stateMachineId: string;

    beforeAll(async () => {
      const json = await sharedTemplate('warm-standby');
      template = Template.fromJSON(json);
      stateMachineId = logicalIdsOf(json, 'AWS::StepFunctions::StateMachine')[0] ?? '';
    }, SYNTH_TIMEOUT_MS);

    it('keys the lock and history table pk/sk, on demand, with point-in-time recovery and encryption, kept on stack deletion', () => {
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

    it('encrypts the notification topic with its own rotated KMS key', () => {
      const keys = template.findResources('AWS::KMS::Key', { Properties: { EnableKeyRotation: true } });
      expect(Object.keys(keys)).toHaveLength(1);
      template.hasResourceProperties('AWS::SNS::Topic', {
        KmsMasterKeyId: { 'Fn::GetAtt': [Object.keys(keys)[0], 'Arn'] },
      });
    });

    it('lets CloudWatch alarms and EventBridge of this account use the topic key to publish', () => {
      for (const service of ['cloudwatch.amazonaws.com', 'events.amazonaws.com']) {
        template.hasResourceProperties('AWS::KMS::Key', {
          KeyPolicy: {
            Statement: Match.arrayWith([
              {
                Sid: Match.anyValue(),
                Effect: 'Allow',
                Principal: { Service: service },
                Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
                Resource: '*',
                Condition: { StringEquals: { 'aws:SourceAccount': Match.anyValue() } },
              },
            ]),
          },
        });
      }
    });

    it('refuses publishing to the topic without TLS', () => {
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
      const alarm = plan.triggers.alarms[0]?.name ?? '';
      const rules = Object.values(
        template.findResources('AWS::Events::Rule', {
          Properties: { EventPattern: { source: ['aws.cloudwatch'] } },
        }),
      );
      expect(rules).toHaveLength(1);
      const [target] = (rules[0]?.Properties?.Targets ?? []) as EventTarget[];

      const input = transform(target as EventTarget, alarmEvent(alarm));

      expect(target?.InputTransformer.InputPathsMap).toMatchObject({
        'detail-alarmName': '$.detail.alarmName',
        time: '$.time',
      });
      expect(input).toMatchObject({
        mode: 'failover',
        trigger: { type: 'alarm', alarmName: alarm, stateChangeTime: '2026-11-25T11:58:00Z' },
      });
      expect(executionInputSchema.safeParse(input).error?.issues).toBeUndefined();
    });
  });

  describe('the detector (payments example: triggers.detector)', () => {
    const plan = examplePlan('arc-routing-control');
    let template: Template;

    beforeAll(async () => {
      template = Template.fromJSON(await sharedTemplate('arc-routing-control'));
    }, SYNTH_TIMEOUT_MS);

    it('probes the primary from the recovery region every minute, with a Lambda that knows only the probe', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({
            DR_RUNBOOK_FAMILY: 'detector',
            DR_RUNBOOK_PLAN: 'payments',
            PROBE_URL: 'https://api-primary.us-east-1.payments.example.com/healthz',
            PROBE_EXPECTED_STATUS: '200',
            PROBE_TIMEOUT_SECONDS: '5',
          }),
        },
      });
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: 'rate(1 minute)',
        Target: Match.objectLike({ RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 0 }) }),
      });
    });

    it('alarms when 3 of the last 5 probes failed, not on missing data, and that alarm starts a failover', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: 'dr-runbook-payments-primary-probe',
        Namespace: 'DrRunbook',
        MetricName: 'PrimaryProbeFailed',
        Dimensions: Match.arrayWith([
          { Name: 'plan', Value: 'payments' },
          { Name: 'service', Value: 'dr-runbook' },
        ]),
        Period: 60,
        EvaluationPeriods: 5,
        DatapointsToAlarm: 3,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: Match.objectLike({
          resources: [arnInThisAccount(':cloudwatch:us-west-2:', ':alarm:dr-runbook-payments-primary-probe')],
        }),
      });
      // The plan's own alarm keeps its rule too.
      expect(plan.triggers.alarms).toHaveLength(1);
      template.resourceCountIs('AWS::Events::Rule', plan.triggers.alarms.length + 2);
    });
  });

  describe('the detector combined with the plan alarms (triggers.detector.combineWithAlarms)', () => {
    const plan = combinedDetectorPlan();
    const ACCOUNT = '123456789012';
    const arnIn = (region: string, name: string) => `arn:aws:cloudwatch:${region}:${ACCOUNT}:alarm:${name}`;
    let template: Template;

    beforeAll(async () => {
      template = Template.fromJSON(await sharedPlanTemplate(plan));
    }, SYNTH_TIMEOUT_MS);

    /** A CloudFormation string as deployed in ACCOUNT (partition aws); GetAtt Arn as <id.Arn>. */
    function resolved(value: unknown): string {
      if (typeof value === 'string') return value;
      const node = value as Record<string, unknown>;
      if ('Fn::Join' in node) {
        const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
        return parts.map(resolved).join(separator);
      }
      if ('Ref' in node)
        return { 'AWS::Partition': 'aws', 'AWS::AccountId': ACCOUNT }[node.Ref as string] ?? '?';
      if ('Fn::GetAtt' in node) return `<${(node['Fn::GetAtt'] as string[]).join('.')}>`;
      throw new Error(`cannot resolve ${JSON.stringify(value)}`);
    }

    /** The runbook's alarm rules, each with the ARNs it matches. */
    function alarmRules() {
      return Object.values(
        template.findResources('AWS::Events::Rule', {
          Properties: { EventPattern: { source: ['aws.cloudwatch'] } },
        }),
      ).map((rule) => ({
        arns: (rule.Properties.EventPattern.resources as unknown[]).map(resolved),
        targets: rule.Properties.Targets as EventTarget[],
      }));
    }

    it('has a composite alarm in the recovery region: the detector alarm AND any of the plan alarms there', () => {
      const [detectorId] = Object.keys(
        template.findResources('AWS::CloudWatch::Alarm', {
          Properties: { AlarmName: 'dr-runbook-payments-primary-probe' },
        }),
      );
      const composites = Object.values(template.findResources('AWS::CloudWatch::CompositeAlarm'));

      expect(detectorId).toBeDefined();
      expect(composites).toHaveLength(1);
      expect(composites[0]?.Properties.AlarmName).toBe('dr-runbook-payments-primary-down');
      expect(resolved(composites[0]?.Properties.AlarmRule)).toBe(
        `(ALARM("<${detectorId}.Arn>") AND (ALARM("${arnIn('us-west-2', 'payments-canary')}") OR ALARM("${arnIn('us-west-2', 'payments-errors')}")))`,
      );
    });

    it('starts a failover on the composite, not on its parts; the primary-region alarm keeps its own rule', () => {
      const matched = alarmRules().map((rule) => rule.arns);

      expect(matched.sort()).toEqual([
        [arnIn('us-east-1', 'payments-primary-health')],
        [arnIn('us-west-2', 'dr-runbook-payments-primary-down')],
      ]);
      for (const part of ['dr-runbook-payments-primary-probe', 'payments-canary', 'payments-errors']) {
        expect(matched.flat()).not.toContain(arnIn('us-west-2', part));
      }
    });

    it("turns the composite's state change into a failover the execution input believes", () => {
      const composite = arnIn('us-west-2', 'dr-runbook-payments-primary-down');
      const [target] = alarmRules().find((rule) => rule.arns.includes(composite))?.targets ?? [];
      const input = transform(target as EventTarget, alarmEvent('dr-runbook-payments-primary-down'));

      const run = validateExecutionInput(input, plan, {
        name: 'failover-1',
        startTime: '2026-11-25T12:00:00.000Z',
      });

      expect(run.trigger).toMatchObject({ type: 'alarm', alarmName: 'dr-runbook-payments-primary-down' });
    });
  });

  describe('trigger alarms in another region', () => {
    it('get a forwarding stack in their region, named after the plan, next to the runbook stack', async () => {
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      await buildApp(app, examplePlan('warm-standby'));
      const stacks = app.node.children.filter((c): c is Stack => c instanceof Stack);

      expect(stacks.map((stack) => [stack.stackName, stack.region]).sort()).toEqual([
        ['DrAlarmForwarder-shop-us-east-1', 'us-east-1'],
        ['DrRunbook-shop', 'us-west-2'],
      ]);
    });

    it("forward only those alarms' ALARM state changes, by ARN, to the recovery region's default bus", () => {
      const plan = examplePlan('warm-standby');
      const stack = new AlarmForwarderStack(new App(), 'Forwarder', { plan, alarmRegion: 'us-east-1' });
      const template = Template.fromStack(stack);

      template.resourceCountIs('AWS::Events::Rule', 1);
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: ['aws.cloudwatch'],
          'detail-type': ['CloudWatch Alarm State Change'],
          resources: [arnInThisAccount(':cloudwatch:us-east-1:', ':alarm:shop-primary-health')],
          detail: { state: { value: ['ALARM'] } },
        },
        Targets: [
          Match.objectLike({
            Arn: arnInThisAccount(':events:us-west-2:', ':event-bus/default'),
          }),
        ],
      });
      // The target's role may put events on that bus only.
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: [
            Match.objectLike({
              Action: 'events:PutEvents',
              Resource: arnInThisAccount(':events:us-west-2:', ':event-bus/default'),
            }),
          ],
        },
      });
    });

    it('are not needed for alarms in the recovery region', () => {
      const input = examplePlanInput('warm-standby');
      input.triggers = {
        alarms: [{ name: 'shop-recovery-probe', region: 'us-west-2' }, { name: 'shop-canary' }],
      };
      expect(forwardedAlarmRegions(planSchema.parse(input))).toEqual([]);
    });
  });

  describe('DisasterRecoveryRunbook construct', () => {
    /** A stack in the plan's recovery region unless told otherwise; Lambda code is not bundled. */
    const stackIn = (region = 'us-west-2') =>
      new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Test', { env: { region } });

    it.each(['warm-standby', 'multi-tier'])(
      'bundles the handler of each family the %s plan uses on this machine (infra/bundling), one asset each',
      (name) => {
        const fromAsset = jest.spyOn(Code, 'fromAsset');

        new DisasterRecoveryRunbook(stackIn(), 'Runbook', { plan: examplePlan(name) });

        const sources = fromAsset.mock.calls.map(
          ([, options]) =>
            (options as { bundling?: { local?: { source?: string } } }).bundling?.local?.source,
        );
        const families = [...familiesOf(examplePlan(name)), ...OWN_FUNCTIONS];
        expect(sources.sort()).toEqual(families.map((family) => `functions/${family}/handler.ts`).sort());
      },
    );

    it('rejects an invalid plan with the v2 path of the field to fix', () => {
      const input = structuredClone(examplePlanInput('warm-standby'));
      const group = input.resources.findIndex((r) => r.type === 'auto-scaling-group');
      Object.assign(input.resources[group] ?? {}, { capacity: { min: 1, desired: 'four', max: 8 } });

      expect(() => new DisasterRecoveryRunbook(stackIn(), 'Runbook', { plan: input })).toThrow(
        new RegExp(`invalid plan:[\\s\\S]*resources\\[${group}\\]\\.capacity\\.desired`),
      );
    });

    it('rejects a stack outside the plan recovery region', () => {
      expect(
        () => new DisasterRecoveryRunbook(stackIn('eu-west-1'), 'Runbook', { plan: examplePlanInput() }),
      ).toThrow(/stack is in eu-west-1 but plan\.regions\.recovery is us-west-2/);
    });
  });
});
