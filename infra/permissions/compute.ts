// The compute family's role: the plan's Auto Scaling groups by name, and the launch template
// versions a run creates for them.
import { ArnFormat } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { DrPlan } from '../../plan/schema.ts';
import { resourcesOf } from '../../plan/steps.ts';
import { nagArn } from '../nag-acknowledgements.ts';
import { arn, type FamilyPermissions, readOnly } from './arns.ts';

export function computePermissions(scope: Construct, plan: DrPlan): FamilyPermissions {
  const groups = resourcesOf(plan, 'compute');
  const region = plan.regions.recovery;
  const groupArns = groups.map((g) =>
    arn(scope, 'autoscaling', 'autoScalingGroup', `*:autoScalingGroupName/${g.autoScalingGroupName}`),
  );
  const launchTemplates = arn(scope, 'ec2', 'launch-template', '*', {
    format: ArnFormat.SLASH_RESOURCE_NAME,
  });
  return {
    statements: [
      readOnly([
        'autoscaling:DescribeAutoScalingGroups',
        'ec2:DescribeImages',
        'ec2:DescribeLaunchTemplates',
        'ec2:DescribeLaunchTemplateVersions',
      ]),
      new PolicyStatement({
        sid: 'ScaleTheStandbyGroups',
        actions: [
          'autoscaling:UpdateAutoScalingGroup',
          'autoscaling:CreateOrUpdateTags',
          'autoscaling:DeleteTags',
        ],
        resources: groupArns,
      }),
      new PolicyStatement({
        sid: 'LaunchTemplateVersions',
        actions: ['ec2:CreateLaunchTemplateVersion', 'ec2:DeleteLaunchTemplateVersions'],
        resources: [launchTemplates],
      }),
      new PolicyStatement({
        sid: 'UpdateGroupWithLaunchTemplate',
        // Auto Scaling checks the caller may launch from the template it is given.
        actions: ['ec2:RunInstances'],
        resources: [launchTemplates],
      }),
    ],
    wildcards: [
      ...groups.map((g) => ({
        resource: nagArn(
          region,
          'autoscaling',
          `autoScalingGroup:*:autoScalingGroupName/${g.autoScalingGroupName}`,
        ),
        reason: 'the standby group by name; its ARN holds a generated id',
      })),
      {
        resource: nagArn(region, 'ec2', 'launch-template/*'),
        reason: "the groups' launch template ids are read at run time, not named in the plan",
      },
    ],
  };
}
