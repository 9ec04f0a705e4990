import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DeleteDBInstanceCommand, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { databaseSteps } from '../../../functions/database/steps.ts';
import {
  AccessDeniedError,
  InvalidResourceStateError,
  InvalidStepInputError,
  TransientAwsError,
} from '../../../functions/shared/errors.ts';
import type { Mode } from '../../../functions/shared/step-contract.ts';
import { accessDenied, RUN_STARTED_AT, stepEvent, testClock, throttling } from '../../fixtures.ts';
import { DRILL_ID, databaseClients, drillInstance, invalidState, notFound } from './database-fixtures.ts';

const rds = mockClient(RDSClient);
const cloudwatch = mockClient(CloudWatchClient);

const RESTORE_STATE = {
  operation: 'restore',
  instanceId: DRILL_ID,
  snapshotId: 'snap',
  startedAt: RUN_STARTED_AT,
};

function revert(state: Record<string, unknown> | undefined, mode: Mode = 'drill', clock = testClock()) {
  return databaseSteps.revert(stepEvent('revert', { mode, state }), databaseClients(), clock);
}

describe('revert (drill)', () => {
  beforeEach(() => {
    rds.reset();
    cloudwatch.reset();
    rds.on(DeleteDBInstanceCommand).resolves({});
  });

  it('deletes the drill instance without a final snapshot, and is done only once it is gone', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce({ DBInstances: [drillInstance()] })
      .resolvesOnce({ DBInstances: [drillInstance({ DBInstanceStatus: 'deleting' })] })
      .rejectsOnce(notFound());
    const clock = testClock();

    const first = await revert(RESTORE_STATE, 'drill', clock);
    clock.advance(120);
    const second = await revert(first.state, 'drill', clock);
    clock.advance(120);
    const third = await revert(second.state, 'drill', clock);

    expect(rds).toHaveReceivedCommandTimes(DeleteDBInstanceCommand, 1);
    expect(rds).toHaveReceivedCommandWith(DeleteDBInstanceCommand, {
      DBInstanceIdentifier: DRILL_ID,
      SkipFinalSnapshot: true,
      DeleteAutomatedBackups: true,
    });
    expect(first).toMatchObject({
      action: 'revert',
      done: false,
      changes: [{ resource: DRILL_ID, action: 'delete-db-instance' }],
      state: { operation: 'delete', instanceId: DRILL_ID },
    });
    expect(second).toMatchObject({ done: false, changes: [] });
    expect(second.nextCheckSeconds).toBeGreaterThan(0);
    expect(third).toMatchObject({ done: true, nextCheckSeconds: 0 });
  });

  it('is done at once when nothing is left: start never ran, or a re-run', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(notFound());

    const noStart = await revert(undefined);
    const rerun = await revert({ operation: 'delete', instanceId: DRILL_ID, startedAt: RUN_STARTED_AT });

    expect(noStart.done).toBe(true);
    expect(rerun.done).toBe(true);
    expect(rds).toHaveReceivedCommandTimes(DescribeDBInstancesCommand, 2);
    expect(rds).toHaveReceivedNthCommandWith(1, DescribeDBInstancesCommand, {
      DBInstanceIdentifier: DRILL_ID,
    });
    expect(rds).not.toHaveReceivedCommand(DeleteDBInstanceCommand);
  });

  it('without a state (the drill failed before start returned) finds the drill instance by its run id', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [drillInstance()] });

    const result = await revert(undefined);

    expect(rds).toHaveReceivedCommandWith(DeleteDBInstanceCommand, { DBInstanceIdentifier: DRILL_ID });
    expect(result).toMatchObject({ done: false, state: { operation: 'delete', instanceId: DRILL_ID } });
  });

  it('refuses to delete an instance another run created, or one not tagged as a drill', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce({ DBInstances: [drillInstance({}, 'another-run')] })
      .resolvesOnce({
        DBInstances: [
          drillInstance({ TagList: [{ Key: 'dr-runbook:run-id', Value: 'run-20261125-abc123' }] }),
        ],
      });

    const foreign = await revert(RESTORE_STATE).catch((e: unknown) => e);
    const untagged = await revert(RESTORE_STATE).catch((e: unknown) => e);

    expect(foreign).toBeInstanceOf(InvalidResourceStateError);
    expect((foreign as Error).message).toContain(`refusing to delete DB instance ${DRILL_ID}`);
    expect(untagged).toBeInstanceOf(InvalidResourceStateError);
    expect(rds).not.toHaveReceivedCommand(DeleteDBInstanceCommand);
  });

  it('tries again later when the instance cannot be deleted yet, and treats a vanished one as done', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolves({ DBInstances: [drillInstance({ DBInstanceStatus: 'creating' })] });
    rds.on(DeleteDBInstanceCommand).rejectsOnce(invalidState()).rejectsOnce(notFound());

    const busy = await revert(RESTORE_STATE);
    const vanished = await revert(busy.state);

    expect(busy).toMatchObject({ done: false, changes: [] });
    expect(vanished.done).toBe(true);
  });

  it('only reverts drills: failover and dry-run are refused without a call', async () => {
    await expect(revert(RESTORE_STATE, 'failover')).rejects.toThrow(InvalidStepInputError);
    await expect(revert(RESTORE_STATE, 'dry-run')).rejects.toThrow(InvalidStepInputError);
    await expect(revert({ ...RESTORE_STATE, operation: 'promote' })).rejects.toThrow(InvalidStepInputError);
    expect(rds.calls()).toHaveLength(0);
  });

  it('throws TransientAwsError when throttled, and deletes once when Step Functions retries', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .rejectsOnce(throttling())
      .resolves({ DBInstances: [drillInstance()] });

    await expect(revert(RESTORE_STATE)).rejects.toThrow(TransientAwsError);
    await expect(revert(RESTORE_STATE)).resolves.toMatchObject({ done: false });
    expect(rds).toHaveReceivedCommandTimes(DeleteDBInstanceCommand, 1);
  });

  it('throws AccessDeniedError when the role may not delete', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [drillInstance()] });
    rds.on(DeleteDBInstanceCommand).rejects(accessDenied());

    await expect(revert(RESTORE_STATE)).rejects.toThrow(AccessDeniedError);
  });
});
