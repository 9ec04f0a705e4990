import { createRequire } from 'node:module';
import { it, jest } from '@jest/globals';
import { accessDenied } from '../fixtures.ts';

const require = createRequire(import.meta.url);
const validatorPath = require.resolve('asl-validator', {
  paths: [require.resolve('aws-local-stepfunctions')],
});
jest.unstable_mockModule(validatorPath, () => {
  const validate = require(validatorPath) as (d: object, o?: object) => unknown;
  const v = new WeakMap<object, unknown>();
  return {
    default: (d: object, o?: object) => {
      if (!v.has(d)) v.set(d, validate(d, o));
      return v.get(d);
    },
  };
});
const { answerProbes, fakeAwsFor, reports, synthesizeExample, testExecutions } = await import('./harness.ts');
it('debug', async () => {
  const runbook = await synthesizeExample('warm-standby');
  const fake = fakeAwsFor(runbook);
  answerProbes(200);
  console.log(
    'fresh',
    JSON.stringify(fake.record('www.shop.example.com', 'CNAME')),
    JSON.stringify(runbook.environment.zone.records[0]),
  );
  fake.fail('GetItem', accessDenied);
  const local = testExecutions(runbook);
  const t0 = new Date().toISOString();
  const started = local.start({ input: { mode: 'failover', confirm: 'shop' }, executionName: 'x-1' });
  console.log('t0', t0, 'after start', new Date().toISOString(), started.execution.startedAt.toISOString());
  const main = await started.done;
  await local.settled();
  console.log(main.status, main.error);
  const ip = main.events.find(
    (e: any) => e.type === 'StateExited' && e.state.name === 'ValidateInput',
  ) as any;
  console.log('exec', JSON.stringify(ip.state.output.execution), JSON.stringify(ip.state.output.run));
  console.log(
    'evstart',
    main.events[0]?.timestamp,
    new Date(main.events[0]?.timestamp as number).toISOString(),
  );
  console.log(
    JSON.stringify(reports(fake).map((r) => [r.runId, r.mode, r.outcome, r.startedAt, r.failedStep])),
  );
  console.log(JSON.stringify(local.registry.list().map((e) => [e.name, e.status, e.startedAt])));
  console.log(JSON.stringify(fake.zone().records), JSON.stringify(fake.route53.changeBatches));
  console.log('after', JSON.stringify(fake.record('www.shop.example.com', 'CNAME')));
}, 60000);
