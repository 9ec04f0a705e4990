import { describe, expect, it } from '@jest/globals';
import { VirtualClock } from '../../bench/virtual-clock.ts';

describe('virtual-clock', () => {
  const seconds = (clock: VirtualClock) => clock.now() / 1000;

  describe('VirtualClock', () => {
    it('jumps straight to the wake-up instead of sleeping', async () => {
      const clock = new VirtualClock(0);
      const started = performance.now();

      await clock.run(clock.sleep(3600));

      expect(seconds(clock)).toBe(3600);
      expect(performance.now() - started).toBeLessThan(1000);
    });

    it('lets concurrent work share one clock: two parallel 10 s sleeps take 10 s, two in a row 20 s', async () => {
      const parallel = new VirtualClock(0);
      await parallel.run(Promise.all([parallel.sleep(10), parallel.sleep(10)]));
      const sequential = new VirtualClock(0);

      await sequential.run(
        (async () => {
          await sequential.sleep(10);
          await sequential.sleep(10);
        })(),
      );

      expect(seconds(parallel)).toBe(10);
      expect(seconds(sequential)).toBe(20);
    });

    it('wakes each branch at its own time, including after promise chains between sleeps', async () => {
      const clock = new VirtualClock(0);
      const log: string[] = [];
      const branch = async (name: string, waits: number[]) => {
        for (const wait of waits) {
          await Promise.resolve(); // work between sleeps that takes no virtual time
          await clock.sleep(wait);
          await new Promise<void>((resolve) => queueMicrotask(resolve));
          log.push(`${name}@${seconds(clock)}`);
        }
      };

      await clock.run(Promise.all([branch('db', [2, 2, 5]), branch('compute', [3, 3])]));

      expect(log).toEqual(['db@2', 'compute@3', 'db@4', 'compute@6', 'db@9']);
      expect(seconds(clock)).toBe(9);
    });

    it('wakes sleepers due at the same instant in the order they went to sleep', async () => {
      const clock = new VirtualClock(0);
      const woke: string[] = [];
      const sleeper = async (name: string) => {
        await clock.sleep(5);
        woke.push(name);
      };

      await clock.run(Promise.all(['a', 'b', 'c'].map(sleeper)));

      expect(woke).toEqual(['a', 'b', 'c']);
    });

    it('reports every move of the time, e.g. to a faked Date', async () => {
      const moves: number[] = [];
      const clock = new VirtualClock(1_000, (ms) => moves.push(ms));

      await clock.run(
        (async () => {
          await clock.sleep(1.5);
          await clock.sleep(0);
          await clock.sleep(2);
        })(),
      );

      expect(moves).toEqual([2_500, 4_500]);
    });

    it('passes the work result and failure through', async () => {
      const clock = new VirtualClock(0);
      const fails = async () => {
        await clock.sleep(1);
        throw new Error('step failed');
      };

      const succeeds = async () => {
        await clock.sleep(1);
        return 'done';
      };

      await expect(clock.run(succeeds())).resolves.toBe('done');
      await expect(clock.run(fails())).rejects.toThrow('step failed');
    });

    it('refuses work that neither sleeps nor finishes instead of hanging', async () => {
      const clock = new VirtualClock(0);

      await expect(clock.run(new Promise(() => undefined))).rejects.toThrow(/neither finished nor sleeps/);
    });
  });
});
