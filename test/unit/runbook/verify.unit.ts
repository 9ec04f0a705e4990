import 'aws-sdk-client-mock-jest';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { probeUrl, RecoveryNotVerifiedError, verifyRecovery } from '../../../functions/runbook/verify.ts';
import { type DrPlan, planSchema } from '../../../plan/schema.ts';
import { mockClient } from '../../aws-mock.ts';
import { examplePlan, examplePlanInput, testClock } from '../../fixtures.ts';

describe('verify', () => {
  const cloudWatch = mockClient(CloudWatchClient);
  const plan = examplePlan();

  function fakeFetch(status: number | Error) {
    const urls: string[] = [];
    const impl = (async (url: string | URL | Request) => {
      urls.push(String(url));
      if (status instanceof Error) throw status;
      return new Response(null, { status });
    }) as typeof fetch;
    return { urls, impl };
  }

  function verify(mode: 'drill' | 'failover', status: number | Error, p: DrPlan = plan) {
    const fetcher = fakeFetch(status);
    const result = verifyRecovery(
      p,
      mode,
      { cloudWatch: new CloudWatchClient({ region: 'us-west-2' }), fetch: fetcher.impl },
      testClock(),
    );
    return { result, urls: fetcher.urls };
  }

  describe('verifyRecovery', () => {
    beforeEach(() => {
      cloudWatch.reset();
      cloudWatch
        .on(DescribeAlarmsCommand)
        .resolves({ MetricAlarms: [{ AlarmName: 'shop-recovery-5xx', StateValue: 'OK' }] });
    });

    it('passes when the probe answers as expected and the application alarm is OK', async () => {
      const { result, urls } = verify('failover', 200);
      await expect(result).resolves.toEqual({
        verifiedAt: '2026-11-25T12:00:00.000Z',
        checks: [
          {
            name: 'http-probe',
            status: 'pass',
            detail: 'GET https://www.shop.example.com/healthz answered 200',
          },
          { name: 'app-alarm', status: 'pass', detail: 'alarm shop-recovery-5xx is OK' },
        ],
      });
      expect(urls).toEqual(['https://www.shop.example.com/healthz']);
      expect(cloudWatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, {
        AlarmNames: ['shop-recovery-5xx'],
      });
    });

    it('probes the drill record in a drill, since production DNS did not move', async () => {
      const { result, urls } = verify('drill', 200);
      await result;
      expect(urls).toEqual(['https://drill.shop.example.com/healthz']);
    });

    it('fails with RecoveryNotVerifiedError naming the URL when the probe gets the wrong status', async () => {
      const { result } = verify('failover', 503);
      await expect(result).rejects.toThrow(RecoveryNotVerifiedError);
      await expect(verify('failover', 503).result).rejects.toThrow(
        'recovery not verified: GET https://www.shop.example.com/healthz answered 503, expected 200',
      );
    });

    it('fails when the probe cannot connect', async () => {
      await expect(verify('failover', new TypeError('fetch failed')).result).rejects.toThrow(
        /GET .* failed: fetch failed/,
      );
    });

    it('fails when the application alarm is in ALARM, and when it does not exist', async () => {
      cloudWatch
        .on(DescribeAlarmsCommand)
        .resolvesOnce({ MetricAlarms: [{ StateValue: 'ALARM' }] })
        .resolvesOnce({});
      await expect(verify('failover', 200).result).rejects.toThrow('alarm shop-recovery-5xx is ALARM');
      await expect(verify('failover', 200).result).rejects.toThrow(
        'alarm shop-recovery-5xx not found in us-west-2',
      );
    });

    it('never passes a verification that checked nothing, naming the plan field to add', async () => {
      const unverified: DrPlan = { ...plan, verification: { alarmInsufficientDataIsOk: false } };

      const { result, urls } = verify('failover', 200, unverified);

      await expect(result).rejects.toThrow(RecoveryNotVerifiedError);
      await expect(result).rejects.toMatchObject({
        resource: 'verification',
        message:
          'recovery not verified: the plan configures no verification: add verification.http (a URL to probe) or verification.alarmName (an application alarm in the recovery region)',
      });
      expect(urls).toEqual([]);
      expect(cloudWatch).not.toHaveReceivedCommand(DescribeAlarmsCommand);
    });

    it('fails when the application alarm has INSUFFICIENT_DATA, naming the setting that allows it', async () => {
      cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ StateValue: 'INSUFFICIENT_DATA' }] });

      const { result } = verify('failover', 200);

      await expect(result).rejects.toThrow(RecoveryNotVerifiedError);
      await expect(result).rejects.toMatchObject({
        resource: 'app-alarm',
        message: expect.stringMatching(
          /alarm shop-recovery-5xx is INSUFFICIENT_DATA: .*set verification\.alarmInsufficientDataIsOk to true/,
        ),
      });
    });

    it('passes an INSUFFICIENT_DATA alarm with a warning when the plan allows it', async () => {
      cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ StateValue: 'INSUFFICIENT_DATA' }] });
      const lenient: DrPlan = {
        ...plan,
        verification: { ...plan.verification, alarmInsufficientDataIsOk: true },
      };

      const { result } = verify('failover', 200, lenient);

      await expect(result).resolves.toMatchObject({
        checks: [
          { name: 'http-probe', status: 'pass' },
          { name: 'app-alarm', status: 'warn', detail: 'alarm shop-recovery-5xx is INSUFFICIENT_DATA' },
        ],
      });
    });

    it('passes on the application alarm alone when the plan has no HTTP probe', async () => {
      const alarmOnly: DrPlan = {
        ...plan,
        verification: { alarmName: 'shop-recovery-5xx', alarmInsufficientDataIsOk: false },
      };

      const { result, urls } = verify('failover', 200, alarmOnly);

      await expect(result).resolves.toMatchObject({
        checks: [{ name: 'app-alarm', status: 'pass' }],
      });
      expect(urls).toEqual([]);
    });
  });

  describe('probeUrl', () => {
    /**
     * multi-tier with a second traffic resource listed before "dns": "admin" serves
     * admin.market.example.com (drill record drill-admin…), "dns" serves www and api (drill.…).
     */
    function marketWithAdmin(url: string): DrPlan {
      const input = examplePlanInput('multi-tier');
      const admin = {
        id: 'admin',
        type: 'route53-records' as const,
        hostedZoneId: 'Z0MARKETEXAMPLE',
        hostedZoneName: 'market.example.com',
        records: [
          {
            name: 'admin.market.example.com',
            type: 'CNAME' as const,
            recoveryTarget: { value: 'admin.us-west-2.market.example.com' },
          },
        ],
        drillRecordName: 'drill-admin.market.example.com',
      };
      const resources = [...input.resources];
      resources.splice(resources.length - 1, 0, admin);
      const steps = (input.steps ?? []).map((step) =>
        step.name === 'traffic' ? { ...step, resources: ['admin', 'dns'] } : step,
      );
      return planSchema.parse({ ...input, resources, steps, verification: { http: { url } } });
    }

    it('probes the drill record of the traffic resource that serves the URL’s host', () => {
      expect(probeUrl(examplePlan('multi-tier'), 'drill')).toBe('https://drill.market.example.com/healthz');
      const plan = marketWithAdmin('https://www.market.example.com/healthz?deep=1');
      expect(probeUrl(plan, 'drill')).toBe('https://drill.market.example.com/healthz?deep=1');
      expect(probeUrl(marketWithAdmin('https://admin.market.example.com:8443/ok'), 'drill')).toBe(
        'https://drill-admin.market.example.com:8443/ok',
      );
    });

    it('falls back to the first traffic resource’s drill record for a host no resource serves', () => {
      expect(probeUrl(marketWithAdmin('https://status.market.example.com/ok'), 'drill')).toBe(
        'https://drill-admin.market.example.com/ok',
      );
    });

    it('probes the URL as written outside drills, and in a drill of a plan that moves no traffic', () => {
      const plan = marketWithAdmin('https://admin.market.example.com/ok');
      expect(probeUrl(plan, 'failover')).toBe('https://admin.market.example.com/ok');
      expect(probeUrl(plan, 'dry-run')).toBe('https://admin.market.example.com/ok');
      const noTraffic: DrPlan = {
        ...plan,
        resources: plan.resources.filter((r) => !r.type.startsWith('route53')),
      };
      expect(probeUrl(noTraffic, 'drill')).toBe('https://admin.market.example.com/ok');
    });

    it('is undefined without an HTTP probe in the plan', () => {
      expect(
        probeUrl({ ...plan, verification: { alarmInsufficientDataIsOk: false } }, 'failover'),
      ).toBeUndefined();
    });
  });
});
