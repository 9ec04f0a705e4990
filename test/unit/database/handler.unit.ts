import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DescribeDBInstancesCommand, DescribeDBSnapshotsCommand, RDSClient } from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { Context } from 'aws-lambda';
import { databaseClientsFor } from '../../../functions/database/clients.ts';
import { handler } from '../../../functions/database/handler.ts';
import { databaseSteps } from '../../../functions/database/steps.ts';
import { InvalidStepInputError } from '../../../functions/shared/errors.ts';
import { runStep } from '../../../functions/shared/family-handler.ts';
import type { ReadinessResult } from '../../../functions/shared/step-contract.ts';
import { localLambdaContext } from '../../../local/lambda-context.ts';
import { mockClient } from '../../aws-mock.ts';
import { RUN_STARTED_AT, testClock } from '../../fixtures.ts';
import { backupRestore, databaseClients, notFound, rdsEvent } from './database-fixtures.ts';

describe('handler', () => {
  const rds = mockClient(RDSClient);
  const cloudwatch = mockClient(CloudWatchClient);

  const lambdaContext = localLambdaContext('dr-runbook-database') satisfies Context;

  describe('database handler', () => {
    beforeEach(() => {
      rds.reset();
      cloudwatch.reset();
    });

    it('runs every database type of the plan schema', () => {
      expect(Object.keys(databaseSteps).sort()).toEqual([
        'aurora-global-database',
        'dynamodb-global-table',
        'rds-read-replica',
        'rds-snapshot-restore',
      ]);
    });

    it('runs readiness with clients of the recovery region only, never the primary', async () => {
      rds.on(DescribeDBInstancesCommand).rejects(notFound());
      rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [] });
      const clientsFor = jest.fn((_region: string) => databaseClients());

      const result = await runStep(
        databaseSteps,
        clientsFor,
        rdsEvent('readiness', { mode: 'dry-run' }),
        testClock(),
      );

      expect(clientsFor).toHaveBeenCalledWith('us-west-2');
      expect(clientsFor).not.toHaveBeenCalledWith('us-east-1');
      expect(result).toMatchObject({ family: 'database', resource: 'db', type: 'rds-read-replica' });
    });

    it('creates memoized clients in the region it is asked for', async () => {
      const clients = databaseClientsFor('us-west-2');

      expect(databaseClientsFor('us-west-2')).toBe(clients);
      await expect(clients.rds.config.region()).resolves.toBe('us-west-2');
      await expect(clients.cloudwatch.config.region()).resolves.toBe('us-west-2');
      await expect(clients.dynamodb.config.region()).resolves.toBe('us-west-2');
    });

    it('handles a Lambda invocation end to end', async () => {
      rds.on(DescribeDBInstancesCommand).rejects(notFound());
      rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [] });

      const result = (await handler(
        rdsEvent('readiness', { mode: 'dry-run' }),
        lambdaContext,
      )) as ReadinessResult;

      expect(result).toMatchObject({ family: 'database', resource: 'db', ready: false });
      expect(result.evaluatedAt).toBeDefined();
    });

    it('rejects an invalid event, a resource of another family and an unknown resource with InvalidStepInputError', async () => {
      await expect(handler({ action: 'start' }, lambdaContext)).rejects.toThrow(InvalidStepInputError);
      await expect(handler(rdsEvent('start', { resource: 'web' }), lambdaContext)).rejects.toThrow(
        'resource "web" is of type "auto-scaling-group", which this family does not run',
      );
      await expect(handler(rdsEvent('start', { resource: 'nope' }), lambdaContext)).rejects.toThrow(
        'resource "nope" is not in plan shop',
      );
      expect(rds.calls()).toHaveLength(0);
    });

    it.each(['rds-read-replica', 'rds-snapshot-restore'])(
      '%s refuses start, check and revert in dry-run mode, touching nothing',
      async (type) => {
        const plan = type === 'rds-read-replica' ? undefined : backupRestore();
        const state = { operation: 'restore', instanceId: 'x', startedAt: RUN_STARTED_AT };
        for (const action of ['start', 'check', 'revert'] as const) {
          await expect(
            runStep(
              databaseSteps,
              () => databaseClients(),
              rdsEvent(action, { mode: 'dry-run', plan, state }),
              testClock(),
            ),
          ).rejects.toThrow(InvalidStepInputError);
        }
        await expect(
          runStep(
            databaseSteps,
            () => databaseClients(),
            rdsEvent('revert', { mode: 'failover', plan }),
            testClock(),
          ),
        ).rejects.toThrow('cannot run in failover mode');
        expect(rds.calls()).toHaveLength(0);
        expect(cloudwatch.calls()).toHaveLength(0);
      },
    );
  });
});
