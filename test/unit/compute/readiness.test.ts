import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeImagesCommand, DescribeLaunchTemplateVersionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { scaleStandbyReadiness } from '../../../functions/compute/readiness.ts';
import { TransientAwsError } from '../../../functions/shared/errors.ts';
import type { ReadinessResult } from '../../../functions/shared/step-contract.ts';
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
  GROUP,
  image,
  images,
  instance,
  NEW_AMI,
  OLD_AMI,
  standbyGroup,
  TEMPLATE_ID,
  templateVersion,
} from './compute-fixtures.ts';

const asg = mockClient(AutoScalingClient);
const ec2 = mockClient(EC2Client);
const clients = computeClients();

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

describe('scaleStandbyReadiness', () => {
  it('passes every check for a ready standby and predicts the expected healthy time', async () => {
    arrange();

    const result = await scaleStandbyReadiness(stepEvent('readiness'), clients, testClock());

    expect(statuses(result)).toEqual({
      'group-exists': 'pass',
      'launch-template': 'pass',
      ami: 'pass',
      'ami-in-template': 'pass',
      capacity: 'pass',
    });
    expect(result).toMatchObject({ family: 'compute', strategy: 'scale-standby', predictedSeconds: 300 });
    expect(check(result, 'ami')?.detail).toMatch(/ami-0new, 24 h old/);
    expect(check(result, 'capacity')?.detail).toContain('min 0/desired 0/max 2 -> min 2/desired 4/max 8');
    expect(check(result, 'launch-template')?.detail).toContain(`${TEMPLATE_ID} version $Latest (3)`);
    expect(mutatingCommandsSent([asg, ec2])).toEqual([]);
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

    const result = await scaleStandbyReadiness(stepEvent('readiness'), clients, testClock());

    expect(result.predictedSeconds).toBe(0);
  });

  it('says a new launch template version will be created when the template launches an older AMI', async () => {
    arrange();
    ec2
      .on(DescribeLaunchTemplateVersionsCommand)
      .resolves({ LaunchTemplateVersions: [templateVersion(3, OLD_AMI)] });

    const result = await scaleStandbyReadiness(stepEvent('readiness'), clients, testClock());

    expect(check(result, 'ami-in-template')).toEqual({
      name: 'ami-in-template',
      status: 'pass',
      detail: expect.stringContaining(`a new launch template version will be created with ${NEW_AMI}`),
    });
  });

  it('warns when the newest AMI is older than maxAgeHours', async () => {
    arrange();
    ec2.on(DescribeImagesCommand).resolves({ Images: [image(OLD_AMI, '2026-10-26T12:00:00.000Z')] });

    const result = await scaleStandbyReadiness(stepEvent('readiness'), clients, testClock());

    expect(check(result, 'ami')).toMatchObject({
      status: 'warn',
      detail: expect.stringMatching(/ami-0old, 720 h old.*168/),
    });
  });

  it('fails the ami check, naming the tags, when no plan-tagged AMI is available', async () => {
    arrange();
    ec2.on(DescribeImagesCommand).resolves({ Images: [] });

    const result = await scaleStandbyReadiness(stepEvent('readiness'), clients, testClock());

    expect(check(result, 'ami')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('dr-runbook:plan=shop, role=web'),
    });
    expect(check(result, 'ami-in-template')).toBeUndefined();
  });

  it('warns when the plan is below the current capacity, because the runbook never lowers it', async () => {
    arrange(standbyGroup({ min: 1, desired: 6, max: 10 }));

    const result = await scaleStandbyReadiness(stepEvent('readiness'), clients, testClock());

    expect(check(result, 'capacity')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('desired, max is below the current value'),
    });
    expect(check(result, 'capacity')?.detail).toContain('-> min 2/desired 6/max 10');
  });

  it('fails group-exists naming the group when it does not exist, still checking the AMI', async () => {
    arrange();
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });

    const result = await scaleStandbyReadiness(stepEvent('readiness'), clients, testClock());

    expect(check(result, 'group-exists')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining(GROUP),
    });
    expect(result.checks.map((c) => c.name)).toEqual(['group-exists', 'ami']);
    expect(result.predictedSeconds).toBe(300);
    expect(mutatingCommandsSent([asg, ec2])).toEqual([]);
  });

  it('fails launch-template for a group on a launch configuration, asking to migrate', async () => {
    arrange(standbyGroup({}, { LaunchTemplate: undefined, LaunchConfigurationName: 'shop-web-lc' }));

    const result = await scaleStandbyReadiness(stepEvent('readiness'), clients, testClock());

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

    const result = await scaleStandbyReadiness(stepEvent('readiness'), clients, testClock());

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

    const result = await scaleStandbyReadiness(stepEvent('readiness'), clients, testClock());

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

    const result = await scaleStandbyReadiness(stepEvent('readiness'), clients, testClock());

    expect(statuses(result)).toEqual({ 'group-exists': 'fail', ami: 'fail' });
    expect(check(result, 'group-exists')?.detail).toMatch(new RegExp(`access denied.*${GROUP}.*grant`));
    expect(mutatingCommandsSent([asg, ec2])).toEqual([]);
  });

  it('throws TransientAwsError on throttling so Step Functions retries', async () => {
    arrange();
    asg.on(DescribeAutoScalingGroupsCommand).rejects(throttling());

    await expect(scaleStandbyReadiness(stepEvent('readiness'), clients, testClock())).rejects.toThrow(
      TransientAwsError,
    );
  });

  it('picks the newest AMI across result pages', async () => {
    arrange();
    ec2
      .on(DescribeImagesCommand)
      .resolvesOnce({ Images: [image(OLD_AMI, '2026-10-26T12:00:00.000Z')], NextToken: 'page-2' })
      .resolvesOnce({ Images: [image(NEW_AMI, '2026-11-24T12:00:00.000Z')] });

    const result = await scaleStandbyReadiness(stepEvent('readiness'), clients, testClock());

    expect(ec2).toHaveReceivedCommandWith(DescribeImagesCommand, { NextToken: 'page-2' });
    expect(check(result, 'ami')?.detail).toContain(NEW_AMI);
  });
});
