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
import { runStep } from '../../../functions/shared/family-handler.ts';
import type { Mode, ProgressResult } from '../../../functions/shared/step-contract.ts';
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

  it('deletes the drill instance without a final snapshot, and is done only once RDS has twice said it is gone', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce({ DBInstances: [drillInstance()] })
      .resolvesOnce({ DBInstances: [drillInstance({ DBInstanceStatus: 'deleting' })] })
      .rejectsOnce(notFound())
      .rejectsOnce(notFound());
    const clock = testClock();

    const first = await revert(RESTORE_STATE, 'drill', clock);
    clock.advance(120);
    const second = await revert(first.state, 'drill', clock);
    clock.advance(120);
    const third = await revert(second.state, 'drill', clock);
    clock.advance(third.nextCheckSeconds);
    const fourth = await revert(third.state, 'drill', clock);

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
    expect(third).toMatchObject({ done: false, state: { goneSeenAt: '2026-11-25T12:04:00.000Z' } });
    expect(fourth).toMatchObject({ done: true, nextCheckSeconds: 0 });
    expect(fourth.detail).toContain(`drill DB instance ${DRILL_ID} confirmed gone`);
  });

  it('does not trust a first not-found: not done, records when it was first seen gone, looks again soon', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(notFound());
    const clock = testClock();
    clock.advance(30);

    const result = await revert(undefined, 'drill', clock);

    expect(result).toMatchObject({
      done: false,
      nextCheckSeconds: 2,
      changes: [],
      state: { operation: 'delete', instanceId: DRILL_ID, goneSeenAt: '2026-11-25T12:00:30.000Z' },
    });
    expect(result.detail).toContain('looking again');
    expect(rds).not.toHaveReceivedCommand(DeleteDBInstanceCommand);
  });

  it('is done only on the second not-found in a row, also when start never ran; a re-run looks twice unless given the done state', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(notFound());
    const clock = testClock();

    const noStart = await revert(undefined, 'drill', clock);
    clock.advance(noStart.nextCheckSeconds);
    const confirmed = await revert(noStart.state, 'drill', clock);
    const againWithDoneState = await revert(confirmed.state, 'drill', clock);
    const rerun = await revert({ operation: 'delete', instanceId: DRILL_ID, startedAt: RUN_STARTED_AT });

    expect(noStart.done).toBe(false);
    expect(confirmed).toMatchObject({ done: true, nextCheckSeconds: 0, changes: [] });
    expect(confirmed.detail).toContain('confirmed gone');
    expect(againWithDoneState.done).toBe(true);
    expect(rerun.done).toBe(false);
    expect(rds).toHaveReceivedCommandTimes(DescribeDBInstancesCommand, 4);
    expect(rds).toHaveReceivedNthCommandWith(1, DescribeDBInstancesCommand, {
      DBInstanceIdentifier: DRILL_ID,
    });
    expect(rds).not.toHaveReceivedCommand(DeleteDBInstanceCommand);
  });

  it('deletes an instance that reappears after it was seen gone (a restore in flight created it late)', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .rejectsOnce(notFound())
      .resolvesOnce({ DBInstances: [drillInstance({ DBInstanceStatus: 'available' })] })
      .rejectsOnce(notFound())
      .rejectsOnce(notFound());
    const clock = testClock();

    const gone = await revert(undefined, 'drill', clock);
    clock.advance(gone.nextCheckSeconds);
    const back = await revert(gone.state, 'drill', clock);
    clock.advance(back.nextCheckSeconds);
    const goneAgain = await revert(back.state, 'drill', clock);
    clock.advance(goneAgain.nextCheckSeconds);
    const confirmed = await revert(goneAgain.state, 'drill', clock);

    expect(rds).toHaveReceivedCommandTimes(DeleteDBInstanceCommand, 1);
    expect(rds).toHaveReceivedCommandWith(DeleteDBInstanceCommand, {
      DBInstanceIdentifier: DRILL_ID,
      SkipFinalSnapshot: true,
    });
    expect(back).toMatchObject({
      done: false,
      changes: [{ resource: DRILL_ID, action: 'delete-db-instance' }],
    });
    expect(back.detail).toContain('reappeared');
    expect(back.state).not.toHaveProperty('goneSeenAt');
    expect([gone.done, goneAgain.done, confirmed.done]).toEqual([false, false, true]);
  });

  it('refuses to delete a reappearing instance that is not this run’s drill instance', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .rejectsOnce(notFound())
      .resolvesOnce({ DBInstances: [drillInstance({}, 'another-run')] });

    const gone = await revert(undefined);
    const attempt = revert(gone.state);

    await expect(attempt).rejects.toThrow(InvalidResourceStateError);
    await expect(attempt).rejects.toThrow(`refusing to delete DB instance ${DRILL_ID}`);
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

  it('keeps polling an instance still being created until it can be deleted', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce({ DBInstances: [drillInstance({ DBInstanceStatus: 'creating' })] })
      .resolvesOnce({ DBInstances: [drillInstance({ DBInstanceStatus: 'creating' })] })
      .resolvesOnce({ DBInstances: [drillInstance({ DBInstanceStatus: 'available' })] });
    rds.on(DeleteDBInstanceCommand).rejectsOnce(invalidState()).rejectsOnce(invalidState()).resolves({});
    const clock = testClock();

    const busy = await revert(RESTORE_STATE, 'drill', clock);
    clock.advance(busy.nextCheckSeconds);
    const stillBusy = await revert(busy.state, 'drill', clock);
    clock.advance(stillBusy.nextCheckSeconds);
    const deleting = await revert(stillBusy.state, 'drill', clock);

    expect(busy).toMatchObject({ done: false, changes: [] });
    expect(busy.detail).toContain('"creating" and cannot be deleted yet');
    expect(stillBusy).toMatchObject({ done: false, changes: [] });
    expect(deleting).toMatchObject({
      done: false,
      changes: [{ resource: DRILL_ID, action: 'delete-db-instance' }],
    });
    expect(rds).toHaveReceivedCommandTimes(DeleteDBInstanceCommand, 3);
  });

  it('treats DBInstanceNotFound from the delete as a first sighting, even after an earlier one: a later look must agree', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce({ DBInstances: [drillInstance({ DBInstanceStatus: 'creating' })] })
      .rejectsOnce(notFound());
    rds.on(DeleteDBInstanceCommand).rejectsOnce(notFound());
    const clock = testClock();
    clock.advance(60);
    const seenGoneBefore = {
      operation: 'delete',
      instanceId: DRILL_ID,
      startedAt: RUN_STARTED_AT,
      goneSeenAt: '2026-11-25T12:00:30.000Z',
    };

    const vanished = await revert(seenGoneBefore, 'drill', clock);
    clock.advance(vanished.nextCheckSeconds);
    const confirmed = await revert(vanished.state, 'drill', clock);

    expect(vanished).toMatchObject({
      done: false,
      changes: [],
      state: { goneSeenAt: '2026-11-25T12:01:00.000Z' },
    });
    expect(vanished.nextCheckSeconds).toBe(2);
    expect(confirmed).toMatchObject({ done: true, nextCheckSeconds: 0 });
  });

  it('waits longer between looks the longer the revert has taken', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolves({ DBInstances: [drillInstance({ DBInstanceStatus: 'deleting' })] });
    const clock = testClock();
    clock.advance(600);

    const result = await revert(
      { operation: 'delete', instanceId: DRILL_ID, startedAt: RUN_STARTED_AT },
      'drill',
      clock,
    );

    expect(result).toMatchObject({ done: false, nextCheckSeconds: 18 });
  });

  it('reports the delete in the last result of the polling loop (changes carried along the state)', async () => {
    rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce({ DBInstances: [drillInstance()] })
      .rejectsOnce(notFound())
      .rejectsOnce(notFound());
    const clock = testClock();
    const call = async (state?: Record<string, unknown>) =>
      (await runStep(
        databaseSteps,
        () => databaseClients(),
        JSON.parse(JSON.stringify(stepEvent('revert', { mode: 'drill', ...(state ? { state } : {}) }))),
        clock,
      )) as ProgressResult;

    const first = await call();
    const second = await call(first.state);
    const last = await call(second.state);

    expect(last.done).toBe(true);
    expect(last.changes).toEqual([
      {
        resource: DRILL_ID,
        action: 'delete-db-instance',
        detail: `deleted drill DB instance ${DRILL_ID} (no final snapshot)`,
      },
    ]);
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
