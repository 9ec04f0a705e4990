import { GetChangeCommand, Route53Client } from '@aws-sdk/client-route-53';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AccessDeniedError,
  InvalidResourceStateError,
  InvalidStepInputError,
  TransientAwsError,
} from '../../../functions/shared/errors.ts';
import { checkTraffic } from '../../../functions/traffic/check.ts';
import {
  accessDenied,
  awsError,
  mutatingCommandsSent,
  RUN_STARTED_AT,
  stepEvent,
  testClock,
  throttling,
} from '../../fixtures.ts';
import { API, changeInfo, trafficClients, WWW } from './traffic-fixtures.ts';

const route53 = mockClient(Route53Client);
const clients = trafficClients();
const state = { changeId: 'C0123456789ABC', startedAt: RUN_STARTED_AT, records: [WWW, API] };
const check = (s: Record<string, unknown> = state) => stepEvent('check', { state: s });

beforeEach(() => {
  route53.reset();
});

describe('checkTraffic', () => {
  it('is done when the change is INSYNC, measuring the time since start', async () => {
    route53.on(GetChangeCommand).resolves(changeInfo('INSYNC'));
    const clock = testClock();
    clock.advance(42);

    const result = await checkTraffic(check(), clients, clock);

    expect(route53).toHaveReceivedCommandWith(GetChangeCommand, { Id: 'C0123456789ABC' });
    expect(result).toMatchObject({
      family: 'traffic',
      action: 'check',
      done: true,
      nextCheckSeconds: 0,
      state,
      measurements: { dnsSyncSeconds: 42 },
    });
    expect(result.detail).toBe(
      `${WWW}, ${API}: change C0123456789ABC is INSYNC on every Route 53 name server after 42 s`,
    );
  });

  it('keeps polling while PENDING, waiting longer the longer it takes, then is done', async () => {
    route53
      .on(GetChangeCommand)
      .resolvesOnce(changeInfo('PENDING'))
      .resolvesOnce(changeInfo('PENDING'))
      .resolvesOnce(changeInfo('INSYNC'));
    const clock = testClock();

    clock.advance(5);
    const first = await checkTraffic(check(), clients, clock);
    clock.advance(600);
    const second = await checkTraffic(check(first.state), clients, clock);
    clock.advance(10);
    const third = await checkTraffic(check(second.state), clients, clock);

    expect(first).toMatchObject({ done: false, nextCheckSeconds: 2 });
    expect(second.done).toBe(false);
    expect(second.nextCheckSeconds).toBeGreaterThan(first.nextCheckSeconds);
    expect(third).toMatchObject({ done: true, nextCheckSeconds: 0 });
  });

  it('stays done when re-run after success, and never changes anything', async () => {
    route53.on(GetChangeCommand).resolves(changeInfo('INSYNC'));

    const first = await checkTraffic(check(), clients, testClock());
    const again = await checkTraffic(check(first.state), clients, testClock());

    expect(again.done).toBe(true);
    expect(mutatingCommandsSent([route53])).toEqual([]);
  });

  it('is done without calling Route 53 when start had nothing to change', async () => {
    const result = await checkTraffic(
      check({ startedAt: RUN_STARTED_AT, records: [WWW] }),
      clients,
      testClock(),
    );

    expect(result.done).toBe(true);
    expect(route53.calls()).toHaveLength(0);
  });

  it('throws InvalidResourceStateError naming the change when Route 53 does not know it', async () => {
    route53
      .on(GetChangeCommand)
      .rejects(awsError('NoSuchChange', 404, 'Could not find resource with ID: C0123456789ABC'));

    const result = checkTraffic(check(), clients, testClock());

    await expect(result).rejects.toThrow(InvalidResourceStateError);
    await expect(result).rejects.toThrow(/Route 53 change C0123456789ABC does not exist/);
  });

  it('throws InvalidStepInputError without a state from start', async () => {
    await expect(checkTraffic(stepEvent('check'), clients, testClock())).rejects.toThrow(
      InvalidStepInputError,
    );
  });

  it('throws InvalidStepInputError for a state that is not a traffic state', async () => {
    await expect(checkTraffic(check({ changeId: 42 }), clients, testClock())).rejects.toThrow(
      /invalid traffic state/,
    );
  });

  it('throws TransientAwsError on throttling, then succeeds when retried', async () => {
    route53.on(GetChangeCommand).rejectsOnce(throttling()).resolves(changeInfo('INSYNC'));

    await expect(checkTraffic(check(), clients, testClock())).rejects.toThrow(TransientAwsError);
    const retried = await checkTraffic(check(), clients, testClock());

    expect(retried.done).toBe(true);
  });

  it('throws AccessDeniedError when the role may not read changes', async () => {
    route53.on(GetChangeCommand).rejects(accessDenied());

    await expect(checkTraffic(check(), clients, testClock())).rejects.toThrow(AccessDeniedError);
    await expect(checkTraffic(check(), clients, testClock())).rejects.toThrow(/route53:GetChange/);
  });
});
