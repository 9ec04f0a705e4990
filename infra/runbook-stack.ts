// One stack per plan, in the plan's recovery region: nothing in it depends on the primary region.
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { DrPlan } from '../plan/schema.ts';
import { DisasterRecoveryRunbook } from './disaster-recovery-runbook.ts';

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
  }
}

/** Stack name for a plan: one stack per application. */
export function stackNameFor(plan: DrPlan): string {
  return `DrRunbook-${plan.name}`;
}
