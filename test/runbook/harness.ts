// What the runbook tests use: the runner (runbook-runner.ts: the synthesized state machine on
// aws-local-stepfunctions with the real handlers against the fake AWS), plus what needs Jest.
import { jest } from '@jest/globals';

export * from './runbook-runner.ts';

/** Makes every HTTP probe answer `status`; returns the spy (its calls hold the probed URLs). */
export function answerProbes(status = 200) {
  return jest.spyOn(globalThis, 'fetch').mockImplementation(async () => new Response(null, { status }));
}
