import {
  AutoScalingClient,
  DeleteTagsCommand,
  DescribeAutoScalingGroupsCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DeleteLaunchTemplateVersionsCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { scaleStandbyRevert } from '../../../functions/compute/revert.ts';
import {
  AccessDeniedError,
  AutoScalingGroupNotFoundError,
  InvalidResourceStateError,
  TransientAwsError,
} from '../../../functions/shared/errors.ts';
import {
  accessDenied,
  awsError,
  mutatingCommandsSent,
  stepEvent,
  testClock,
  throttling,
} from '../../fixtures.ts';
import {
  computeClients,
  createdVersion,
  GROUP,
  happenedBefore,
  instance,
  NEW_AMI,
  runTags,
  scaledGroup,
  standbyGroup,
  startedState,
  TEMPLATE_ID,
  templateVersion,
} from './compute-fixtures.ts';

const asg = mockClient(AutoScalingClient);
const ec2 = mockClient(EC2Client);
const clients = computeClients();

const drillRevert = (state?: Record<string, unknown>) =>
  stepEvent('revert', { mode: 'drill', ...(state ? { state } : {}) });

/** The group as the drill left it (2/4/8 on version 4, tagged), version 4 still there. */
function arrangeScaled(group = scaledGroup(['a', 'b', 'c', 'd'].map((id) => instance(`i-${id}`, '4')))) {
  asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group] });
  asg.on(UpdateAutoScalingGroupCommand).resolves({});
  asg.on(DeleteTagsCommand).resolves({});
  ec2.on(DescribeLaunchTemplateVersionsCommand).resolves({ LaunchTemplateVersions: [createdVersion()] });
  ec2.on(DeleteLaunchTemplateVersionsCommand).resolves({
    SuccessfullyDeletedLaunchTemplateVersions: [{ LaunchTemplateId: TEMPLATE_ID, VersionNumber: 4 }],
  });
}

beforeEach(() => {
  asg.reset();
  ec2.reset();
});

