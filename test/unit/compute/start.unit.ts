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
import {
  AccessDeniedError,
  AmiNotFoundError,
  AutoScalingGroupNotFoundError,
  InvalidResourceStateError,
  TransientAwsError,
} from '../../../functions/shared/errors.ts';
import { mockClient } from '../../aws-mock.ts';
import { accessDenied, awsError, mutatingCommandsSent, RUN_ID, throttling } from '../../fixtures.ts';
import {
  createdVersion,
  GROUP,
  happenedBefore,
  images,
  instance,
  NEW_AMI,
  OLD_AMI,
  PREVIOUS_JSON,
  progress,
  runTags,
  scaledGroup,
  standbyGroup,
  TEMPLATE_ID,
  templateVersion,
  versionDescription,
} from './compute-fixtures.ts';

describe('start', () => {
  const asg = mockClient(AutoScalingClient);
  const ec2 = mockClient(EC2Client);
  const start = (mode: 'failover' | 'drill' = 'failover') => progress('start', { mode });

  /** The pilot-light standby before any run: 0/0/2 on $Latest = version 3 launching ami-old. */
  function arrangeStandby(group = standbyGroup()) {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group] });
    asg.on(CreateOrUpdateTagsCommand).resolves({});
    asg.on(UpdateAutoScalingGroupCommand).resolves({});
    ec2
      .on(DescribeLaunchTemplateVersionsCommand)
      .resolves({ LaunchTemplateVersions: [templateVersion(3, OLD_AMI)] });
    ec2.on(DescribeImagesCommand).resolves({ Images: images() });
    ec2.on(CreateLaunchTemplateVersionCommand).resolves({ LaunchTemplateVersion: createdVersion() });
  }

  beforeEach(() => {
    asg.reset();
    ec2.reset();
  });

  describe('auto-scaling-group start', () => {
    it('records the previous configuration in tags, creates a version with the newest AMI and scales to the plan', async () => {
      arrangeStandby();

      const result = await start();

      expect(asg.commandCalls(CreateOrUpdateTagsCommand)[0]?.args[0].input).toEqual({
        Tags: runTags(RUN_ID, PREVIOUS_JSON, 'web', GROUP),
      });
      expect(ec2.commandCalls(CreateLaunchTemplateVersionCommand)[0]?.args[0].input).toEqual({
        LaunchTemplateId: TEMPLATE_ID,
        SourceVersion: '3',
        VersionDescription: `dr-runbook ${RUN_ID} web: ${NEW_AMI}`,
        LaunchTemplateData: { ImageId: NEW_AMI },
      });
      expect(asg).toHaveReceivedCommandWith(UpdateAutoScalingGroupCommand, {
        AutoScalingGroupName: GROUP,
        MinSize: 2,
        DesiredCapacity: 4,
        MaxSize: 8,
        LaunchTemplate: { LaunchTemplateId: TEMPLATE_ID, Version: '4' },
      });
      const tagged = asg.commandCalls(CreateOrUpdateTagsCommand)[0];
      const created = ec2.commandCalls(CreateLaunchTemplateVersionCommand)[0];
      const updated = asg.commandCalls(UpdateAutoScalingGroupCommand)[0];
      expect(happenedBefore(tagged, created)).toBe(true);
      expect(happenedBefore(created, updated)).toBe(true);
      expect(result).toMatchObject({
        family: 'compute',
        resource: 'web',
        type: 'auto-scaling-group',
        action: 'start',
        done: false,
        nextCheckSeconds: 2,
        startedAt: '2026-11-25T12:00:00.000Z',
        state: {
          groupName: GROUP,
          startedAt: '2026-11-25T12:00:00.000Z',
          previous: JSON.parse(PREVIOUS_JSON),
          target: { min: 2, desired: 4, max: 8 },
          launchTemplateId: TEMPLATE_ID,
          targetVersion: '4',
          targetVersionNumber: 4,
          createdVersion: 4,
          amiId: NEW_AMI,
          preexistingInstanceIds: [],
        },
      });
      expect(result.changes.map((c) => c.action)).toEqual(['scale', 'create-launch-template-version']);
      expect(result.detail).toContain(GROUP);
    });

    it('asks DescribeImages for the plan owners, one filter per plan tag and available images', async () => {
      arrangeStandby();

      await start();

      expect(ec2).toHaveReceivedCommandWith(DescribeImagesCommand, {
        Owners: ['self'],
        Filters: [
          { Name: 'tag:dr-runbook:plan', Values: ['shop'] },
          { Name: 'tag:role', Values: ['web'] },
          { Name: 'state', Values: ['available'] },
        ],
      });
    });

    it.each(['failover', 'drill'] as const)(
      'is done at once, changing nothing, when a %s re-runs after the group is scaled and healthy',
      async (mode) => {
        const healthy = ['i-1', 'i-2', 'i-3', 'i-4'].map((id) => instance(id, '4'));
        arrangeStandby(scaledGroup(healthy));
        ec2
          .on(DescribeLaunchTemplateVersionsCommand)
          .resolves({ LaunchTemplateVersions: [createdVersion()] });

        const result = await start(mode);

        expect(mutatingCommandsSent([asg, ec2])).toEqual([]);
        expect(result).toMatchObject({
          done: true,
          nextCheckSeconds: 0,
          state: { previous: JSON.parse(PREVIOUS_JSON), targetVersion: '4', createdVersion: 4 },
        });
        expect(result.changes.map((c) => c.action)).toEqual(['scale', 'create-launch-template-version']);
      },
    );

    it('reuses the version a crashed run created ($Latest with its run id) instead of creating another', async () => {
      arrangeStandby(standbyGroup({ version: '3', tags: runTags() }));
      ec2
        .on(DescribeLaunchTemplateVersionsCommand, { Versions: ['3'] })
        .resolves({ LaunchTemplateVersions: [templateVersion(3, OLD_AMI)] })
        .on(DescribeLaunchTemplateVersionsCommand, { Versions: ['$Latest'] })
        .resolves({ LaunchTemplateVersions: [createdVersion()] });

      const result = await start();

      expect(ec2).not.toHaveReceivedCommand(CreateLaunchTemplateVersionCommand);
      expect(asg).not.toHaveReceivedCommand(CreateOrUpdateTagsCommand);
      expect(asg).toHaveReceivedCommandWith(UpdateAutoScalingGroupCommand, {
        LaunchTemplate: { LaunchTemplateId: TEMPLATE_ID, Version: '4' },
      });
      expect(result.state).toMatchObject({ createdVersion: 4, previous: JSON.parse(PREVIOUS_JSON) });
    });

    it('creates a new version when $Latest launches the newest AMI but another run made it', async () => {
      arrangeStandby(standbyGroup({ version: '3' }));
      ec2
        .on(DescribeLaunchTemplateVersionsCommand, { Versions: ['3'] })
        .resolves({ LaunchTemplateVersions: [templateVersion(3, OLD_AMI)] })
        .on(DescribeLaunchTemplateVersionsCommand, { Versions: ['$Latest'] })
        .resolves({
          LaunchTemplateVersions: [
            templateVersion(4, NEW_AMI, versionDescription(NEW_AMI, 'web', 'other-run')),
          ],
        });
      ec2
        .on(CreateLaunchTemplateVersionCommand)
        .resolves({ LaunchTemplateVersion: templateVersion(5, NEW_AMI) });

      const result = await start();

      expect(ec2).toHaveReceivedCommandWith(CreateLaunchTemplateVersionCommand, { SourceVersion: '3' });
      expect(result.state).toMatchObject({ targetVersion: '5', createdVersion: 5 });
    });

    it('only scales when the template already launches the newest AMI', async () => {
      arrangeStandby();
      ec2
        .on(DescribeLaunchTemplateVersionsCommand)
        .resolves({ LaunchTemplateVersions: [templateVersion(3, NEW_AMI)] });

      const result = await start();

      expect(ec2).not.toHaveReceivedCommand(CreateLaunchTemplateVersionCommand);
      const update = asg.commandCalls(UpdateAutoScalingGroupCommand)[0]?.args[0].input;
      expect(update).toEqual({ AutoScalingGroupName: GROUP, MinSize: 2, DesiredCapacity: 4, MaxSize: 8 });
      expect(result.state).toMatchObject({ targetVersion: '$Latest', targetVersionNumber: 3 });
      expect(result.state).not.toHaveProperty('createdVersion');
    });

    it('never lowers a value: each of min/desired/max is the larger of the current and the plan', async () => {
      const running = ['i-1', 'i-2', 'i-3', 'i-4', 'i-5', 'i-6'].map((id) => instance(id, '3'));
      arrangeStandby(standbyGroup({ min: 1, desired: 6, max: 6, instances: running }));
      ec2
        .on(DescribeLaunchTemplateVersionsCommand)
        .resolves({ LaunchTemplateVersions: [templateVersion(3, NEW_AMI)] });

      const result = await start();

      expect(asg).toHaveReceivedCommandWith(UpdateAutoScalingGroupCommand, {
        MinSize: 2,
        DesiredCapacity: 6,
        MaxSize: 8,
      });
      expect(result).toMatchObject({
        done: true,
        state: {
          target: { min: 2, desired: 6, max: 8 },
          preexistingInstanceIds: ['i-1', 'i-2', 'i-3', 'i-4', 'i-5', 'i-6'],
        },
      });
    });

    it('refuses a drill on a group an earlier drill left tagged, naming that run and the fix', async () => {
      arrangeStandby(standbyGroup({ min: 2, desired: 4, max: 8, tags: runTags('run-earlier') }));

      const attempt = start('drill');

      await expect(attempt).rejects.toThrow(InvalidResourceStateError);
      await expect(attempt).rejects.toThrow(
        /dr-runbook:run-id=run-earlier, dr-runbook:resource=web.*did not revert.*Revert run run-earlier/,
      );
      expect(mutatingCommandsSent([asg, ec2])).toEqual([]);
    });

    it('refuses a drill on a group carrying this run’s tags for another resource', async () => {
      arrangeStandby(standbyGroup({ tags: runTags(RUN_ID, PREVIOUS_JSON, 'workers') }));

      const attempt = start('drill');

      await expect(attempt).rejects.toThrow(InvalidResourceStateError);
      await expect(attempt).rejects.toThrow(/dr-runbook:resource=workers/);
      expect(mutatingCommandsSent([asg, ec2])).toEqual([]);
    });

    it('carries on in a failover when another run left its tags, saying so in the detail', async () => {
      arrangeStandby(standbyGroup({ tags: runTags('run-earlier') }));

      const result = await start();

      expect(result.detail).toMatch(/run-earlier/);
      expect(asg).toHaveReceivedCommandWith(CreateOrUpdateTagsCommand, { Tags: runTags() });
      expect(asg).toHaveReceivedCommandTimes(UpdateAutoScalingGroupCommand, 1);
    });

    it('updates the launch template inside a mixed instances policy, keeping its overrides', async () => {
      const policy = {
        LaunchTemplate: {
          LaunchTemplateSpecification: { LaunchTemplateId: TEMPLATE_ID, Version: '3' },
          Overrides: [{ InstanceType: 't3.small' }, { InstanceType: 't3a.small' }],
        },
        InstancesDistribution: { OnDemandPercentageAboveBaseCapacity: 50 },
      };
      arrangeStandby(standbyGroup({}, { LaunchTemplate: undefined, MixedInstancesPolicy: policy }));

      const result = await start();

      const update = asg.commandCalls(UpdateAutoScalingGroupCommand)[0]?.args[0].input;
      expect(update?.LaunchTemplate).toBeUndefined();
      expect(update?.MixedInstancesPolicy).toEqual({
        ...policy,
        LaunchTemplate: {
          ...policy.LaunchTemplate,
          LaunchTemplateSpecification: { LaunchTemplateId: TEMPLATE_ID, Version: '4' },
        },
      });
      expect(result.state).toMatchObject({ previous: { version: '3' } });
    });

    it('refuses a group on a launch configuration, asking to migrate it', async () => {
      arrangeStandby(standbyGroup({}, { LaunchTemplate: undefined, LaunchConfigurationName: 'shop-web-lc' }));

      await expect(start()).rejects.toThrow(/shop-web-lc.*migrate the group to a launch template/);
      expect(mutatingCommandsSent([asg, ec2])).toEqual([]);
    });

    it('throws AmiNotFoundError naming the tags, before changing anything, when no plan-tagged AMI exists', async () => {
      arrangeStandby();
      ec2.on(DescribeImagesCommand).resolves({ Images: [] });

      const attempt = start();

      await expect(attempt).rejects.toThrow(AmiNotFoundError);
      await expect(attempt).rejects.toThrow(/dr-runbook:plan=shop, role=web/);
      await expect(attempt).rejects.toThrow(/tag it as resources\[1\]\.ami\.tags says/);
      expect(mutatingCommandsSent([asg, ec2])).toEqual([]);
    });

    it('throws AutoScalingGroupNotFoundError naming the group when it does not exist', async () => {
      arrangeStandby();
      asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });

      const attempt = start();

      await expect(attempt).rejects.toThrow(AutoScalingGroupNotFoundError);
      await expect(attempt).rejects.toThrow(
        `Auto Scaling group ${GROUP} not found while trying to scale the standby: check resources[1].autoScalingGroupName`,
      );
      expect(mutatingCommandsSent([asg, ec2])).toEqual([]);
    });

    it('maps the ValidationError of a group deleted mid-way to AutoScalingGroupNotFoundError', async () => {
      arrangeStandby();
      asg
        .on(UpdateAutoScalingGroupCommand)
        .rejects(awsError('ValidationError', 400, 'AutoScalingGroup name not found'));

      await expect(start()).rejects.toThrow(AutoScalingGroupNotFoundError);
    });

    it('throws AccessDeniedError when the role may not update the group', async () => {
      arrangeStandby();
      asg.on(UpdateAutoScalingGroupCommand).rejects(accessDenied());

      const attempt = start();

      await expect(attempt).rejects.toThrow(AccessDeniedError);
      await expect(attempt).rejects.toThrow(GROUP);
    });

    it('throws TransientAwsError on throttling, and a retry completes without duplicating anything', async () => {
      arrangeStandby();
      asg.on(UpdateAutoScalingGroupCommand).rejectsOnce(throttling()).resolves({});

      await expect(start()).rejects.toThrow(TransientAwsError);
      // The first attempt tagged the group and created version 4; the retry sees both.
      asg
        .on(DescribeAutoScalingGroupsCommand)
        .resolves({ AutoScalingGroups: [standbyGroup({ tags: runTags() })] });
      ec2
        .on(DescribeLaunchTemplateVersionsCommand, { Versions: ['$Latest'] })
        .resolves({ LaunchTemplateVersions: [createdVersion()] });
      const result = await start();

      expect(asg).toHaveReceivedCommandTimes(CreateOrUpdateTagsCommand, 1);
      expect(ec2).toHaveReceivedCommandTimes(CreateLaunchTemplateVersionCommand, 1);
      expect(asg).toHaveReceivedCommandTimes(UpdateAutoScalingGroupCommand, 2);
      expect(result).toMatchObject({ done: false, state: { targetVersion: '4', createdVersion: 4 } });
    });

    it('treats a pending update of the group (ResourceContentionFault) as transient', async () => {
      arrangeStandby();
      asg.on(CreateOrUpdateTagsCommand).rejects(awsError('ResourceContentionFault', 500, 'pending update'));

      await expect(start()).rejects.toThrow(TransientAwsError);
    });
  });
});
