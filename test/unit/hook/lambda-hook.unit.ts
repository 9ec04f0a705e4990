import 'aws-sdk-client-mock-jest';
import { GetFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  HookFunctionError,
  HookFunctionNotFoundError,
  InvalidHookAnswerError,
} from '../../../functions/hook/hook-contract.ts';
import { hookSteps } from '../../../functions/hook/steps.ts';
import { lambdaHookSteps } from '../../../functions/hook/types/lambda-hook.ts';
import { StepTimedOutError } from '../../../functions/shared/deadlines.ts';
import {
  AccessDeniedError,
  InvalidStepInputError,
  TransientAwsError,
} from '../../../functions/shared/errors.ts';
import { runStep } from '../../../functions/shared/family-handler.ts';
import type { ResourceOfType } from '../../../plan/schema.ts';
import { mockClient } from '../../aws-mock.ts';
import { accessDenied, awsError, RUN_ID, RUN_STARTED_AT, testClock } from '../../fixtures.ts';
import {
  answered,
  HOOK_ARN,
  hookEvent,
  multiTier,
  progress,
  recordingClients,
  sentPayload,
  startState,
  withHook,
} from './hook-fixtures.ts';

describe('lambda-hook', () => {
  const lambda = mockClient(LambdaClient);

  /** The payloads of every Invoke sent, decoded. */
  const invocations = () => lambda.commandCalls(InvokeCommand).map((call) => sentPayload(call.args[0].input));

  describe('lambda-hook start and check', () => {
    beforeEach(() => {
      lambda.reset();
    });

    it('invokes the function synchronously in the recovery region with the exact contract payload', async () => {
      lambda.on(InvokeCommand).resolves(answered({ done: true, detail: 'flushed 120 keys' }));
      const { clients, made } = recordingClients();
      const clock = testClock();
      clock.advance(42);

      await progress('start', { mode: 'drill' }, clock, clients);

      expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1);
      const [call] = lambda.commandCalls(InvokeCommand);
      expect(call?.args[0].input).toMatchObject({
        FunctionName: HOOK_ARN,
        InvocationType: 'RequestResponse',
      });
      expect(Object.keys(call?.args[0].input ?? {}).sort()).toEqual([
        'FunctionName',
        'InvocationType',
        'Payload',
      ]);
      expect(sentPayload(call?.args[0].input ?? {})).toEqual({
        contract: 'dr-runbook.hook/1',
        action: 'start',
        mode: 'drill',
        runId: RUN_ID,
        plan: 'market',
        resource: 'flush-cache',
        step: 'flush-cache',
        startedAt: '2026-11-25T12:00:42.000Z',
        state: {},
      });
      // The invocation's client waits invocationTimeoutSeconds (default 10) for the answer.
      expect(made).toEqual([{ region: 'us-west-2', requestTimeoutSeconds: 10 }]);
      expect(lambda).not.toHaveReceivedCommand(GetFunctionCommand);
    });

    it("gives the invocation the plan's invocationTimeoutSeconds as its request timeout", async () => {
      lambda.on(InvokeCommand).resolves(answered({ done: true }));
      const { clients, made } = recordingClients();
      const plan = withHook((hook) => Object.assign(hook, { invocationTimeoutSeconds: 45 }));

      await progress('start', { plan }, testClock(), clients);

      expect(made).toEqual([{ region: 'us-west-2', requestTimeoutSeconds: 45 }]);
    });

    it('is done when start answers done, recording what the hook did', async () => {
      lambda.on(InvokeCommand).resolves(answered({ done: true, detail: 'flushed 120 keys' }));

      const result = await progress('start');

      expect(result).toMatchObject({
        family: 'hook',
        resource: 'flush-cache',
        type: 'lambda-hook',
        action: 'start',
        done: true,
        nextCheckSeconds: 0,
        detail: 'hook flush-cache (market-flush-cache) start: flushed 120 keys',
        startedAt: RUN_STARTED_AT,
        completedAt: RUN_STARTED_AT,
      });
      expect(result.changes).toEqual([
        {
          resource: HOOK_ARN,
          action: 'hook-start',
          detail: 'invoked market-flush-cache with action "start" in failover mode',
        },
        { resource: HOOK_ARN, action: 'hook-start-done', detail: 'flushed 120 keys' },
      ]);
    });

    it('polls with check until done, passing the hook its last state and the first start time', async () => {
      lambda
        .on(InvokeCommand)
        .resolvesOnce(answered({ done: false, nextCheckSeconds: 5, state: { jobId: 'j-1', step: 1 } }))
        .resolvesOnce(answered({ done: false, detail: 'flushing' }))
        .resolves(answered({ done: true, state: { jobId: 'j-1', step: 3 } }));
      const clock = testClock();

      const started = await progress('start', {}, clock);
      expect(started).toMatchObject({
        done: false,
        nextCheckSeconds: 5,
        detail: expect.stringContaining('not done yet'),
      });
      expect(started.state).toMatchObject(startState({ jobId: 'j-1', step: 1 }));

      clock.advance(5);
      const checked = await progress('check', { state: started.state }, clock);
      // No nextCheckSeconds: the contract's default; no state: the previous one is kept.
      expect(checked).toMatchObject({
        done: false,
        nextCheckSeconds: 10,
        detail: expect.stringContaining('flushing'),
      });
      expect(checked.state).toMatchObject(startState({ jobId: 'j-1', step: 1 }));

      clock.advance(10);
      const done = await progress('check', { state: checked.state }, clock);
      expect(done).toMatchObject({ done: true, nextCheckSeconds: 0, startedAt: RUN_STARTED_AT });
      expect(done.state).toMatchObject(startState({ jobId: 'j-1', step: 3 }));
      // The start's change is carried to the last check, which the report reads.
      expect(done.changes.map((c) => c.action)).toEqual(['hook-start', 'hook-start-done']);

      const common = { contract: 'dr-runbook.hook/1', mode: 'failover', runId: RUN_ID, plan: 'market' };
      expect(invocations()).toEqual([
        {
          ...common,
          action: 'start',
          resource: 'flush-cache',
          step: 'flush-cache',
          startedAt: RUN_STARTED_AT,
          state: {},
        },
        {
          ...common,
          action: 'check',
          resource: 'flush-cache',
          step: 'flush-cache',
          startedAt: RUN_STARTED_AT,
          state: { jobId: 'j-1', step: 1 },
        },
        {
          ...common,
          action: 'check',
          resource: 'flush-cache',
          step: 'flush-cache',
          startedAt: RUN_STARTED_AT,
          state: { jobId: 'j-1', step: 1 },
        },
      ]);
    });

    it("invokes a re-run start again with the same run id (idempotency is the hook's job)", async () => {
      lambda.on(InvokeCommand).resolves(answered({ done: false }));

      await progress('start');
      await progress('start');

      expect(
        invocations().map((p) => [(p as { action: string }).action, (p as { runId: string }).runId]),
      ).toEqual([
        ['start', RUN_ID],
        ['start', RUN_ID],
      ]);
    });

    it('fails a loop still not done after timeoutMinutes', async () => {
      lambda.on(InvokeCommand).resolves(answered({ done: false }));
      const plan = withHook((hook) => Object.assign(hook, { timeoutMinutes: 2 }));
      const clock = testClock();
      clock.advance(121);

      await expect(progress('check', { plan, state: startState() }, clock)).rejects.toBeInstanceOf(
        StepTimedOutError,
      );
    });

    it('refuses a check without the state its start returned', async () => {
      await expect(progress('check')).rejects.toThrow(
        new InvalidStepInputError(
          'hook check of flush-cache needs the state returned by its start, and got none: run start first',
          'execution input',
        ),
      );
      await expect(
        progress('check', { state: { loop: 'revert', startedAt: RUN_STARTED_AT, hookState: {} } }),
      ).rejects.toBeInstanceOf(InvalidStepInputError);
      expect(lambda).not.toHaveReceivedCommand(InvokeCommand);
    });

    it('refuses start in a dry-run and revert in a failover, invoking nothing', async () => {
      await expect(progress('start', { mode: 'dry-run' })).rejects.toThrow(
        'hook start of flush-cache cannot run in dry-run mode (only drill, failover or switchover)',
      );
      await expect(progress('revert', { mode: 'failover' })).rejects.toThrow(
        'hook revert of flush-cache cannot run in failover mode (only drill)',
      );
      expect(lambda).not.toHaveReceivedCommand(InvokeCommand);
    });

    it('invokes a function in a third region with a client of that region, never the primary', async () => {
      const arn = 'arn:aws:lambda:us-east-2:123456789012:function:market-flush-cache';
      lambda.on(InvokeCommand).resolves(answered({ done: true }));
      const { clients, made } = recordingClients();

      await progress(
        'start',
        { plan: withHook((hook) => Object.assign(hook, { functionArn: arn })) },
        testClock(),
        clients,
      );

      expect(made).toEqual([{ region: 'us-east-2', requestTimeoutSeconds: 10 }]);
      expect(lambda).toHaveReceivedCommandWith(InvokeCommand, { FunctionName: arn });
    });

    it('refuses a function in the primary region even if the plan got past the schema', async () => {
      const plan = multiTier();
      const hook = plan.resources.find((r) => r.id === 'flush-cache') as ResourceOfType<'lambda-hook'>;
      const inPrimary = {
        ...hook,
        functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:market-flush-cache',
      };
      const { clients, made } = recordingClients();
      const event = { ...hookEvent('start'), resourceId: 'flush-cache', resource: inPrimary };

      await expect(lambdaHookSteps.start(event, clients, testClock())).rejects.toThrow(
        /function arn:aws:lambda:us-east-1:\S+ is in the primary region us-east-1: .* deploy it in us-west-2 and fix resources\[5\]\.functionArn/,
      );
      const readiness = await lambdaHookSteps.readiness(
        { ...event, action: 'readiness' },
        clients,
        testClock(),
      );
      expect(readiness.checks).toEqual([
        expect.objectContaining({
          name: 'function-active',
          status: 'fail',
          detail: expect.stringContaining('primary region'),
        }),
      ]);
      expect(made).toEqual([]);
      expect(lambda.calls()).toHaveLength(0);
    });
  });

  describe('lambda-hook answers that break the contract', () => {
    beforeEach(() => {
      lambda.reset();
    });

    const failsWith = async (output: ReturnType<typeof answered>, error: unknown, ...fragments: string[]) => {
      lambda.on(InvokeCommand).resolves(output);
      const thrown = await progress('start').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(thrown).toBeInstanceOf(error as new () => Error);
      const message = (thrown as Error).message;
      expect(message).toContain('hook flush-cache');
      expect(message).toContain(HOOK_ARN);
      for (const fragment of fragments) expect(message).toContain(fragment);
      expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1);
    };

    it('fails an answer that is not JSON', () =>
      failsWith(
        answered('flushed!'),
        InvalidHookAnswerError,
        'answered "start" with an answer that is not JSON: "flushed!"',
      ));

    it('fails an empty answer (a handler that returns nothing answers null)', async () => {
      await failsWith(answered('null'), InvalidHookAnswerError, '"null", which is not a JSON object');
    });

    it('fails an answer without done', () =>
      failsWith(answered({ detail: 'ok' }), InvalidHookAnswerError, 'done: is required: add a boolean'));

    it('fails done that is not a boolean', () =>
      failsWith(
        answered({ done: 'true' }),
        InvalidHookAnswerError,
        'done: must be a boolean, got the string "true"',
      ));

    it('fails unknown fields, a bad nextCheckSeconds and a long detail, listing each', () =>
      failsWith(
        answered({ done: false, nextCheckSeconds: 600, detail: 'x'.repeat(1001), statusCode: 200 }),
        InvalidHookAnswerError,
        'unknown field "statusCode"',
        'nextCheckSeconds: must be at most 300, got number 600',
        'detail: must be at most 1000',
      ));

    it('fails a state over 4 KiB', () =>
      failsWith(
        answered({ done: false, state: { blob: 'x'.repeat(5000) } }),
        InvalidHookAnswerError,
        'state: is 5011 bytes of JSON, more than 4096',
      ));

    it('fails a function error at once (the function threw), quoting it, and does not retry it', async () => {
      await failsWith(
        answered(
          { errorType: 'Error', errorMessage: 'redis: connection refused', trace: ['at flush'] },
          { FunctionError: 'Unhandled' },
        ),
        HookFunctionError,
        'failed on "start" (Unhandled function error: Error: "redis: connection refused")',
        'log group /aws/lambda/market-flush-cache in us-west-2',
        'not retried',
      );
      const error = await progress('start').catch((e: unknown) => e);
      expect(error).not.toBeInstanceOf(TransientAwsError);
      expect((error as HookFunctionError).retryable).toBe(false);
      expect((error as Error).name).toBe('HookFunctionError');
    });
  });

  describe('lambda-hook invoke errors', () => {
    beforeEach(() => {
      lambda.reset();
    });

    it('raises throttling as a TransientAwsError (the step is retried by Step Functions), then succeeds', async () => {
      lambda
        .on(InvokeCommand)
        .rejectsOnce(awsError('TooManyRequestsException', 429, 'Rate Exceeded.'))
        .resolves(answered({ done: true }));

      const error = await progress('start').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransientAwsError);
      expect((error as Error).message).toContain(`function ${HOOK_ARN} (hook flush-cache)`);

      await expect(progress('start')).resolves.toMatchObject({ done: true });
      expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 2);
    });

    it('raises a 5xx as a TransientAwsError', async () => {
      lambda.on(InvokeCommand).rejects(awsError('ServiceException', 500, 'internal'));

      await expect(progress('start')).rejects.toBeInstanceOf(TransientAwsError);
    });

    it('raises a timeout as a TransientAwsError naming invocationTimeoutSeconds', async () => {
      lambda
        .on(InvokeCommand)
        .rejects(Object.assign(new Error('Request timed out'), { name: 'TimeoutError' }));

      const error = await progress('check', { state: startState() }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(TransientAwsError);
      expect((error as Error).message).toContain(
        'the hook did not answer within resources[5].invocationTimeoutSeconds (10 s)',
      );
    });

    it('fails a missing function as permanent, with the fix', async () => {
      lambda
        .on(InvokeCommand)
        .rejects(awsError('ResourceNotFoundException', 404, `Function not found: ${HOOK_ARN}`));

      const error = await progress('start').catch((e: unknown) => e);

      expect(error).toBeInstanceOf(HookFunctionNotFoundError);
      expect((error as HookFunctionNotFoundError).retryable).toBe(false);
      expect((error as Error).message).toMatch(
        new RegExp(
          `^hook flush-cache: function ${HOOK_ARN} not found in us-west-2 \\(ResourceNotFoundException: .*\\): deploy the function in us-west-2 or fix resources\\[5\\]\\.functionArn$`,
        ),
      );
    });

    it('fails a denied invoke as permanent, naming lambda:InvokeFunction on the function', async () => {
      lambda.on(InvokeCommand).rejects(accessDenied());

      const error = await progress('start').catch((e: unknown) => e);

      expect(error).toBeInstanceOf(AccessDeniedError);
      expect((error as Error).message).toContain(`hook flush-cache: access denied invoking ${HOOK_ARN}`);
      expect((error as Error).message).toContain(
        `allow lambda:InvokeFunction on ${HOOK_ARN} to the hook role`,
      );
    });
  });

  describe('lambda-hook revert (drills)', () => {
    beforeEach(() => {
      lambda.reset();
    });

    it('invokes "revert" with no state first, then again with what it returned until done', async () => {
      lambda
        .on(InvokeCommand)
        .resolvesOnce(answered({ done: false, nextCheckSeconds: 3, state: { restored: 0 } }))
        .resolves(answered({ done: true, detail: 'cache warmed back' }));
      const clock = testClock();
      clock.advance(600);

      const first = await progress('revert', { mode: 'drill' }, clock);
      expect(first).toMatchObject({ action: 'revert', done: false, nextCheckSeconds: 3 });
      expect(first.state).toMatchObject({
        loop: 'revert',
        startedAt: '2026-11-25T12:10:00.000Z',
        hookState: { restored: 0 },
      });

      clock.advance(3);
      const second = await progress('revert', { mode: 'drill', state: first.state }, clock);
      expect(second).toMatchObject({ action: 'revert', done: true, nextCheckSeconds: 0 });
      expect(second.changes.map((c) => c.action)).toEqual(['hook-revert', 'hook-revert-done']);

      const base = {
        contract: 'dr-runbook.hook/1',
        action: 'revert',
        mode: 'drill',
        runId: RUN_ID,
        plan: 'market',
        resource: 'flush-cache',
        step: 'flush-cache',
        startedAt: '2026-11-25T12:10:00.000Z',
      };
      expect(invocations()).toEqual([
        { ...base, state: {} },
        { ...base, state: { restored: 0 } },
      ]);
    });

    it('starts a fresh revert loop when given a start state (the revert does not continue the start)', async () => {
      lambda.on(InvokeCommand).resolves(answered({ done: true }));

      await progress('revert', { mode: 'drill', state: startState({ jobId: 'j-1' }) });

      expect(invocations()).toEqual([expect.objectContaining({ action: 'revert', state: {} })]);
    });
  });

  describe('lambda-hook with runInDrills false', () => {
    beforeEach(() => {
      lambda.reset();
    });

    const plan = () => withHook((hook) => Object.assign(hook, { runInDrills: false }));

    it.each(['start', 'check', 'revert'] as const)(
      '%s is done at once in a drill and never invokes',
      async (action) => {
        const { clients, made } = recordingClients();

        const result = await progress(action, { mode: 'drill', plan: plan() }, testClock(), clients);

        expect(result).toMatchObject({
          action,
          done: true,
          nextCheckSeconds: 0,
          detail: 'hook flush-cache: skipped in drills (runInDrills: false)',
          changes: [],
        });
        expect(made).toEqual([]);
        expect(lambda.calls()).toHaveLength(0);
      },
    );

    it('still invokes in a failover', async () => {
      lambda.on(InvokeCommand).resolves(answered({ done: true }));

      await progress('start', { plan: plan() });

      expect(invocations()).toEqual([expect.objectContaining({ action: 'start', mode: 'failover' })]);
    });
  });

  describe('hookSteps', () => {
    it("runs lambda-hook and refuses another family's resource", async () => {
      expect(Object.keys(hookSteps)).toEqual(['lambda-hook']);
      await expect(
        runStep(hookSteps, () => recordingClients().clients, { ...hookEvent('start'), resource: 'web' }),
      ).rejects.toThrow(
        'resource "web" is of type "auto-scaling-group", which this family does not run (it runs lambda-hook)',
      );
    });
  });
});
