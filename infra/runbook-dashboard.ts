// What operators look at: recent runs, RTO/RPO against the objectives, where the time went; the
// alarm that tells them a drill or game day failed or missed an objective; and the alarm that tells
// them a run's report did not reach one of its sinks (S3, SNS, metrics, history).
import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type HorizontalAnnotation,
  LogQueryWidget,
  MathExpression,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { REPORT_SINKS } from '../functions/runbook/report-types.ts';
import { METRIC_NAMESPACE, METRICS } from '../functions/runbook/run-metrics.ts';
import type { DrPlan } from '../plan/schema.ts';

export interface RunbookDashboardProps {
  readonly plan: DrPlan;
  readonly topic: ITopic;
  /** The report step's logs: each run is logged there as "run reported". */
  readonly reportLogs: ILogGroup;
}

const MODES = ['failover', 'switchover', 'drill', 'dry-run'] as const;

export class RunbookDashboard extends Construct {
  readonly dashboard: Dashboard;
  /** In ALARM when a drill (or game day) failed or missed its RTO/RPO. */
  readonly drillAlarm: Alarm;
  /** In ALARM when a run's report could not be stored, published, measured or recorded. */
  readonly sinkAlarm: Alarm;

  constructor(scope: Construct, id: string, props: RunbookDashboardProps) {
    super(scope, id);
    const { plan } = props;
    const metric = (metricName: string, mode: string, statistic = 'Maximum') =>
      new Metric({
        namespace: METRIC_NAMESPACE,
        metricName,
        dimensionsMap: { service: 'dr-runbook', plan: plan.name, mode },
        statistic,
        period: Duration.hours(1),
        label: mode,
      });
    const objective = (label: string, value: number): HorizontalAnnotation => ({
      label,
      value,
      color: '#d62728',
    });

    this.drillAlarm = new Alarm(this, 'DrillNeedsAttention', {
      alarmDescription: `dr-runbook ${plan.name}: a drill or game day failed or missed its RTO/RPO objective; see the run report`,
      metric: new Metric({
        namespace: METRIC_NAMESPACE,
        metricName: METRICS.needsAttention,
        dimensionsMap: { service: 'dr-runbook', plan: plan.name, mode: 'drill' },
        statistic: 'Maximum',
        period: Duration.minutes(5),
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.drillAlarm.addAlarmAction(new SnsAction(props.topic));

    // One ReportSinkFailed series per sink: the alarm adds them up (a missing series counts 0).
    const sinkFailed = Object.fromEntries(
      REPORT_SINKS.map((sink) => [
        `failed_${sink}`,
        new Metric({
          namespace: METRIC_NAMESPACE,
          metricName: METRICS.sinkFailed,
          dimensionsMap: { service: 'dr-runbook', plan: plan.name, sink },
          statistic: 'Sum',
          period: Duration.minutes(5),
        }),
      ]),
    );
    this.sinkAlarm = new Alarm(this, 'ReportSinkFailed', {
      alarmDescription: `dr-runbook ${plan.name}: a run's report did not reach one of its sinks (S3 report, SNS summary, metrics, history record); the runbook Lambda's log says which ("report sink failed")`,
      metric: new MathExpression({
        expression: Object.keys(sinkFailed)
          .map((id) => `FILL(${id}, 0)`)
          .join(' + '),
        usingMetrics: sinkFailed,
        label: 'report sinks failed',
        period: Duration.minutes(5),
      }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.sinkAlarm.addAlarmAction(new SnsAction(props.topic));

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `dr-runbook-${plan.name}`,
      defaultInterval: Duration.days(90),
    });
    this.dashboard.addWidgets(
      new GraphWidget({
        title: `RTO achieved (objective ${plan.objectives.rtoMinutes} min)`,
        left: MODES.map((mode) => metric(METRICS.rto, mode)),
        leftAnnotations: [objective('RTO objective', plan.objectives.rtoMinutes * 60)],
        width: 12,
      }),
      new GraphWidget({
        title: `RPO achieved (objective ${plan.objectives.rpoSeconds} s)`,
        left: MODES.map((mode) => metric(METRICS.rpo, mode)),
        leftAnnotations: [objective('RPO objective', plan.objectives.rpoSeconds)],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Runs needing attention (failed, missed objective, not ready)',
        left: MODES.map((mode) => metric(METRICS.needsAttention, mode, 'Sum')),
        width: 12,
      }),
      new GraphWidget({
        title: 'Where the time went (seconds per step, drills)',
        left: ['Database', 'Compute', 'Traffic', 'Verify'].map(
          (step) =>
            new Metric({
              namespace: METRIC_NAMESPACE,
              metricName: METRICS.step,
              dimensionsMap: { service: 'dr-runbook', plan: plan.name, mode: 'drill', step },
              statistic: 'Maximum',
              period: Duration.hours(1),
              label: step,
            }),
        ),
        stacked: true,
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new LogQueryWidget({
        title: 'Recent runs',
        logGroupNames: [props.reportLogs.logGroupName],
        queryLines: [
          'filter message = "run reported"',
          'fields @timestamp, mode, outcome, rtoSeconds, rpoSeconds, runId',
          'sort @timestamp desc',
          'limit 20',
        ],
        width: 24,
      }),
    );
  }
}
