import { describe, expect, it } from '@jest/globals';
import { VirtualClock } from '../../bench/virtual-clock.ts';
import {
  readPath,
  substituteWaits,
  VIRTUAL_WAIT_RESOURCE,
  virtualWaitHandlers,
  waitSeconds,
} from '../../bench/virtual-waits.ts';
import type { AslDefinition } from '../../local/extract-definition.ts';

describe('virtual-waits', () => {
  const definition: AslDefinition = {
    StartAt: 'Pause',
    States: {
      Pause: { Type: 'Wait', Seconds: 5, Next: 'Recover', Comment: 'fixed' },
      Recover: {
        Type: 'Parallel',
        End: true,
        Branches: [
          {
            StartAt: 'DatabaseStartWait',
            States: {
              DatabaseStartWait: {
                Type: 'Wait',
                SecondsPath: '$.progress.nextCheckSeconds',
                InputPath: '$',
                Next: 'DatabaseCheck',
              },
              DatabaseCheck: { Type: 'Task', Resource: 'arn:aws:lambda:us-west-2:1:function:db', End: true },
            },
          },
        ],
      },
    },
  };

  describe('substituteWaits', () => {
    it('replaces every Wait, in branches too, by a virtual-wait Task with the same name and transitions', () => {
      const { definition: copy, waits } = substituteWaits(definition);

      expect(copy.States.Pause).toEqual({
        Type: 'Task',
        Resource: VIRTUAL_WAIT_RESOURCE,
        Next: 'Recover',
        Comment: 'fixed',
      });
      expect(copy.States.Recover?.Branches?.[0]?.States.DatabaseStartWait).toEqual({
        Type: 'Task',
        Resource: VIRTUAL_WAIT_RESOURCE,
        InputPath: '$',
        Next: 'DatabaseCheck',
      });
      expect(waits).toEqual({
        Pause: { seconds: 5 },
        DatabaseStartWait: { secondsPath: '$.progress.nextCheckSeconds' },
      });
    });

    it('leaves the original definition and every other state as they were', () => {
      const before = structuredClone(definition);

      const { definition: copy } = substituteWaits(definition);

      expect(definition).toEqual(before);
      expect(copy.States.Recover?.Branches?.[0]?.States.DatabaseCheck).toEqual(
        before.States.Recover?.Branches?.[0]?.States.DatabaseCheck,
      );
    });

    it('refuses a Wait it cannot run in virtual time (a timestamp)', () => {
      const until = {
        StartAt: 'Until',
        States: { Until: { Type: 'Wait', Timestamp: '2026-01-01T00:00:00Z', End: true } },
      };

      expect(() => substituteWaits(until)).toThrow(/Wait state Until/);
    });
  });

  describe('waitSeconds', () => {
    it('reads the seconds a check asked for from the input', () => {
      expect(
        waitSeconds({ secondsPath: '$.progress.nextCheckSeconds' }, { progress: { nextCheckSeconds: 7 } }),
      ).toBe(7);
      expect(waitSeconds({ seconds: 3 }, {})).toBe(3);
    });

    it('fails like Step Functions on a missing or non-integer number of seconds', () => {
      expect(() => waitSeconds({ secondsPath: '$.progress.nextCheckSeconds' }, {})).toThrow(
        /non-negative integer/,
      );
      expect(() => waitSeconds({ secondsPath: '$.s' }, { s: 1.5 })).toThrow(/non-negative integer/);
    });
  });

  describe('readPath', () => {
    it('follows a dotted reference path and rejects anything fancier', () => {
      expect(readPath({ a: { b: 2 } }, '$.a.b')).toBe(2);
      expect(readPath({ a: [1] }, '$.a.b')).toBeUndefined();
      expect(() => readPath({}, '$.a[0]')).toThrow(/unsupported/);
    });
  });

  describe('virtualWaitHandlers', () => {
    it('sleeps on the virtual clock and passes the input through, as a Wait does', async () => {
      const clock = new VirtualClock(0);
      const handlers = virtualWaitHandlers({ DatabaseStartWait: { secondsPath: '$.n' } }, clock);
      const input = { n: 12, progress: { done: false } };

      const output = await clock.run(
        handlers.DatabaseStartWait?.(input) ?? Promise.reject(new Error('none')),
      );

      expect(output).toEqual(input);
      expect(clock.now()).toBe(12_000);
    });
  });
});
