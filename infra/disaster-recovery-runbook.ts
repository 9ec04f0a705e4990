// The reusable construct: one DR plan in, the whole runbook out (functions, state machine, lock
// and history table, topic, alarm triggers, schedules). Deploy it in the plan's recovery region.
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, StorageClass } from 'aws-cdk-lib/aws-s3';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { DefinitionBody, LogLevel, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { RUN_TIMEOUT_HOURS } from '../functions/runbook/execution-input.ts';
import { formatIssues } from '../plan/format-issues.ts';
import { RESOURCE_FAMILIES } from '../plan/resources/index.ts';
import { type DrPlan, type DrPlanInput, planSchema, type ResourceFamily } from '../plan/schema.ts';
import { resourcesOf } from '../plan/steps.ts';
import { buildRunbookDefinition } from '../state-machines/runbook-definition.ts';
import { PrimaryDetector } from './detector.ts';
import {
  acknowledgeReports,
  acknowledgeStateMachine,
  acknowledgeStepFunction,
  acknowledgeTopicPublisher,
  nagArn,
  type WildcardResource,
} from './nag-acknowledgements.ts';
import { RunbookDashboard } from './runbook-dashboard.ts';
import { StepFunction } from './step-function.ts';
import { familyPermissions, runbookStatements } from './step-permissions.ts';
import { RunbookTriggers } from './triggers.ts';

/** The state machine's name: the IAM of the lock and the cleanup is scoped by it. */
export function runbookStateMachineName(plan: Pick<DrPlan, 'name'>): string {
  return `dr-runbook-${plan.name}`;
}

/** aws-cdk-lib's context key for the characters it assumes per tokenized ARN. */
const ARN_SIZE_ESTIMATE_CONTEXT_KEY = '@aws-cdk/aws-iam.arnSizeEstimate';

/** Reports older than this move to Glacier Deep Archive (and replaced versions expire). */
export const REPORT_ARCHIVE_DAYS = 180;

export interface DisasterRecoveryRunbookProps {
  /** The DR plan (as written in dr-plan.json; defaults are applied and it is validated here). */
  readonly plan: DrPlanInput | DrPlan;
  /** Retention of the functions' and the state machine's logs. @default RetentionDays.THREE_MONTHS */
  readonly logRetention?: RetentionDays;
  /** What happens to the run history when the stack is deleted. @default RemovalPolicy.RETAIN */
  readonly historyRemovalPolicy?: RemovalPolicy;
}

export class DisasterRecoveryRunbook extends Construct {
  readonly plan: DrPlan;
  readonly stateMachine: StateMachine;
  /** Lock (pk LOCK#<plan>) and run history (pk RUN#<plan>). */
  readonly table: Table;
  readonly topic: Topic;
  /** The recovery-region probe of the primary and its alarm, when the plan asks for one. */
  readonly detector?: PrimaryDetector;
  /** Rendered run reports (HTML, Markdown, JSON) under reports/<plan>/<runId>.<ext>. */
  readonly reportsBucket: Bucket;
  /** Dashboard of runs and the alarm on drills that failed or missed an objective. */
  readonly monitoring: RunbookDashboard;

  constructor(scope: Construct, id: string, props: DisasterRecoveryRunbookProps) {
    super(scope, id);
    // CDK splits a role's policy into managed policies (a few per role at most) when its estimate
    // passes 10,000 characters, and it counts every ARN holding the partition or account token as
    // 150. The schema already keeps each role's real policy under IAM's 10,240 (plan/schema.ts
    // IAM_NAME_BUDGET, measured on the biggest plans), so estimate such ARNs nearer their size.
    this.node.setContext(ARN_SIZE_ESTIMATE_CONTEXT_KEY, 60);
    const parsed = planSchema.safeParse(props.plan);
    if (!parsed.success) {
      throw new Error(
        `DisasterRecoveryRunbook: invalid plan:\n  ${formatIssues(parsed.error, props.plan).join('\n  ')}`,
      );
    }
    const plan = parsed.data;
    this.plan = plan;
    const region = Stack.of(this).region;
    if (!region.startsWith('${Token') && region !== plan.regions.recovery) {
      throw new Error(
        `DisasterRecoveryRunbook: the stack is in ${region} but plan.regions.recovery is ${plan.regions.recovery}: deploy the runbook in the recovery region`,
      );
    }
    const logRetention = props.logRetention ?? RetentionDays.THREE_MONTHS;

    this.table = new Table(this, 'LockAndHistory', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: props.historyRemovalPolicy ?? RemovalPolicy.RETAIN,
    });

    const topicKey = new Key(this, 'TopicKey', {
      description: `dr-runbook ${plan.name}: encrypts run notifications`,
      enableKeyRotation: true,
    });
    // CloudWatch alarms (the plan's own, and the runbook's) and EventBridge rules publish to the
    // encrypted topic: each service needs the key for the messages it sends, from this account only.
    for (const service of ['cloudwatch.amazonaws.com', 'events.amazonaws.com']) {
      topicKey.addToResourcePolicy(
        new PolicyStatement({
          sid: `Publish${service.split('.')[0] === 'events' ? 'FromEventBridge' : 'FromCloudWatch'}`,
          principals: [new ServicePrincipal(service)],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
        }),
      );
    }
    this.topic = new Topic(this, 'Notifications', {
      displayName: `dr-runbook ${plan.name}`,
      masterKey: topicKey,
      enforceSSL: true,
    });
    for (const email of plan.notifications.emails) this.topic.addSubscription(new EmailSubscription(email));

    this.reportsBucket = new Bucket(this, 'Reports', {
      encryption: BucketEncryption.S3_MANAGED,
      versioned: true,
      enforceSSL: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      removalPolicy: props.historyRemovalPolicy ?? RemovalPolicy.RETAIN,
      lifecycleRules: [
        {
          id: 'ArchiveOldReports',
          transitions: [
            { storageClass: StorageClass.DEEP_ARCHIVE, transitionAfter: Duration.days(REPORT_ARCHIVE_DAYS) },
          ],
          noncurrentVersionExpiration: Duration.days(REPORT_ARCHIVE_DAYS),
        },
      ],
    });

    // One Lambda per family the plan uses, its role the union of exactly its resources' ARNs.
    const families: Partial<Record<ResourceFamily, StepFunction>> = {};
    const wildcards: Partial<Record<ResourceFamily, WildcardResource[]>> = {};
    for (const family of RESOURCE_FAMILIES) {
      if (resourcesOf(plan, family).length === 0) continue;
      const permissions = familyPermissions(this, plan, family);
      families[family] = new StepFunction(this, `${family[0]?.toUpperCase()}${family.slice(1)}Step`, {
        family,
        statements: permissions.statements,
        logRetention,
      });
      wildcards[family] = permissions.wildcards;
    }
    const runbook = new StepFunction(this, 'RunbookStep', {
      family: 'runbook',
      statements: runbookStatements(),
      logRetention,
      environment: {
        HISTORY_TABLE_NAME: this.table.tableName,
        TOPIC_ARN: this.topic.topicArn,
        REPORTS_BUCKET: this.reportsBucket.bucketName,
      },
    });
    runbook.function.addToRolePolicy(
      new PolicyStatement({
        sid: 'WriteThisPlansReports',
        actions: ['s3:PutObject'],
        resources: [this.reportsBucket.arnForObjects(`reports/${plan.name}/*`)],
      }),
    );
    // The run history (RUN#<plan>), the last scheduled readiness (READINESS#<plan>), and the
    // approval flag on the lock: items of this plan's runbook, and no other table.
    this.table.grant(runbook.function, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem');
    this.topic.grantPublish(runbook.function);

    const lock = new StepFunction(this, 'LockStep', {
      family: 'lock',
      statements: [
        // The lock checks whether its holder still runs and stops a drill a failover preempts; the
        // cleanup reads a dead run's input. Scoped by name: referencing the state machine would be a cycle.
        new PolicyStatement({
          sid: 'PreemptAndCleanUpThisRunbooksExecutions',
          actions: ['states:DescribeExecution', 'states:StopExecution'],
          resources: [
            Stack.of(this).formatArn({
              service: 'states',
              resource: 'execution',
              resourceName: `${runbookStateMachineName(plan)}:*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          ],
        }),
      ],
      logRetention,
      environment: { HISTORY_TABLE_NAME: this.table.tableName },
    });
    // The lock item and, for the cleanup, whether a dead run has its record (a Query around its start).
    this.table.grant(
      lock.function,
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:Query',
    );

    this.stateMachine = new StateMachine(this, 'Runbook', {
      stateMachineName: runbookStateMachineName(plan),
      comment: `dr-runbook for ${plan.name}: ${plan.regions.primary} -> ${plan.regions.recovery}`,
      definitionBody: DefinitionBody.fromChainable(
        buildRunbookDefinition(this, {
          plan,
          functions: {
            families: Object.fromEntries(
              Object.entries(families).map(([family, step]) => [family, step.function]),
            ),
            runbook: runbook.function,
            lock: lock.function,
          },
        }),
      ),
      timeout: Duration.hours(RUN_TIMEOUT_HOURS),
      tracingEnabled: true,
      logs: {
        destination: new LogGroup(this, 'RunbookLogs', {
          retention: logRetention,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
        level: LogLevel.ALL,
        includeExecutionData: true,
      },
    });
    this.acknowledgeNagFindings(families, wildcards, { runbook, lock });

    const detector = plan.triggers.detector;
    if (detector) this.detector = new PrimaryDetector(this, 'Detector', { plan, detector, logRetention });
    new RunbookTriggers(this, 'Triggers', { plan, stateMachine: this.stateMachine });
    this.monitoring = new RunbookDashboard(this, 'Monitoring', {
      plan,
      topic: this.topic,
      reportLogs: runbook.logGroup,
    });
  }

  /** Each accepted cdk-nag finding, with its reason (see nag-acknowledgements.ts). */
  private acknowledgeNagFindings(
    families: Partial<Record<ResourceFamily, StepFunction>>,
    wildcards: Partial<Record<ResourceFamily, WildcardResource[]>>,
    steps: { runbook: StepFunction; lock: StepFunction },
  ): void {
    const { plan } = this;
    const region = plan.regions.recovery;
    for (const [family, step] of Object.entries(families) as [ResourceFamily, StepFunction][]) {
      acknowledgeStepFunction(step, wildcards[family]);
    }
    acknowledgeStepFunction(steps.runbook);
    acknowledgeStepFunction(steps.lock, [
      {
        resource: nagArn(region, 'states', `execution:${runbookStateMachineName(plan)}:*`),
        reason:
          "executions of this plan's runbook only: the lock checks whether its holder still runs and stops a drill a failover preempts; the cleanup reads a dead run's input",
      },
    ]);
    acknowledgeTopicPublisher(steps.runbook);
    acknowledgeReports(this.reportsBucket, steps.runbook, plan.name);
    acknowledgeStateMachine(
      this.stateMachine,
      [...Object.values(families), steps.runbook, steps.lock].map((s) => s.function),
    );
  }

  /** Lets a principal start runs (drills, dry-runs, confirmed failovers). */
  grantStartExecution(grantee: IGrantable) {
    return this.stateMachine.grantStartExecution(grantee);
  }

  /** Lets a principal approve or deny a waiting run. */
  grantApprove(grantee: IGrantable) {
    return this.stateMachine.grantTaskResponse(grantee);
  }
}
