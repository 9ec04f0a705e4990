// The compute family's role: the plan's Auto Scaling groups by name, the launch template versions
// a run creates for them, and what AWS checks when a group launches from a template: RunInstances
// on the launch's own resources (only through a template), CreateTags on launch, and PassRole of
// the plan's instance roles (to EC2 only).
import { ArnFormat, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { fences } from '../../plan/resources/fencing.ts';
import type { DrPlan } from '../../plan/schema.ts';
import { resourcesOf } from '../../plan/steps.ts';
import { nagArn } from '../nag-acknowledgements.ts';
import { arn, type FamilyPermissions, readOnly } from './arns.ts';

/** What AWS authorizes on a RunInstances besides the launch template (the launch's own resources). */
const LAUNCHED_RESOURCES = [
  'image',
  'instance',
  'volume',
  'network-interface',
  'subnet',
  'security-group',
  'key-pair',
] as const;
/** What a template's TagSpecifications tag as the instances launch. */
const TAGGED_ON_LAUNCH = ['instance', 'volume', 'network-interface'] as const;

/** All of one EC2 resource type in the recovery region (images have no account in their ARN). */
function ec2Arn(scope: Construct, region: string, type: string): string {
  const { partition, account } = Stack.of(scope);
  return type === 'image'
    ? `arn:${partition}:ec2:${region}::image/*`
    : `arn:${partition}:ec2:${region}:${account}:${type}/*`;
}

export function computePermissions(scope: Construct, plan: DrPlan): FamilyPermissions {
  const groups = resourcesOf(plan, 'compute');
  const region = plan.regions.recovery;
  const groupArns = groups.map((g) =>
    arn(scope, 'autoscaling', 'autoScalingGroup', `*:autoScalingGroupName/${g.autoScalingGroupName}`),
  );
  const launchTemplates = arn(scope, 'ec2', 'launch-template', '*', {
    format: ArnFormat.SLASH_RESOURCE_NAME,
  });
  // Fencing scales the primary region's group of each resource that names one to 0, and tags it
  // with its capacity before (functions/compute/fence.ts): those groups only, in the primary region.
  const primary = plan.regions.primary;
  const fencedGroups = groups.flatMap((g) =>
    fences(g) && g.primaryAutoScalingGroupName ? [g.primaryAutoScalingGroupName] : [],
  );
  const fencedGroupArns = fencedGroups.map((name) =>
    arn(scope, 'autoscaling', 'autoScalingGroup', `*:autoScalingGroupName/${name}`, { region: primary }),
  );
  const instanceRoles = [...new Set(groups.flatMap((g) => (g.instanceRoleArn ? [g.instanceRoleArn] : [])))];
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
      ...(fencedGroupArns.length === 0
        ? []
        : [
            new PolicyStatement({
              sid: 'FenceThePrimaryGroups',
              actions: ['autoscaling:UpdateAutoScalingGroup', 'autoscaling:CreateOrUpdateTags'],
              resources: fencedGroupArns,
            }),
          ]),
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
      new PolicyStatement({
        sid: 'LaunchOnlyFromTemplates',
        // ...and every resource such a launch uses or creates, in the recovery region, only
        // through a launch template (AWS checks each; the template names them, not the plan).
        actions: ['ec2:RunInstances'],
        resources: LAUNCHED_RESOURCES.map((type) => ec2Arn(scope, region, type)),
        conditions: { ArnLike: { 'ec2:LaunchTemplate': launchTemplates } },
      }),
      new PolicyStatement({
        sid: 'TagOnLaunch',
        // A template's TagSpecifications tag the instances and volumes as they launch.
        actions: ['ec2:CreateTags'],
        resources: TAGGED_ON_LAUNCH.map((type) => ec2Arn(scope, region, type)),
        conditions: { StringEquals: { 'ec2:CreateAction': 'RunInstances' } },
      }),
      ...(instanceRoles.length === 0
        ? []
        : [
            new PolicyStatement({
              sid: 'PassInstanceRoles',
              // A template with an instance profile launches only if the caller may pass its role, to EC2 only.
              actions: ['iam:PassRole'],
              resources: instanceRoles,
              conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
            }),
          ]),
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
      ...fencedGroups.map((name) => ({
        resource: nagArn(primary, 'autoscaling', `autoScalingGroup:*:autoScalingGroupName/${name}`),
        reason:
          "the primary region's group by name, which fencing scales to 0 and tags; its ARN holds a generated id",
      })),
      {
        resource: nagArn(region, 'ec2', 'launch-template/*'),
        reason: "the groups' launch template ids are read at run time, not named in the plan",
      },
      ...[...LAUNCHED_RESOURCES, ...TAGGED_ON_LAUNCH]
        .filter((type, i, all) => all.indexOf(type) === i)
        .map((type) => ({
          resource:
            type === 'image'
              ? `arn:<AWS::Partition>:ec2:${region}::image/*`
              : nagArn(region, 'ec2', `${type}/*`),
          reason:
            type === 'image'
              ? 'the newest plan-tagged AMI is found at run time; RunInstances only through a launch template'
              : `what a launch from the groups' templates uses or creates (${type}); RunInstances only through a launch template, CreateTags only on launch`,
        })),
    ],
  };
}
