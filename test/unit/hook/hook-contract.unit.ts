import { describe, expect, it } from '@jest/globals';
import {
  hookAnswerSchema,
  hookRequestSchema,
  MAX_HOOK_STATE_BYTES,
  parseHookAnswer,
} from '../../../functions/hook/hook-contract.ts';

describe('hook-contract', () => {
  /** A state whose JSON is exactly `bytes` long. */
  const stateOf = (bytes: number) => ({ s: 'x'.repeat(bytes - '{"s":""}'.length) });

  describe('the hook contract', () => {
    it('accepts the documented request', () => {
      expect(
        hookRequestSchema.safeParse({
          contract: 'dr-runbook.hook/1',
          action: 'check',
          mode: 'drill',
          runId: 'run-1',
          plan: 'market',
          resource: 'flush-cache',
          step: 'flush-cache',
          startedAt: '2026-11-25T12:00:00.000Z',
          state: { jobId: 'j-1' },
        }).success,
      ).toBe(true);
    });

    it('accepts the smallest and the fullest answers', () => {
      expect(parseHookAnswer('{"done":false}')).toEqual({ answer: { done: false } });
      const full = {
        done: true,
        detail: 'd'.repeat(1000),
        nextCheckSeconds: 300,
        state: stateOf(MAX_HOOK_STATE_BYTES),
      };
      expect(parseHookAnswer(JSON.stringify(full))).toEqual({ answer: full });
      expect(hookAnswerSchema.safeParse({ done: false, nextCheckSeconds: 1 }).success).toBe(true);
    });

    it.each([
      [{ done: false, nextCheckSeconds: 0 }, 'nextCheckSeconds: must be at least 1'],
      [{ done: false, nextCheckSeconds: 2.5 }, 'nextCheckSeconds'],
      [
        { done: false, state: stateOf(MAX_HOOK_STATE_BYTES + 1) },
        'state: is 4097 bytes of JSON, more than 4096',
      ],
      [{ done: false, state: [1] }, 'state'],
      [{ done: false, state: null }, 'state'],
      [{}, 'done: is required'],
    ])('refuses %j', (answer, problem) => {
      const parsed = parseHookAnswer(JSON.stringify(answer));
      expect(parsed).toHaveProperty('problem');
      expect((parsed as { problem: string }).problem).toContain(problem);
    });

    it('keeps the problems of a huge answer short', () => {
      const keys = Object.fromEntries(
        Array.from({ length: 50 }, (_, i) => [`k${i}`.repeat(40), 'v'.repeat(10_000)]),
      );
      const parsed = parseHookAnswer(JSON.stringify({ done: 'no', detail: 'y'.repeat(100_000), ...keys }));

      expect((parsed as { problem: string }).problem.length).toBeLessThan(1_500);
      expect((parseHookAnswer('z'.repeat(1_000_000)) as { problem: string }).problem.length).toBeLessThan(
        300,
      );
    });
  });
});
