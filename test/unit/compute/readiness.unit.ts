import 'aws-sdk-client-mock-jest';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeImagesCommand, DescribeLaunchTemplateVersionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { TransientAwsError } from '../../../functions/shared/errors.ts';
import type { ReadinessResult } from '../../../functions/shared/step-contract.ts';
import { planSchema } from '../../../plan/schema.ts';
import { mockClient } from '../../aws-mock.ts';
import {
  accessDenied,
  awsError,
  examplePlanInput,
  mutatingCommandsSent,
  throttling,
} from '../../fixtures.ts';
import {
  activeActive,
  GROUP,
  image,
  images,
  instance,
  multiTier,
  NEW_AMI,
  OLD_AMI,
  readiness,
  standbyGroup,
  TEMPLATE_ID,
  templateVersion,
  WEB_GROUP,
  WORKERS_GROUP,
} from './compute-fixtures.ts';

describe('readiness', () => {
  const asg = mockClient(AutoScalingClient);
  const ec2 = mockClient(EC2Client);

  function arrange(group = standbyGroup()) {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group] });
    ec2
      .on(DescribeLaunchTemplateVersionsCommand)
      .resolves({ LaunchTemplateVersions: [templateVersion(3, NEW_AMI)] });
    ec2.on(DescribeImagesCommand).resolves({ Images: images() });
  }

  const check = (result: ReadinessResult, name: string) => result.checks.find((c) => c.name === name);
  const statuses = (result: ReadinessResult) =>
    Object.fromEntries(result.checks.map((c) => [c.name, c.status]));

  beforeEach(() => {
    asg.reset();
    ec2.reset();
  });

  describe('auto-scaling-group readiness', () => {
    it('passes every check for a ready standby and predicts the expected healthy time', async () => {
      arrange();

      const result = await readiness();

      expect(statuses(result)).toEqual({
        'group-exists': 'pass',
        'launch-template': 'pass',
        ami: 'pass',
        'ami-in-template': 'pass',
        capacity: 'pass',
      });
      expect(result).toMatchObject({
        family: 'compute',
        resource: 'web',
        type: 'auto-scaling-group',
        ready: true,
        predictedSeconds: 300,
      });
      expect(check(result, 'ami')?.detail).toMatch(/ami-0new, 24 h old/);
      expect(check(result, 'capacity')?.detail).toContain('min 0/desired 0/max 2 -> min 2/desired 4/max 8');
      expect(check(result, 'launch-template')?.detail).toContain(`${TEMPLATE_ID} version $Latest (3)`);
      expect(mutatingCommandsSent([asg, ec2])).toEqual([]);
    });

    it('fails instance-profile when the template launches with a profile and the plan names no role to pass, and passes once it does', async () => {
      arrange();
      const withProfile = templateVersion(3, NEW_AMI);
      withProfile.LaunchTemplateData = {
        ...withProfile.LaunchTemplateData,
        IamInstanceProfile: { Arn: 'arn:aws:iam::123456789012:instance-profile/shop-web' },
      };
      ec2.on(DescribeLaunchTemplateVersionsCommand).resolves({ LaunchTemplateVersions: [withProfile] });

      const missing = await readiness();
      expect(check(missing, 'instance-profile')).toMatchObject({
        status: 'fail',
        detail: expect.stringMatching(
          /instance profile arn:aws:iam::123456789012:instance-profile\/shop-web: set resources\[1\]\.instanceRoleArn .*iam:PassRole/,
        ),
      });

      const input = examplePlanInput('warm-standby');
      (input.resources[1] as Record<string, unknown>).instanceRoleArn =
        'arn:aws:iam::123456789012:role/shop-web';
      const named = await readiness({ plan: planSchema.parse(input) });
      expect(check(named, 'instance-profile')?.status).toBe('pass');
    });

    it('checks no instance profile when the template launches without one', async () => {
      arrange();
      expect(check(await readiness(), 'instance-profile')).toBeUndefined();
    });

    it('predicts 0 seconds when enough healthy instances already serve', async () => {
      arrange(
        standbyGroup({
          min: 4,
          desired: 4,
          max: 8,
          instances: ['a', 'b', 'c', 'd'].map((id) => instance(id, '3')),
        }),
      );

      const result = await readiness();

      expect(result.predictedSeconds).toBe(0);
    });

    it('says a new launch template version will be created when the template launches an older AMI', async () => {
      arrange();
      ec2
        .on(DescribeLaunchTemplateVersionsCommand)
        .resolves({ LaunchTemplateVersions: [templateVersion(3, OLD_AMI)] });

      const result = await readiness();

      expect(check(result, 'ami-in-template')).toEqual({
        name: 'ami-in-template',
        status: 'pass',
        detail: expect.stringContaining(`a new launch template version will be created with ${NEW_AMI}`),
      });
    });

    it('warns when the newest AMI is older than maxAgeHours', async () => {
      arrange();
      ec2.on(DescribeImagesCommand).resolves({ Images: [image(OLD_AMI, '2026-10-26T12:00:00.000Z')] });

      const result = await readiness();

      expect(check(result, 'ami')).toMatchObject({
        status: 'warn',
        detail: expect.stringMatching(
          /ami-0old, 720 h old.*older than resources\[1\]\.ami\.maxAgeHours \(168\)/,
        ),
      });
    });

    it('fails the ami check, naming the tags, when no plan-tagged AMI is available', async () => {
      arrange();
      ec2.on(DescribeImagesCommand).resolves({ Images: [] });

      const result = await readiness();

      expect(check(result, 'ami')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('dr-runbook:plan=shop, role=web'),
      });
      expect(check(result, 'ami')?.detail).toContain('tag it as resources[1].ami.tags says');
      expect(check(result, 'ami-in-template')).toBeUndefined();
    });

    it('warns when the plan is below the current capacity, because the runbook never lowers it', async () => {
      arrange(standbyGroup({ min: 1, desired: 6, max: 10 }));

      const result = await readiness();

      expect(check(result, 'capacity')).toMatchObject({
        status: 'warn',
        detail: expect.stringContaining('resources[1].capacity desired, max is below the current value'),
      });
      expect(check(result, 'capacity')?.detail).toContain('-> min 2/desired 6/max 10');
    });

    it('fails group-exists naming the group when it does not exist, still checking the AMI', async () => {
      arrange();
      asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });

      const result = await readiness();

      expect(check(result, 'group-exists')).toMatchObject({
        status: 'fail',
        detail: `Auto Scaling group ${GROUP} not found in us-west-2: create it or fix resources[1].autoScalingGroupName`,
      });
      expect(result.ready).toBe(false);
      expect(result.checks.map((c) => c.name)).toEqual(['group-exists', 'ami']);
      expect(result.predictedSeconds).toBe(300);
      expect(mutatingCommandsSent([asg, ec2])).toEqual([]);
    });

    it('fails launch-template for a group on a launch configuration, asking to migrate', async () => {
      arrange(standbyGroup({}, { LaunchTemplate: undefined, LaunchConfigurationName: 'shop-web-lc' }));

      const result = await readiness();

      expect(check(result, 'launch-template')).toMatchObject({
        status: 'fail',
        detail: expect.stringMatching(
          /launch configuration shop-web-lc: migrate the group to a launch template/,
        ),
      });
      expect(ec2).not.toHaveReceivedCommand(DescribeLaunchTemplateVersionsCommand);
    });

    it('reads the launch template of a mixed instances policy', async () => {
      const MixedInstancesPolicy = {
        LaunchTemplate: { LaunchTemplateSpecification: { LaunchTemplateId: TEMPLATE_ID, Version: '3' } },
      };
      arrange(standbyGroup({}, { LaunchTemplate: undefined, MixedInstancesPolicy }));

      const result = await readiness();

      expect(ec2).toHaveReceivedCommandWith(DescribeLaunchTemplateVersionsCommand, {
        LaunchTemplateId: TEMPLATE_ID,
        Versions: ['3'],
      });
      expect(check(result, 'launch-template')?.status).toBe('pass');
    });

    it('fails launch-template when the referenced version does not exist', async () => {
      arrange(standbyGroup({ version: '9' }));
      ec2
        .on(DescribeLaunchTemplateVersionsCommand)
        .rejects(awsError('InvalidLaunchTemplateId.VersionNotFound', 400, 'Could not find version 9'));

      const result = await readiness();

      expect(check(result, 'launch-template')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining(`launch template ${TEMPLATE_ID} version 9 not found`),
      });
      expect(mutatingCommandsSent([asg, ec2])).toEqual([]);
    });

    it('reports access denied as failed checks naming the resource, without throwing', async () => {
      arrange();
      asg.on(DescribeAutoScalingGroupsCommand).rejects(accessDenied());
      ec2.on(DescribeImagesCommand).rejects(accessDenied());

      const result = await readiness();

      expect(statuses(result)).toEqual({ 'group-exists': 'fail', ami: 'fail' });
      expect(check(result, 'group-exists')?.detail).toMatch(new RegExp(`access denied.*${GROUP}.*grant`));
      expect(mutatingCommandsSent([asg, ec2])).toEqual([]);
    });

    it('throws TransientAwsError on throttling so Step Functions retries', async () => {
      arrange();
      asg.on(DescribeAutoScalingGroupsCommand).rejects(throttling());

      await expect(readiness()).rejects.toThrow(TransientAwsError);
    });

    it('picks the newest AMI across result pages', async () => {
      arrange();
      ec2
        .on(DescribeImagesCommand)
        .resolvesOnce({ Images: [image(OLD_AMI, '2026-10-26T12:00:00.000Z')], NextToken: 'page-2' })
        .resolvesOnce({ Images: [image(NEW_AMI, '2026-11-24T12:00:00.000Z')] });

      const result = await readiness();

      expect(ec2).toHaveReceivedCommandWith(DescribeImagesCommand, { NextToken: 'page-2' });
      expect(check(result, 'ami')?.detail).toContain(NEW_AMI);
    });

    it("reads the resource's own group and AMI tags: multi-tier's workers", async () => {
      arrange(standbyGroup({ name: WORKERS_GROUP }));

      const result = await readiness({ plan: multiTier(), resource: 'workers' });

      expect(asg).toHaveReceivedCommandWith(DescribeAutoScalingGroupsCommand, {
        AutoScalingGroupNames: [WORKERS_GROUP],
      });
      expect(asg).not.toHaveReceivedCommandWith(DescribeAutoScalingGroupsCommand, {
        AutoScalingGroupNames: [WEB_GROUP],
      });
      expect(ec2).toHaveReceivedCommandWith(DescribeImagesCommand, {
        Filters: [
          { Name: 'tag:dr-runbook:plan', Values: ['market'] },
          { Name: 'tag:role', Values: ['worker'] },
          { Name: 'state', Values: ['available'] },
        ],
      });
      expect(result).toMatchObject({ resource: 'workers', ready: true });
      expect(check(result, 'capacity')?.detail).toContain('-> min 1/desired 2/max 6');
    });

    it("predicts the resource's expectedHealthySeconds (active-active api: 180)", async () => {
      arrange(standbyGroup({ name: 'catalog-api-tokyo' }));

      const result = await readiness({ plan: activeActive(), resource: 'api' });

      expect(result.predictedSeconds).toBe(180);
      expect(asg).toHaveReceivedCommandWith(DescribeAutoScalingGroupsCommand, {
        AutoScalingGroupNames: ['catalog-api-tokyo'],
      });
    });
  });
});
