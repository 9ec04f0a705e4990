import { describe, expect, it } from '@jest/globals';
import { type HookRequest, hookAnswerSchema } from '../../../functions/hook/hook-contract.ts';
import { simulatedHook } from '../../../local/hook-functions.ts';

describe('simulated-hook', () => {
  const request = (
    action: HookRequest['action'],
    state: Record<string, unknown> = {},
    runId = 'run-1',
  ): HookRequest => ({
    contract: 'dr-runbook.hook/1',
    action,
    mode: 'drill',
    runId,
    plan: 'market',
    resource: 'flush-cache',
    step: 'flush-cache',
    startedAt: '2026-11-25T12:00:00.000Z',
    state,
  });

  describe('simulatedHook', () => {
    it('answers done on the second call of an action in a run, counting in the state passed back', () => {
      const start = simulatedHook(request('start'));
      expect(start).toMatchObject({ done: false, state: { runId: 'run-1', action: 'start', calls: 1 } });
      const check1 = simulatedHook(request('check', start.state));
      expect(check1).toMatchObject({ done: false, state: { action: 'check', calls: 1 } });
      const check2 = simulatedHook(request('check', check1.state));
      expect(check2).toMatchObject({ done: true, state: { action: 'check', calls: 2 } });
      expect(check2).not.toHaveProperty('nextCheckSeconds');

      const revert1 = simulatedHook(request('revert'));
      expect(revert1.done).toBe(false);
      expect(simulatedHook(request('revert', revert1.state)).done).toBe(true);
    });

    it('starts counting again for another run, and is pure (same input, same answer)', () => {
      const other = simulatedHook(request('check', { runId: 'run-0', action: 'check', calls: 1 }));
      expect(other).toMatchObject({ done: false, state: { runId: 'run-1', calls: 1 } });
      expect(simulatedHook(request('start'))).toEqual(simulatedHook(request('start')));
    });

    it('answers within the contract', () => {
      for (const answer of [
        simulatedHook(request('start')),
        simulatedHook(request('check', { runId: 'run-1', action: 'check', calls: 1 })),
      ]) {
        expect(hookAnswerSchema.safeParse(answer).success).toBe(true);
      }
    });

    it('throws on a payload outside the contract (a runbook bug, not an answer)', () => {
      expect(() => simulatedHook({ action: 'start' })).toThrow(
        'simulated hook: not a dr-runbook.hook/1 request: {"action":"start"}',
      );
    });
  });
});
