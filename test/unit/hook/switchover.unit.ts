import 'aws-sdk-client-mock-jest';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { hookRequestSchema } from '../../../functions/hook/hook-contract.ts';
import { InvalidStepInputError } from '../../../functions/shared/errors.ts';
import { mockClient } from '../../aws-mock.ts';
import { answered, progress, sentPayload } from './hook-fixtures.ts';

describe('lambda-hook-switchover', () => {
  const lambda = mockClient(LambdaClient);

  beforeEach(() => {
    lambda.reset();
  });

  it('invokes the hook with mode "switchover", a request the contract accepts, and polls it as a failover', async () => {
    lambda
      .on(InvokeCommand)
      .resolvesOnce(answered({ done: false, nextCheckSeconds: 5, state: { step: 1 } }))
      .resolvesOnce(answered({ done: true, detail: 'drained' }));

    const started = await progress('start', { mode: 'switchover' });
    const done = await progress('check', { mode: 'switchover', state: started.state });

    const payloads = lambda
      .commandCalls(InvokeCommand)
      .map((call) => sentPayload(call.args[0].input) as { action: string; mode: string });
    expect(payloads.map((p) => [p.action, p.mode])).toEqual([
      ['start', 'switchover'],
      ['check', 'switchover'],
    ]);
    for (const payload of payloads) expect(hookRequestSchema.safeParse(payload).success).toBe(true);
    expect(started).toMatchObject({ done: false, nextCheckSeconds: 5 });
    expect(done).toMatchObject({ done: true });
    expect(done.changes[0]?.detail).toContain('in switchover mode');
  });

  it('refuses revert in a switchover (drills only), invoking nothing', async () => {
    await expect(progress('revert', { mode: 'switchover' })).rejects.toThrow(
      new InvalidStepInputError(
        'hook revert of flush-cache cannot run in switchover mode (only drill)',
        'execution input',
      ),
    );
    expect(lambda).not.toHaveReceivedCommand(InvokeCommand);
  });
});
