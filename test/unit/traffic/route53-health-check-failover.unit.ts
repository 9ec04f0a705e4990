// route53-health-check-failover: traffic moved by publishing the metric of the alarm the PRIMARY
// record's health check watches (CloudWatch's regional data plane), checked by DNS; Route 53's
// API is read only as readiness advice, once and briefly.
import 'aws-sdk-client-mock-jest';
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  type MetricAlarm,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { GetHealthCheckCommand, Route53Client } from '@aws-sdk/client-route-53';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { answers, type DnsResolver, lookup } from '../../../functions/shared/dns.ts';
import {
  AccessDeniedError,
  AlarmNotFoundError,
  InvalidResourceStateError,
  InvalidStepInputError,
  TransientAwsError,
} from '../../../functions/shared/errors.ts';
import { runStep } from '../../../functions/shared/family-handler.ts';
import type { ProgressResult, ReadinessResult } from '../../../functions/shared/step-contract.ts';
import type { TrafficClients } from '../../../functions/traffic/clients.ts';
import { trafficSteps } from '../../../functions/traffic/steps.ts';
import { type DrPlan, planSchema } from '../../../plan/schema.ts';
import { mockClient } from '../../aws-mock.ts';
import {
  accessDenied,
  awsError,
  examplePlan,
  examplePlanInput,
  testClock,
  throttling,
} from '../../fixtures.ts';
import { trafficEvent } from './traffic-fixtures.ts';

