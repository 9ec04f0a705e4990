import 'aws-sdk-client-mock-jest';
import {
  AutoScalingClient,
  DeleteTagsCommand,
  DescribeAutoScalingGroupsCommand,
  type LifecycleState,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DeleteLaunchTemplateVersionsCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  AccessDeniedError,
  AutoScalingGroupNotFoundError,
  InvalidResourceStateError,
  TransientAwsError,
} from '../../../functions/shared/errors.ts';
import { mockClient } from '../../aws-mock.ts';
import {
  accessDenied,
  awsError,
  mutatingCommandsSent,
  RUN_STARTED_AT,
  testClock,
  throttling,
} from '../../fixtures.ts';
import {
  createdVersion,
  drillRevert,
  GROUP,
  happenedBefore,
  instance,
  NEW_AMI,
  ownState,
  PREVIOUS,
  runTags,
  scaledGroup,
  standbyGroup,
  startedState,
  TEMPLATE_ID,
  templateVersion,
} from './compute-fixtures.ts';

describe('revert', () => {
  const asg = mockClient(AutoScalingClient);
  const ec2 = mockClient(EC2Client);

  /** The group as the drill left it (2/4/8 on version 4, tagged), version 4 still there. */
  function arrangeScaled(group = scaledGroup(['a', 'b', 'c', 'd'].map((id) => instance(`i-${id}`, '4')))) {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group] });
    asg.on(UpdateAutoScalingGroupCommand).resolves({});
    asg.on(DeleteTagsCommand).resolves({});
    // Version 4 exists until it is deleted (a later revert call looks again to confirm it is gone).
    let deleted = false;
    ec2.on(DescribeLaunchTemplateVersionsCommand).callsFake(async () => {
      if (deleted) throw awsError('InvalidLaunchTemplateId.VersionNotFound', 400, 'version 4 not found');
      return { LaunchTemplateVersions: [createdVersion()] };
    });
    ec2.on(DeleteLaunchTemplateVersionsCommand).callsFake(async () => {
      deleted = true;
      return {
        SuccessfullyDeletedLaunchTemplateVersions: [{ LaunchTemplateId: TEMPLATE_ID, VersionNumber: 4 }],
      };
    });
  }

  beforeEach(() => {
    asg.reset();
    ec2.reset();
  });

  describe('auto-scaling-group revert', () => {
    it('restores capacity and the version string verbatim, deletes the created version, then the tags, and polls', async () => {
      arrangeScaled();

      const result = await drillRevert(startedState());

      expect(asg).toHaveReceivedCommandWith(UpdateAutoScalingGroupCommand, {
        AutoScalingGroupName: GROUP,
        MinSize: 0,
        DesiredCapacity: 0,
        MaxSize: 2,
        LaunchTemplate: { LaunchTemplateId: TEMPLATE_ID, Version: '$Latest' },
      });
      expect(ec2).toHaveReceivedCommandWith(DeleteLaunchTemplateVersionsCommand, {
        LaunchTemplateId: TEMPLATE_ID,
        Versions: ['4'],
      });
      expect(asg.commandCalls(DeleteTagsCommand)[0]?.args[0].input).toEqual({
        Tags: [
          { ResourceId: GROUP, ResourceType: 'auto-scaling-group', Key: 'dr-runbook:run-id' },
          { ResourceId: GROUP, ResourceType: 'auto-scaling-group', Key: 'dr-runbook:resource' },
          { ResourceId: GROUP, ResourceType: 'auto-scaling-group', Key: 'dr-runbook:previous' },
        ],
      });
      const updated = asg.commandCalls(UpdateAutoScalingGroupCommand)[0];
      const deleted = ec2.commandCalls(DeleteLaunchTemplateVersionsCommand)[0];
      const untagged = asg.commandCalls(DeleteTagsCommand)[0];
      expect(happenedBefore(updated, deleted)).toBe(true);
      expect(happenedBefore(deleted, untagged)).toBe(true);
      expect(result).toMatchObject({ family: 'compute', action: 'revert', done: false, nextCheckSeconds: 2 });
      expect(result.detail).toMatch(/set back to min 0\/desired 0\/max 2.*extra instances terminating/);
      expect(result.changes.map((c) => c.action)).toEqual([
        'restore',
        'delete-launch-template-version',
        'untag',
      ]);
    });

    it('makes no mutating call when run again after a successful revert', async () => {
      arrangeScaled(standbyGroup());
      ec2
        .on(DescribeLaunchTemplateVersionsCommand)
        .rejects(awsError('InvalidLaunchTemplateId.VersionNotFound', 400, 'Could not find version 4'));

      const result = await drillRevert(startedState());

      expect(mutatingCommandsSent([asg, ec2])).toEqual([]);
      expect(result).toMatchObject({ done: true, changes: [] });
      expect(result.detail).toContain('nothing left to revert');
    });

    it('refuses to touch a group tagged by another run, naming it', async () => {
      arrangeScaled(scaledGroup([], runTags('run-other')));

      const attempt = drillRevert(startedState());

      await expect(attempt).rejects.toThrow(InvalidResourceStateError);
      await expect(attempt).rejects.toThrow(/shop-web-standby carries dr-runbook:run-id=run-other/);
      expect(mutatingCommandsSent([asg, ec2])).toEqual([]);
    });

    it('is done without changes when start never ran and two looks find no tags of the run', async () => {
      arrangeScaled(standbyGroup());
      const clock = testClock();

      const first = await drillRevert(undefined, clock);
      clock.advance(first.nextCheckSeconds);
      const second = await drillRevert(first.state, clock);

      expect(mutatingCommandsSent([asg, ec2])).toEqual([]);
      expect(first).toMatchObject({ done: false, nextCheckSeconds: 2, changes: [] });
      expect(first.detail).toContain('looking again');
      expect(second).toMatchObject({ done: true, nextCheckSeconds: 0, changes: [] });
      expect(second.detail).toContain('nothing to revert');
    });

    it('reverts a group that a start still in flight tagged after the first look found nothing', async () => {
      arrangeScaled();
      asg
        .on(DescribeAutoScalingGroupsCommand)
        .resolvesOnce({ AutoScalingGroups: [standbyGroup()] })
        .resolves({ AutoScalingGroups: [scaledGroup()] });

      const first = await drillRevert();
      const second = await drillRevert(first.state);

      expect(first.done).toBe(false);
      expect(asg).toHaveReceivedCommandWith(UpdateAutoScalingGroupCommand, {
        MinSize: 0,
        DesiredCapacity: 0,
        MaxSize: 2,
      });
      expect(asg).toHaveReceivedCommandTimes(DeleteTagsCommand, 1);
      expect(second).toMatchObject({ done: false, state: { restored: PREVIOUS } });
    });

    it('reverts from the tags when start crashed before returning its state', async () => {
      arrangeScaled();

      const result = await drillRevert();

      expect(asg).toHaveReceivedCommandWith(UpdateAutoScalingGroupCommand, {
        MinSize: 0,
        DesiredCapacity: 0,
        MaxSize: 2,
        LaunchTemplate: { LaunchTemplateId: TEMPLATE_ID, Version: '$Latest' },
      });
      expect(ec2).toHaveReceivedCommandWith(DescribeLaunchTemplateVersionsCommand, { Versions: ['4'] });
      expect(ec2).toHaveReceivedCommandWith(DeleteLaunchTemplateVersionsCommand, { Versions: ['4'] });
      expect(asg).toHaveReceivedCommandTimes(DeleteTagsCommand, 1);
      expect(result).toMatchObject({ done: false, state: { groupName: GROUP, restored: PREVIOUS } });
    });

    it('never deletes a launch template version this run did not create', async () => {
      arrangeScaled();
      ec2
        .on(DescribeLaunchTemplateVersionsCommand)
        .resolves({ LaunchTemplateVersions: [templateVersion(4, NEW_AMI, 'baked by the pipeline')] });

      await drillRevert(startedState());

      expect(ec2).not.toHaveReceivedCommand(DeleteLaunchTemplateVersionsCommand);
      expect(asg).toHaveReceivedCommandTimes(UpdateAutoScalingGroupCommand, 1);
    });

    it('treats a version that disappeared during deletion as deleted', async () => {
      arrangeScaled();
      ec2.on(DeleteLaunchTemplateVersionsCommand).resolves({
        UnsuccessfullyDeletedLaunchTemplateVersions: [
          {
            LaunchTemplateId: TEMPLATE_ID,
            VersionNumber: 4,
            ResponseError: { Code: 'launchTemplateVersionDoesNotExist', Message: 'gone' },
          },
        ],
      });

      const result = await drillRevert(startedState());

      expect(result.changes.map((c) => c.action)).toEqual([
        'restore',
        'delete-launch-template-version',
        'untag',
      ]);
      expect(asg).toHaveReceivedCommandTimes(DeleteTagsCommand, 1);
    });

    it('keeps the tags and fails when a version could not be deleted for another reason', async () => {
      arrangeScaled();
      ec2.on(DeleteLaunchTemplateVersionsCommand).resolves({
        UnsuccessfullyDeletedLaunchTemplateVersions: [
          { VersionNumber: 4, ResponseError: { Code: 'unexpectedError', Message: 'try later' } },
        ],
      });

      await expect(drillRevert(startedState())).rejects.toThrow(
        /could not delete launch template lt-0123456789abcdef0 version 4.*unexpectedError/,
      );
      expect(asg).not.toHaveReceivedCommand(DeleteTagsCommand);
    });

    it('restores a group whose tags were lost while it is still exactly as start left it', async () => {
      arrangeScaled(scaledGroup([], []));

      await drillRevert(startedState());

      expect(asg).toHaveReceivedCommandWith(UpdateAutoScalingGroupCommand, {
        MinSize: 0,
        DesiredCapacity: 0,
        MaxSize: 2,
      });
      expect(asg).not.toHaveReceivedCommand(DeleteTagsCommand);
    });

    it('throws AutoScalingGroupNotFoundError when the group it scaled is gone', async () => {
      asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });

      await expect(drillRevert(startedState())).rejects.toThrow(AutoScalingGroupNotFoundError);
    });

    it('throws AccessDeniedError when the role may not restore the group, keeping the tags', async () => {
      arrangeScaled();
      asg.on(UpdateAutoScalingGroupCommand).rejects(accessDenied());

      await expect(drillRevert(startedState())).rejects.toThrow(AccessDeniedError);
      expect(asg).not.toHaveReceivedCommand(DeleteTagsCommand);
    });

    it('throws TransientAwsError on throttling, and the retry finishes the revert', async () => {
      arrangeScaled();
      ec2
        .on(DeleteLaunchTemplateVersionsCommand)
        .rejectsOnce(throttling())
        .resolves({ SuccessfullyDeletedLaunchTemplateVersions: [{ VersionNumber: 4 }] });

      await expect(drillRevert(startedState())).rejects.toThrow(TransientAwsError);
      // The first attempt restored the group; its tags are still there.
      asg
        .on(DescribeAutoScalingGroupsCommand)
        .resolves({ AutoScalingGroups: [standbyGroup({ tags: runTags() })] });
      const result = await drillRevert(startedState());

      expect(asg).toHaveReceivedCommandTimes(UpdateAutoScalingGroupCommand, 1);
      expect(asg).toHaveReceivedCommandTimes(DeleteTagsCommand, 1);
      // Deleted now; the next look confirms the version is gone before the revert is done.
      expect(result.done).toBe(false);
      expect(result.state).toMatchObject({ deletedVersions: [4] });
    });

    it('names what is still on the group when deleting the drill version fails', async () => {
      arrangeScaled();
      ec2.on(DeleteLaunchTemplateVersionsCommand).rejects(awsError('UnauthorizedOperation', 403, 'denied'));

      const failed = drillRevert(startedState());

      await expect(failed).rejects.toThrow(
        /still carries the tags dr-runbook:run-id, dr-runbook:resource and dr-runbook:previous/,
      );
      await expect(failed).rejects.toThrow(/dr-runbook revert /);
    });

    it('never trusts a delete: a version still there on the next look is deleted again', async () => {
      arrangeScaled(standbyGroup());
      ec2.on(DescribeLaunchTemplateVersionsCommand).resolves({ LaunchTemplateVersions: [createdVersion()] });
      const state = {
        groupName: GROUP,
        startedAt: RUN_STARTED_AT,
        revertStartedAt: RUN_STARTED_AT,
        restored: PREVIOUS,
        deletedVersions: [4],
      };

      const result = await drillRevert(state);

      expect(ec2).toHaveReceivedCommandWith(DeleteLaunchTemplateVersionsCommand, { Versions: ['4'] });
      expect(result.done).toBe(false);
      expect(result.detail).toContain('the next look confirms they are gone');
    });
  });

  /** The restored group (0/0/2 on $Latest, no run tags) with these instances on their way out or not. */
  const restoredGroup = (...states: LifecycleState[]) =>
    standbyGroup({ instances: states.map((state, i) => instance(`i-${i}`, '4', { LifecycleState: state })) });

  describe('auto-scaling-group revert polling until the group has settled', () => {
    it('stays pending while instances beyond the previous desired are InService, done once they are Terminating', async () => {
      arrangeScaled();
      asg
        .on(DescribeAutoScalingGroupsCommand)
        .resolvesOnce({
          AutoScalingGroups: [scaledGroup(['a', 'b', 'c', 'd'].map((id) => instance(`i-${id}`, '4')))],
        })
        .resolvesOnce({
          AutoScalingGroups: [restoredGroup('InService', 'InService', 'Terminating', 'InService')],
        })
        .resolvesOnce({
          AutoScalingGroups: [
            restoredGroup('Terminating', 'Terminating:Wait', 'Terminating:Proceed', 'Terminated'),
          ],
        });
      const clock = testClock();

      const restoring = await drillRevert(undefined, clock);
      clock.advance(restoring.nextCheckSeconds);
      const terminating = await drillRevert(restoring.state, clock);
      clock.advance(terminating.nextCheckSeconds);
      const settled = await drillRevert(terminating.state, clock);

      expect(restoring).toMatchObject({ done: false, nextCheckSeconds: 2 });
      // What the first call undid is carried along (the report reads the last result); nothing new.
      expect(terminating).toMatchObject({ done: false, changes: restoring.changes });
      expect(terminating.nextCheckSeconds).toBeGreaterThanOrEqual(2);
      expect(terminating.detail).toContain('3 instances not yet terminating, waiting for at most 0');
      expect(settled).toMatchObject({ done: true, nextCheckSeconds: 0, changes: restoring.changes });
      expect(settled.detail).toContain(`Auto Scaling group ${GROUP} is back at min 0/desired 0/max 2`);
      expect(asg).toHaveReceivedCommandTimes(UpdateAutoScalingGroupCommand, 1);
      expect(asg).toHaveReceivedCommandTimes(DeleteTagsCommand, 1);
    });

    it('accepts as many remaining instances as the previous desired capacity, Pending ones included', async () => {
      const previous = { ...PREVIOUS, min: 1, desired: 1 };
      const group = (...states: LifecycleState[]) => ({
        ...restoredGroup(...states),
        MinSize: 1,
        DesiredCapacity: 1,
      });
      asg
        .on(DescribeAutoScalingGroupsCommand)
        .resolvesOnce({ AutoScalingGroups: [group('InService', 'Pending')] })
        .resolvesOnce({ AutoScalingGroups: [group('InService', 'Terminating')] });
      const state = {
        groupName: GROUP,
        startedAt: RUN_STARTED_AT,
        revertStartedAt: RUN_STARTED_AT,
        restored: previous,
      };

      const twoLeft = await drillRevert(state);
      const oneLeft = await drillRevert(twoLeft.state);

      expect(twoLeft.done).toBe(false);
      expect(twoLeft.detail).toContain('2 instances not yet terminating, waiting for at most 1');
      expect(oneLeft.done).toBe(true);
      expect(mutatingCommandsSent([asg, ec2])).toEqual([]);
    });

    it('stays pending while the group is not yet at its previous min/desired/max', async () => {
      asg
        .on(DescribeAutoScalingGroupsCommand)
        .resolves({ AutoScalingGroups: [standbyGroup({ min: 0, desired: 1, max: 2 })] });
      const state = {
        groupName: GROUP,
        startedAt: RUN_STARTED_AT,
        revertStartedAt: RUN_STARTED_AT,
        restored: PREVIOUS,
      };

      const result = await drillRevert(state);

      expect(result).toMatchObject({ done: false, changes: [] });
      expect(result.detail).toContain('is at min 0/desired 1/max 2, waiting for min 0/desired 0/max 2');
      expect(mutatingCommandsSent([asg, ec2])).toEqual([]);
    });

    it('is re-entrant: later calls get the first call’s state, the tags already gone, and only look', async () => {
      arrangeScaled();
      asg
        .on(DescribeAutoScalingGroupsCommand)
        .resolvesOnce({ AutoScalingGroups: [scaledGroup(['a', 'b'].map((id) => instance(`i-${id}`, '4')))] })
        .resolves({ AutoScalingGroups: [restoredGroup('InService')] });
      const clock = testClock();
      clock.advance(45);

      const first = await drillRevert(undefined, clock);
      clock.advance(first.nextCheckSeconds);
      const second = await drillRevert(first.state, clock);
      clock.advance(second.nextCheckSeconds);
      const third = await drillRevert(second.state, clock);

      const revertStartedAt = '2026-11-25T12:00:45.000Z';
      expect(ownState(first.state)).toEqual({
        groupName: GROUP,
        revertStartedAt,
        startedAt: revertStartedAt,
        restored: PREVIOUS,
        deletedVersions: [4],
      });
      expect(ownState(second.state)).toEqual(ownState(first.state));
      expect([first.done, second.done, third.done]).toEqual([false, false, false]);
      // The later calls only describe the group and confirm the deleted version is gone: no update,
      // no second delete, no untagging.
      expect(asg).toHaveReceivedCommandTimes(UpdateAutoScalingGroupCommand, 1);
      expect(asg).toHaveReceivedCommandTimes(DeleteTagsCommand, 1);
      expect(asg).toHaveReceivedCommandTimes(DescribeAutoScalingGroupsCommand, 3);
      expect(ec2).toHaveReceivedCommandTimes(DeleteLaunchTemplateVersionsCommand, 1);
      expect(ec2).toHaveReceivedCommandTimes(DescribeLaunchTemplateVersionsCommand, 4);
    });

    it('waits longer between looks the longer the revert has taken', async () => {
      asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [restoredGroup('InService')] });
      const state = {
        groupName: GROUP,
        startedAt: RUN_STARTED_AT,
        revertStartedAt: RUN_STARTED_AT,
        restored: PREVIOUS,
      };
      const clock = testClock();
      clock.advance(600);

      const result = await drillRevert(state, clock);

      expect(result).toMatchObject({ done: false, nextCheckSeconds: 18 });
    });

    it('refuses on a later call when another run has tagged the group since', async () => {
      asg
        .on(DescribeAutoScalingGroupsCommand)
        .resolves({ AutoScalingGroups: [scaledGroup([], runTags('run-other'))] });
      const state = {
        groupName: GROUP,
        startedAt: RUN_STARTED_AT,
        revertStartedAt: RUN_STARTED_AT,
        restored: PREVIOUS,
      };

      const attempt = drillRevert(state);

      await expect(attempt).rejects.toThrow(InvalidResourceStateError);
      await expect(attempt).rejects.toThrow(/carries dr-runbook:run-id=run-other/);
      expect(mutatingCommandsSent([asg, ec2])).toEqual([]);
    });

    it('restores again when a start of this run still in flight re-scaled the group after it was restored', async () => {
      arrangeScaled();
      // Untagged, but on version 4, which this run created: the late start's doing.
      asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [scaledGroup([], [])] });
      const state = {
        groupName: GROUP,
        startedAt: RUN_STARTED_AT,
        revertStartedAt: RUN_STARTED_AT,
        restored: PREVIOUS,
      };

      const result = await drillRevert(state);

      expect(asg).toHaveReceivedCommandWith(UpdateAutoScalingGroupCommand, {
        AutoScalingGroupName: GROUP,
        MinSize: 0,
        DesiredCapacity: 0,
        MaxSize: 2,
        LaunchTemplate: { LaunchTemplateId: TEMPLATE_ID, Version: '$Latest' },
      });
      expect(ec2).toHaveReceivedCommandWith(DeleteLaunchTemplateVersionsCommand, { Versions: ['4'] });
      expect(asg).not.toHaveReceivedCommand(DeleteTagsCommand);
      expect(result).toMatchObject({ done: false });
      expect(result.changes.map((c) => c.action)).toEqual(['restore', 'delete-launch-template-version']);
    });

    it('reports what it undid in the last result of the polling loop (changes carried along the state)', async () => {
      arrangeScaled();
      asg
        .on(DescribeAutoScalingGroupsCommand)
        .resolvesOnce({ AutoScalingGroups: [scaledGroup()] })
        .resolvesOnce({ AutoScalingGroups: [restoredGroup('InService')] })
        .resolves({ AutoScalingGroups: [restoredGroup('Terminating')] });
      const clock = testClock();
      const call = async (state?: Record<string, unknown>) => {
        const result = await drillRevert(state, clock);
        clock.advance(result.nextCheckSeconds);
        return result;
      };

      const first = await call();
      const second = await call(first.state);
      const last = await call(second.state);

      expect([first.done, second.done, last.done]).toEqual([false, false, true]);
      expect(last.changes.map((c) => c.action)).toEqual([
        'restore',
        'delete-launch-template-version',
        'untag',
      ]);
      expect(last.changes).toEqual(first.changes);
    });
  });
});
