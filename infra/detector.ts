// The detector (plan triggers.detector): in the recovery region, a Lambda probes the primary's
// health endpoint once a minute (EventBridge Scheduler) and writes PrimaryProbeFailed; an alarm
// goes to ALARM when `failingMinutes` of the last `ofMinutes` probes failed (the flap guard), and
// the runbook's trigger rule starts a failover on it. It needs nothing of the primary region to
// fire. Missing data (the probe did not run) is not a failure: a broken probe must not fail over.
// With `combineWithAlarms`, a composite alarm there needs the detector's alarm AND one of the
// plan's alarms in that region, and the trigger rule starts a failover on it instead.
import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmRule,
  AlarmState,
  ComparisonOperator,
  CompositeAlarm,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import {
  combinedAlarms,
  compositeAlarmName,
  DETECTOR_METRIC,
  detectorAlarmName,
  detectorDimensions,
} from '../plan/detector.ts';
import type { DrPlan } from '../plan/schema.ts';
import { acknowledgeScheduledInvoke, acknowledgeStepFunction } from './nag-acknowledgements.ts';
import { StepFunction } from './step-function.ts';

export interface PrimaryDetectorProps {
  readonly plan: DrPlan;
  readonly detector: NonNullable<DrPlan['triggers']['detector']>;
  readonly logRetention: RetentionDays;
}

export class PrimaryDetector extends Construct {
  readonly probe: StepFunction;
  readonly alarm: Alarm;
  readonly schedule: Schedule;
  /** With `combineWithAlarms`: the detector's alarm AND one of the plan's alarms in this region. */
  readonly composite?: CompositeAlarm;

  constructor(scope: Construct, id: string, props: PrimaryDetectorProps) {
    super(scope, id);
    const { plan, detector } = props;
    this.probe = new StepFunction(this, 'Probe', {
      family: 'detector',
      statements: [],
      logRetention: props.logRetention,
      timeout: Duration.seconds(detector.timeoutSeconds + 10),
      environment: {
        DR_RUNBOOK_PLAN: plan.name,
        PROBE_URL: detector.url,
        PROBE_EXPECTED_STATUS: String(detector.expectedStatus),
        PROBE_TIMEOUT_SECONDS: String(detector.timeoutSeconds),
      },
    });
    // A role of its own for the schedule, so that what it may invoke is this construct's to say.
    const scheduleRole = new Role(this, 'ScheduleRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
    });
    this.schedule = new Schedule(this, 'EveryMinute', {
      description: `dr-runbook ${plan.name}: probe the primary from ${plan.regions.recovery}`,
      schedule: ScheduleExpression.rate(Duration.minutes(1)),
      // A missed minute is a missing datapoint, not a retry a minute late.
      target: new LambdaInvoke(this.probe.function, { retryAttempts: 0, role: scheduleRole }),
    });
    acknowledgeStepFunction(this.probe);
    acknowledgeScheduledInvoke(scheduleRole, this.probe.function);
    this.alarm = new Alarm(this, 'PrimaryDown', {
      alarmName: detectorAlarmName(plan),
      alarmDescription: `dr-runbook ${plan.name}: ${detector.failingMinutes} of the last ${detector.ofMinutes} probes of ${detector.url} from ${plan.regions.recovery} failed; starts a failover`,
      metric: new Metric({
        namespace: DETECTOR_METRIC.namespace,
        metricName: DETECTOR_METRIC.name,
        dimensionsMap: detectorDimensions(plan),
        statistic: 'Maximum',
        period: Duration.minutes(1),
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: detector.ofMinutes,
      datapointsToAlarm: detector.failingMinutes,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    if (detector.combineWithAlarms) this.composite = this.combine(plan);
  }

  /** The composite alarm; its parts are the plan's alarms, referenced by name (this account and region). */
  private combine(plan: DrPlan): CompositeAlarm {
    const parts = combinedAlarms(plan);
    if (parts.length === 0) {
      throw new Error(
        `triggers.detector.combineWithAlarms: none of triggers.alarms is in the recovery region ${plan.regions.recovery}, so there is nothing to combine (validate the plan)`,
      );
    }
    const names = parts.map((alarm) => alarm.name).join(', ');
    const description = `dr-runbook ${plan.name}: ${detectorAlarmName(plan)} and one of ${names} are in ALARM; starts a failover`;
    return new CompositeAlarm(this, 'PrimaryDownConfirmed', {
      compositeAlarmName: compositeAlarmName(plan),
      // CloudWatch takes at most 1024 characters.
      alarmDescription: description.slice(0, 1024),
      alarmRule: AlarmRule.allOf(
        AlarmRule.fromAlarm(this.alarm, AlarmState.ALARM),
        AlarmRule.anyOf(
          ...parts.map((alarm, i) =>
            AlarmRule.fromAlarm(Alarm.fromAlarmName(this, `Combined${i}`, alarm.name), AlarmState.ALARM),
          ),
        ),
      ),
    });
  }
}
