// route53-health-check-failover in a simulation. moto keeps the alarms, metrics and health checks,
// but evaluates no alarm, drops a health check's alarm from its answers, and serves no DNS. So:
//   - seeding creates the switch alarms (OK, missing data ignored) and CLOUDWATCH_METRIC health
//     checks, tagged with the alarm they watch;
//   - after a PutMetricData, the alarms on that metric are set to the state their threshold gives
//     the published value (what CloudWatch would decide at the period's end);
//   - GetHealthCheck answers carry the alarm the health check was created with (from its tag);
//   - DNS lookups of the plan's failover names answer the SECONDARY while the pair's alarm is in
//     ALARM and the PRIMARY otherwise, as Route 53 does once its health checkers agree.
// Every request still passes the outage adapter first; each use is noted in the run.
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  DescribeAlarmsForMetricCommand,
  PutMetricAlarmCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  ChangeTagsForResourceCommand,
  CreateHealthCheckCommand,
  ListTagsForResourceCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import type { CustomizableClient } from '../functions/shared/clients.ts';
import type { DnsResolver } from '../functions/shared/dns.ts';
import { breaches } from '../functions/traffic/switch-alarm.ts';
import type { DrPlan, ResourceOfType } from '../plan/schema.ts';
import { resourcesOf } from '../plan/steps.ts';
import { activeRun, addInitialize, type Output } from './emulator-adapters.ts';

type Resource = ResourceOfType<'route53-health-check-failover'>;
type Pair = Pick<Resource, 'recordName' | 'healthCheckId' | 'alarm'>;

const ALARM_TAG = 'dr-runbook:watches-alarm';

const pairsOf = (resource: Resource): Pair[] => [resource, ...(resource.drill ? [resource.drill] : [])];

const normalise = (name: string) => name.toLowerCase().replace(/\.$/, '');

/** Where the PRIMARY record of a pair points: the primary region's load balancer. */
export function primaryAnswer(plan: DrPlan, pair: Pick<Pair, 'recordName'>): string {
  return `${pair.recordName.split('.')[0]}.${plan.regions.primary}.elb.example.net`;
}

/** Creates the alarms and health checks of one resource; returns it with moto's health check ids. */
export async function seedHealthCheckFailover(
  plan: DrPlan,
  resource: Resource,
  endpoint: string,
  created: string[],
): Promise<Resource> {
  const region = plan.regions.recovery;
  const cloudWatch = new CloudWatchClient({ region, endpoint });
  const route53 = new Route53Client({ region, endpoint });
  const seedPair = async (pair: Pair): Promise<string> => {
    const { alarm } = pair;
    await cloudWatch.send(
      new PutMetricAlarmCommand({
        AlarmName: alarm.alarmName,
        Namespace: alarm.namespace,
        MetricName: alarm.metricName,
        Dimensions: Object.entries(alarm.dimensions).map(([Name, Value]) => ({ Name, Value })),
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'ignore',
      }),
    );
    await cloudWatch.send(
      new SetAlarmStateCommand({ AlarmName: alarm.alarmName, StateValue: 'OK', StateReason: 'seeded' }),
    );
    const check = await route53.send(
      new CreateHealthCheckCommand({
        CallerReference: `dr-runbook-seed-${alarm.alarmName}-${Date.now()}`,
        HealthCheckConfig: {
          Type: 'CLOUDWATCH_METRIC',
          AlarmIdentifier: { Region: region as never, Name: alarm.alarmName },
          InsufficientDataHealthStatus: 'LastKnownStatus',
        },
      }),
    );
    const id = check.HealthCheck?.Id ?? '';
    await route53.send(
      new ChangeTagsForResourceCommand({
        ResourceType: 'healthcheck',
        ResourceId: id,
        AddTags: [{ Key: ALARM_TAG, Value: `${region}/${alarm.alarmName}` }],
      }),
    );
    created.push(
      `${region}: alarm ${alarm.alarmName} (OK) on ${alarm.namespace}/${alarm.metricName}, watched by health check ${id}`,
      `global: failover ${pair.recordName}: PRIMARY ${primaryAnswer(plan, pair)} (health check ${id}), SECONDARY ${resource.secondaryAnswer}`,
    );
    return id;
  };
  const healthCheckId = await seedPair(resource);
  const drill = resource.drill
    ? { ...resource.drill, healthCheckId: await seedPair(resource.drill) }
    : undefined;
  return { ...resource, healthCheckId, ...(drill ? { drill } : {}) };
}

// ---- SDK adapters

const EVALUATION_NOTE =
  'moto evaluates no alarm: after each PutMetricData the alarms on that metric were set to the state their threshold gives the published value (local/health-check-failover.ts)';

