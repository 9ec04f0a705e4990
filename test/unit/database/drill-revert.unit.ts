import 'aws-sdk-client-mock-jest';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import {
  DeleteDBInstanceCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
  RestoreDBInstanceFromDBSnapshotCommand,
} from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { drillInstanceId } from '../../../functions/database/restore-target.ts';
import {
  AccessDeniedError,
  InvalidResourceStateError,
  InvalidStepInputError,
  TransientAwsError,
} from '../../../functions/shared/errors.ts';
import type { Mode } from '../../../functions/shared/step-contract.ts';
import { mockClient } from '../../aws-mock.ts';
import { accessDenied, RUN_ID, RUN_STARTED_AT, testClock, throttling } from '../../fixtures.ts';
import {
  DRILL_ID,
  invalidState,
  LEDGER_REPLICA_ID,
  lagPoint,
  notFound,
  progress,
  REPLICA_ID,
  replica,
  restoredInstance,
  snapshot,
  startedState,
  twoReplicasPlan,
} from './database-fixtures.ts';

describe('drill-revert', () => {
  const rds = mockClient(RDSClient);
  const cloudwatch = mockClient(CloudWatchClient);

  const RESTORE_STATE = startedState('restore', DRILL_ID, { snapshotId: 'snap' });

  function revert(state: Record<string, unknown> | undefined, mode: Mode = 'drill', clock = testClock()) {
    return progress('revert', { mode, state }, clock);
  }

  describe('drill revert (rds-read-replica "db" of warm-standby)', () => {
    beforeEach(() => {
      rds.reset();
      cloudwatch.reset();
      rds.on(DeleteDBInstanceCommand).resolves({});
    });

    it('deletes the drill instance without a final snapshot, and is done only once RDS has twice said it is gone', async () => {
      rds
        .on(DescribeDBInstancesCommand)
        .resolvesOnce({ DBInstances: [restoredInstance()] })
        .resolvesOnce({ DBInstances: [restoredInstance({ DBInstanceStatus: 'deleting' })] })
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
      expect(rds.commandCalls(DeleteDBInstanceCommand)[0]?.args[0].input).toEqual({
        DBInstanceIdentifier: DRILL_ID,
        SkipFinalSnapshot: true,
        DeleteAutomatedBackups: true,
      });
      expect(first).toMatchObject({
        resource: 'db',
        type: 'rds-read-replica',
        action: 'revert',
        done: false,
        changes: [{ resource: DRILL_ID, action: 'delete-db-instance' }],
        state: { operation: 'delete', instanceId: DRILL_ID },
      });
      expect(second).toMatchObject({ done: false });
      expect(second.nextCheckSeconds).toBeGreaterThan(0);
      expect(third).toMatchObject({ done: false, state: { goneSeenAt: '2026-11-25T12:04:00.000Z' } });
      expect(fourth).toMatchObject({ done: true, nextCheckSeconds: 0 });
      expect(fourth.detail).toContain(`drill DB instance ${DRILL_ID} confirmed gone`);
      // The delete is in the last result of the polling loop (changes carried along the state).
      expect(fourth.changes).toEqual([
        {
          resource: DRILL_ID,
          action: 'delete-db-instance',
          detail: `deleted drill DB instance ${DRILL_ID} (no final snapshot)`,
        },
      ]);
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
      const rerun = await revert(startedState('delete', DRILL_ID));

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
        .resolvesOnce({ DBInstances: [restoredInstance({ DBInstanceStatus: 'available' })] })
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
        .resolvesOnce({ DBInstances: [restoredInstance({}, { runId: 'another-run' })] });

      const gone = await revert(undefined);
      const attempt = revert(gone.state);

      await expect(attempt).rejects.toThrow(InvalidResourceStateError);
      await expect(attempt).rejects.toThrow(`refusing to delete DB instance ${DRILL_ID}`);
      expect(rds).not.toHaveReceivedCommand(DeleteDBInstanceCommand);
    });

    it('without a state (the drill failed before start returned) finds the drill instance by its run and resource', async () => {
      rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [restoredInstance()] });

      const result = await revert(undefined);

      expect(rds).toHaveReceivedCommandWith(DescribeDBInstancesCommand, { DBInstanceIdentifier: DRILL_ID });
      expect(rds).toHaveReceivedCommandWith(DeleteDBInstanceCommand, { DBInstanceIdentifier: DRILL_ID });
      expect(result).toMatchObject({ done: false, state: { operation: 'delete', instanceId: DRILL_ID } });
    });

    it('refuses to delete an instance another run or resource created, or one not tagged as a drill', async () => {
      rds
        .on(DescribeDBInstancesCommand)
        .resolvesOnce({ DBInstances: [restoredInstance({}, { runId: 'another-run' })] })
        .resolvesOnce({ DBInstances: [restoredInstance({}, { resource: 'ledger' })] })
        .resolvesOnce({ DBInstances: [restoredInstance({}, { purpose: 'failover' })] })
        .resolvesOnce({
          DBInstances: [restoredInstance({ TagList: [{ Key: 'dr-runbook:run-id', Value: RUN_ID }] })],
        });

      const errors = [];
      for (let i = 0; i < 4; i++) errors.push(await revert(RESTORE_STATE).catch((e: unknown) => e));

      for (const error of errors) expect(error).toBeInstanceOf(InvalidResourceStateError);
      expect((errors[0] as Error).message).toContain(`refusing to delete DB instance ${DRILL_ID}`);
      expect((errors[1] as Error).message).toContain('dr-runbook:resource=ledger');
      expect(rds).not.toHaveReceivedCommand(DeleteDBInstanceCommand);
    });

    it('keeps polling an instance still being created until it can be deleted', async () => {
      rds
        .on(DescribeDBInstancesCommand)
        .resolvesOnce({ DBInstances: [restoredInstance({ DBInstanceStatus: 'creating' })] })
        .resolvesOnce({ DBInstances: [restoredInstance({ DBInstanceStatus: 'creating' })] })
        .resolvesOnce({ DBInstances: [restoredInstance({ DBInstanceStatus: 'available' })] });
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
        .resolvesOnce({ DBInstances: [restoredInstance({ DBInstanceStatus: 'creating' })] })
        .rejectsOnce(notFound());
      rds.on(DeleteDBInstanceCommand).rejectsOnce(notFound());
      const clock = testClock();
      clock.advance(60);
      const seenGoneBefore = startedState('delete', DRILL_ID, { goneSeenAt: '2026-11-25T12:00:30.000Z' });

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
        .resolves({ DBInstances: [restoredInstance({ DBInstanceStatus: 'deleting' })] });
      const clock = testClock();
      clock.advance(600);

      const result = await revert(startedState('delete', DRILL_ID), 'drill', clock);

      expect(result).toMatchObject({ done: false, nextCheckSeconds: 18 });
    });

    it('only reverts drills, and only its own state: failover, dry-run, a promotion or another instance are refused without a call', async () => {
      await expect(revert(RESTORE_STATE, 'failover')).rejects.toThrow(InvalidStepInputError);
      await expect(revert(RESTORE_STATE, 'dry-run')).rejects.toThrow(InvalidStepInputError);
      await expect(revert({ ...RESTORE_STATE, operation: 'promote' })).rejects.toThrow(InvalidStepInputError);
      await expect(revert({ ...RESTORE_STATE, instanceId: 'shop-db-replica' })).rejects.toThrow(
        `not of its drill instance ${DRILL_ID}`,
      );
      expect(rds.calls()).toHaveLength(0);
    });

    it('throws TransientAwsError when throttled, and deletes once when Step Functions retries', async () => {
      rds
        .on(DescribeDBInstancesCommand)
        .rejectsOnce(throttling())
        .resolves({ DBInstances: [restoredInstance()] });

      await expect(revert(RESTORE_STATE)).rejects.toThrow(TransientAwsError);
      await expect(revert(RESTORE_STATE)).resolves.toMatchObject({ done: false });
      expect(rds).toHaveReceivedCommandTimes(DeleteDBInstanceCommand, 1);
    });

    it('throws AccessDeniedError when the role may not delete', async () => {
      rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [restoredInstance()] });
      rds.on(DeleteDBInstanceCommand).rejects(accessDenied());

      await expect(revert(RESTORE_STATE)).rejects.toThrow(AccessDeniedError);
    });
  });

  describe('two rds-read-replica resources in one plan', () => {
    const plan = twoReplicasPlan();
    const DB_DRILL = drillInstanceId('shop', RUN_ID, 'db');
    const LEDGER_DRILL = drillInstanceId('shop', RUN_ID, 'ledger');

    beforeEach(() => {
      rds.reset();
      cloudwatch.reset();
      rds
        .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: REPLICA_ID })
        .resolves({ DBInstances: [replica()] });
      rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: LEDGER_REPLICA_ID }).resolves({
        DBInstances: [replica({ DBInstanceIdentifier: LEDGER_REPLICA_ID, DBInstanceClass: 'db.m6g.large' })],
      });
      rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [snapshot('copy', 1)] });
      rds.on(RestoreDBInstanceFromDBSnapshotCommand).resolves({});
      rds.on(DeleteDBInstanceCommand).resolves({});
      cloudwatch.on(GetMetricStatisticsCommand).resolves({ Datapoints: [lagPoint(60, 3)] });
    });

    it('restore their drills to different instances, each tagged with its resource', async () => {
      rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: DB_DRILL }).rejects(notFound());
      rds.on(DescribeDBInstancesCommand, { DBInstanceIdentifier: LEDGER_DRILL }).rejects(notFound());

      const db = await progress('start', { mode: 'drill', plan, resource: 'db' });
      const ledger = await progress('start', { mode: 'drill', plan, resource: 'ledger' });

      expect(DB_DRILL).not.toBe(LEDGER_DRILL);
      expect(db.state).toMatchObject({ instanceId: DB_DRILL });
      expect(ledger).toMatchObject({ resource: 'ledger', state: { instanceId: LEDGER_DRILL } });
      const inputs = rds
        .commandCalls(RestoreDBInstanceFromDBSnapshotCommand)
        .map((call) => call.args[0].input);
      expect(inputs.map((input) => [input.DBInstanceIdentifier, input.DBInstanceClass])).toEqual([
        [DB_DRILL, 'db.t3.micro'],
        [LEDGER_DRILL, 'db.t3.small'],
      ]);
      expect(inputs[0]?.Tags).toContainEqual({ Key: 'dr-runbook:resource', Value: 'db' });
      expect(inputs[1]?.Tags).toContainEqual({ Key: 'dr-runbook:resource', Value: 'ledger' });
      expect(rds).toHaveReceivedCommandWith(DescribeDBSnapshotsCommand, {
        Filters: [{ Name: 'db-instance-id', Values: ['ledger-db', LEDGER_REPLICA_ID] }],
      });
    });

    it('revert of one deletes only its own drill instance, found without state', async () => {
      rds
        .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: DB_DRILL })
        .resolves({ DBInstances: [restoredInstance({}, { id: DB_DRILL, resource: 'db' })] });
      rds
        .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: LEDGER_DRILL })
        .resolves({ DBInstances: [restoredInstance({}, { id: LEDGER_DRILL, resource: 'ledger' })] });

      const result = await progress('revert', { mode: 'drill', plan, resource: 'ledger' });

      expect(result).toMatchObject({ resource: 'ledger', state: { instanceId: LEDGER_DRILL } });
      expect(rds).toHaveReceivedCommandTimes(DeleteDBInstanceCommand, 1);
      expect(rds).toHaveReceivedCommandWith(DeleteDBInstanceCommand, { DBInstanceIdentifier: LEDGER_DRILL });
      expect(rds).not.toHaveReceivedCommandWith(DescribeDBInstancesCommand, {
        DBInstanceIdentifier: DB_DRILL,
      });
    });

    it('revert of one refuses the state of the other', async () => {
      const dbState = { operation: 'restore', instanceId: DB_DRILL, startedAt: RUN_STARTED_AT };

      await expect(
        progress('revert', { mode: 'drill', plan, resource: 'ledger', state: dbState }),
      ).rejects.toThrow(InvalidStepInputError);
      await expect(
        progress('check', { mode: 'drill', plan, resource: 'ledger', state: dbState }),
      ).rejects.toThrow(InvalidStepInputError);
      expect(rds).not.toHaveReceivedCommand(DeleteDBInstanceCommand);
    });
  });
});
