// The hook family's clients: an invocation's client waits invocationTimeoutSeconds for the answer,
// everything else is the shared config, and the SDK's own retry strategy (not a mock) retries a
// throttled Invoke before the step sees it.
import { Readable } from 'node:stream';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { describe, expect, it } from '@jest/globals';
import { hookClientConfig, hookClientsFor } from '../../../functions/hook/clients.ts';
import { hookSteps } from '../../../functions/hook/steps.ts';
import {
  SDK_CONNECTION_TIMEOUT_MS,
  SDK_MAX_ATTEMPTS,
  SDK_REQUEST_TIMEOUT_MS,
} from '../../../functions/shared/clients.ts';
import { TransientAwsError } from '../../../functions/shared/errors.ts';
import { runStep } from '../../../functions/shared/family-handler.ts';
import { settleOnFakeTimers } from '../../fake-timers.ts';
import { testClock } from '../../fixtures.ts';
import { hookEvent } from './hook-fixtures.ts';

describe('clients', () => {
  /** The options a client's NodeHttpHandler was made with. */
  async function handlerConfig(client: LambdaClient) {
    const handler = client.config.requestHandler as unknown as {
      configProvider: Promise<Record<string, unknown>>;
    };
    return handler.configProvider;
  }

  describe('hook clients', () => {
    it('gives an invocation client the request timeout it asks for, the shared connection timeout, and only the attempts that fit in the step timeout', async () => {
      const client = hookClientsFor('us-west-2').lambda('us-west-2', 45);

      expect(await handlerConfig(client)).toMatchObject({
        connectionTimeout: SDK_CONNECTION_TIMEOUT_MS,
        requestTimeout: 45_000,
        socketTimeout: 45_000,
        throwOnRequestTimeout: true,
      });
      // One 45 s attempt fits in the 60 s step (with 5 s to answer); a second would outlast it.
      expect(await client.config.maxAttempts()).toBe(1);
      expect(await client.config.region()).toBe('us-west-2');
      expect(hookClientConfig('us-west-2', 10).maxAttempts).toBe(SDK_MAX_ATTEMPTS);
      expect(hookClientConfig('us-west-2', 20).maxAttempts).toBe(2);
      expect(hookClientConfig('us-west-2', 45)).toMatchObject({
        region: 'us-west-2',
        maxAttempts: 1,
        retryMode: 'standard',
        requestHandler: {
          requestTimeout: 45_000,
          socketTimeout: 45_000,
          connectionTimeout: SDK_CONNECTION_TIMEOUT_MS,
        },
      });
    });

    it('uses the shared request timeout without one (GetFunctionConfiguration)', async () => {
      const client = hookClientsFor('us-west-2').lambda('us-west-2');

      expect(await handlerConfig(client)).toMatchObject({ requestTimeout: SDK_REQUEST_TIMEOUT_MS });
    });

    it('makes a client in the region asked for, whatever region runStep passes', async () => {
      const client = hookClientsFor('us-west-2').lambda('us-east-2', 10);

      expect(await client.config.region()).toBe('us-east-2');
    });

    it('reuses one client per region and timeout (a warm Lambda keeps its connections)', () => {
      const { lambda } = hookClientsFor('us-west-2');

      expect(lambda('us-west-2', 10)).toBe(lambda('us-west-2', 10));
      expect(lambda('us-west-2', 10)).not.toBe(lambda('us-west-2', 11));
      expect(lambda('us-west-2', 10)).not.toBe(lambda('us-east-2', 10));
      expect(lambda('us-west-2')).not.toBe(lambda('us-west-2', 10));
    });
  });

  /** An HTTP handler that answers with the given Lambda responses in order, recording each request body. */
  function scriptedLambda(
    responses: Array<{ status: number; headers?: Record<string, string>; body: string }>,
  ) {
    const bodies: string[] = [];
    return {
      bodies,
      handler: {
        metadata: { handlerProtocol: 'http/1.1' },
        async handle(request: { body?: unknown }) {
          bodies.push(
            request.body instanceof Uint8Array
              ? new TextDecoder().decode(request.body)
              : String(request.body),
          );
          const next = responses[Math.min(bodies.length - 1, responses.length - 1)];
          if (!next) throw new Error('no response scripted');
          return {
            response: {
              statusCode: next.status,
              headers: { 'content-type': 'application/json', ...next.headers },
              body: Readable.from([Buffer.from(next.body)]),
            },
          };
        },
      },
    };
  }

  const THROTTLED = {
    status: 429,
    headers: { 'x-amzn-errortype': 'TooManyRequestsException' },
    body: JSON.stringify({
      Type: 'User',
      message: 'Rate Exceeded.',
      Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
    }),
  };
  const DONE = {
    status: 200,
    headers: { 'x-amz-executed-version': '$LATEST' },
    body: '{"done":true,"detail":"flushed"}',
  };
  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

  describe('a throttled invocation', () => {
    it('is retried by the client itself (the same request), so the step sees only the answer', async () => {
      const { bodies, handler } = scriptedLambda([THROTTLED, THROTTLED, DONE]);
      const client = new LambdaClient({
        ...hookClientConfig('us-west-2', 10),
        credentials,
        requestHandler: handler,
      });

      const settled = await settleOnFakeTimers(() =>
        runStep(hookSteps, () => ({ lambda: () => client }), hookEvent('start'), testClock()),
      );
      const result = 'value' in settled ? settled.value : settled.error;

      expect(result).toMatchObject({
        done: true,
        detail: 'hook flush-cache (market-flush-cache) start: flushed',
      });
      expect(bodies).toHaveLength(3);
      expect(new Set(bodies).size).toBe(1);
      expect(JSON.parse(bodies[0] ?? '')).toMatchObject({ contract: 'dr-runbook.hook/1', action: 'start' });
    }, 30_000);

    it(`becomes a TransientAwsError once the client's ${SDK_MAX_ATTEMPTS} attempts are throttled`, async () => {
      const { bodies, handler } = scriptedLambda([THROTTLED]);
      const client = new LambdaClient({
        ...hookClientConfig('us-west-2', 10),
        credentials,
        requestHandler: handler,
      });

      const settled = await settleOnFakeTimers(() =>
        runStep(hookSteps, () => ({ lambda: () => client }), hookEvent('start'), testClock()),
      );
      expect('error' in settled && settled.error).toBeInstanceOf(TransientAwsError);
      expect(bodies).toHaveLength(SDK_MAX_ATTEMPTS);
    }, 60_000);
  });
});
