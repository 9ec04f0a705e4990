// One stack per plan, in the plan's recovery region: nothing in it depends on the primary region.
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { DrPlan } from '../plan/schema.ts';
import { DisasterRecoveryRunbook } from './disaster-recovery-runbook.ts';
import { STACK_OUTPUTS } from './stack-outputs.ts';

export interface RunbookStackProps extends StackProps {
  readonly plan: DrPlan;
}

export class RunbookStack extends Stack {
  readonly runbook: DisasterRecoveryRunbook;

  constructor(scope: Construct, id: string, props: RunbookStackProps) {
    super(scope, id, {
      description: `dr-runbook for ${props.plan.name} (${props.plan.regions.primary} -> ${props.plan.regions.recovery})`,
      ...props,
      env: { account: props.env?.account, region: props.plan.regions.recovery },
    });
    this.runbook = new DisasterRecoveryRunbook(this, 'Runbook', { plan: props.plan });
    // The operator CLI finds the runbook through these outputs (names are a contract).
    const outputs: Record<keyof typeof STACK_OUTPUTS, string> = {
      StateMachineArn: this.runbook.stateMachine.stateMachineArn,
      HistoryTableName: this.runbook.table.tableName,
      TopicArn: this.runbook.topic.topicArn,
      ReportsBucketName: this.runbook.reportsBucket.bucketName,
    };
    for (const [id, value] of Object.entries(outputs)) {
      new CfnOutput(this, id, { value, description: STACK_OUTPUTS[id as keyof typeof STACK_OUTPUTS] });
    }
  }
}
