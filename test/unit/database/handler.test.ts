import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DescribeDBInstancesCommand, DescribeDBSnapshotsCommand, RDSClient } from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { databaseClientsFor } from '../../../functions/database/clients.ts';
import { databaseSteps } from '../../../functions/database/steps.ts';
import { InvalidStepInputError } from '../../../functions/shared/errors.ts';
import { runStep } from '../../../functions/shared/family-handler.ts';
import type { ProgressResult } from '../../../functions/shared/step-contract.ts';
import { localLambdaContext } from '../../../local/task-handlers.ts';
import { RUN_STARTED_AT, stepEvent, testClock } from '../../fixtures.ts';
import { databaseClients, noDatabasePlan, notFound } from './database-fixtures.ts';

// Set before the handler module creates its logger and metrics (a static import would run first).
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
const { handler } = await import('../../../functions/database/handler.ts');

const rds = mockClient(RDSClient);
const cloudwatch = mockClient(CloudWatchClient);

const lambdaContext = localLambdaContext('dr-runbook-database') satisfies Context;

describe('database handler', () => {
  beforeEach(() => {
    rds.reset();
    cloudwatch.reset();
  });

  it('runs readiness with clients of the recovery region only, never the primary', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(notFound());
    rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [] });
    const clientsFor = jest.fn((_region: string) => databaseClients());

    const result = await runStep(
      databaseSteps,
      clientsFor,
      stepEvent('readiness', { mode: 'dry-run' }),
      testClock(),
    );

    expect(clientsFor).toHaveBeenCalledWith('us-west-2');
    expect(clientsFor).not.toHaveBeenCalledWith('us-east-1');
    expect(result).toMatchObject({ family: 'database', strategy: 'promote-read-replica' });
  });

  it('creates memoized clients in the region it is asked for', async () => {
    const clients = databaseClientsFor('us-west-2');

    expect(databaseClientsFor('us-west-2')).toBe(clients);
    await expect(clients.rds.config.region()).resolves.toBe('us-west-2');
    await expect(clients.cloudwatch.config.region()).resolves.toBe('us-west-2');
  });

  it('handles a Lambda invocation end to end: a plan without a database starts done, calling nothing', async () => {
    const event = stepEvent('start', { mode: 'drill', plan: noDatabasePlan() });

    const result = (await handler(event, lambdaContext)) as ProgressResult;

    expect(result).toMatchObject({ family: 'database', action: 'start', done: true, nextCheckSeconds: 0 });
    expect(rds.calls()).toHaveLength(0);
  });

  it('rejects an invalid event with InvalidStepInputError', async () => {
    await expect(handler({ action: 'start' }, lambdaContext)).rejects.toThrow(InvalidStepInputError);
  });
});

describe('databaseSteps dispatch', () => {
  beforeEach(() => {
    rds.reset();
    cloudwatch.reset();
  });

  it('refuses start and revert in dry-run mode, touching nothing', async () => {
    const dryRun = (action: 'start' | 'revert') =>
      databaseSteps[action](stepEvent(action, { mode: 'dry-run' }), databaseClients(), testClock());

    await expect(dryRun('start')).rejects.toThrow(InvalidStepInputError);
    await expect(dryRun('revert')).rejects.toThrow(InvalidStepInputError);
    expect(rds.calls()).toHaveLength(0);
  });

  it('completes check and revert at once for strategy "none"', async () => {
    const plan = noDatabasePlan();
    const state = { operation: 'restore', instanceId: 'x', startedAt: RUN_STARTED_AT };

    const checked = await databaseSteps.check(stepEvent('check', { plan }), databaseClients(), testClock());
    const reverted = await databaseSteps.revert(
      stepEvent('revert', { plan, mode: 'drill', state }),
      databaseClients(),
      testClock(),
    );

    expect(checked.done).toBe(true);
    expect(reverted.done).toBe(true);
    expect(rds.calls()).toHaveLength(0);
    expect(cloudwatch.calls()).toHaveLength(0);
  });
});
