import { createRequire } from 'node:module';
import { beforeAll, expect, it, jest } from '@jest/globals';

jest.unstable_mockModule('asl-validator', () => {
  const real = createRequire(import.meta.url)('asl-validator') as (d: object, o?: object) => unknown;
  const seen = new WeakMap<object, unknown>();
  const validate = (definition: object, options?: object) => {
    if (!seen.has(definition)) seen.set(definition, real(definition, options));
    return seen.get(definition);
  };
  return { default: validate };
});
const { answerProbes, fakeAwsFor, synthesizeExample, testExecutions } = await import('./harness.ts');

let runbook: Awaited<ReturnType<typeof synthesizeExample>>;
beforeAll(async () => {
  runbook = await synthesizeExample('warm-standby');
}, 30_000);

it('explores', async () => {
  for (let i = 0; i < 6; i++) for (const input of [{ mode: 'failover', confirm: 'shop' }, { mode: 'drill' }]) {
    const fake = fakeAwsFor(runbook);
    answerProbes(200);
    const local = testExecutions(runbook);
    const t = Date.now();
    const run = await local.start({ input }).done;
    await local.settled();
    console.log(input.mode, run.status, Date.now() - t, fake.calls.length, run.invocations.length);
  }
  expect(1).toBe(1);
}, 100_000);
