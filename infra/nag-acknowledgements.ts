// cdk-nag findings we accept, each with its reason; anything else fails the infra tests. cdk-nag 3
// matches granular findings exactly ("AwsSolutions-IAM5[Resource::…]"), so each wildcard resource
// is acknowledged by name, as the rule prints it. The infra tests also walk every policy: no
// mutating action may be allowed on "*".
import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { CONDITIONED_WILDCARD_ACTIONS, READ_ONLY_WILDCARD_ACTIONS } from './permissions/read-only-actions.ts';

/** An ARN pattern of the plan's account and recovery region, as cdk-nag prints it. */
export function nagArn(region: string, service: string, resource: string): string {
  return `arn:<AWS::Partition>:${service}:${region}:<AWS::AccountId>:${resource}`;
}

function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

const READ_ONLY_REASON = `Only read-only actions IAM authorizes solely on "*" (${Object.entries(
  READ_ONLY_WILDCARD_ACTIONS,
)
  .map(([action, why]) => `${action}: ${why}`)
  .join('; ')}), X-Ray tracing (PutTraceSegments/PutTelemetryRecords support only "*"), and ${Object.entries(
  CONDITIONED_WILDCARD_ACTIONS,
)
  .map(([action, { conditionKey, reason }]) => `${action} conditioned on ${conditionKey} (${reason})`)
  .join('; ')}.`;

export interface WildcardResource {
  /** The resource as cdk-nag prints it (see nagArn). */
  readonly resource: string;
  readonly reason: string;
}

/** A step family's function: managed logging policy, read-only "*", and the plan-scoped patterns. */
export function acknowledgeStepFunction(fn: IConstruct, wildcards: WildcardResource[] = []): void {
  acknowledge(
    fn,
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'AWSLambdaBasicExecutionRole only lets the function write its own CloudWatch Logs.',
  );
  acknowledge(fn, 'AwsSolutions-IAM5[Resource::*]', READ_ONLY_REASON);
  for (const { resource, reason } of wildcards)
    acknowledge(fn, `AwsSolutions-IAM5[Resource::${resource}]`, reason);
}

/** The topic's customer managed key: publishing needs GenerateDataKey* on it (and only it). */
export function acknowledgeTopicPublisher(fn: IConstruct): void {
  acknowledge(
    fn,
    'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
    'Publishing to the encrypted topic needs kms:GenerateDataKey* on its own key; the statement names that key only.',
  );
}

/** The state machine may invoke any version of the plan's own functions ("<function ARN>:*"). */
export function acknowledgeStateMachine(stateMachine: IConstruct, functions: IFunction[]): void {
  acknowledge(
    stateMachine,
    'AwsSolutions-IAM5[Resource::*]',
    'CloudWatch Logs delivery and X-Ray actions of the state machine support only "*".',
  );
  const stack = Stack.of(stateMachine);
  for (const fn of functions) {
    const logicalId = stack.resolve(stack.getLogicalId(fn.node.defaultChild as CfnElement)) as string;
    acknowledge(
      stateMachine,
      `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
      "CDK grants lambda:InvokeFunction on every version of the runbook's own step function, nothing else.",
    );
  }
}

/** The reports bucket: the report step writes this plan's reports, nobody else writes at all. */
export function acknowledgeReports(bucket: IConstruct, writer: IConstruct, planName: string): void {
  acknowledge(
    bucket,
    'AwsSolutions-S1',
    'Only the report step writes here (PutObject under reports/<plan>/); CloudTrail data events, not a second log bucket, are the audit trail.',
  );
  const stack = Stack.of(bucket);
  const logicalId = stack.resolve(stack.getLogicalId(bucket.node.defaultChild as CfnElement)) as string;
  acknowledge(
    writer,
    `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/reports/${planName}/*]`,
    "Report object keys are created per run; writing is limited to this plan's prefix.",
  );
}

/** A schedule invoking a function: CDK grants lambda:InvokeFunction on it and its versions ("<ARN>:*"). */
export function acknowledgeScheduledInvoke(role: IConstruct, fn: IFunction): void {
  const stack = Stack.of(role);
  const logicalId = stack.resolve(stack.getLogicalId(fn.node.defaultChild as CfnElement)) as string;
  acknowledge(
    role,
    `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
    'CDK grants lambda:InvokeFunction on every version of the probe function the schedule invokes, nothing else.',
  );
}
