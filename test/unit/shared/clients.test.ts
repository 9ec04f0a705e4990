// The SDK's own retry strategy (not a mock) retries throttling with the configured attempts.
import { Readable } from 'node:stream';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { describe, expect, it } from '@jest/globals';
import { clientConfig, clientsPerRegion, SDK_MAX_ATTEMPTS } from '../../../functions/shared/clients.ts';

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
    const out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'shop-db-replica' }));
    expect(out.DBInstances?.[0]?.DBInstanceStatus).toBe('available');
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
    await expect(rds.send(new DescribeDBInstancesCommand({}))).rejects.toMatchObject({
      name: 'InternalFailure',
    });
    expect(sent).toHaveLength(SDK_MAX_ATTEMPTS);
  }, 30_000);
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
