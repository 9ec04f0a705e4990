import { createRequire } from 'node:module';
import { beforeAll, expect, it, jest } from '@jest/globals';

const require = createRequire(import.meta.url);
const validatorPath = require.resolve('asl-validator', {
  paths: [require.resolve('aws-local-stepfunctions')],
});
jest.unstable_mockModule(validatorPath, () => {
  const real = require(validatorPath) as (d: object, o?: object) => unknown;
  const seen = new WeakMap<object, unknown>();
  const validate = (definition: object, options?: object) => {
    (globalThis as any).__v = ((globalThis as any).__v ?? 0) + 1;
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
  for (let i = 0; i < 6; i++)
    for (const input of [{ mode: 'failover', confirm: 'shop' }, { mode: 'drill' }]) {
      const fake = fakeAwsFor(runbook);
      answerProbes(200);
      const local = testExecutions(runbook);
      const t = Date.now();
      const run = await local.start({ input }).done;
      await local.settled();
      console.log(input.mode, run.status, Date.now() - t, fake.calls.length, run.invocations.length);
    }
  console.log('validator calls', (globalThis as any).__v);
}, 100_000);
