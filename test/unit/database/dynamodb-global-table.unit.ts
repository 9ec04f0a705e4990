// dynamodb-global-table ("sessions" of the multi-tier example: table market-sessions, primary
// us-east-1, recovery us-west-2, RPO objective 60 s) through the family's runStep.
import 'aws-sdk-client-mock-jest';
import { CloudWatchClient, type Datapoint, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import {
  type AttributeValue,
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { RDSClient } from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { DatabaseClients } from '../../../functions/database/clients.ts';
import { dynamodbGlobalTableSteps } from '../../../functions/database/types/dynamodb-global-table.ts';
import {
  AccessDeniedError,
  InvalidResourceStateError,
  InvalidStepInputError,
  TableNotFoundError,
  TransientAwsError,
} from '../../../functions/shared/errors.ts';
import { runStep } from '../../../functions/shared/family-handler.ts';
import type {
  Action,
  Mode,
  ProgressResult,
  ReadinessCheck,
  ReadinessResult,
  StepContext,
} from '../../../functions/shared/step-contract.ts';
import type { DrPlan } from '../../../plan/schema.ts';
import { mockClient } from '../../aws-mock.ts';
import {
  accessDenied,
  awsError,
  examplePlan,
  mutatingCommandsSent,
  RUN_ID,
  RUN_STARTED_AT,
  testClock,
  throttling,
} from '../../fixtures.ts';
import { databaseClients } from './database-fixtures.ts';

describe('dynamodb-global-table', () => {
  const dynamodb = mockClient(DynamoDBClient);
  const cloudwatch = mockClient(CloudWatchClient);
  const rds = mockClient(RDSClient);
  const mocks = [dynamodb, cloudwatch, rds];

  const TABLE = 'market-sessions';
  const PRIMARY = 'us-east-1';
  const RECOVERY = 'us-west-2';
  const PROBE_KEY = `dr-runbook-probe#${RUN_ID}#sessions`;
  const registry = { 'dynamodb-global-table': dynamodbGlobalTableSteps };

  let regionsAsked: string[] = [];
  const clientsFor = jest.fn((region: string): DatabaseClients => {
    regionsAsked.push(region);
    return databaseClients(region);
  });

  interface Options {
    mode?: Mode;
    state?: Record<string, unknown>;
    plan?: DrPlan;
  }

  function event(action: Action, options: Options = {}) {
    return {
      action,
      plan: options.plan ?? examplePlan('multi-tier'),
      run: { id: RUN_ID, mode: options.mode ?? 'failover', startedAt: RUN_STARTED_AT },
      resource: 'sessions',
      ...(options.state ? { state: options.state } : {}),
    };
  }

  const readiness = async (mode: Mode = 'dry-run', clock: StepContext = testClock()) =>
    (await runStep(registry, clientsFor, event('readiness', { mode }), clock)) as ReadinessResult;

  const progress = async (
    action: Exclude<Action, 'readiness'>,
    options: Options = {},
    clock: StepContext = testClock(),
  ) => (await runStep(registry, clientsFor, event(action, options), clock)) as ProgressResult;

  function table(overrides: Partial<TableDescription> = {}): TableDescription {
    return {
      TableName: TABLE,
      TableStatus: 'ACTIVE',
      GlobalTableVersion: '2019.11.21',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      Replicas: [
        { RegionName: PRIMARY, ReplicaStatus: 'ACTIVE' },
        { RegionName: RECOVERY, ReplicaStatus: 'ACTIVE' },
      ],
      ...overrides,
    };
  }

  /** A one-minute Maximum ReplicationLatency datapoint `secondsAgo` before the run's start. */
  function latency(secondsAgo: number, milliseconds: number): Datapoint {
    return {
      Timestamp: new Date(new Date(RUN_STARTED_AT).getTime() - secondsAgo * 1000),
      Maximum: milliseconds,
      Unit: 'Milliseconds',
    };
  }

  /** The probe item this run writes for "sessions". */
  function probeItem(overrides: Record<string, AttributeValue> = {}): Record<string, AttributeValue> {
    return {
      pk: { S: PROBE_KEY },
      'dr-runbook:run-id': { S: RUN_ID },
      'dr-runbook:purpose': { S: 'drill' },
      'dr-runbook:resource': { S: 'sessions' },
      'dr-runbook:plan': { S: 'market' },
      ...overrides,
    };
  }

  const notFound = () => awsError('ResourceNotFoundException', 400, 'Requested resource not found');
  const conditionFailed = (item?: Record<string, AttributeValue>) =>
    Object.assign(awsError('ConditionalCheckFailedException', 400, 'The conditional request failed'), {
      ...(item ? { Item: item } : {}),
    });

  const byName = (checks: ReadinessCheck[], name: string) => checks.find((c) => c.name === name);

  beforeEach(() => {
    for (const mock of mocks) mock.reset();
    regionsAsked = [];
    clientsFor.mockClear();
    dynamodb.on(DescribeTableCommand).resolves({ Table: table() });
    cloudwatch
      .on(GetMetricStatisticsCommand)
      .resolves({ Datapoints: [latency(120, 900), latency(60, 1200)] });
  });

  /** Every call went to the recovery region, RDS was never called, and nothing was written unless told. */
  function expectRecoveryRegionOnly(mutating: string[] = []) {
    expect(new Set(regionsAsked)).toEqual(new Set([RECOVERY]));
    expect(rds.calls()).toHaveLength(0);
    expect(mutatingCommandsSent(mocks)).toEqual(mutating);
  }

  // ---- readiness ----------------------------------------------------------------------------------

  describe('dynamodb-global-table readiness', () => {
    it('passes for an ACTIVE global table replicating with the primary, within the RPO', async () => {
      const result = await readiness('dry-run');

      expect(result).toMatchObject({
        family: 'database',
        resource: 'sessions',
        type: 'dynamodb-global-table',
        ready: true,
        predictedSeconds: 0,
      });
      expect(result.checks.map((c) => [c.name, c.status])).toEqual([
        ['table-active', 'pass'],
        ['global-table', 'pass'],
        ['replica-active', 'pass'],
        ['drill-probe-key', 'pass'],
        ['replication-latency', 'pass'],
      ]);
      expect(byName(result.checks, 'global-table')?.detail).toContain('us-east-1 ACTIVE');
      expect(byName(result.checks, 'replication-latency')?.detail).toContain('at most 1200 ms');
      expect(dynamodb).toHaveReceivedCommandWith(DescribeTableCommand, { TableName: TABLE });
      expect(cloudwatch).toHaveReceivedCommandWith(GetMetricStatisticsCommand, {
        Namespace: 'AWS/DynamoDB',
        MetricName: 'ReplicationLatency',
        Dimensions: [
          { Name: 'TableName', Value: TABLE },
          { Name: 'ReceivingRegion', Value: RECOVERY },
        ],
        Period: 60,
        Statistics: ['Maximum'],
        StartTime: new Date(new Date(RUN_STARTED_AT).getTime() - 600_000),
        EndTime: new Date(RUN_STARTED_AT),
      });
      expectRecoveryRegionOnly();
    });

    it('leaves the drill probe key out of a failover readiness', async () => {
      const result = await readiness('failover');
      expect(result.checks.map((c) => c.name)).toEqual([
        'table-active',
        'global-table',
        'replica-active',
        'replication-latency',
      ]);
    });

    it('accepts a Replicas list that does not name the recovery region (its table status stands for it)', async () => {
      dynamodb.on(DescribeTableCommand).resolves({
        Table: table({ Replicas: [{ RegionName: PRIMARY, ReplicaStatus: 'ACTIVE' }] }),
      });
      const result = await readiness();
      expect(result.ready).toBe(true);
    });

    it('fails every table check when the table is missing from the recovery region', async () => {
      dynamodb.on(DescribeTableCommand).rejects(notFound());
      const result = await readiness('drill');

      expect(result.ready).toBe(false);
      const missing = byName(result.checks, 'table-active');
      expect(missing?.status).toBe('fail');
      expect(missing?.detail).toContain(`DynamoDB table ${TABLE} not found in ${RECOVERY}`);
      expect(missing?.detail).toContain('resources[2].tableName');
      expect(missing?.detail).toContain('ReplicaUpdates');
      for (const name of ['global-table', 'replica-active', 'drill-probe-key']) {
        expect(byName(result.checks, name)?.status).toBe('fail');
      }
      expect(byName(result.checks, 'replication-latency')?.status).toBe('pass');
    });

    it('fails a replica that is not ACTIVE and will not become so by itself', async () => {
      dynamodb.on(DescribeTableCommand).resolves({
        Table: table({
          Replicas: [
            { RegionName: PRIMARY, ReplicaStatus: 'ACTIVE' },
            {
              RegionName: RECOVERY,
              ReplicaStatus: 'INACCESSIBLE_ENCRYPTION_CREDENTIALS',
              ReplicaStatusDescription: 'KMS key disabled',
            },
          ],
        }),
      });
      const result = await readiness();

      const replica = byName(result.checks, 'replica-active');
      expect(replica?.status).toBe('fail');
      expect(replica?.detail).toContain('INACCESSIBLE_ENCRYPTION_CREDENTIALS (KMS key disabled)');
      expect(result.ready).toBe(false);
    });

    it('warns while the replica is UPDATING (a failover waits for it)', async () => {
      dynamodb.on(DescribeTableCommand).resolves({
        Table: table({
          TableStatus: 'UPDATING',
          Replicas: [
            { RegionName: PRIMARY, ReplicaStatus: 'ACTIVE' },
            { RegionName: RECOVERY, ReplicaStatus: 'UPDATING' },
          ],
        }),
      });
      const result = await readiness();

      expect(byName(result.checks, 'table-active')?.status).toBe('warn');
      expect(byName(result.checks, 'replica-active')).toMatchObject({ status: 'warn' });
      expect(result.ready).toBe(true);
    });

    it('fails a table that is not a global table', async () => {
      dynamodb.on(DescribeTableCommand).resolves({
        Table: table({ GlobalTableVersion: undefined, Replicas: undefined }),
      });
      const result = await readiness();

      const global = byName(result.checks, 'global-table');
      expect(global?.status).toBe('fail');
      expect(global?.detail).toContain('is not a global table');
      expect(global?.detail).toContain('resources[2].tableName');
    });

    it('fails a global table with no replica in the primary region', async () => {
      dynamodb.on(DescribeTableCommand).resolves({
        Table: table({
          Replicas: [
            { RegionName: 'eu-west-1', ReplicaStatus: 'ACTIVE' },
            { RegionName: RECOVERY, ReplicaStatus: 'ACTIVE' },
          ],
        }),
      });
      const global = byName((await readiness()).checks, 'global-table');
      expect(global?.status).toBe('fail');
      expect(global?.detail).toContain(`none in the primary region ${PRIMARY}: fix regions.primary`);
    });

    it('fails a legacy (2017.11.29) global table', async () => {
      dynamodb.on(DescribeTableCommand).resolves({ Table: table({ GlobalTableVersion: '2017.11.29' }) });
      const global = byName((await readiness()).checks, 'global-table');
      expect(global?.status).toBe('fail');
      expect(global?.detail).toContain('upgrade it to version 2019.11.21');
    });

    it('warns when the primary replica is not ACTIVE', async () => {
      dynamodb.on(DescribeTableCommand).resolves({
        Table: table({
          Replicas: [
            { RegionName: PRIMARY, ReplicaStatus: 'REGION_DISABLED' },
            { RegionName: RECOVERY, ReplicaStatus: 'ACTIVE' },
          ],
        }),
      });
      expect(byName((await readiness()).checks, 'global-table')?.status).toBe('warn');
    });

    it('fails when the replication latency exceeds the RPO objective', async () => {
      cloudwatch
        .on(GetMetricStatisticsCommand)
        .resolves({ Datapoints: [latency(300, 75_000), latency(60, 1_000)] });
      const result = await readiness('failover');

      const lag = byName(result.checks, 'replication-latency');
      expect(lag?.status).toBe('fail');
      expect(lag?.detail).toContain('reached 75000 ms, above the RPO of 60 s (objectives.rpoSeconds)');
      expect(result.ready).toBe(false);
    });

    it('warns when there are no ReplicationLatency datapoints', async () => {
      cloudwatch.on(GetMetricStatisticsCommand).resolves({ Datapoints: [] });
      const lag = byName((await readiness()).checks, 'replication-latency');
      expect(lag?.status).toBe('warn');
      expect(lag?.detail).toContain('the RPO cannot be predicted');
    });

    it('fails the drill probe key of a table with a number key in a drill, warns in a dry-run', async () => {
      dynamodb.on(DescribeTableCommand).resolves({
        Table: table({
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'version', KeyType: 'RANGE' },
          ],
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'version', AttributeType: 'N' },
          ],
        }),
      });
      const drill = byName((await readiness('drill')).checks, 'drill-probe-key');
      expect(drill?.status).toBe('fail');
      expect(drill?.detail).toContain('version (RANGE N)');
      expect(drill?.detail).toContain('resources[2].drill.probeKeyPrefix');
      expect(byName((await readiness('dry-run')).checks, 'drill-probe-key')?.status).toBe('warn');
    });

    it('turns a denied DescribeTable into failed checks naming the permission and the plan field', async () => {
      dynamodb.on(DescribeTableCommand).rejects(accessDenied());
      const result = await readiness();

      const denied = byName(result.checks, 'table-active');
      expect(denied?.status).toBe('fail');
      expect(denied?.detail).toContain('dynamodb:DescribeTable');
      expect(denied?.detail).toContain('resources[2].tableName');
    });

    it('turns a denied metric read into a failed latency check', async () => {
      cloudwatch.on(GetMetricStatisticsCommand).rejects(accessDenied());
      const lag = byName((await readiness()).checks, 'replication-latency');
      expect(lag?.status).toBe('fail');
      expect(lag?.detail).toContain('access denied');
    });

    it('lets throttling propagate for a retry, then succeeds', async () => {
      dynamodb.on(DescribeTableCommand).rejectsOnce(throttling()).resolves({ Table: table() });
      await expect(readiness()).rejects.toBeInstanceOf(TransientAwsError);
      expect((await readiness()).ready).toBe(true);
    });
  });

  // ---- failover -----------------------------------------------------------------------------------

  describe('dynamodb-global-table failover: nothing to promote', () => {
    it('confirms the recovery replica is ACTIVE and measures the RPO from the newest ReplicationLatency', async () => {
      const result = await progress('start');

      expect(result).toMatchObject({
        family: 'database',
        resource: 'sessions',
        type: 'dynamodb-global-table',
        action: 'start',
        done: true,
        nextCheckSeconds: 0,
        changes: [{ resource: TABLE, action: 'confirm-global-table-replica' }],
        measurements: {
          rpoSeconds: 2, // 1200 ms, rounded up
          replicationLatencyMs: 1200,
          rpoMeasuredAt: latency(60, 0).Timestamp?.toISOString(),
        },
        state: { operation: 'confirm-replica', tableName: TABLE, startedAt: RUN_STARTED_AT },
        completedAt: RUN_STARTED_AT,
      });
      expect(result.detail).toContain('nothing to promote');
      expect(result.changes[0]?.detail).toContain('us-east-1 ACTIVE');
      expect(dynamodb).toHaveReceivedCommandTimes(DescribeTableCommand, 1);
      expect(dynamodb).toHaveReceivedCommandWith(DescribeTableCommand, { TableName: TABLE });
      expect(cloudwatch).toHaveReceivedCommandWith(GetMetricStatisticsCommand, {
        Namespace: 'AWS/DynamoDB',
        MetricName: 'ReplicationLatency',
        Dimensions: [
          { Name: 'TableName', Value: TABLE },
          { Name: 'ReceivingRegion', Value: RECOVERY },
        ],
      });
      expectRecoveryRegionOnly();
    });

    it('is idempotent: a re-run with its own state is done again, from the same start', async () => {
      const clock = testClock();
      const first = await progress('start', {}, clock);
      clock.advance(45);
      const again = await progress('start', { state: first.state }, clock);

      expect(again).toMatchObject({ done: true, state: { startedAt: RUN_STARTED_AT } });
      expect(again.changes).toHaveLength(1);
      expectRecoveryRegionOnly();
    });

    it('polls while the replica is UPDATING, keeping the RPO measured at start', async () => {
      const updating = table({
        Replicas: [
          { RegionName: PRIMARY, ReplicaStatus: 'ACTIVE' },
          { RegionName: RECOVERY, ReplicaStatus: 'UPDATING' },
        ],
      });
      dynamodb
        .on(DescribeTableCommand)
        .resolvesOnce({ Table: updating })
        .resolvesOnce({ Table: updating })
        .resolves({ Table: table() });
      const clock = testClock();

      const start = await progress('start', {}, clock);
      clock.advance(start.nextCheckSeconds);
      const check = await progress('check', { state: start.state }, clock);
      clock.advance(check.nextCheckSeconds);
      const done = await progress('check', { state: check.state }, clock);

      expect(start).toMatchObject({ done: false, nextCheckSeconds: 2, measurements: { rpoSeconds: 2 } });
      expect(start.detail).toContain('UPDATING');
      expect(check).toMatchObject({ action: 'check', done: false });
      expect(done).toMatchObject({
        action: 'check',
        done: true,
        measurements: { rpoSeconds: 2, replicationLatencyMs: 1200 },
        changes: [{ action: 'confirm-global-table-replica' }],
        startedAt: RUN_STARTED_AT,
      });
      expect(dynamodb).toHaveReceivedCommandTimes(DescribeTableCommand, 3);
      expect(cloudwatch).toHaveReceivedCommandTimes(GetMetricStatisticsCommand, 1);
      expectRecoveryRegionOnly();
    });

    it('is done on a check once start was done', async () => {
      const start = await progress('start');
      const check = await progress('check', { state: start.state });
      expect(check).toMatchObject({ done: true, measurements: { rpoSeconds: 2 } });
    });

    it('raises TransientAwsError on throttling, and succeeds when retried', async () => {
      dynamodb.on(DescribeTableCommand).rejectsOnce(throttling()).resolves({ Table: table() });

      await expect(progress('start')).rejects.toBeInstanceOf(TransientAwsError);
      await expect(progress('start')).resolves.toMatchObject({ done: true });
    });

    it('treats a 5xx as transient', async () => {
      dynamodb.on(DescribeTableCommand).rejects(awsError('InternalServerError', 500));
      await expect(progress('start')).rejects.toBeInstanceOf(TransientAwsError);
    });

    it('fails with TableNotFoundError naming the plan field when the table is missing', async () => {
      dynamodb.on(DescribeTableCommand).rejects(notFound());

      const error = await progress('start').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TableNotFoundError);
      expect((error as Error).name).toBe('TableNotFoundError');
      expect((error as Error).message).toContain(`DynamoDB table ${TABLE} not found in ${RECOVERY}`);
      expect((error as Error).message).toContain('resources[2].tableName');
    });

    it('fails with AccessDeniedError naming the action, the table ARN and the plan field', async () => {
      dynamodb.on(DescribeTableCommand).rejects(accessDenied());

      const error = await progress('start').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AccessDeniedError);
      expect((error as Error).message).toContain('dynamodb:DescribeTable');
      expect((error as Error).message).toContain(`arn:aws:dynamodb:${RECOVERY}:<account>:table/${TABLE}`);
      expect((error as Error).message).toContain('resources[2].tableName');
    });

    it('fails on a replica that cannot take writes', async () => {
      dynamodb.on(DescribeTableCommand).resolves({
        Table: table({
          Replicas: [
            { RegionName: PRIMARY, ReplicaStatus: 'ACTIVE' },
            { RegionName: RECOVERY, ReplicaStatus: 'REGION_DISABLED' },
          ],
        }),
      });
      await expect(progress('start')).rejects.toBeInstanceOf(InvalidResourceStateError);
    });

    it('is done even with the primary replica gone from the table (the primary region is down)', async () => {
      dynamodb.on(DescribeTableCommand).resolves({
        Table: table({ Replicas: [{ RegionName: RECOVERY, ReplicaStatus: 'ACTIVE' }] }),
      });
      await expect(progress('start')).resolves.toMatchObject({ done: true });
    });

    it('notes an RPO it cannot measure instead of delaying the failover', async () => {
      cloudwatch.on(GetMetricStatisticsCommand).rejects(throttling());
      const throttled = await progress('start');
      expect(throttled.done).toBe(true);
      expect(throttled.measurements?.note).toContain('RPO not measured');
      expect(throttled.measurements?.rpoSeconds).toBeUndefined();

      cloudwatch.on(GetMetricStatisticsCommand).resolves({ Datapoints: [] });
      const none = await progress('start');
      expect(none.measurements?.note).toContain('no ReplicationLatency');
    });

    it('refuses a check without the state start returned, and a revert outside drills', async () => {
      await expect(progress('check')).rejects.toBeInstanceOf(InvalidStepInputError);
      await expect(progress('revert')).rejects.toBeInstanceOf(InvalidStepInputError);
      await expect(
        progress('check', { state: { operation: 'probe', tableName: TABLE, startedAt: RUN_STARTED_AT } }),
      ).rejects.toBeInstanceOf(InvalidStepInputError);
      expect(dynamodb.calls()).toHaveLength(0);
    });

    it('refuses to start in a dry-run', async () => {
      await expect(progress('start', { mode: 'dry-run' })).rejects.toBeInstanceOf(InvalidStepInputError);
    });
  });

  describe('dynamodb-global-table switchover: nothing to move', () => {
    it('confirms the recovery replica as a failover does, with RPO 0, and reads no latency', async () => {
      const result = await progress('start', { mode: 'switchover' });

      expect(result).toMatchObject({
        action: 'start',
        done: true,
        changes: [{ resource: TABLE, action: 'confirm-global-table-replica' }],
        measurements: { rpoSeconds: 0, rpoMeasuredAt: RUN_STARTED_AT },
        state: { operation: 'confirm-replica', tableName: TABLE, startedAt: RUN_STARTED_AT },
      });
      expect(result.measurements).not.toHaveProperty('replicationLatencyMs');
      expect(cloudwatch).not.toHaveReceivedCommand(GetMetricStatisticsCommand);
      expectRecoveryRegionOnly();
    });

    it('polls an UPDATING replica on a check, keeping RPO 0; its readiness is a failover readiness', async () => {
      dynamodb.on(DescribeTableCommand).resolves({ Table: table({ TableStatus: 'UPDATING' }) });
      const started = await progress('start', { mode: 'switchover' });
      expect(started.done).toBe(false);

      dynamodb.on(DescribeTableCommand).resolves({ Table: table() });
      const done = await progress('check', { mode: 'switchover', state: started.state });
      expect(done).toMatchObject({ done: true, measurements: { rpoSeconds: 0 } });
      await expect(progress('revert', { mode: 'switchover' })).rejects.toBeInstanceOf(InvalidStepInputError);

      const ready = await readiness('switchover');
      expect(ready.checks.map((c) => c.name)).toEqual(
        (await readiness('failover')).checks.map((c) => c.name),
      );
    });
  });

  // ---- drill --------------------------------------------------------------------------------------

  describe('dynamodb-global-table drill: a probe item in the recovery replica', () => {
    beforeEach(() => {
      dynamodb.on(PutItemCommand).resolves({});
      dynamodb.on(GetItemCommand).resolves({ Item: probeItem() });
    });

    it('writes the marked probe item, reads it back with a consistent read, and measures the RPO and round trip', async () => {
      const clock = testClock();
      dynamodb.on(GetItemCommand).callsFake(() => {
        clock.advance(0.015);
        return { Item: probeItem() };
      });
      const result = await progress('start', { mode: 'drill' }, clock);

      expect(result).toMatchObject({
        resource: 'sessions',
        type: 'dynamodb-global-table',
        action: 'start',
        done: true,
        state: { operation: 'probe', tableName: TABLE },
        changes: [{ resource: TABLE, action: 'write-probe-item' }],
        measurements: { rpoSeconds: 2, replicationLatencyMs: 1200, probeRoundTripMs: 15 },
      });
      expect(result.changes[0]?.detail).toContain(PROBE_KEY);
      const put = dynamodb.commandCalls(PutItemCommand)[0]?.args[0].input;
      expect(put).toEqual({
        TableName: TABLE,
        Item: {
          pk: { S: PROBE_KEY },
          'dr-runbook:run-id': { S: RUN_ID },
          'dr-runbook:purpose': { S: 'drill' },
          'dr-runbook:resource': { S: 'sessions' },
          'dr-runbook:plan': { S: 'market' },
          'dr-runbook:written-at': { S: RUN_STARTED_AT },
        },
        ConditionExpression:
          'attribute_not_exists(#key) OR (#run = :run AND #purpose = :purpose AND #resource = :resource)',
        ExpressionAttributeNames: {
          '#key': 'pk',
          '#run': 'dr-runbook:run-id',
          '#purpose': 'dr-runbook:purpose',
          '#resource': 'dr-runbook:resource',
        },
        ExpressionAttributeValues: {
          ':run': { S: RUN_ID },
          ':purpose': { S: 'drill' },
          ':resource': { S: 'sessions' },
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
      expect(dynamodb).toHaveReceivedCommandWith(GetItemCommand, {
        TableName: TABLE,
        Key: { pk: { S: PROBE_KEY } },
        ConsistentRead: true,
      });
      expect(dynamodb).not.toHaveReceivedCommand(DeleteItemCommand);
      expectRecoveryRegionOnly(['PutItem']);
    });

    it('sets every string key attribute (partition and sort key) to the probe key', async () => {
      dynamodb.on(DescribeTableCommand).resolves({
        Table: table({
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
        }),
      });
      dynamodb.on(GetItemCommand).resolves({ Item: probeItem({ sk: { S: PROBE_KEY } }) });
      await progress('start', { mode: 'drill' });

      expect(dynamodb.commandCalls(PutItemCommand)[0]?.args[0].input.Item).toMatchObject({
        pk: { S: PROBE_KEY },
        sk: { S: PROBE_KEY },
      });
      expect(dynamodb).toHaveReceivedCommandWith(GetItemCommand, {
        Key: { pk: { S: PROBE_KEY }, sk: { S: PROBE_KEY } },
        ConsistentRead: true,
      });
    });

    it('refuses a table with a number key before writing anything, naming the plan field and the key schema', async () => {
      dynamodb.on(DescribeTableCommand).resolves({
        Table: table({
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'N' }],
        }),
      });
      const error = await progress('start', { mode: 'drill' }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(InvalidResourceStateError);
      expect((error as Error).message).toContain('resources[2].drill.probeKeyPrefix');
      expect((error as Error).message).toContain('id (HASH N)');
      expect(dynamodb).not.toHaveReceivedCommand(PutItemCommand);
    });

    it('never overwrites an item with the probe key that is not this run probe', async () => {
      dynamodb.on(PutItemCommand).rejects(conditionFailed({ pk: { S: PROBE_KEY }, owner: { S: 'someone' } }));
      const error = await progress('start', { mode: 'drill' }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(InvalidResourceStateError);
      expect((error as Error).message).toContain('refusing to overwrite');
      expect(dynamodb).not.toHaveReceivedCommand(GetItemCommand);
    });

    it('fails when a consistent read does not return the probe just written', async () => {
      dynamodb.on(GetItemCommand).resolves({});
      await expect(progress('start', { mode: 'drill' })).rejects.toBeInstanceOf(InvalidResourceStateError);
    });

    it('is idempotent: a re-run rewrites its own probe and is done again', async () => {
      const first = await progress('start', { mode: 'drill' });
      const again = await progress('start', { mode: 'drill', state: first.state });

      expect(again).toMatchObject({ done: true, state: { startedAt: RUN_STARTED_AT } });
      expect(dynamodb).toHaveReceivedCommandTimes(PutItemCommand, 2);
      expect(dynamodb.commandCalls(PutItemCommand)[1]?.args[0].input.Item?.pk).toEqual({ S: PROBE_KEY });
    });

    it('waits for an UPDATING replica, then probes it on a check', async () => {
      dynamodb
        .on(DescribeTableCommand)
        .resolvesOnce({ Table: table({ TableStatus: 'UPDATING' }) })
        .resolves({ Table: table() });
      const clock = testClock();
      const start = await progress('start', { mode: 'drill' }, clock);
      clock.advance(start.nextCheckSeconds);
      const check = await progress('check', { mode: 'drill', state: start.state }, clock);

      expect(start).toMatchObject({ done: false, nextCheckSeconds: 2 });
      expect(check).toMatchObject({ action: 'check', done: true, measurements: { probeRoundTripMs: 0 } });
      expect(dynamodb).toHaveReceivedCommandTimes(PutItemCommand, 1);
    });

    it('raises TransientAwsError on a throttled write, and succeeds when retried', async () => {
      dynamodb
        .on(PutItemCommand)
        .rejectsOnce(awsError('ProvisionedThroughputExceededException'))
        .resolves({});
      await expect(progress('start', { mode: 'drill' })).rejects.toBeInstanceOf(TransientAwsError);
      await expect(progress('start', { mode: 'drill' })).resolves.toMatchObject({ done: true });
    });

    it('names dynamodb:PutItem and the plan field when the write is denied', async () => {
      dynamodb.on(PutItemCommand).rejects(accessDenied());
      const error = await progress('start', { mode: 'drill' }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(AccessDeniedError);
      expect((error as Error).message).toContain('dynamodb:PutItem');
      expect((error as Error).message).toContain('resources[2].tableName');
    });

    it('fails with TableNotFoundError when the table is missing', async () => {
      dynamodb.on(DescribeTableCommand).rejects(notFound());
      await expect(progress('start', { mode: 'drill' })).rejects.toBeInstanceOf(TableNotFoundError);
      expect(dynamodb).not.toHaveReceivedCommand(PutItemCommand);
    });
  });

  // ---- drill revert -------------------------------------------------------------------------------

  describe('dynamodb-global-table drill revert: delete the probe', () => {
    const probeState = { operation: 'probe', tableName: TABLE, startedAt: RUN_STARTED_AT };
    const revert = (state?: Record<string, unknown>, clock: StepContext = testClock()) =>
      progress('revert', { mode: 'drill', ...(state ? { state } : {}) }, clock);

    beforeEach(() => {
      dynamodb.on(DeleteItemCommand).resolves({});
    });

    it('deletes the probe only while it is this run probe, and is done when a later look agrees it is gone', async () => {
      dynamodb.on(GetItemCommand).resolvesOnce({ Item: probeItem() }).resolves({});
      const clock = testClock();

      const first = await revert(probeState, clock);
      clock.advance(first.nextCheckSeconds);
      const second = await revert(first.state, clock);

      expect(first).toMatchObject({
        action: 'revert',
        done: false,
        nextCheckSeconds: 2,
        changes: [{ resource: TABLE, action: 'delete-probe-item' }],
        state: { operation: 'delete-probe', tableName: TABLE, goneSeenAt: RUN_STARTED_AT },
      });
      expect(second).toMatchObject({ done: true, changes: [{ action: 'delete-probe-item' }] });
      expect(second.detail).toContain('confirmed gone');
      expect(dynamodb).toHaveReceivedCommandTimes(DeleteItemCommand, 1);
      expect(dynamodb.commandCalls(DeleteItemCommand)[0]?.args[0].input).toEqual({
        TableName: TABLE,
        Key: { pk: { S: PROBE_KEY } },
        ConditionExpression: '#run = :run AND #purpose = :purpose AND #resource = :resource',
        ExpressionAttributeNames: {
          '#run': 'dr-runbook:run-id',
          '#purpose': 'dr-runbook:purpose',
          '#resource': 'dr-runbook:resource',
        },
        ExpressionAttributeValues: {
          ':run': { S: RUN_ID },
          ':purpose': { S: 'drill' },
          ':resource': { S: 'sessions' },
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
      for (const call of dynamodb.commandCalls(GetItemCommand)) {
        expect(call.args[0].input).toEqual({
          TableName: TABLE,
          Key: { pk: { S: PROBE_KEY } },
          ConsistentRead: true,
        });
      }
      expectRecoveryRegionOnly(['DeleteItem']);
    });

    it('needs no state: finds the probe by its key, and trusts no single look', async () => {
      dynamodb.on(GetItemCommand).resolves({});
      const clock = testClock();

      const first = await revert(undefined, clock);
      clock.advance(first.nextCheckSeconds);
      const second = await revert(first.state, clock);

      expect(first).toMatchObject({ done: false, changes: [] });
      expect(first.detail).toContain('looking again');
      expect(second).toMatchObject({ done: true });
      expect(dynamodb).not.toHaveReceivedCommand(DeleteItemCommand);
    });

    it('is idempotent: a re-run with the done state is done again without deleting anything', async () => {
      dynamodb.on(GetItemCommand).resolves({});
      const done = {
        operation: 'delete-probe',
        tableName: TABLE,
        startedAt: RUN_STARTED_AT,
        goneSeenAt: RUN_STARTED_AT,
      };
      const clock = testClock();
      clock.advance(30);

      const again = await revert(done, clock);
      const once_more = await revert(again.state, clock);

      expect(again).toMatchObject({ done: true, state: { goneSeenAt: RUN_STARTED_AT } });
      expect(once_more.done).toBe(true);
      expect(dynamodb).not.toHaveReceivedCommand(DeleteItemCommand);
    });

    it('deletes a probe that reappeared after it was seen gone', async () => {
      dynamodb.on(GetItemCommand).resolvesOnce({ Item: probeItem() }).resolves({});
      const clock = testClock();
      clock.advance(10);
      const result = await revert(
        {
          operation: 'delete-probe',
          tableName: TABLE,
          startedAt: RUN_STARTED_AT,
          goneSeenAt: RUN_STARTED_AT,
        },
        clock,
      );

      expect(result.done).toBe(false);
      expect(result.detail).toContain('reappeared');
      expect(dynamodb).toHaveReceivedCommandTimes(DeleteItemCommand, 1);
    });

    it('takes a probe already gone at the delete as a first sighting', async () => {
      dynamodb.on(GetItemCommand).resolvesOnce({ Item: probeItem() }).resolves({});
      dynamodb.on(DeleteItemCommand).rejects(conditionFailed());
      const result = await revert(probeState);

      expect(result).toMatchObject({ done: false, changes: [], state: { goneSeenAt: RUN_STARTED_AT } });
      expect(result.detail).toContain('gone before the delete');
    });

    it('refuses to delete an item with the probe key that is not this run probe', async () => {
      dynamodb
        .on(GetItemCommand)
        .resolves({ Item: probeItem({ 'dr-runbook:run-id': { S: 'another-run' } }) });
      const error = await revert(probeState).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(InvalidResourceStateError);
      expect((error as Error).message).toContain('dr-runbook:run-id=another-run');
      expect(dynamodb).not.toHaveReceivedCommand(DeleteItemCommand);
    });

    it('takes a missing table as a probe gone, confirmed on a later look', async () => {
      dynamodb.on(DescribeTableCommand).rejects(notFound());
      const clock = testClock();
      const first = await revert(probeState, clock);
      clock.advance(first.nextCheckSeconds);
      const second = await revert(first.state, clock);

      expect(first.done).toBe(false);
      expect(second.done).toBe(true);
      expect(dynamodb).not.toHaveReceivedCommand(GetItemCommand);
    });

    it('is done at once for a table whose keys could never hold a probe', async () => {
      dynamodb.on(DescribeTableCommand).resolves({
        Table: table({
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'B' }],
        }),
      });
      await expect(revert(probeState)).resolves.toMatchObject({ done: true, changes: [] });
      expect(dynamodb).not.toHaveReceivedCommand(GetItemCommand);
    });

    it('raises TransientAwsError on a throttled delete, and finishes when retried', async () => {
      dynamodb
        .on(GetItemCommand)
        .resolvesOnce({ Item: probeItem() })
        .resolvesOnce({ Item: probeItem() })
        .resolves({});
      dynamodb.on(DeleteItemCommand).rejectsOnce(throttling()).resolves({});

      await expect(revert(probeState)).rejects.toBeInstanceOf(TransientAwsError);
      await expect(revert(probeState)).resolves.toMatchObject({
        done: false,
        state: { goneSeenAt: RUN_STARTED_AT },
      });
    });

    it('names dynamodb:DeleteItem when the delete is denied', async () => {
      dynamodb.on(GetItemCommand).resolves({ Item: probeItem() });
      dynamodb.on(DeleteItemCommand).rejects(accessDenied());
      const error = await revert(probeState).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(AccessDeniedError);
      expect((error as Error).message).toContain('dynamodb:DeleteItem');
    });

    it('refuses the state of another table', async () => {
      await expect(
        revert({ operation: 'probe', tableName: 'other-table', startedAt: RUN_STARTED_AT }),
      ).rejects.toBeInstanceOf(InvalidStepInputError);
    });
  });
});
