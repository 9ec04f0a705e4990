import { describe, expect, it } from '@jest/globals';
import { baselineFailover, type ControlPlane } from '../../bench/baseline.ts';
import { sdkControlPlane } from '../../bench/baseline-control-plane.ts';
import { VirtualClock } from '../../bench/virtual-clock.ts';
import { examplePlan } from '../fixtures.ts';
import { WARM_STANDBY } from '../runbook/environments.ts';
import { installFakeAws } from '../runbook/fake-aws.ts';

describe('baseline', () => {
  /** A control plane that is only a timing model: each operation completes its seconds after its call. */
  function modelControlPlane(
    clock: VirtualClock,
    p: number,
    s: number,
    d: number,
    latency = 0,
  ): ControlPlane {
    const due: Record<string, number> = {};
    const now = () => clock.now() / 1000;
    const start = async (what: string, seconds: number) => {
      await clock.sleep(latency);
      due[what] = now() + seconds;
    };
    const done = async (what: string) => {
      await clock.sleep(latency);
      return now() >= (due[what] ?? Number.POSITIVE_INFINITY);
    };
    return {
      promoteDatabase: () => start('db', p),
      databaseAvailable: () => done('db'),
      scaleCompute: () => start('compute', s),
      computeInService: () => done('compute'),
      switchDns: () => start('dns', d),
      dnsInSync: () => done('dns'),
      verify: () => clock.sleep(latency),
    };
  }

  describe('baselineFailover', () => {
    it('recovers database, compute and DNS one after another on a fixed 15 s grid', async () => {
      const clock = new VirtualClock(0);

      const rto = await clock.run(baselineFailover(modelControlPlane(clock, 240, 180, 45), clock));

      // database seen at 240 (60 + 12 × 15), compute at 420, DNS at 465
      expect(rto).toBe(465);
    });

    it('sleeps the fixed minute after the promotion call even when the promotion is faster', async () => {
      const clock = new VirtualClock(0);

      const rto = await clock.run(baselineFailover(modelControlPlane(clock, 10, 15, 15), clock));

      expect(rto).toBe(60 + 15 + 15);
    });

    it('pays the latency of every call it makes', async () => {
      const clock = new VirtualClock(0);

      const rto = await clock.run(baselineFailover(modelControlPlane(clock, 10, 15, 15, 1), clock));

      // promote 1, sleep 60, poll 1 (done); scale 1, poll 1, sleep 15, poll 1; same for DNS; verify 1
      expect(rto).toBe(1 + 60 + 1 + (1 + 1 + 15 + 1) + (1 + 1 + 15 + 1) + 1);
    });
  });

  describe('sdkControlPlane over the timed fake AWS', () => {
    it('sees the promotion, the instances and the DNS change complete when the timing says', async () => {
      const clock = new VirtualClock(0);
      const fake = installFakeAws(WARM_STANDBY, 'table', new Date(0), {
        promotionSeconds: 240,
        launchSeconds: 180,
        syncSeconds: 45,
        now: () => new Date(clock.now()),
      });

      const rto = await clock.run(baselineFailover(sdkControlPlane(examplePlan(), clock, 0), clock));

      expect(rto).toBe(465);
      expect(fake.replica()?.status).toBe('available');
      expect(fake.group().instances).toHaveLength(4);
      expect(fake.callsOf('GetChange').length).toBe(4); // PENDING at 420, 435, 450; INSYNC at 465
    });
  });
});
