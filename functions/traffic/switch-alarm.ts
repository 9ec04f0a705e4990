// The switch of route53-health-check-failover: a CloudWatch alarm in the recovery region that a
// Route 53 health check watches. The runbook trips it by publishing 1 to its metric and clears it
// by publishing 0 (PutMetricData, CloudWatch's regional data plane); what the alarm must be for
// that to work, and to hold once the runbook stops publishing, is judged here (docs/design.md,
// "Traffic without a control plane").
import {
  type ComparisonOperator,
  DescribeAlarmsCommand,
  type MetricAlarm,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { GetHealthCheckCommand, type GetHealthCheckCommandOutput } from '@aws-sdk/client-route-53';
import type { ResourceOfType } from '../../plan/schema.ts';
import { awsCall, awsErrorName, toStepError } from '../shared/aws-errors.ts';
import { AlarmNotFoundError, HealthCheckNotFoundError, TransientAwsError } from '../shared/errors.ts';
import type { ResourceEvent } from '../shared/step-contract.ts';
import type { TrafficClients } from './clients.ts';
import { fieldPath } from './zone.ts';

export type HealthCheckFailoverResource = ResourceOfType<'route53-health-check-failover'>;
export type HealthCheckFailoverEvent = ResourceEvent<HealthCheckFailoverResource>;
export type SwitchAlarm = HealthCheckFailoverResource['alarm'];

/** One failover record pair the runbook switches: production's, or the drill's own. */
export interface SwitchPair {
  recordName: string;
  healthCheckId: string;
  alarm: SwitchAlarm;
  /** The plan field that holds the pair ("" for production, "drill." for the drill's). */
  field: '' | 'drill.';
}

/** Production's pair: the records users resolve. */
export function productionPair(resource: HealthCheckFailoverResource): SwitchPair {
  const { recordName, healthCheckId, alarm } = resource;
  return { recordName, healthCheckId, alarm, field: '' };
}

/** The drill's own pair, if the plan has one. */
export function drillPair(resource: HealthCheckFailoverResource): SwitchPair | undefined {
  return resource.drill ? { ...resource.drill, field: 'drill.' } : undefined;
}

/** The pair this run's mode switches: failover production's, drill the drill's (if the plan has one). */
export function pairOf(event: HealthCheckFailoverEvent): SwitchPair | undefined {
  return event.run.mode === 'drill' ? drillPair(event.resource) : productionPair(event.resource);
}

export const alarmLabel = (alarm: SwitchAlarm) => `alarm ${alarm.alarmName}`;

/** The alarm, read in the recovery region (cloudwatch:DescribeAlarms). */
export async function readAlarm(
  event: HealthCheckFailoverEvent,
  clients: TrafficClients,
  pair: SwitchPair,
): Promise<MetricAlarm> {
  const resource = alarmLabel(pair.alarm);
  const answer = await awsCall(
    { resource, operation: `read its state (cloudwatch:DescribeAlarms in ${event.plan.regions.recovery})` },
    () =>
      clients.cloudWatch.send(
        new DescribeAlarmsCommand({ AlarmNames: [pair.alarm.alarmName], AlarmTypes: ['MetricAlarm'] }),
      ),
  );
  const found = answer.MetricAlarms?.find((a) => a.AlarmName === pair.alarm.alarmName);
  if (!found) {
    throw new AlarmNotFoundError(
      `${resource} is not in ${event.plan.regions.recovery}: create the alarm the health check watches there, or fix ${fieldPath(event, `${pair.field}alarm.alarmName`)}`,
      resource,
    );
  }
  return found;
}

/** Publishes one datapoint of the switch metric: 1 trips the alarm, 0 clears it. */
export async function publish(
  event: HealthCheckFailoverEvent,
  clients: TrafficClients,
  pair: SwitchPair,
  value: 0 | 1,
  at: Date,
): Promise<void> {
  const { alarm } = pair;
  await awsCall(
    {
      resource: alarmLabel(alarm),
      operation: `publish ${alarm.namespace}/${alarm.metricName} = ${value} (cloudwatch:PutMetricData in ${event.plan.regions.recovery})`,
    },
    () =>
      clients.cloudWatch.send(
        new PutMetricDataCommand({
          Namespace: alarm.namespace,
          MetricData: [
            {
              MetricName: alarm.metricName,
              Dimensions: Object.entries(alarm.dimensions).map(([Name, Value]) => ({ Name, Value })),
              Value: value,
              Timestamp: at,
              Unit: 'None',
            },
          ],
        }),
      ),
  );
}

const BREACHES: Partial<Record<ComparisonOperator, (value: number, threshold: number) => boolean>> = {
  GreaterThanOrEqualToThreshold: (v, t) => v >= t,
  GreaterThanThreshold: (v, t) => v > t,
  LessThanOrEqualToThreshold: (v, t) => v <= t,
  LessThanThreshold: (v, t) => v < t,
};

/** Whether a datapoint breaches an alarm's threshold; an operator other than these (anomaly bands) breaches nothing. */
export function breaches(
  alarm: Pick<MetricAlarm, 'ComparisonOperator' | 'Threshold'>,
  value: number,
): boolean {
  const compare = alarm.ComparisonOperator && BREACHES[alarm.ComparisonOperator];
  return compare !== undefined && alarm.Threshold !== undefined && compare(value, alarm.Threshold);
}

/** What is wrong with the alarm as the switch: `fails` stop the switch working, `warns` may. */
export function judgeAlarm(
  event: HealthCheckFailoverEvent,
  pair: SwitchPair,
  alarm: MetricAlarm,
): { fails: string[]; warns: string[]; switchSeconds: number } {
  const fails: string[] = [];
  const warns: string[] = [];
  const planned = pair.alarm;
  const field = fieldPath(event, `${pair.field}alarm`);
  const dims = (d: Record<string, string>) => JSON.stringify(Object.entries(d).sort());
  const actualDims = Object.fromEntries((alarm.Dimensions ?? []).map((d) => [d.Name ?? '', d.Value ?? '']));
  const shown = `${alarm.Namespace}/${alarm.MetricName} ${dims(actualDims)}`;
  if ((alarm.Metrics ?? []).length > 0) {
    fails.push(
      `watches a metric math expression, not ${planned.namespace}/${planned.metricName}: make it watch that metric directly`,
    );
  } else if (
    alarm.Namespace !== planned.namespace ||
    alarm.MetricName !== planned.metricName ||
    dims(actualDims) !== dims(planned.dimensions)
  ) {
    fails.push(
      `watches ${shown}, not ${planned.namespace}/${planned.metricName} ${dims(planned.dimensions)} (${field}): publishing would not trip it; fix the plan or the alarm`,
    );
  }
  if (alarm.Statistic === 'SampleCount') {
    fails.push('uses the SampleCount statistic, which a published 0 raises as much as a 1: use Maximum');
  }
  const threshold = alarm.Threshold ?? Number.NaN;
  if (!breaches(alarm, 1) || breaches(alarm, 0)) {
    fails.push(
      `compares ${alarm.ComparisonOperator ?? '(none)'} ${threshold}: a published 1 must breach it and a 0 must not (e.g. GreaterThanOrEqualToThreshold 1)`,
    );
  }
  switch (alarm.TreatMissingData ?? 'missing') {
    case 'ignore':
      break;
    case 'notBreaching':
      fails.push(
        'treats missing data as not breaching: once the runbook stops publishing it returns to OK and Route 53 sends traffic back to the failed primary; set TreatMissingData to ignore',
      );
      break;
    case 'breaching':
      fails.push(
        'treats missing data as breaching: with nothing published it goes to ALARM and moves traffic at rest; set TreatMissingData to ignore',
      );
      break;
    default:
      warns.push(
        "treats missing data as missing: once the runbook stops publishing it goes to INSUFFICIENT_DATA, and traffic stays on the secondary only if the health check's InsufficientDataHealthStatus is LastKnownStatus or Unhealthy; set TreatMissingData to ignore",
      );
  }
  const datapoints = alarm.DatapointsToAlarm ?? alarm.EvaluationPeriods ?? 1;
  return { fails, warns, switchSeconds: (alarm.Period ?? 60) * datapoints };
}

/** The advisory read of the health check: whether it watches the alarm (Route 53's API, bounded). */
export async function readHealthCheck(
  event: HealthCheckFailoverEvent,
  clients: TrafficClients,
  pair: SwitchPair,
): Promise<{ status: 'pass' | 'warn' | 'fail'; detail: string }> {
  const label = `health check ${pair.healthCheckId}`;
  const answer = await clients.route53Advisory
    .send(new GetHealthCheckCommand({ HealthCheckId: pair.healthCheckId }))
    .catch((error: unknown) => error);
  if (answer instanceof Error) {
    const stepError = toStepError(answer, {
      resource: label,
      operation: 'read it (route53:GetHealthCheck)',
      notFound: { names: ['NoSuchHealthCheck'], error: HealthCheckNotFoundError },
    });
    if (stepError instanceof TransientAwsError) {
      return {
        status: 'warn',
        detail: `Route 53's API (a control plane, served from us-east-1) did not answer (${awsErrorName(answer) ?? 'error'}): could not confirm that ${label} watches ${alarmLabel(pair.alarm)}; a failover does not need it`,
      };
    }
    const fix =
      stepError instanceof HealthCheckNotFoundError
        ? `: fix ${fieldPath(event, `${pair.field}healthCheckId`)}`
        : '';
    return { status: 'fail', detail: `${stepError.message}${fix}` };
  }
  const check = (answer as GetHealthCheckCommandOutput).HealthCheck?.HealthCheckConfig;
  const watched = check?.AlarmIdentifier;
  const recovery = event.plan.regions.recovery;
  if (
    check?.Type !== 'CLOUDWATCH_METRIC' ||
    watched?.Name !== pair.alarm.alarmName ||
    watched.Region !== recovery
  ) {
    return {
      status: 'fail',
      detail: `${label} ${check?.Type === 'CLOUDWATCH_METRIC' ? `watches alarm ${watched?.Name} in ${watched?.Region}` : `is of type ${check?.Type ?? '(unknown)'}`}, not ${alarmLabel(pair.alarm)} in ${recovery}: the runbook trips that alarm, so the health check must watch it`,
    };
  }
  const insufficient = check.InsufficientDataHealthStatus ?? 'LastKnownStatus';
  return insufficient === 'LastKnownStatus'
    ? { status: 'pass', detail: `${label} watches ${alarmLabel(pair.alarm)} in ${recovery}` }
    : {
        status: 'warn',
        detail: `${label} watches ${alarmLabel(pair.alarm)}, and counts INSUFFICIENT_DATA as ${insufficient}: LastKnownStatus keeps the last decision`,
      };
}
