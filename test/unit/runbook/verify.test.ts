import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { probeUrl, RecoveryNotVerifiedError, verifyRecovery } from '../../../functions/runbook/verify.ts';
import type { DrPlan } from '../../../plan/schema.ts';
import { examplePlan, testClock } from '../../fixtures.ts';

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
  it('is undefined without an HTTP probe in the plan', () => {
    expect(
      probeUrl({ ...plan, verification: { alarmInsufficientDataIsOk: false } }, 'failover'),
    ).toBeUndefined();
  });
});
