import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { probeUrl, RecoveryNotVerifiedError, verifyRecovery } from '../../../functions/runbook/verify.ts';
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

function verify(mode: 'drill' | 'failover', status: number | Error) {
  const fetcher = fakeFetch(status);
  const result = verifyRecovery(
    plan,
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
});

describe('probeUrl', () => {
  it('is undefined without an HTTP probe in the plan', () => {
    expect(probeUrl({ ...plan, verification: {} }, 'failover')).toBeUndefined();
  });
});