describe('scaleStandbyRevert', () => {
  it('restores capacity and the version string verbatim, deletes the created version, then the tags', async () => {
    arrangeScaled();

    const result = await scaleStandbyRevert(drillRevert(startedState()), clients, testClock());

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
    expect(asg).toHaveReceivedCommandWith(DeleteTagsCommand, {
      Tags: [
        { ResourceId: GROUP, ResourceType: 'auto-scaling-group', Key: 'dr-runbook:run-id' },
        { ResourceId: GROUP, ResourceType: 'auto-scaling-group', Key: 'dr-runbook:previous' },
      ],
    });
    const updated = asg.commandCalls(UpdateAutoScalingGroupCommand)[0];
    const deleted = ec2.commandCalls(DeleteLaunchTemplateVersionsCommand)[0];
    const untagged = asg.commandCalls(DeleteTagsCommand)[0];
    expect(happenedBefore(updated, deleted)).toBe(true);
    expect(happenedBefore(deleted, untagged)).toBe(true);
    expect(result).toMatchObject({ family: 'compute', action: 'revert', done: true, nextCheckSeconds: 0 });
    expect(result.detail).toMatch(/min 0\/desired 0\/max 2.*asynchronously/);
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

    const result = await scaleStandbyRevert(drillRevert(startedState()), clients, testClock());

    expect(mutatingCommandsSent([asg, ec2])).toEqual([]);
    expect(result).toMatchObject({ done: true, changes: [] });
    expect(result.detail).toContain('nothing left to revert');
  });

  it('refuses to touch a group tagged by another run, naming it', async () => {
    arrangeScaled(scaledGroup([], runTags('run-other')));

    const attempt = scaleStandbyRevert(drillRevert(startedState()), clients, testClock());

    await expect(attempt).rejects.toThrow(InvalidResourceStateError);
    await expect(attempt).rejects.toThrow(/shop-web-standby carries dr-runbook:run-id=run-other/);
    expect(mutatingCommandsSent([asg, ec2])).toEqual([]);
  });

  it('is done without changes when start never ran and the group carries no tags', async () => {
    arrangeScaled(standbyGroup());

    const result = await scaleStandbyRevert(drillRevert(), clients, testClock());

    expect(mutatingCommandsSent([asg, ec2])).toEqual([]);
    expect(result).toMatchObject({ done: true, changes: [] });
  });

  it('reverts from the tags when start crashed before returning its state', async () => {
    arrangeScaled();

    const result = await scaleStandbyRevert(drillRevert(), clients, testClock());

    expect(asg).toHaveReceivedCommandWith(UpdateAutoScalingGroupCommand, {
      MinSize: 0,
      DesiredCapacity: 0,
      MaxSize: 2,
      LaunchTemplate: { LaunchTemplateId: TEMPLATE_ID, Version: '$Latest' },
    });
    expect(ec2).toHaveReceivedCommandWith(DescribeLaunchTemplateVersionsCommand, { Versions: ['4'] });
    expect(ec2).toHaveReceivedCommandWith(DeleteLaunchTemplateVersionsCommand, { Versions: ['4'] });
    expect(asg).toHaveReceivedCommandTimes(DeleteTagsCommand, 1);
    expect(result.done).toBe(true);
  });

  it('never deletes a launch template version this run did not create', async () => {
    arrangeScaled();
    ec2
      .on(DescribeLaunchTemplateVersionsCommand)
      .resolves({ LaunchTemplateVersions: [templateVersion(4, NEW_AMI, 'baked by the pipeline')] });

    await scaleStandbyRevert(drillRevert(startedState()), clients, testClock());

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

    const result = await scaleStandbyRevert(drillRevert(startedState()), clients, testClock());

    expect(result.done).toBe(true);
    expect(asg).toHaveReceivedCommandTimes(DeleteTagsCommand, 1);
  });

  it('keeps the tags and fails when a version could not be deleted for another reason', async () => {
    arrangeScaled();
    ec2.on(DeleteLaunchTemplateVersionsCommand).resolves({
      UnsuccessfullyDeletedLaunchTemplateVersions: [
        { VersionNumber: 4, ResponseError: { Code: 'unexpectedError', Message: 'try later' } },
      ],
    });

    await expect(scaleStandbyRevert(drillRevert(startedState()), clients, testClock())).rejects.toThrow(
      /could not delete launch template lt-0123456789abcdef0 version 4.*unexpectedError/,
    );
    expect(asg).not.toHaveReceivedCommand(DeleteTagsCommand);
  });

  it('restores a group whose tags were lost while it is still exactly as start left it', async () => {
    arrangeScaled(scaledGroup([], []));

    await scaleStandbyRevert(drillRevert(startedState()), clients, testClock());

    expect(asg).toHaveReceivedCommandWith(UpdateAutoScalingGroupCommand, {
      MinSize: 0,
      DesiredCapacity: 0,
      MaxSize: 2,
    });
    expect(asg).not.toHaveReceivedCommand(DeleteTagsCommand);
  });

  it('throws AutoScalingGroupNotFoundError when the group it scaled is gone', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });

    await expect(scaleStandbyRevert(drillRevert(startedState()), clients, testClock())).rejects.toThrow(
      AutoScalingGroupNotFoundError,
    );
  });

  it('throws AccessDeniedError when the role may not restore the group, keeping the tags', async () => {
    arrangeScaled();
    asg.on(UpdateAutoScalingGroupCommand).rejects(accessDenied());

    await expect(scaleStandbyRevert(drillRevert(startedState()), clients, testClock())).rejects.toThrow(
      AccessDeniedError,
    );
    expect(asg).not.toHaveReceivedCommand(DeleteTagsCommand);
  });

  it('throws TransientAwsError on throttling, and the retry finishes the revert', async () => {
    arrangeScaled();
    ec2
      .on(DeleteLaunchTemplateVersionsCommand)
      .rejectsOnce(throttling())
      .resolves({ SuccessfullyDeletedLaunchTemplateVersions: [{ VersionNumber: 4 }] });

    await expect(scaleStandbyRevert(drillRevert(startedState()), clients, testClock())).rejects.toThrow(
      TransientAwsError,
    );
    // The first attempt restored the group; its tags are still there.
    asg
      .on(DescribeAutoScalingGroupsCommand)
      .resolves({ AutoScalingGroups: [standbyGroup({ tags: runTags() })] });
    const result = await scaleStandbyRevert(drillRevert(startedState()), clients, testClock());

    expect(asg).toHaveReceivedCommandTimes(UpdateAutoScalingGroupCommand, 1);
    expect(asg).toHaveReceivedCommandTimes(DeleteTagsCommand, 1);
    expect(result.done).toBe(true);
  });
});
