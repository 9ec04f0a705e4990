import 'aws-sdk-client-mock-jest';
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { TransientAwsError } from '../../../functions/shared/errors.ts';
import { mockClient } from '../../aws-mock.ts';
import { accessDenied, awsError } from '../../fixtures.ts';
import { HOOK_ARN, readiness, recordingClients, withHook } from './hook-fixtures.ts';

describe('lambda-hook-readiness', () => {
  const lambda = mockClient(LambdaClient);

  /** GetFunctionConfiguration of an Active function: what readiness reads. */
  const activeFunction = (overrides: Record<string, unknown> = {}) => ({
    FunctionName: 'market-flush-cache',
    FunctionArn: HOOK_ARN,
    State: 'Active' as const,
    LastUpdateStatus: 'Successful' as const,
    ...overrides,
  });

  const statuses = (result: { checks: Array<{ name: string; status: string }> }) =>
    result.checks.map((c) => [c.name, c.status]);

  describe('lambda-hook readiness', () => {
    beforeEach(() => {
      lambda.reset();
    });

    it('passes an Active function, reads only its configuration in the recovery region and predicts expectedSeconds', async () => {
      lambda.on(GetFunctionConfigurationCommand).resolves(activeFunction());
      const { clients, made } = recordingClients();

      const result = await readiness({}, undefined, clients);

      expect(result).toMatchObject({
        family: 'hook',
        resource: 'flush-cache',
        type: 'lambda-hook',
        ready: true,
        predictedSeconds: 30,
      });
      expect(statuses(result)).toEqual([
        ['function-active', 'pass'],
        ['function-last-update', 'pass'],
      ]);
      expect(lambda).toHaveReceivedCommandTimes(GetFunctionConfigurationCommand, 1);
      expect(lambda).toHaveReceivedCommandWith(GetFunctionConfigurationCommand, { FunctionName: HOOK_ARN });
      expect(lambda).not.toHaveReceivedCommand(InvokeCommand);
      expect(made).toEqual([{ region: 'us-west-2', requestTimeoutSeconds: undefined }]);
    });

    it("predicts the plan's expectedSeconds", async () => {
      lambda.on(GetFunctionConfigurationCommand).resolves(activeFunction());

      const result = await readiness({
        plan: withHook((hook) => Object.assign(hook, { expectedSeconds: 90 })),
      });

      expect(result.predictedSeconds).toBe(90);
    });

    it('fails a function that does not exist, with the fix and the plan field', async () => {
      lambda
        .on(GetFunctionConfigurationCommand)
        .rejects(awsError('ResourceNotFoundException', 404, `Function not found: ${HOOK_ARN}`));

      const result = await readiness();

      expect(result.ready).toBe(false);
      expect(result.checks).toEqual([
        {
          name: 'function-active',
          status: 'fail',
          detail: `hook flush-cache: function ${HOOK_ARN} not found in us-west-2: deploy the function in us-west-2 or fix resources[5].functionArn`,
        },
      ]);
      expect(lambda).not.toHaveReceivedCommand(InvokeCommand);
    });

    it.each([
      ['Pending', 'still being created or updated'],
      ['Inactive', 'invoke or update it once'],
      ['Failed', 'fix and redeploy it'],
    ])('fails a function that is %s, not Active', async (state, fix) => {
      lambda
        .on(GetFunctionConfigurationCommand)
        .resolves(activeFunction({ State: state, StateReason: 'the reason Lambda gives' }));

      const result = await readiness();

      expect(result.ready).toBe(false);
      const [active] = result.checks;
      expect(active).toMatchObject({ name: 'function-active', status: 'fail' });
      expect(active?.detail).toContain(`function market-flush-cache in us-west-2 is ${state}, not Active`);
      expect(active?.detail).toContain('(the reason Lambda gives)');
      expect(active?.detail).toContain(fix);
    });

    it('fails a function whose state GetFunction does not report', async () => {
      lambda.on(GetFunctionConfigurationCommand).resolves({});

      const result = await readiness();

      expect(result.ready).toBe(false);
      expect(result.checks[0]?.detail).toContain('is unknown, not Active');
    });

    it.each([
      ['InProgress', 'check the update finishes'],
      ['Failed', 'fix and redeploy it'],
    ])('warns (still ready) when the last update is %s', async (update, fix) => {
      lambda
        .on(GetFunctionConfigurationCommand)
        .resolves(activeFunction({ LastUpdateStatus: update, LastUpdateStatusReason: 'image pull' }));

      const result = await readiness();

      expect(result.ready).toBe(true);
      expect(statuses(result)).toEqual([
        ['function-active', 'pass'],
        ['function-last-update', 'warn'],
      ]);
      expect(result.checks[1]?.detail).toContain(`last update is ${update} (image pull)`);
      expect(result.checks[1]?.detail).toContain(fix);
    });

    it('fails, naming the permission, when reading the configuration is denied', async () => {
      lambda.on(GetFunctionConfigurationCommand).rejects(accessDenied());

      const result = await readiness();

      expect(result.ready).toBe(false);
      expect(result.checks[0]?.status).toBe('fail');
      expect(result.checks[0]?.detail).toContain(
        `hook flush-cache: access denied reading the configuration of ${HOOK_ARN}`,
      );
      expect(result.checks[0]?.detail).toContain(`allow lambda:GetFunctionConfiguration on ${HOOK_ARN}`);
    });

    it('raises throttling as a TransientAwsError (Step Functions retries the step), then passes', async () => {
      lambda
        .on(GetFunctionConfigurationCommand)
        .rejectsOnce(awsError('TooManyRequestsException', 429, 'Rate exceeded'))
        .resolves(activeFunction());

      await expect(readiness()).rejects.toBeInstanceOf(TransientAwsError);
      await expect(readiness()).resolves.toMatchObject({ ready: true });
    });

    it('reads a function in a third region with a client of that region', async () => {
      const arn = 'arn:aws:lambda:us-east-2:123456789012:function:market-flush-cache';
      lambda.on(GetFunctionConfigurationCommand).resolves(activeFunction({ FunctionArn: arn }));
      const { clients, made } = recordingClients();

      await readiness(
        { plan: withHook((hook) => Object.assign(hook, { functionArn: arn })) },
        undefined,
        clients,
      );

      expect(made).toEqual([{ region: 'us-east-2', requestTimeoutSeconds: undefined }]);
      expect(lambda).toHaveReceivedCommandWith(GetFunctionConfigurationCommand, { FunctionName: arn });
    });

    describe('in a drill of a hook with runInDrills false', () => {
      const plan = () => withHook((hook) => Object.assign(hook, { runInDrills: false }));

      it('still checks the function, but its problems only warn and it predicts no time', async () => {
        lambda.on(GetFunctionConfigurationCommand).rejects(awsError('ResourceNotFoundException', 404));

        const result = await readiness({ mode: 'drill', plan: plan() });

        expect(result.ready).toBe(true);
        expect(result.predictedSeconds).toBe(0);
        expect(result.checks[0]?.status).toBe('warn');
        expect(result.checks[0]?.detail).toContain('a drill does not invoke it: runInDrills is false');
        expect(lambda).not.toHaveReceivedCommand(InvokeCommand);
      });

      it('fails the same problem in a dry-run (a failover would invoke it)', async () => {
        lambda.on(GetFunctionConfigurationCommand).rejects(awsError('ResourceNotFoundException', 404));

        const result = await readiness({ plan: plan() });

        expect(result.ready).toBe(false);
        expect(result.predictedSeconds).toBe(30);
      });
    });
  });
});
