// What the runbook tests use: the runner (runbook-runner.ts: the synthesized state machine on
// aws-local-stepfunctions with the real handlers against the fake AWS), plus what needs Jest.
import { jest } from '@jest/globals';

export * from './runbook-runner.ts';

/** Makes every HTTP probe answer `status`; returns the spy (its calls hold the probed URLs). */
export function answerProbes(status = 200) {
  // A spy an earlier part's last test made is still in place (restoreMocks restores before each
  // test, not after the last one), and spyOn would hand it back with that test's calls.
  const { fetch } = globalThis;
  if (jest.isMockFunction(fetch)) fetch.mockRestore();
  return jest.spyOn(globalThis, 'fetch').mockImplementation(async () => new Response(null, { status }));
}
