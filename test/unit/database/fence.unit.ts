// Fencing the database types: rds-read-replica stops the old primary (primaryInstanceId) in the
// primary region once the replica is promoted; aurora-global-database has nothing to call (the
// global failover demotes the old primary). Run through the family's runStep, which calls fence
// with the primary region's fencing clients and turns what it throws into an outcome.
import 'aws-sdk-client-mock-jest';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  type DBInstance,
  DescribeDBInstancesCommand,
  RDSClient,
  StopDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from '@jest/globals';
import type { DatabaseClients } from '../../../functions/database/clients.ts';
import { databaseSteps } from '../../../functions/database/steps.ts';
import { runStep } from '../../../functions/shared/family-handler.ts';
import type { FenceResult, Mode } from '../../../functions/shared/step-contract.ts';
import type { DrPlan } from '../../../plan/schema.ts';
import { mockClient } from '../../aws-mock.ts';
import {
  accessDenied,
  awsError,
  examplePlan,
  RUN_STARTED_AT,
  testClock,
  throttling,
} from '../../fixtures.ts';
import { databaseClients, notFound, PRIMARY_ID, REPLICA_ID, rdsEvent, withDb } from './database-fixtures.ts';

describe('database-fence', () => {
  const rds = mockClient(RDSClient);
  const cloudwatch = mockClient(CloudWatchClient);
  let asked: string[];

  const clientsFor = (region: string, profile = 'default'): DatabaseClients => {
    asked.push(`${profile}:${region}`);
    return databaseClients(region);
  };
  const fence = async (options: { mode?: Mode; plan?: DrPlan; resource?: string } = {}) =>
    (await runStep(
      databaseSteps,
      clientsFor,
      rdsEvent('fence', { mode: 'failover', ...options }),
      testClock(),
    )) as FenceResult;

  /** The warm-standby primary, shop-db, in us-east-1. */
  const primary = (overrides: Partial<DBInstance> = {}): DBInstance => ({
    DBInstanceIdentifier: PRIMARY_ID,
    DBInstanceStatus: 'available',
    DBInstanceClass: 'db.r6g.large',
    ReadReplicaDBInstanceIdentifiers: [],
    ...overrides,
  });

  beforeEach(() => {
    rds.reset();
    cloudwatch.reset();
    asked = [];
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [primary()] });
    rds.on(StopDBInstanceCommand).resolves({ DBInstance: primary({ DBInstanceStatus: 'stopping' }) });
  });

  describe('rds-read-replica', () => {
    it.each(['failover', 'switchover'] as const)(
      'in a %s, describes then stops the old primary in the primary region',
      async (mode) => {
        const result = await fence({ mode });

        expect(asked).toEqual(['fence:us-east-1']);
        expect(rds.calls().map((c) => [c.args[0].constructor.name, c.args[0].input])).toEqual([
          ['DescribeDBInstancesCommand', { DBInstanceIdentifier: PRIMARY_ID }],
          ['StopDBInstanceCommand', { DBInstanceIdentifier: PRIMARY_ID }],
        ]);
        expect(cloudwatch.calls()).toHaveLength(0);
        expect(result).toEqual({
          family: 'database',
          action: 'fence',
          resource: 'db',
          type: 'rds-read-replica',
          outcome: 'fenced',
          detail: `stopping DB instance ${PRIMARY_ID} in us-east-1 (was "available"), so the old primary takes no writes; RDS starts a stopped instance again after 7 days: stop it again, or delete it, before then`,
          changes: [
            {
              resource: PRIMARY_ID,
              action: 'stop-db-instance',
              detail: `stopped the old primary in us-east-1 (was "available"; ${REPLICA_ID} is promoted in us-west-2)`,
            },
          ],
          fencedAt: RUN_STARTED_AT,
        });
      },
    );

    it.each(['stopped', 'stopping'])(
      'is fenced with no change when the primary is already %s',
      async (status) => {
        rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [primary({ DBInstanceStatus: status })] });

        const result = await fence();

        expect(result).toMatchObject({
          outcome: 'fenced',
          detail: `DB instance ${PRIMARY_ID} in us-east-1 is already "${status}": it takes no writes`,
          changes: [],
        });
        expect(rds).not.toHaveReceivedCommand(StopDBInstanceCommand);
      },
    );

    it('fails, naming primaryInstanceId, when the old primary is not there', async () => {
      rds.on(DescribeDBInstancesCommand).rejects(notFound());

      const result = await fence();

      expect(result).toMatchObject({
        outcome: 'failed',
        detail: `old primary DB instance ${PRIMARY_ID} not found in us-east-1: nothing to stop; check resources[0].primaryInstanceId`,
        changes: [],
      });
      expect(rds).not.toHaveReceivedCommand(StopDBInstanceCommand);
    });

    it('fails, naming primaryInstanceId, when the old primary disappears before the stop', async () => {
      rds.on(StopDBInstanceCommand).rejects(notFound());

      const result = await fence();

      expect(result.outcome).toBe('failed');
      expect(result.detail).toContain(
        `DB instance ${PRIMARY_ID} (resources[0].primaryInstanceId) in us-east-1 not found while trying to stop the old primary`,
      );
    });

    it('fails when RDS refuses to stop a primary that still has read replicas: the replica is not yet detached, and what to do', async () => {
      const replicaArn = `arn:aws:rds:us-west-2:123456789012:db:${REPLICA_ID}`;
      rds
        .on(DescribeDBInstancesCommand)
        .resolves({ DBInstances: [primary({ ReadReplicaDBInstanceIdentifiers: [replicaArn] })] });
      rds
        .on(StopDBInstanceCommand)
        .rejects(
          awsError(
            'InvalidDBInstanceStateFault',
            400,
            `Cannot stop instance ${PRIMARY_ID} because it has read replicas`,
          ),
        );

      const result = await fence();

      expect(result).toMatchObject({ outcome: 'failed', changes: [] });
      expect(result.detail).toBe(
        `RDS refused to stop DB instance ${PRIMARY_ID} in us-east-1: it still has read replicas (${replicaArn}), so the replica ${REPLICA_ID} is not yet detached (Cannot stop instance ${PRIMARY_ID} because it has read replicas). Once its promotion has finished, stop ${PRIMARY_ID} by hand (aws rds stop-db-instance --db-instance-identifier ${PRIMARY_ID} --region us-east-1), or delete its other read replicas first`,
      );
    });

    it('fails naming the status when RDS refuses to stop the primary in another state', async () => {
      rds
        .on(DescribeDBInstancesCommand)
        .resolves({ DBInstances: [primary({ DBInstanceStatus: 'backing-up' })] });
      rds
        .on(StopDBInstanceCommand)
        .rejects(awsError('InvalidDBInstanceState', 400, 'Instance is not in available state'));

      const result = await fence();

      expect(result.outcome).toBe('failed');
      expect(result.detail).toBe(
        `RDS refused to stop DB instance ${PRIMARY_ID} in us-east-1 while it is "backing-up" (Instance is not in available state): stop it by hand once it is available (aws rds stop-db-instance --db-instance-identifier ${PRIMARY_ID} --region us-east-1)`,
      );
    });

    it.each([
      ['throttled', throttling()],
      ['timed out answering', awsError('TimeoutError', 0, 'Request timed out after 3000 ms')],
      ['unreachable', Object.assign(new Error('connect ETIMEDOUT 10.0.0.1:443'), { code: 'ETIMEDOUT' })],
      ['failing', awsError('InternalFailure', 500, 'internal error')],
    ])('is not reachable when the primary region is %s', async (_what, error) => {
      rds.on(DescribeDBInstancesCommand).rejects(error);

      const result = await fence();

      expect(result).toMatchObject({ outcome: 'not-reachable', changes: [] });
      expect(result.detail).toContain(
        `transient AWS error trying to describe the old primary to fence it on DB instance ${PRIMARY_ID}`,
      );
      expect(rds).not.toHaveReceivedCommand(StopDBInstanceCommand);
    });

    it('fails when the role may not stop the primary, naming the IAM action to grant', async () => {
      rds.on(StopDBInstanceCommand).rejects(accessDenied());

      const result = await fence();

      expect(result.outcome).toBe('failed');
      expect(result.detail).toContain(
        `access denied to stop the old primary on DB instance ${PRIMARY_ID} (resources[0].primaryInstanceId) in us-east-1 (AccessDenied: `,
      );
    });

    it('is skipped, calling nothing, when the plan turns fencing off', async () => {
      const result = await fence({
        plan: withDb('warm-standby', (db) => Object.assign(db, { fence: false })),
      });

      expect(result).toMatchObject({
        outcome: 'skipped',
        detail: `fencing is turned off (resources[0].fence is false): DB instance ${PRIMARY_ID} in us-east-1 is left running`,
        changes: [],
      });
      expect(rds.calls()).toHaveLength(0);
    });

    it.each(['drill', 'dry-run'] as const)('refuses to fence in a %s, calling nothing', async (mode) => {
      const result = await fence({ mode });

      expect(result).toMatchObject({
        outcome: 'failed',
        detail: `database fence of db cannot run in ${mode} mode (only failover or switchover)`,
      });
      expect(rds.calls()).toHaveLength(0);
    });
  });

  describe('aurora-global-database', () => {
    it('is skipped, calling nothing: the global failover/switchover demotes the old primary', async () => {
      const result = await fence({ plan: examplePlan('multi-tier'), resource: 'inventory' });

      expect(result).toEqual({
        family: 'database',
        action: 'fence',
        resource: 'inventory',
        type: 'aurora-global-database',
        outcome: 'skipped',
        detail: 'the global failover/switchover demotes the old primary: it rejoins as a secondary',
        changes: [],
        fencedAt: RUN_STARTED_AT,
      });
      expect(rds.calls()).toHaveLength(0);
    });
  });

  describe('dynamodb-global-table', () => {
    it('has nothing to fence', async () => {
      const result = await fence({ plan: examplePlan('multi-tier'), resource: 'sessions' });

      expect(result).toMatchObject({ outcome: 'skipped', detail: 'nothing to fence', changes: [] });
    });
  });
});
