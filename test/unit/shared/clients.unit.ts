// The SDK's own retry strategy (not a mock, its backoff on fake timers) retries throttling with the
// configured attempts, and
// its own HTTP handler (against a local server) gives up on a request nobody answers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { afterEach, describe, expect, it } from '@jest/globals';
import { toStepError } from '../../../functions/shared/aws-errors.ts';
import {
  clientConfig,
  clientsPerRegion,
  SDK_CONNECTION_TIMEOUT_MS,
  SDK_MAX_ATTEMPTS,
  SDK_REQUEST_TIMEOUT_MS,
} from '../../../functions/shared/clients.ts';
import { TransientAwsError } from '../../../functions/shared/errors.ts';
import { STEP_TIMEOUT_SECONDS } from '../../../functions/shared/step-contract.ts';
import { settleOnFakeTimers } from '../../fake-timers.ts';

describe('clients', () => {
  const THROTTLED = `<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>1</RequestId></ErrorResponse>`;
  const INTERNAL = THROTTLED.replace('Sender', 'Receiver').replace(/Throttling/, 'InternalFailure');
  const DESCRIBED = `<DescribeDBInstancesResponse><DescribeDBInstancesResult><DBInstances><DBInstance><DBInstanceIdentifier>shop-db-replica</DBInstanceIdentifier><DBInstanceStatus>available</DBInstanceStatus></DBInstance></DBInstances></DescribeDBInstancesResult></DescribeDBInstancesResponse>`;

  /** An HTTP handler that answers with the given (status, body) pairs in order. */
  function scriptedHandler(responses: Array<[number, string]>) {
    const sent: string[] = [];
    return {
      sent,
      handler: {
        metadata: { handlerProtocol: 'http/1.1' },
        async handle(request: { path: string }) {
          sent.push(request.path);
          const [statusCode, body] = responses[Math.min(sent.length - 1, responses.length - 1)] ?? [500, ''];
          return {
            response: {
              statusCode,
              headers: { 'content-type': 'text/xml' },
              body: Readable.from([Buffer.from(body)]),
            },
          };
        },
      },
    };
  }

  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

  describe('clientConfig', () => {
    it('retries throttling with backoff, then succeeds', async () => {
      const { sent, handler } = scriptedHandler([
        [400, THROTTLED],
        [400, THROTTLED],
        [200, DESCRIBED],
      ]);
      const rds = new RDSClient({ ...clientConfig('us-west-2'), credentials, requestHandler: handler });
      const settled = await settleOnFakeTimers(() =>
        rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'shop-db-replica' })),
      );
      expect('value' in settled && settled.value.DBInstances?.[0]?.DBInstanceStatus).toBe('available');
      expect(sent).toHaveLength(3);
    }, 20_000);

    it(`gives up after ${SDK_MAX_ATTEMPTS} attempts`, async () => {
      const { sent, handler } = scriptedHandler([[500, INTERNAL]]);
      const rds = new RDSClient({
        ...clientConfig('us-west-2'),
        credentials,
        requestHandler: handler,
        retryStrategy: undefined,
      });
      const settled = await settleOnFakeTimers(() => rds.send(new DescribeDBInstancesCommand({})));
      expect('error' in settled && settled.error).toMatchObject({ name: 'InternalFailure' });
      expect(sent).toHaveLength(SDK_MAX_ATTEMPTS);
    }, 30_000);
  });

  /** The longest the standard retry strategy sleeps between attempts: 100 ms × 2^n, jittered down. */
  const MAX_BACKOFF_MS = Array.from({ length: SDK_MAX_ATTEMPTS - 1 }, (_, i) => 100 * 2 ** i).reduce(
    (a, b) => a + b,
    0,
  );

  describe('clientConfig timeouts', () => {
    const servers: Server[] = [];
    afterEach(async () => {
      for (const server of servers.splice(0)) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });

    /** A server on 127.0.0.1 that handles each request as `answer` says (or never answers). */
    async function localServer(answer: (req: IncomingMessage, res: ServerResponse) => void = () => {}) {
      const requests: string[] = [];
      const server = createServer((req, res) => {
        requests.push(req.url ?? '');
        answer(req, res);
      });
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return { requests, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
    }

    const TEST_TIMEOUTS = { connectionTimeoutMs: 100, requestTimeoutMs: 100 };
    /** Every attempt times out, plus the backoff between them, plus slack for a busy machine. */
    const GIVE_UP_WITHIN_MS = SDK_MAX_ATTEMPTS * TEST_TIMEOUTS.requestTimeoutMs + MAX_BACKOFF_MS + 1_500;

    async function describeAgainst(endpoint: string) {
      const rds = new RDSClient({ ...clientConfig('us-west-2', TEST_TIMEOUTS), credentials, endpoint });
      const started = Date.now();
      const error = await rds.send(new DescribeDBInstancesCommand({})).then(
        () => undefined,
        (e: unknown) => e,
      );
      rds.destroy();
      return { error, elapsedMs: Date.now() - started };
    }

    it('gives up on a server that never answers within the configured time, as a TransientAwsError', async () => {
      const { requests, endpoint } = await localServer();

      const { error, elapsedMs } = await describeAgainst(endpoint);

      expect(error).toMatchObject({ name: 'TimeoutError', code: 'ETIMEDOUT' });
      expect(requests).toHaveLength(SDK_MAX_ATTEMPTS);
      expect(elapsedMs).toBeGreaterThanOrEqual(SDK_MAX_ATTEMPTS * TEST_TIMEOUTS.requestTimeoutMs);
      expect(elapsedMs).toBeLessThan(GIVE_UP_WITHIN_MS);
      const stepError = toStepError(error, {
        resource: 'shop-db-replica',
        operation: 'describe the replica',
      });
      expect(stepError).toBeInstanceOf(TransientAwsError);
      expect(stepError.message).toMatch(
        /^transient AWS error trying to describe the replica on shop-db-replica \(TimeoutError: .*requestTimeout/,
      );
    }, 15_000);

    it('gives up on a response whose body stalls after the headers, as a TransientAwsError', async () => {
      const { requests, endpoint } = await localServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.write('<DescribeDBInstancesResponse>');
      });

      const { error, elapsedMs } = await describeAgainst(endpoint);

      expect(error).toMatchObject({ name: 'TimeoutError' });
      expect(requests).toHaveLength(SDK_MAX_ATTEMPTS);
      expect(elapsedMs).toBeLessThan(GIVE_UP_WITHIN_MS);
      expect(toStepError(error, { resource: 'shop-db-replica', operation: 'describe' })).toBeInstanceOf(
        TransientAwsError,
      );
    }, 15_000);

    it('gives every deployed client connection and request timeouts that end a hung call inside the step timeout', () => {
      const config = clientConfig('us-west-2');

      expect(config.requestHandler).toEqual({
        connectionTimeout: SDK_CONNECTION_TIMEOUT_MS,
        requestTimeout: SDK_REQUEST_TIMEOUT_MS,
        throwOnRequestTimeout: true,
        socketTimeout: SDK_REQUEST_TIMEOUT_MS,
      });
      expect(SDK_CONNECTION_TIMEOUT_MS).toBeLessThan(SDK_REQUEST_TIMEOUT_MS);
      expect(SDK_MAX_ATTEMPTS * SDK_REQUEST_TIMEOUT_MS + MAX_BACKOFF_MS).toBeLessThan(
        STEP_TIMEOUT_SECONDS * 1000,
      );
    });

    it('is what clientsPerRegion builds every family client from', () => {
      const configs = clientsPerRegion((config) => ({ config }));

      expect(configs('eu-central-1').config).toEqual(clientConfig('eu-central-1'));
    });
  });

  describe('clientsPerRegion', () => {
    it('creates clients once per region and reuses them', () => {
      const created: string[] = [];
      const clientsFor = clientsPerRegion((config) => {
        created.push(config.region);
        return { region: config.region };
      });
      expect(clientsFor('us-west-2')).toBe(clientsFor('us-west-2'));
      expect(clientsFor('eu-central-1').region).toBe('eu-central-1');
      expect(created).toEqual(['us-west-2', 'eu-central-1']);
    });
  });
});
