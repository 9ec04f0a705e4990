import 'aws-sdk-client-mock-jest';
import { GetChangeCommand, Route53Client } from '@aws-sdk/client-route-53';
import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  AccessDeniedError,
  InvalidResourceStateError,
  InvalidStepInputError,
  TransientAwsError,
} from '../../../functions/shared/errors.ts';
import { mockClient } from '../../aws-mock.ts';
import {
  accessDenied,
  awsError,
  mutatingCommandsSent,
  RUN_STARTED_AT,
  testClock,
  throttling,
} from '../../fixtures.ts';
import {
  API,
  activeActive,
  CATALOG_API,
  changeInfo,
  DRILL,
  type EventOptions,
  ownState,
  progress,
  WWW,
} from './traffic-fixtures.ts';

describe('check', () => {
  const route53 = mockClient(Route53Client);
  const state = { changeId: 'C0123456789ABC', startedAt: RUN_STARTED_AT };
  const check = (s: Record<string, unknown> = state, options: EventOptions = {}, clock = testClock()) =>
    progress('check', { state: s, ...options }, clock);

  beforeEach(() => {
    route53.reset();
  });

  describe('traffic check', () => {
    it('is done when the change is INSYNC, measuring the time since start', async () => {
      route53.on(GetChangeCommand).resolves(changeInfo('INSYNC'));
      const clock = testClock();
      clock.advance(42);

      const result = await check(state, {}, clock);

      expect(route53).toHaveReceivedCommandWith(GetChangeCommand, { Id: 'C0123456789ABC' });
      expect(result).toMatchObject({
        family: 'traffic',
        resource: 'dns',
        type: 'route53-records',
        action: 'check',
        done: true,
        nextCheckSeconds: 0,
        measurements: { dnsSyncSeconds: 42 },
        completedAt: '2026-11-25T12:00:42.000Z',
      });
      expect(ownState(result.state)).toEqual(state);
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
      const first = await check(state, {}, clock);
      clock.advance(600);
      const second = await check(first.state, {}, clock);
      clock.advance(10);
      const third = await check(second.state, {}, clock);

      expect(first).toMatchObject({ done: false, nextCheckSeconds: 2 });
      expect(second.done).toBe(false);
      expect(second.nextCheckSeconds).toBeGreaterThan(first.nextCheckSeconds);
      expect(third).toMatchObject({ done: true, nextCheckSeconds: 0 });
    });

    it('names the drill record in a drill, and the weighted records of a route53-weighted resource', async () => {
      route53.on(GetChangeCommand).resolves(changeInfo('PENDING'));

      const drill = await check({ ...state, drillRecordName: DRILL }, { mode: 'drill' });
      const weighted = await check(state, { plan: activeActive() });

      expect(drill.detail).toContain(`drill record ${DRILL}: change C0123456789ABC is PENDING`);
      expect(weighted).toMatchObject({ type: 'route53-weighted' });
      expect(weighted.detail).toContain(`${CATALOG_API}: change C0123456789ABC is PENDING`);
    });

    it('stays done when re-run after success, and never changes anything', async () => {
      route53.on(GetChangeCommand).resolves(changeInfo('INSYNC'));

      const first = await check();
      const again = await check(first.state);

      expect(again.done).toBe(true);
      expect(mutatingCommandsSent([route53])).toEqual([]);
    });

    it('is done without calling Route 53 when start had nothing to change', async () => {
      const result = await check({ startedAt: RUN_STARTED_AT });

      expect(result.done).toBe(true);
      expect(result.detail).toContain('nothing was changed');
      expect(route53.calls()).toHaveLength(0);
    });

    it('throws InvalidResourceStateError naming the change when Route 53 does not know it', async () => {
      route53
        .on(GetChangeCommand)
        .rejects(awsError('NoSuchChange', 404, 'Could not find resource with ID: C0123456789ABC'));

      const result = check();

      await expect(result).rejects.toThrow(InvalidResourceStateError);
      await expect(result).rejects.toThrow(/Route 53 change C0123456789ABC does not exist/);
    });

    it('throws InvalidStepInputError without a state from start, or with one that is not a traffic state', async () => {
      await expect(progress('check')).rejects.toThrow(InvalidStepInputError);
      await expect(progress('check')).rejects.toThrow(
        /traffic check of dns needs the state returned by traffic start/,
      );
      await expect(check({ changeId: 42 })).rejects.toThrow(/invalid traffic state/);
      expect(route53.calls()).toHaveLength(0);
    });

    it('throws TransientAwsError on throttling, then succeeds when retried', async () => {
      route53.on(GetChangeCommand).rejectsOnce(throttling()).resolves(changeInfo('INSYNC'));

      await expect(check()).rejects.toThrow(TransientAwsError);
      const retried = await check();

      expect(retried.done).toBe(true);
    });

    it('throws AccessDeniedError naming route53:GetChange when the role may not read changes', async () => {
      route53.on(GetChangeCommand).rejects(accessDenied());

      await expect(check()).rejects.toThrow(AccessDeniedError);
      await expect(check()).rejects.toThrow(/route53:GetChange/);
    });
  });
});
