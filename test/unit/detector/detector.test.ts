// The detector's probe of the primary: failed unless it answers the expected status in time.
import { describe, expect, it, jest } from '@jest/globals';
import { probeConfigFrom, probePrimary } from '../../../functions/detector/probe.ts';

describe('detector probe', () => {
  const config = {
    url: 'https://api-primary.us-east-1.payments.example.com/healthz',
    expectedStatus: 200,
    timeoutSeconds: 1,
  };

  it('passes on the expected status, without following a redirect', async () => {
    const fetchImpl = jest.fn(
      async (_url: string, _init?: RequestInit) => new Response(null, { status: 200 }),
    );
    expect(await probePrimary(config, fetchImpl as unknown as typeof fetch)).toEqual({
      failed: false,
      detail: `GET ${config.url} answered 200`,
    });
    expect(fetchImpl.mock.calls[0]).toEqual([config.url, expect.objectContaining({ redirect: 'manual' })]);
  });

  it('fails on another status, a network error and a timeout, saying which', async () => {
    const status = await probePrimary(
      config,
      (async () => new Response(null, { status: 503 })) as typeof fetch,
    );
    expect(status).toEqual({ failed: true, detail: `GET ${config.url} answered 503, expected 200` });

    const refused = await probePrimary(config, (async () => {
      throw new TypeError('fetch failed: connect ECONNREFUSED');
    }) as typeof fetch);
    expect(refused).toEqual({
      failed: true,
      detail: `GET ${config.url} failed: fetch failed: connect ECONNREFUSED`,
    });

    const hanging = ((_url: string, init?: RequestInit) =>
      new Promise<Response>((_, reject) =>
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
      )) as typeof fetch;
    const timedOut = await probePrimary({ ...config, timeoutSeconds: 0.05 }, hanging);
    expect(timedOut.failed).toBe(true);
    expect(timedOut.detail).toMatch(/failed: .*(timeout|aborted)/i);
  });

  it('reads its settings from the environment, naming one that is missing', () => {
    expect(
      probeConfigFrom({
        DR_RUNBOOK_PLAN: 'payments',
        PROBE_URL: config.url,
        PROBE_EXPECTED_STATUS: '200',
        PROBE_TIMEOUT_SECONDS: '5',
      }),
    ).toEqual({ plan: 'payments', url: config.url, expectedStatus: 200, timeoutSeconds: 5 });
    expect(() => probeConfigFrom({ DR_RUNBOOK_PLAN: 'payments' })).toThrow(
      'the detector needs PROBE_URL in its environment',
    );
  });
});