/** CloudWatch: alarms follow the datapoints published to their metric. */
export function localAlarmEvaluation(client: CustomizableClient): void {
  addInitialize(client, 'drRunbookLocalAlarmEvaluation', (next, context) => async (args) => {
    const result = await next(args);
    if (!activeRun().scenario.moto || context.commandName !== 'PutMetricDataCommand') return result;
    const send = (client as unknown as CloudWatchClient).send.bind(client as unknown as CloudWatchClient);
    for (const datum of (args.input.MetricData as Output[] | undefined) ?? []) {
      const value = Number(datum.Value);
      const watching = await send(
        new DescribeAlarmsForMetricCommand({
          Namespace: String(args.input.Namespace),
          MetricName: String(datum.MetricName),
          Dimensions: datum.Dimensions as never,
        }),
      );
      // moto matches the namespace and metric name only: CloudWatch also matches the dimensions.
      const dims = (d: unknown) =>
        JSON.stringify(
          ((d as { Name?: string; Value?: string }[] | undefined) ?? []).map((x) => [x.Name, x.Value]).sort(),
        );
      const same = (watching.MetricAlarms ?? []).filter((a) => dims(a.Dimensions) === dims(datum.Dimensions));
      for (const alarm of same) {
        activeRun().log.notes.add(EVALUATION_NOTE);
        await send(
          new SetAlarmStateCommand({
            AlarmName: alarm.AlarmName,
            StateValue: breaches(alarm, value) ? 'ALARM' : 'OK',
            StateReason: `simulated evaluation of ${value} against ${alarm.ComparisonOperator} ${alarm.Threshold}`,
          }),
        );
      }
    }
    return result;
  });
}

const HEALTH_CHECK_NOTE =
  "moto's GetHealthCheck leaves out the alarm a CLOUDWATCH_METRIC health check watches: answered with the alarm it was created with (local/health-check-failover.ts)";

/** Route 53: a health check's answer names the alarm it watches, as AWS's does. */
export function localHealthChecks(client: CustomizableClient): void {
  addInitialize(client, 'drRunbookLocalHealthChecks', (next, context) => async (args) => {
    const result = await next(args);
    if (!activeRun().scenario.moto || context.commandName !== 'GetHealthCheckCommand') return result;
    const config = (result.output.HealthCheck as Output | undefined)?.HealthCheckConfig as Output | undefined;
    if (config?.Type !== 'CLOUDWATCH_METRIC' || config.AlarmIdentifier) return result;
    const tags = await (client as unknown as Route53Client).send(
      new ListTagsForResourceCommand({
        ResourceType: 'healthcheck',
        ResourceId: String(args.input.HealthCheckId),
      }),
    );
    const watched = tags.ResourceTagSet?.Tags?.find((t) => t.Key === ALARM_TAG)?.Value;
    if (!watched) return result;
    const [region, ...name] = watched.split('/');
    config.AlarmIdentifier = { Region: region, Name: name.join('/') };
    config.InsufficientDataHealthStatus ??= 'LastKnownStatus';
    activeRun().log.notes.add(HEALTH_CHECK_NOTE);
    return result;
  });
}

// ---- DNS

const DNS_NOTE =
  "DNS lookups of the plan's failover names were answered by the simulation: the SECONDARY while the pair's alarm is in ALARM, the PRIMARY otherwise, as Route 53 answers once its health checkers agree (local/health-check-failover.ts)";

const dnsError = (code: string, name: string) =>
  Object.assign(new Error(`query ${code} ${name}`), { code, hostname: name });

const isIpv4 = (value: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(value);

/** What each failover name of the plan answers now: SECONDARY while its alarm is in ALARM. */
export async function failoverAnswer(
  plan: DrPlan,
  endpoint: string,
  host: string,
): Promise<string | undefined> {
  for (const resource of resourcesOf(plan, 'traffic')) {
    if (resource.type !== 'route53-health-check-failover') continue;
    const pair = pairsOf(resource).find((p) => p.recordName === normalise(host));
    if (!pair) continue;
    const cloudWatch = new CloudWatchClient({ region: plan.regions.recovery, endpoint });
    const alarms = await cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: [pair.alarm.alarmName] }));
    const state = alarms.MetricAlarms?.[0]?.StateValue;
    return state === 'ALARM' ? resource.secondaryAnswer : primaryAnswer(plan, pair);
  }
  return undefined;
}

/** A resolver that answers the plan's failover names from the emulated alarms; nothing else resolves. */
export function simulatedDns(plan: DrPlan, endpoint: string): DnsResolver {
  const answer = async (name: string) => {
    const found = await failoverAnswer(plan, endpoint, name);
    if (found === undefined) throw dnsError('ENOTFOUND', name);
    activeRun().log.notes.add(DNS_NOTE);
    return found;
  };
  return {
    async resolveCname(name) {
      const found = await answer(name);
      if (isIpv4(found) || found.includes(':')) throw dnsError('ENODATA', name);
      return [found];
    },
    async resolve4(name) {
      const found = await answer(name);
      if (!isIpv4(found)) throw dnsError('ENODATA', name);
      return [found];
    },
    async resolve6(name) {
      const found = await answer(name);
      if (!found.includes(':')) throw dnsError('ENODATA', name);
      return [found];
    },
  };
}

/** The switch alarms' states, for the before/after comparison of the environment. */
export async function switchAlarmStates(
  plan: DrPlan,
  endpoint: string | undefined,
): Promise<Record<string, string>> {
  const names = resourcesOf(plan, 'traffic').flatMap((r) =>
    r.type === 'route53-health-check-failover' ? pairsOf(r).map((p) => p.alarm.alarmName) : [],
  );
  if (names.length === 0) return {};
  const cloudWatch = new CloudWatchClient({
    region: plan.regions.recovery,
    ...(endpoint ? { endpoint } : {}),
  });
  const answer = await cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: names }));
  return Object.fromEntries(
    (answer.MetricAlarms ?? []).map((a) => [a.AlarmName ?? '?', a.StateValue ?? '?']),
  );
}
