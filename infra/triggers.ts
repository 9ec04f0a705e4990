// The two automatic ways in: an alarm going to ALARM starts a failover, and schedules start
// game-day drills and readiness dry-runs. Both build the same execution input a person would.
import { Duration, Stack, TimeZone } from 'aws-cdk-lib';
import { EventField, type EventPattern, Rule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { cleanupInput, EXECUTION_ENDED_STATUSES } from '../functions/lock/cleanup.ts';
import { RECENT_ALARM_MINUTES } from '../functions/runbook/execution-input.ts';
import { triggerAlarms } from '../plan/detector.ts';
import type { DrPlan } from '../plan/schema.ts';

export interface RunbookTriggersProps {
  readonly plan: DrPlan;
  readonly stateMachine: IStateMachine;
}

/** The ARN of a plan trigger alarm: in its region (default: the recovery region), in this account. */
export function alarmArn(
  scope: Construct,
  plan: DrPlan,
  alarm: DrPlan['triggers']['alarms'][number],
): string {
  const stack = Stack.of(scope);
  return `arn:${stack.partition}:cloudwatch:${alarm.region ?? plan.regions.recovery}:${stack.account}:alarm:${alarm.name}`;
}

/**
 * The state changes to ALARM of exactly these alarms: matched by ARN (account and region), so a
 * same-named alarm in another account or region starts nothing.
 */
export function alarmStateChangePattern(arns: string[]): EventPattern {
  return {
    source: ['aws.cloudwatch'],
    detailType: ['CloudWatch Alarm State Change'],
    resources: arns,
    detail: { state: { value: ['ALARM'] } },
  };
}

/** Construct-id-safe form of a name (ids are a contract: renaming one replaces the resource). */
function idFor(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, '');
}

export class RunbookTriggers extends Construct {
  readonly alarmRules: Rule[] = [];
  readonly schedules: Schedule[] = [];
  /** Starts a cleanup run when an execution ends without its tail. */
  readonly executionEndedRule: Rule;

  constructor(scope: Construct, id: string, props: RunbookTriggersProps) {
    super(scope, id);
    const { plan, stateMachine } = props;

    // The plan's alarms and, with a detector, its alarm (infra/detector.ts) in the recovery region;
    // when the detector combines with the plan's alarms there, their composite alarm instead.
    for (const alarm of triggerAlarms(plan)) {
      // The rule lives in the recovery region; an alarm elsewhere has its state-change events
      // forwarded to this region's default bus by a stack in its region (alarm-forwarder-stack.ts).
      const rule = new Rule(this, `Alarm${idFor(alarm.name)}`, {
        description: `dr-runbook ${plan.name}: failover when ${alarm.name} goes to ALARM`,
        eventPattern: alarmStateChangePattern([alarmArn(this, plan, alarm)]),
      });
      rule.addTarget(
        new SfnStateMachine(stateMachine, {
          input: RuleTargetInput.fromObject({
            mode: 'failover',
            reason: EventField.fromPath('$.detail.state.reason'),
            requestedBy: 'eventbridge',
            trigger: {
              type: 'alarm',
              alarmName: EventField.fromPath('$.detail.alarmName'),
              // The event's time is the state change (the alarm's own timestamp has no colon in its offset).
              stateChangeTime: EventField.time,
              region: EventField.region,
              account: EventField.account,
            },
          }),
          retryAttempts: 10,
          // A later delivery would carry a state change older than the runbook trusts (it would
          // then need a person's confirmation): give up when the alarm claim expires.
          maxEventAge: Duration.minutes(RECENT_ALARM_MINUTES),
        }),
      );
      this.alarmRules.push(rule);
    }

    // Nothing dies silently: an execution that ended without its tail (stopped, preempted, timed
    // out, failed outside the catch) starts a cleanup run, which reverts a dead drill, frees the
    // lock and records the run. A run that failed through its tail is found already reported.
    this.executionEndedRule = new Rule(this, 'ExecutionEnded', {
      description: `dr-runbook ${plan.name}: clean up after a run that ended without its tail`,
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [stateMachine.stateMachineArn], status: [...EXECUTION_ENDED_STATUSES] },
      },
    });
    this.executionEndedRule.addTarget(
      new SfnStateMachine(stateMachine, {
        input: RuleTargetInput.fromObject(
          cleanupInput(EventField.fromPath('$.detail.executionArn'), EventField.fromPath('$.detail.status')),
        ),
        retryAttempts: 10,
      }),
    );

    const scheduled = [
      { key: 'GameDay', schedule: plan.schedules.gameDay, mode: 'drill', what: 'game-day drill' },
      {
        key: 'ReadinessCheck',
        schedule: plan.schedules.readinessCheck,
        mode: 'dry-run',
        what: 'readiness check',
      },
    ] as const;
    for (const { key, schedule, mode, what } of scheduled) {
      if (!schedule) continue;
      this.schedules.push(
        new Schedule(this, key, {
          description: `dr-runbook ${plan.name}: ${what}`,
          schedule: ScheduleExpression.expression(schedule.expression, TimeZone.of(schedule.timezone)),
          enabled: schedule.enabled,
          target: new StepFunctionsStartExecution(stateMachine, {
            input: ScheduleTargetInput.fromObject({
              mode,
              requestedBy: 'eventbridge-scheduler',
              trigger: { type: 'schedule', scheduleName: key },
            }),
          }),
        }),
      );
    }
  }
}
