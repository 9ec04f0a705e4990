import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DescribeDBInstancesCommand,
  RDSClient,
  RestoreDBInstanceFromDBSnapshotCommand,
} from '@aws-sdk/client-rds';
import { describe, expect, it } from '@jest/globals';
import { WARM_STANDBY } from '../runbook/environments.ts';
import { installFakeAws } from '../runbook/fake-aws.ts';

describe('timed-fake', () => {
  /** A fake whose clock the test moves by hand. */
  function timedFake(timing: { restoreSeconds?: number; launchSeconds?: number }) {
    let nowMs = 0;
    installFakeAws(WARM_STANDBY, 'table', new Date(0), { ...timing, now: () => new Date(nowMs) });
    return {
      at(seconds: number) {
        nowMs = seconds * 1000;
      },
    };
  }

  describe('the fake AWS with timing', () => {
    const rds = new RDSClient({ region: 'us-west-2' });
    const autoScaling = new AutoScalingClient({ region: 'us-west-2' });
    const status = async (id: string) =>
      (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))).DBInstances?.[0]
        ?.DBInstanceStatus;
    const lifecycles = async () =>
      (
        await autoScaling.send(
          new DescribeAutoScalingGroupsCommand({
            AutoScalingGroupNames: [WARM_STANDBY.groups[0]?.name ?? ''],
          }),
        )
      ).AutoScalingGroups?.[0]?.Instances?.map((i) => i.LifecycleState);

    it('keeps a restored instance creating until its restore seconds have passed', async () => {
      const clock = timedFake({ restoreSeconds: 900 });
      await rds.send(
        new RestoreDBInstanceFromDBSnapshotCommand({
          DBInstanceIdentifier: 'drill-db',
          DBSnapshotIdentifier: 'shop-db-copy-latest',
        }),
      );

      clock.at(899);
      expect(await status('drill-db')).toBe('creating');
      clock.at(900);
      expect(await status('drill-db')).toBe('available');
    });

    it('keeps new instances Pending for their launch seconds; the ones already running stay InService', async () => {
      const clock = timedFake({ launchSeconds: 180 });
      clock.at(10);
      await autoScaling.send(
        new UpdateAutoScalingGroupCommand({
          AutoScalingGroupName: WARM_STANDBY.groups[0]?.name ?? '',
          MinSize: 2,
          DesiredCapacity: 3,
          MaxSize: 4,
        }),
      );

      clock.at(189);
      expect(await lifecycles()).toEqual(['InService', 'Pending', 'Pending']);
      clock.at(190);
      expect(await lifecycles()).toEqual(['InService', 'InService', 'InService']);
    });

    it('without timing, completes as before: restored instances are available on the next describe', async () => {
      installFakeAws(WARM_STANDBY, 'table');
      await rds.send(
        new RestoreDBInstanceFromDBSnapshotCommand({
          DBInstanceIdentifier: 'drill-db',
          DBSnapshotIdentifier: 'shop-db-copy-latest',
        }),
      );

      expect(await status('drill-db')).toBe('available');
      expect(await lifecycles()).toEqual(['InService']);
    });
  });
});