describe('route53-health-check-failover', () => {
  const cloudWatch = mockClient(CloudWatchClient);
  const route53 = mockClient(Route53Client);
  const plan = examplePlan('health-check-failover');
  const dnsResource = plan.resources.find((r) => r.type === 'route53-health-check-failover');
  if (dnsResource?.type !== 'route53-health-check-failover')
    throw new Error('the example has no such resource');
  const resource = dnsResource;
  const drill = resource.drill as NonNullable<typeof resource.drill>;
  const SECONDARY = resource.secondaryAnswer;
  const PRIMARY_TARGET = 'api.us-east-1.elb.example.net';

  /** The alarms as CloudWatch describes them; each test changes what it needs. */
  let alarms: Record<string, MetricAlarm>;
  /** What each name answers: a CNAME target, addresses, or an error code. */
  let names: Record<string, { cname?: string; addresses?: string[]; error?: string }>;

  const alarmOf = (pair: { alarm: typeof resource.alarm }, state = 'OK'): MetricAlarm => ({
    AlarmName: pair.alarm.alarmName,
    Namespace: pair.alarm.namespace,
    MetricName: pair.alarm.metricName,
    Dimensions: Object.entries(pair.alarm.dimensions).map(([Name, Value]) => ({ Name, Value })),
    Statistic: 'Maximum',
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    TreatMissingData: 'ignore',
    StateValue: state as MetricAlarm['StateValue'],
  });

  const fail = (code: string) => Object.assign(new Error(code), { code });
  const resolver: DnsResolver = {
    async resolveCname(name) {
      const answer = names[name];
      if (answer?.error) throw fail(answer.error);
      if (!answer) throw fail('ENOTFOUND');
      if (!answer.cname) throw fail('ENODATA');
      return [answer.cname];
    },
    async resolve4(name) {
      const answer = names[name];
      if (answer?.error) throw fail(answer.error);
      if (!answer?.addresses) throw fail(answer ? 'ENODATA' : 'ENOTFOUND');
      return answer.addresses;
    },
    async resolve6(name) {
      if (names[name]?.error) throw fail(names[name].error as string);
      throw fail('ENODATA');
    },
  };

  const clients: TrafficClients = {
    route53: undefined as never,
    route53Advisory: new Route53Client({ region: 'us-west-2', maxAttempts: 1 }),
    cloudWatch: new CloudWatchClient({ region: 'us-west-2' }),
    dns: resolver,
    routingControl: undefined as never,
  };

  const healthCheck = (alarmName: string, region = 'us-west-2') => ({
    HealthCheck: {
      Id: 'x',
      CallerReference: 'x',
      HealthCheckVersion: 1,
      HealthCheckConfig: {
        Type: 'CLOUDWATCH_METRIC' as const,
        AlarmIdentifier: { Region: region as never, Name: alarmName },
        InsufficientDataHealthStatus: 'LastKnownStatus' as const,
      },
    },
  });

  beforeEach(() => {
    cloudWatch.reset();
    route53.reset();
    alarms = { [resource.alarm.alarmName]: alarmOf(resource), [drill.alarm.alarmName]: alarmOf(drill) };
    names = {
      [resource.recordName]: { cname: PRIMARY_TARGET },
      [drill.recordName]: { cname: 'drill.us-east-1.elb.example.net' },
    };
    cloudWatch.on(DescribeAlarmsCommand).callsFake((input: { AlarmNames?: string[] }) => ({
      MetricAlarms: (input.AlarmNames ?? []).flatMap((n) => (alarms[n] ? [alarms[n]] : [])),
    }));
    cloudWatch.on(PutMetricDataCommand).resolves({});
    route53
      .on(GetHealthCheckCommand, { HealthCheckId: resource.healthCheckId })
      .resolves(healthCheck(resource.alarm.alarmName))
      .on(GetHealthCheckCommand, { HealthCheckId: drill.healthCheckId })
      .resolves(healthCheck(drill.alarm.alarmName));
  });

  const event = (
    action: 'readiness' | 'start' | 'check' | 'revert',
    mode: 'failover' | 'switchover' | 'drill' | 'dry-run',
    options: { plan?: DrPlan; state?: Record<string, unknown> } = {},
  ) => trafficEvent(action, { plan: options.plan ?? plan, mode, resource: 'dns', state: options.state });
  const step = async (
    action: 'start' | 'check' | 'revert',
    mode: 'failover' | 'switchover' | 'drill',
    options: { plan?: DrPlan; state?: Record<string, unknown> } = {},
    clock = testClock(),
  ) => (await runStep(trafficSteps, () => clients, event(action, mode, options), clock)) as ProgressResult;
  const readiness = async (options: { plan?: DrPlan } = {}) =>
    (await runStep(
      trafficSteps,
      () => clients,
      event('readiness', 'dry-run', options),
      testClock(),
    )) as ReadinessResult;
  const published = () => cloudWatch.commandCalls(PutMetricDataCommand).map((c) => c.args[0].input);
  const statusOf = (result: ReadinessResult, name: string) => result.checks.find((c) => c.name === name);
  const STARTED = { startedAt: '2026-11-25T12:00:00.000Z' };

  describe('readiness', () => {
    it('passes at rest: each alarm OK and fit to switch, each name answering the primary, each health check watching its alarm', async () => {
      const result = await readiness();
      expect(result.checks.map((c) => [c.name, c.status])).toEqual([
        ['alarm', 'pass'],
        ['dns', 'pass'],
        ['health-check', 'pass'],
        ['drill-alarm', 'pass'],
        ['drill-dns', 'pass'],
        ['drill-health-check', 'pass'],
      ]);
      expect(statusOf(result, 'dns')?.detail).toContain(`CNAME ${PRIMARY_TARGET}`);
      expect(cloudWatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, {
        AlarmNames: [resource.alarm.alarmName],
      });
      // Readiness reads; it never publishes.
      expect(published()).toEqual([]);
    });

    it.each([
      [{ TreatMissingData: 'notBreaching' }, /returns to OK and Route 53 sends traffic back/],
      [{ TreatMissingData: 'breaching' }, /moves traffic at rest/],
      [{ MetricName: 'Other' }, /watches DrRunbook\/Switch\/Other .*publishing would not trip it/],
      [{ Dimensions: [{ Name: 'plan', Value: 'orders' }] }, /resources\[2\]\.alarm\)/],
      [{ ComparisonOperator: 'LessThanThreshold' as const }, /a published 1 must breach it/],
      [{ Statistic: 'SampleCount' as const }, /SampleCount/],
    ])('fails an alarm that cannot switch (%o)', async (change, message) => {
      alarms[resource.alarm.alarmName] = { ...alarmOf(resource), ...(change as Partial<MetricAlarm>) };
      const check = statusOf(await readiness(), 'alarm');
      expect(check?.status).toBe('fail');
      expect(check?.detail).toMatch(message);
    });

    it('warns on an alarm that treats missing data as missing, naming the health check setting it then relies on', async () => {
      alarms[resource.alarm.alarmName] = { ...alarmOf(resource), TreatMissingData: undefined };
      const check = statusOf(await readiness(), 'alarm');
      expect(check).toMatchObject({
        status: 'warn',
        detail: expect.stringContaining('InsufficientDataHealthStatus'),
      });
    });

    it('warns when the alarm is in ALARM already (traffic already on the secondary, or a run left it)', async () => {
      alarms[resource.alarm.alarmName] = alarmOf(resource, 'ALARM');
      expect(statusOf(await readiness(), 'alarm')).toMatchObject({
        status: 'warn',
        detail: expect.stringContaining('is ALARM, not OK'),
      });
    });

    it('fails a missing alarm, naming the plan field to fix', async () => {
      delete alarms[drill.alarm.alarmName];
      expect(statusOf(await readiness(), 'drill-alarm')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('resources[2].drill.alarm.alarmName'),
      });
    });

    it('throws a throttled alarm read for Step Functions to retry', async () => {
      cloudWatch.on(DescribeAlarmsCommand).rejects(throttling());
      await expect(readiness()).rejects.toThrow(TransientAwsError);
    });

    it('fails a name that does not resolve, and warns on one that answers the secondary already', async () => {
      delete names[resource.recordName];
      names[drill.recordName] = { cname: SECONDARY };
      const result = await readiness();
      expect(statusOf(result, 'dns')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('the PRIMARY/SECONDARY failover records must exist'),
      });
      expect(statusOf(result, 'drill-dns')).toMatchObject({ status: 'warn' });
    });

    it('warns (not fails) when a lookup times out', async () => {
      names[resource.recordName] = { error: 'ETIMEOUT' };
      expect(statusOf(await readiness(), 'dns')).toMatchObject({
        status: 'warn',
        detail: expect.stringContaining('ETIMEOUT'),
      });
    });

    it('fails a health check that watches another alarm, or one that does not exist, naming the field', async () => {
      route53
        .on(GetHealthCheckCommand, { HealthCheckId: resource.healthCheckId })
        .resolves(healthCheck('someone-elses-alarm'))
        .on(GetHealthCheckCommand, { HealthCheckId: drill.healthCheckId })
        .rejects(awsError('NoSuchHealthCheck', 404));
      const result = await readiness();
      expect(statusOf(result, 'health-check')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('watches alarm someone-elses-alarm in us-west-2'),
      });
      expect(statusOf(result, 'drill-health-check')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('resources[2].drill.healthCheckId'),
      });
    });

    it.each([
      [
        'a timeout',
        () => Object.assign(new Error('connect ETIMEDOUT'), { name: 'TimeoutError', $metadata: {} }),
      ],
      ['throttling', throttling],
    ])(
      "only warns when Route 53's API does not answer (%s): one attempt, and the failover does not need it",
      async (_what, error) => {
        route53.on(GetHealthCheckCommand).rejects(error());
        const result = await readiness();
        expect(statusOf(result, 'health-check')).toMatchObject({
          status: 'warn',
          detail: expect.stringContaining('a failover does not need it'),
        });
        expect(result.ready).toBe(true);
        // One call per health check: the advisory client does not retry.
        expect(route53.commandCalls(GetHealthCheckCommand)).toHaveLength(2);
      },
    );

    it('fails a denied health check read, saying which permission', async () => {
      route53.on(GetHealthCheckCommand).rejects(accessDenied());
      expect(statusOf(await readiness(), 'health-check')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('route53:GetHealthCheck'),
      });
    });

    it('asks nothing of the drill pair in a failover: only production is checked', async () => {
      const result = (await runStep(
        trafficSteps,
        () => clients,
        event('readiness', 'failover'),
        testClock(),
      )) as ReadinessResult;
      expect(result.checks.map((c) => c.name)).toEqual(['alarm', 'dns', 'health-check']);
      expect(route53.commandCalls(GetHealthCheckCommand).map((c) => c.args[0].input.HealthCheckId)).toEqual([
        resource.healthCheckId,
      ]);
    });

    it('warns that a plan without a drill pair only runs readiness in a drill', async () => {
      const input = examplePlanInput('health-check-failover');
      delete (input.resources[2] as { drill?: unknown }).drill;
      const result = await readiness({ plan: planSchema.parse(input) });
      expect(statusOf(result, 'drill-pair')).toMatchObject({ status: 'warn' });
      expect(route53.commandCalls(GetHealthCheckCommand)).toHaveLength(1);
    });
  });

  describe('switchover', () => {
    it('start publishes 1 to the production metric, as a failover does (not the drill pair)', async () => {
      const result = await step('start', 'switchover');

      expect(result).toMatchObject({ done: false, state: STARTED });
      expect(published().map((p) => p.MetricData?.[0]?.Dimensions)).toEqual([
        [
          { Name: 'plan', Value: 'orders' },
          { Name: 'pair', Value: 'production' },
        ],
      ]);
    });
  });

  describe('failover', () => {
    it('start publishes 1 to the production metric in the recovery region, and only that', async () => {
      const result = await step('start', 'failover');
      expect(result).toMatchObject({ done: false, state: STARTED });
      expect(published()).toEqual([
        {
          Namespace: 'DrRunbook/Switch',
          MetricData: [
            {
              MetricName: 'FailOver',
              Dimensions: [
                { Name: 'plan', Value: 'orders' },
                { Name: 'pair', Value: 'production' },
              ],
              Value: 1,
              Timestamp: new Date(STARTED.startedAt),
              Unit: 'None',
            },
          ],
        },
      ]);
      expect(result.changes).toEqual([
        {
          resource: 'alarm dr-runbook-orders-fail-over',
          action: 'publish-metric',
          detail: 'DrRunbook/Switch/FailOver = 1 (alarm OK -> ALARM)',
        },
      ]);
      // No Route 53 API call on the failover path.
      expect(route53.calls()).toHaveLength(0);
    });

    it('start refuses an alarm that cannot switch, before publishing anything', async () => {
      alarms[resource.alarm.alarmName] = { ...alarmOf(resource), TreatMissingData: 'notBreaching' };
      await expect(step('start', 'failover')).rejects.toThrow(InvalidResourceStateError);
      expect(published()).toEqual([]);
    });

    it('start publishes nothing when the alarm is in ALARM already, and check then waits for DNS', async () => {
      alarms[resource.alarm.alarmName] = alarmOf(resource, 'ALARM');
      const result = await step('start', 'failover');
      expect(result).toMatchObject({ done: false, changes: [] });
      expect(published()).toEqual([]);
    });

    it.each([
      ['throttled', throttling, TransientAwsError],
      ['denied', accessDenied, AccessDeniedError],
    ])('start: a %s PutMetricData becomes the runbook error, naming the alarm', async (_w, error, type) => {
      cloudWatch.on(PutMetricDataCommand).rejects(error());
      const attempt = step('start', 'failover');
      await expect(attempt).rejects.toThrow(type);
      await expect(attempt).rejects.toThrow(
        /cloudwatch:PutMetricData in us-west-2\) on alarm dr-runbook-orders-fail-over/,
      );
    });

    it('start: an alarm that is not there is AlarmNotFoundError naming the field', async () => {
      delete alarms[resource.alarm.alarmName];
      const attempt = step('start', 'failover');
      await expect(attempt).rejects.toThrow(AlarmNotFoundError);
      await expect(attempt).rejects.toThrow(/resources\[2\]\.alarm\.alarmName/);
    });

    it('check publishes again while the alarm is not in ALARM (an alarm may need several datapoints)', async () => {
      const clock = testClock();
      clock.advance(60);
      const result = await step('check', 'failover', { state: STARTED }, clock);
      expect(result).toMatchObject({ done: false, detail: expect.stringContaining('is OK after 60 s') });
      expect(published()).toHaveLength(1);
      expect(published()[0]?.MetricData?.[0]?.Value).toBe(1);
    });

    it('check waits while the alarm is in ALARM but the name still answers the primary', async () => {
      alarms[resource.alarm.alarmName] = alarmOf(resource, 'ALARM');
      const result = await step('check', 'failover', { state: STARTED });
      expect(result).toMatchObject({
        done: false,
        detail: expect.stringContaining(`still answers CNAME ${PRIMARY_TARGET}`),
      });
      expect(published()).toEqual([]);
    });

    it('check is done once the name answers the secondary, and measures the switch', async () => {
      alarms[resource.alarm.alarmName] = alarmOf(resource, 'ALARM');
      names[resource.recordName] = { cname: `${SECONDARY}.` };
      const clock = testClock();
      clock.advance(95);
      const result = await step('check', 'failover', { state: STARTED }, clock);
      expect(result).toMatchObject({ done: true, measurements: { dnsSyncSeconds: 95 } });
    });

    it('check accepts an alias answer: every address is one of the secondary target’s', async () => {
      alarms[resource.alarm.alarmName] = alarmOf(resource, 'ALARM');
      names[resource.recordName] = { addresses: ['198.51.100.7'] };
      names[SECONDARY] = { addresses: ['198.51.100.7', '198.51.100.8'] };
      expect(await step('check', 'failover', { state: STARTED })).toMatchObject({ done: true });
      names[resource.recordName] = { addresses: ['198.51.100.7', '192.0.2.10'] };
      expect(await step('check', 'failover', { state: STARTED })).toMatchObject({ done: false });
    });

    it('check keeps waiting, naming the error, when a lookup fails', async () => {
      alarms[resource.alarm.alarmName] = alarmOf(resource, 'ALARM');
      names[resource.recordName] = { error: 'ESERVFAIL' };
      expect(await step('check', 'failover', { state: STARTED })).toMatchObject({
        done: false,
        detail: expect.stringContaining('no answer (ESERVFAIL)'),
      });
    });

    it('check without the state start returned is refused', async () => {
      await expect(step('check', 'failover')).rejects.toThrow(InvalidStepInputError);
    });
  });

  describe('drill and revert', () => {
    it("a drill trips only the drill pair's alarm", async () => {
      await step('start', 'drill');
      expect(published().map((p) => p.MetricData?.[0]?.Dimensions)).toEqual([
        [
          { Name: 'plan', Value: 'orders' },
          { Name: 'pair', Value: 'drill' },
        ],
      ]);
      expect(cloudWatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, {
        AlarmNames: [drill.alarm.alarmName],
      });
      expect(cloudWatch).not.toHaveReceivedCommandWith(DescribeAlarmsCommand, {
        AlarmNames: [resource.alarm.alarmName],
      });
    });

    it('a drill check is done once the drill name answers the secondary', async () => {
      alarms[drill.alarm.alarmName] = alarmOf(drill, 'ALARM');
      names[drill.recordName] = { cname: SECONDARY };
      expect(await step('check', 'drill', { state: STARTED })).toMatchObject({ done: true });
    });

    it('revert publishes 0 while the drill alarm is not OK, and is done once a read finds it OK', async () => {
      alarms[drill.alarm.alarmName] = alarmOf(drill, 'ALARM');
      const first = await step('revert', 'drill', { state: STARTED });
      expect(first).toMatchObject({ done: false });
      expect(
        published().map((p) => [p.MetricData?.[0]?.Dimensions?.[1]?.Value, p.MetricData?.[0]?.Value]),
      ).toEqual([['drill', 0]]);
      alarms[drill.alarm.alarmName] = alarmOf(drill, 'OK');
      expect(await step('revert', 'drill', { state: STARTED })).toMatchObject({ done: true, changes: [] });
      expect(published()).toHaveLength(1);
    });

    it('without a drill pair a drill switches nothing and revert has nothing to do', async () => {
      const input = examplePlanInput('health-check-failover');
      delete (input.resources[2] as { drill?: unknown }).drill;
      const bare = planSchema.parse(input);
      const start = await step('start', 'drill', { plan: bare });
      expect(start).toMatchObject({ done: true, state: { readinessOnly: true } });
      expect(await step('check', 'drill', { plan: bare, state: start.state })).toMatchObject({ done: true });
      expect(await step('revert', 'drill', { plan: bare })).toMatchObject({ done: true });
      expect(cloudWatch.calls()).toHaveLength(0);
    });

    it('revert refuses a failover: a failover is undone by failing back', async () => {
      await expect(step('revert', 'failover', { state: STARTED })).rejects.toThrow(InvalidStepInputError);
    });
  });

  describe('DNS answers (functions/shared/dns.ts)', () => {
    it('a CNAME answer is the whole answer; a name with no records is missing; a failed lookup is an error', async () => {
      names = { a: { cname: 'B.example.' }, c: { error: 'ETIMEOUT' } };
      expect(await lookup(resolver, 'a')).toEqual({ cname: 'b.example', addresses: [] });
      expect(await lookup(resolver, 'nowhere')).toEqual({ addresses: [], missing: true });
      expect(await lookup(resolver, 'c')).toEqual({ addresses: [], error: 'ETIMEOUT' });
    });

    it('an expected address matches only when every address is it', async () => {
      names = { a: { addresses: ['192.0.2.1'] }, b: { addresses: ['192.0.2.1', '192.0.2.2'] } };
      expect((await answers(resolver, 'a', '192.0.2.1')).matches).toBe(true);
      expect((await answers(resolver, 'b', '192.0.2.1')).matches).toBe(false);
    });
  });
});
