import 'aws-sdk-client-mock-jest';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { Executions } from '../../../functions/lock/executions.ts';
import {
  AlreadyRunningError,
  acquireLock,
  type LockPorts,
  releaseLock,
} from '../../../functions/lock/lock.ts';
import type { RunRecord } from '../../../functions/runbook/execution-input.ts';
import { AccessDeniedError } from '../../../functions/shared/errors.ts';
import { mockClient } from '../../aws-mock.ts';
import { examplePlan } from '../../fixtures.ts';

describe('lock', () => {
  const plan = examplePlan();
  const dynamo = mockClient(DynamoDBClient);
  const NOW = new Date('2026-11-25T12:00:00.000Z');
  const TABLE = 'dr-runbook-shop';
  const ARN = (name: string) => `arn:aws:states:us-west-2:123456789012:execution:dr-runbook-shop:${name}`;

  function run(mode: RunRecord['mode'], id = `${mode}-1`): RunRecord {
    return {
      id,
      mode,
      startedAt: NOW.toISOString(),
      incidentStartedAt: NOW.toISOString(),
      trigger: { type: 'console' },
      approvalRequired: false,
      lockExpiresAt: '2026-11-26T00:00:00.000Z',
      executionArn: ARN(id),
    };
  }

  /** The lock item as DynamoDB returns it. */
  function held(fields: Record<string, string | boolean>) {
    return {
      Item: Object.fromEntries([
        ['pk', { S: 'LOCK#shop' }],
        ['sk', { S: 'LOCK' }],
        ['token', { S: 'token-1' }],
        ...Object.entries(fields).map(([k, v]) => [k, typeof v === 'boolean' ? { BOOL: v } : { S: v }]),
      ]),
    };
  }

  const drillHolder = {
    runId: 'drill-7',
    mode: 'drill',
    executionArn: ARN('drill-7'),
    acquiredAt: '2026-11-25T11:50:00Z',
    expiresAt: '2026-11-25T23:50:00Z',
  };

  function ports(
    status: Executions['describe'] = async (arn) => ({
      arn,
      name: 'x',
      status: 'RUNNING',
      startedAt: NOW.toISOString(),
    }),
  ) {
    const stop = jest.fn<Executions['stop']>(async () => undefined);
    const value: LockPorts = {
      dynamo: dynamo as unknown as DynamoDBClient,
      tableName: TABLE,
      executions: { describe: status, stop },
    };
    return { value, stop };
  }

  beforeEach(() => {
    dynamo.reset();
    dynamo.on(PutItemCommand).resolves({});
  });

  describe('acquireLock', () => {
    it('takes a free lock, on the condition that nobody took it meanwhile', async () => {
      dynamo.on(GetItemCommand).resolves({});
      const { value } = ports();

      expect(await acquireLock(plan, run('drill'), value, NOW)).toEqual({ acquired: true });
      expect(dynamo).toHaveReceivedCommandWith(PutItemCommand, {
        ConditionExpression: 'attribute_not_exists(pk)',
        Item: expect.objectContaining({ runId: { S: 'drill-1' }, executionArn: { S: ARN('drill-1') } }),
      });
    });

    it('takes over at once the lock of an execution that is no longer running', async () => {
      dynamo.on(GetItemCommand).resolves(held(drillHolder));
      const { value, stop } = ports(async (arn) => ({
        arn,
        name: 'drill-7',
        status: 'ABORTED',
        startedAt: NOW.toISOString(),
      }));

      expect(await acquireLock(plan, run('drill'), value, NOW)).toEqual({
        acquired: true,
        tookOverDeadRun: { runId: 'drill-7', mode: 'drill', executionArn: ARN('drill-7'), status: 'ABORTED' },
      });
      expect(stop).not.toHaveBeenCalled();
      expect(dynamo).toHaveReceivedCommandWith(PutItemCommand, {
        ConditionExpression: '#token = :seen',
        ExpressionAttributeValues: { ':seen': { S: 'token-1' } },
      });
    });

    it('lets a failover stop a live drill first, then take its lock', async () => {
      dynamo.on(GetItemCommand).resolves(held(drillHolder));
      const { value, stop } = ports();

      const acquired = await acquireLock(plan, run('failover'), value, NOW);

      expect(acquired.preempted).toEqual({ runId: 'drill-7', mode: 'drill', executionArn: ARN('drill-7') });
      expect(stop).toHaveBeenCalledWith(ARN('drill-7'), 'Preempted', expect.stringContaining('failover-1'));
      expect(dynamo).toHaveReceivedCommandWith(PutItemCommand, {
        Item: expect.objectContaining({ preemptedRunId: { S: 'drill-7' }, mode: { S: 'failover' } }),
      });
    });

    it('lets a failover preempt another failover only while that one waits for approval', async () => {
      dynamo
        .on(GetItemCommand)
        .resolves(held({ ...drillHolder, runId: 'failover-0', mode: 'failover', awaitingApproval: true }));
      const { value, stop } = ports();

      const acquired = await acquireLock(plan, run('failover'), value, NOW);

      expect(acquired.preempted?.runId).toBe('failover-0');
      expect(stop).toHaveBeenCalled();
    });

    it.each([
      [
        'a live failover',
        held({ ...drillHolder, runId: 'failover-0', mode: 'failover' }),
        /a live failover is not preempted/,
      ],
      [
        'the cooldown after a failover',
        held({ mode: 'failover', cooldownUntil: '2026-11-25T12:30:00.000Z', cooldownRunId: 'failover-0' }),
        /cooldown after failover failover-0/,
      ],
    ])('refuses a failover while %s holds the lock, stopping nothing', async (_, item, message) => {
      dynamo.on(GetItemCommand).resolves(item);
      const { value, stop } = ports();

      const acquiring = acquireLock(plan, run('failover'), value, NOW);

      await expect(acquiring).rejects.toThrow(AlreadyRunningError);
      await expect(acquiring).rejects.toThrow(message);
      expect(stop).not.toHaveBeenCalled();
      expect(dynamo).not.toHaveReceivedCommand(PutItemCommand);
    });

    it('lets a failover preempt a live switchover (the planned move gives way to the emergency)', async () => {
      dynamo.on(GetItemCommand).resolves(held({ ...drillHolder, runId: 'switchover-3', mode: 'switchover' }));
      const { value, stop } = ports();

      const acquired = await acquireLock(plan, run('failover'), value, NOW);

      expect(acquired.preempted).toMatchObject({ runId: 'switchover-3', mode: 'switchover' });
      expect(stop).toHaveBeenCalledWith(ARN('drill-7'), 'Preempted', expect.stringContaining('failover-1'));
    });

    it('refuses a switchover while a live drill holds the lock: only a failover preempts', async () => {
      dynamo.on(GetItemCommand).resolves(held(drillHolder));
      const { value, stop } = ports();
      await expect(acquireLock(plan, run('switchover'), value, NOW)).rejects.toThrow(AlreadyRunningError);
      expect(stop).not.toHaveBeenCalled();
    });

    it('refuses a drill while another live drill holds the lock', async () => {
      dynamo.on(GetItemCommand).resolves(held(drillHolder));
      await expect(acquireLock(plan, run('drill', 'drill-8'), ports().value, NOW)).rejects.toThrow(
        'another run of plan "shop" holds the lock: run drill-7 (drill',
      );
    });

    it('does not let an unreadable holder stop a failover: a drill is still preempted', async () => {
      dynamo.on(GetItemCommand).resolves(held(drillHolder));
      const { value, stop } = ports(async () => {
        throw new AccessDeniedError('access denied to describe the execution', ARN('drill-7'));
      });

      const acquired = await acquireLock(plan, run('failover'), value, NOW);

      expect(acquired.preempted?.runId).toBe('drill-7');
      expect(stop).toHaveBeenCalled();
    });

    it('goes on when the preempted drill cannot be stopped, and says so', async () => {
      dynamo.on(GetItemCommand).resolves(held(drillHolder));
      const { value, stop } = ports();
      stop.mockRejectedValue(new AccessDeniedError('access denied to stop the execution', ARN('drill-7')));

      const acquired = await acquireLock(plan, run('failover'), value, NOW);

      expect(acquired.preempted).toMatchObject({
        runId: 'drill-7',
        stopFailed: 'access denied to stop the execution',
      });
    });

    it('reads the lock again when another run changed it between read and write', async () => {
      dynamo.on(GetItemCommand).resolvesOnce({}).resolves(held(drillHolder));
      dynamo
        .on(PutItemCommand)
        .rejectsOnce(
          new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
        );
      const { value } = ports();

      await expect(acquireLock(plan, run('drill', 'drill-8'), value, NOW)).rejects.toThrow(
        AlreadyRunningError,
      );
      expect(dynamo).toHaveReceivedCommandTimes(GetItemCommand, 2);
    });
  });

  describe('releaseLock', () => {
    it('turns the lock of a recovered failover into the cooldown', async () => {
      dynamo.on(UpdateItemCommand).resolves({});

      const released = await releaseLock(plan, run('failover'), true, ports().value, NOW);

      expect(released).toEqual({ released: true, cooldownUntil: '2026-11-25T13:00:00.000Z' });
      expect(dynamo).toHaveReceivedCommandWith(UpdateItemCommand, { ConditionExpression: 'runId = :runId' });
    });

    it('turns the lock of a recovered switchover into the cooldown too, and frees that of one that did not recover', async () => {
      dynamo.on(UpdateItemCommand).resolves({});
      dynamo.on(DeleteItemCommand).resolves({});

      expect(await releaseLock(plan, run('switchover'), true, ports().value, NOW)).toEqual({
        released: true,
        cooldownUntil: '2026-11-25T13:00:00.000Z',
      });
      expect(
        (await releaseLock(plan, run('switchover'), false, ports().value, NOW)).cooldownUntil,
      ).toBeUndefined();
    });

    it('deletes the lock of a drill, and leaves alone a lock that is no longer its own', async () => {
      dynamo
        .on(DeleteItemCommand)
        .resolvesOnce({})
        .rejects(
          new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
        );

      expect(await releaseLock(plan, run('drill'), false, ports().value, NOW)).toEqual({ released: true });
      expect(await releaseLock(plan, run('drill'), false, ports().value, NOW)).toEqual({
        released: false,
        detail: 'the lock of plan "shop" is not held by run drill-1',
      });
    });
  });
});
