// The SDK's own retry backoff on fake timers: the same attempts, without the waiting (seconds of a
// test worker's time each, spent asleep).
import { jest } from '@jest/globals';

/** How `work` settles, with every timer it sets fired early; at most `limitMs` of timers. */
export async function settleOnFakeTimers<T>(
  work: () => Promise<T>,
  limitMs = 120_000,
): Promise<{ value: T } | { error: unknown }> {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  let outcome: { value: T } | { error: unknown } | undefined;
  const running = work().then(
    (value) => {
      outcome = { value };
    },
    (error: unknown) => {
      outcome = { error };
    },
  );
  try {
    for (let advanced = 0; outcome === undefined && advanced < limitMs; advanced += 500) {
      await jest.advanceTimersByTimeAsync(500);
    }
  } finally {
    jest.useRealTimers();
  }
  await running;
  return outcome as { value: T } | { error: unknown };
}
