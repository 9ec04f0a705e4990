// An alarm in another region than the runbook's: its ALARM state changes go to that region's
// default event bus only, so a small stack there forwards them to the recovery region's default
// bus, where the runbook's rule (infra/triggers.ts) starts the failover. An alarm in the primary
// region stops firing when that region is dark: readiness says so, and the plan should also have
// one in the recovery region.
import { Stack, type StackProps } from 'aws-cdk-lib';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { EventBus as EventBusTarget } from 'aws-cdk-lib/aws-events-targets';
import type { Construct } from 'constructs';
import type { DrPlan } from '../plan/schema.ts';
import { alarmArn, alarmStateChangePattern } from './triggers.ts';

export interface AlarmForwarderStackProps extends StackProps {
  readonly plan: DrPlan;
  /** The region of the alarms this stack forwards (not the recovery region). */
  readonly alarmRegion: string;
}

/** The stack's name: one per plan and alarm region. */
export function alarmForwarderStackName(plan: DrPlan, region: string): string {
  return `DrAlarmForwarder-${plan.name}-${region}`;
}

/** The regions other than the recovery region that the plan's trigger alarms live in. */
export function forwardedAlarmRegions(plan: DrPlan): string[] {
  return [
    ...new Set(
      plan.triggers.alarms
        .map((alarm) => alarm.region ?? plan.regions.recovery)
        .filter((region) => region !== plan.regions.recovery),
    ),
  ];
}

export class AlarmForwarderStack extends Stack {
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: AlarmForwarderStackProps) {
    const { plan, alarmRegion } = props;
    super(scope, id, {
      description: `dr-runbook for ${plan.name}: forwards ${alarmRegion} alarm state changes to ${plan.regions.recovery}`,
      ...props,
      env: { account: props.env?.account, region: alarmRegion },
    });
    const alarms = plan.triggers.alarms.filter(
      (alarm) => (alarm.region ?? plan.regions.recovery) === alarmRegion,
    );
    const recoveryBus = EventBus.fromEventBusArn(
      this,
      'RecoveryRegionBus',
      `arn:${this.partition}:events:${plan.regions.recovery}:${this.account}:event-bus/default`,
    );
    this.rule = new Rule(this, 'ForwardAlarms', {
      description: `dr-runbook ${plan.name}: ${alarms.map((a) => a.name).join(', ')} to ${plan.regions.recovery}`,
      eventPattern: alarmStateChangePattern(alarms.map((alarm) => alarmArn(this, plan, alarm))),
    });
    // CDK gives the target a role that may only put events on that bus.
    this.rule.addTarget(new EventBusTarget(recoveryBus));
  }
}
