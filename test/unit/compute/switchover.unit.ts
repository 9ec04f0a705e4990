import 'aws-sdk-client-mock-jest';
import {
  AutoScalingClient,
  CreateOrUpdateTagsCommand,
  DescribeAutoScalingGroupsCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  CreateLaunchTemplateVersionCommand,
  DescribeImagesCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { InvalidStepInputError } from '../../../functions/shared/errors.ts';
import { mockClient } from '../../aws-mock.ts';
import { testClock } from '../../fixtures.ts';
import {
  createdVersion,
  GROUP,
  images,
  instance,
  OLD_AMI,
  progress,
  scaledGroup,
  standbyGroup,
  startedState,
  TEMPLATE_ID,
  templateVersion,
} from './compute-fixtures.ts';

describe('auto-scaling-group-switchover', () => {
  const asg = mockClient(AutoScalingClient);
  const ec2 = mockClient(EC2Client);

  beforeEach(() => {
    asg.reset();
    ec2.reset();
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [standbyGroup()] });
    asg.on(CreateOrUpdateTagsCommand).resolves({});
    asg.on(UpdateAutoScalingGroupCommand).resolves({});
    ec2
      .on(DescribeLaunchTemplateVersionsCommand)
      .resolves({ LaunchTemplateVersions: [templateVersion(3, OLD_AMI)] });
    ec2.on(DescribeImagesCommand).resolves({ Images: images() });
    ec2.on(CreateLaunchTemplateVersionCommand).resolves({ LaunchTemplateVersion: createdVersion() });
  });

  it('scales the standby as a failover does, and checks it until healthy', async () => {
    const switchover = await progress('start', { mode: 'switchover' });
    const sentBySwitchover = asg.commandCalls(UpdateAutoScalingGroupCommand).map((c) => c.args[0].input);
    asg.resetHistory();
    const failover = await progress('start', { mode: 'failover' });
    const sentByFailover = asg.commandCalls(UpdateAutoScalingGroupCommand).map((c) => c.args[0].input);

    expect(sentBySwitchover).toEqual(sentByFailover);
    expect(sentBySwitchover).toEqual([
      {
        AutoScalingGroupName: GROUP,
        MinSize: 2,
        DesiredCapacity: 4,
        MaxSize: 8,
        LaunchTemplate: { LaunchTemplateId: TEMPLATE_ID, Version: '4' },
      },
    ]);
    expect(switchover.state).toEqual(failover.state);

    asg.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [scaledGroup(Array.from({ length: 4 }, (_, i) => instance(`i-new${i + 1}`, '4')))],
    });
    const clock = testClock();
    clock.advance(240);
    const checked = await progress('check', { mode: 'switchover', state: startedState() }, clock);
    expect(checked).toMatchObject({ action: 'check', done: true });
  });

  it('refuses revert in a switchover: only drills are reverted', async () => {
    await expect(progress('revert', { mode: 'switchover' })).rejects.toThrow(InvalidStepInputError);
    await expect(progress('revert', { mode: 'switchover' })).rejects.toThrow(
      'compute revert of web does not run in switchover mode (only drill)',
    );
  });
});
