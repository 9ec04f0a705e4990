import 'aws-sdk-client-mock-jest';
import { DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { cleanUpDeadRun, RunStillRunningError } from '../../../functions/lock/cleanup.ts';
import type { ExecutionInfo } from '../../../functions/lock/executions.ts';
import type { RunRecord } from '../../../functions/runbook/execution-input.ts';
import { mockClient } from '../../aws-mock.ts';
import { examplePlan } from '../../fixtures.ts';

describe('cleanup', () => {
  const plan = examplePlan();
  const dynamo = mockClient(DynamoDBClient);
  const NOW = new Date('2026-11-25T12:10:00.000Z');
  const MACHINE = 'arn:aws:states:us-west-2:123456789012:stateMachine:dr-runbook-shop';
  const ARN = (name: string) => `arn:aws:states:us-west-2:123456789012:execution:dr-runbook-shop:${name}`;

  const cleanupRun: RunRecord = {
    id: 'cleanup-1',
    mode: 'revert',
    startedAt: NOW.toISOString(),
    incidentStartedAt: NOW.toISOString(),
    trigger: { type: 'execution-ended', executionArn: ARN('drill-7'), status: 'ABORTED' },
    approvalRequired: false,
    lockExpiresAt: '2026-11-26T00:10:00.000Z',
    executionArn: ARN('cleanup-1'),
    revertTarget: { executionArn: ARN('drill-7'), status: 'ABORTED' },
  };

  function dead(status: ExecutionInfo['status'], mode = 'drill'): ExecutionInfo {
    return {
      arn: ARN('drill-7'),
      name: 'drill-7',
      status,
      startedAt: '2026-11-25T12:00:00.000Z',
      stoppedAt: '2026-11-25T12:09:30.000Z',
      input: JSON.stringify({ mode }),
    };
  }

  const ports = (info: ExecutionInfo | undefined) => ({
    dynamo: dynamo as unknown as DynamoDBClient,
    tableName: 'dr-runbook-shop',
    executions: { describe: async () => info, stop: async () => undefined },
  });

  const lockOf = (fields: Record<string, string>) => ({
    Item: {
      pk: { S: 'LOCK#shop' },
      sk: { S: 'LOCK' },
      token: { S: 't' },
      ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, { S: v }])),
    },
  });

  beforeEach(() => {
    dynamo.reset();
    dynamo.on(QueryCommand).resolves({ Items: [] });
    dynamo.on(PutItemCommand).resolves({});
  });

  describe('cleanUpDeadRun', () => {
    it('refuses a run that is still running: it cleans up after itself', async () => {
      await expect(cleanUpDeadRun(plan, cleanupRun, MACHINE, ports(dead('RUNNING')), NOW)).rejects.toThrow(
        RunStillRunningError,
      );
    });

    it('takes over the lock of a killed drill, reverts everything, records it, and waits for what it started', async () => {
      dynamo
        .on(GetItemCommand)
        .resolves(lockOf({ runId: 'drill-7', mode: 'drill', executionArn: ARN('drill-7') }));

      const result = await cleanUpDeadRun(plan, cleanupRun, MACHINE, ports(dead('ABORTED')), NOW);

      expect(result).toMatchObject({
        scope: 'full',
        lockAcquired: true,
        lockReleased: true,
        recordedAborted: true,
        record: { runId: 'drill-7', mode: 'drill', status: 'ABORTED' },
        revertRun: { id: 'drill-7', mode: 'drill', keepCompute: false },
        // stopped at 12:09:30, plus the step timeout and a margin
        settleUntil: '2026-11-25T12:10:35.000Z',
      });
    });

    it('removes only what is drill-only when a failover holds the lock, keeping the compute', async () => {
      dynamo.on(GetItemCommand).resolves(
        lockOf({
          runId: 'failover-9',
          mode: 'failover',
          executionArn: ARN('failover-9'),
          preemptedRunId: 'drill-7',
        }),
      );
      const withLiveFailover = {
        ...ports(dead('ABORTED')),
        executions: {
          describe: async (arn: string) =>
            arn === ARN('failover-9')
              ? { ...dead('RUNNING', 'failover'), arn, name: 'failover-9' }
              : dead('ABORTED'),
          stop: async () => undefined,
        },
      };

      const result = await cleanUpDeadRun(plan, cleanupRun, MACHINE, withLiveFailover, NOW);

      expect(result).toMatchObject({
        scope: 'drill-only',
        lockAcquired: false,
        record: { runId: 'drill-7', preemptedBy: 'failover-9' },
        revertRun: { keepCompute: true },
      });
      expect(result.kept).toEqual(['compute: kept as it is for failover failover-9']);
    });

    it('does nothing for a run that failed through its own tail (it is recorded, its lock released)', async () => {
      dynamo.on(GetItemCommand).resolves({});
      dynamo.on(QueryCommand).resolves({ Items: [{ sk: { S: '2026-11-25T12:00:00.000Z#drill-7' } }] });

      const result = await cleanUpDeadRun(plan, cleanupRun, MACHINE, ports(dead('FAILED')), NOW);

      expect(result).toMatchObject({ scope: 'none', recordedAborted: false, lockReleased: false });
      expect(result.record).toBeUndefined();
      expect(dynamo).not.toHaveReceivedCommand(PutItemCommand);
    });

    it('does not record a run rejected at its input (FAILED, no lock, no record)', async () => {
      dynamo.on(GetItemCommand).resolves({});

      const result = await cleanUpDeadRun(plan, cleanupRun, MACHINE, ports(dead('FAILED')), NOW);

      expect(result).toMatchObject({ scope: 'none', recordedAborted: false });
    });
  });
});
