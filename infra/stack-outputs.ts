// What the CLI needs to find a deployed runbook: the stack's name and its outputs. Its own module,
// free of aws-cdk-lib, so that the operator commands do not load the CDK.
import type { DrPlan } from '../plan/schema.ts';

/** The stack's outputs, by output key. */
export const STACK_OUTPUTS = {
  StateMachineArn: 'the runbook state machine',
  HistoryTableName: 'lock and run history table',
  TopicArn: 'notification topic',
  ReportsBucketName: 'rendered run reports',
} as const;

/** Stack name for a plan: one stack per application. */
export function stackNameFor(plan: DrPlan): string {
  return `DrRunbook-${plan.name}`;
}
