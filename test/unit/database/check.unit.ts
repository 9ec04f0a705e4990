import 'aws-sdk-client-mock-jest';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  AccessDeniedError,
  DatabaseInstanceNotFoundError,
  InvalidResourceStateError,
  InvalidStepInputError,
  TransientAwsError,
} from '../../../functions/shared/errors.ts';
import type { Mode } from '../../../functions/shared/step-contract.ts';
import { mockClient } from '../../aws-mock.ts';
import { accessDenied, mutatingCommandsSent, testClock, throttling } from '../../fixtures.ts';
import {
  DRILL_ID,
  notFound,
  progress,
  REPLICA_ID,
  replica,
  restoredInstance,
  startedState,
} from './database-fixtures.ts';

describe('check', () => {
  const rds = mockClient(RDSClient);
  const cloudwatch = mockClient(CloudWatchClient);

  const PROMOTE_STATE = startedState('promote', REPLICA_ID);
  const RESTORE_STATE = startedState('restore', DRILL_ID, { snapshotId: 'snap' });

  function check(state: Record<string, unknown> | undefined, mode: Mode = 'drill', clock = testClock()) {
    return progress('check', { mode, state }, clock);
  }

  describe('check (rds-read-replica "db")', () => {
    beforeEach(() => {
      rds.reset();
      cloudwatch.reset();
    });

    it('finishes a promotion once the instance is available and no longer a replica, with its endpoint', async () => {
      rds.on(DescribeDBInstancesCommand).resolves({
        DBInstances: [replica({ ReadReplicaSourceDBInstanceIdentifier: undefined })],
      });
      const clock = testClock();
      clock.advance(240);

      const result = await check(PROMOTE_STATE, 'failover', clock);

      expect(result).toMatchObject({
        action: 'check',
        done: true,
        nextCheckSeconds: 0,
        state: PROMOTE_STATE,
        measurements: { elapsedSeconds: 240, endpoint: `${REPLICA_ID}.abc.us-west-2.rds.amazonaws.com` },
      });
      expect(rds).toHaveReceivedCommandWith(DescribeDBInstancesCommand, { DBInstanceIdentifier: REPLICA_ID });
    });

    it('keeps polling an available instance that still replicates from its source', async () => {
      rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [replica()] });

      const result = await check(PROMOTE_STATE, 'failover');

      expect(result.done).toBe(false);
      expect(result.detail).toContain('still replicating');
    });

    it('finishes a restore once the instance is available, and says so again when re-run', async () => {
      rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [restoredInstance()] });

      const first = await check(RESTORE_STATE);
      const again = await check(first.state);

      expect(first.done).toBe(true);
      expect(again).toMatchObject({ done: true, state: RESTORE_STATE });
      expect(mutatingCommandsSent([rds, cloudwatch])).toEqual([]);
    });

    it('waits longer between checks the longer the operation has run', async () => {
      rds
        .on(DescribeDBInstancesCommand)
        .resolves({ DBInstances: [restoredInstance({ DBInstanceStatus: 'creating' })] });
      const clock = testClock();

      const early = await check(RESTORE_STATE, 'drill', clock);
      clock.advance(600);
      const late = await check(RESTORE_STATE, 'drill', clock);

      expect(early).toMatchObject({ done: false, nextCheckSeconds: 2 });
      expect(late).toMatchObject({ done: false, nextCheckSeconds: 18 });
    });

    it.each([
      'failed',
      'incompatible-restore',
      'incompatible-parameters',
      'incompatible-network',
      'storage-full',
    ])('fails fast when the instance is "%s"', async (status) => {
      rds
        .on(DescribeDBInstancesCommand)
        .resolves({ DBInstances: [restoredInstance({ DBInstanceStatus: status })] });

      const error = await check(RESTORE_STATE).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(InvalidResourceStateError);
      expect((error as Error).message).toContain(`${DRILL_ID} cannot complete: the instance is "${status}"`);
    });

    it('throws DatabaseInstanceNotFoundError naming an instance that disappeared', async () => {
      rds.on(DescribeDBInstancesCommand).rejects(notFound());

      const error = await check(RESTORE_STATE).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(DatabaseInstanceNotFoundError);
      expect((error as Error).message).toContain(`DB instance ${DRILL_ID} not found in us-west-2`);
    });

    it('rejects a check without a state, with a state start never returns, or with another target’s state', async () => {
      await expect(check(undefined)).rejects.toThrow(InvalidStepInputError);
      await expect(check(startedState('scale', 'x'))).rejects.toThrow(InvalidStepInputError);
      await expect(check(startedState('delete', DRILL_ID))).rejects.toThrow('revert polls itself');
      // A drill never promotes; a failover never polls the drill instance.
      await expect(check(PROMOTE_STATE, 'drill')).rejects.toThrow(InvalidStepInputError);
      await expect(check(RESTORE_STATE, 'failover')).rejects.toThrow(
        `but its failover is a promote of ${REPLICA_ID}`,
      );
      await expect(check(RESTORE_STATE, 'dry-run')).rejects.toThrow('cannot run in dry-run mode');
      expect(rds.calls()).toHaveLength(0);
    });

    it('throws TransientAwsError when throttled, and answers when Step Functions retries', async () => {
      rds
        .on(DescribeDBInstancesCommand)
        .rejectsOnce(throttling())
        .resolves({ DBInstances: [restoredInstance()] });

      await expect(check(RESTORE_STATE)).rejects.toThrow(TransientAwsError);
      await expect(check(RESTORE_STATE)).resolves.toMatchObject({ done: true });
    });

    it('throws AccessDeniedError when the role may not describe the instance', async () => {
      rds.on(DescribeDBInstancesCommand).rejects(accessDenied());

      await expect(check(PROMOTE_STATE, 'failover')).rejects.toThrow(AccessDeniedError);
    });
  });
});
