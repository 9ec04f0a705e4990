// Fixtures of the compute family's tests: Auto Scaling and EC2 shapes for the example plan's
// standby group (shop-web-standby: 0/0/2 on launch template version $Latest = 3, ami-old) and a
// newer plan-tagged AMI (ami-new) that start points a new version 4 at.
import { AutoScalingClient, type AutoScalingGroup, type Instance } from '@aws-sdk/client-auto-scaling';
import { EC2Client, type Image, type LaunchTemplateVersion } from '@aws-sdk/client-ec2';
import type { ComputeClients } from '../../../functions/compute/clients.ts';
import type { ComputeState } from '../../../functions/compute/state.ts';
import { type DrPlan, planSchema } from '../../../plan/schema.ts';
import { examplePlanInput, RUN_ID, RUN_STARTED_AT } from '../../fixtures.ts';

export const GROUP = 'shop-web-standby';
export const TEMPLATE_ID = 'lt-0123456789abcdef0';
export const TEMPLATE_NAME = 'shop-web';
export const OLD_AMI = 'ami-0old';
export const NEW_AMI = 'ami-0new';
/** What start records before changing the standby group. */
export const PREVIOUS = { min: 0, desired: 0, max: 2, launchTemplateId: TEMPLATE_ID, version: '$Latest' };
export const PREVIOUS_JSON = JSON.stringify(PREVIOUS);

export function computeClients(): ComputeClients {
  return {
    autoScaling: new AutoScalingClient({ region: 'us-west-2' }),
    ec2: new EC2Client({ region: 'us-west-2' }),
  };
}

/** The example plan with another compute section. */
export function planWithCompute(compute: Record<string, unknown>): DrPlan {
  return planSchema.parse({ ...examplePlanInput(), compute });
}

export function instance(id: string, version: string, overrides: Partial<Instance> = {}): Instance {
  return {
    InstanceId: id,
    AvailabilityZone: 'us-west-2a',
    LifecycleState: 'InService',
    HealthStatus: 'Healthy',
    ProtectedFromScaleIn: false,
    LaunchTemplate: { LaunchTemplateId: TEMPLATE_ID, LaunchTemplateName: TEMPLATE_NAME, Version: version },
    ...overrides,
  };
}

/** The runbook's tags on the group, as start writes them. */
export function runTags(runId = RUN_ID, previous = PREVIOUS_JSON) {
  return [
    { ResourceId: GROUP, ResourceType: 'auto-scaling-group', Key: 'dr-runbook:run-id', Value: runId },
    { ResourceId: GROUP, ResourceType: 'auto-scaling-group', Key: 'dr-runbook:previous', Value: previous },
  ];
}

export interface GroupOptions {
  min?: number;
  desired?: number;
  max?: number;
  version?: string;
  instances?: Instance[];
  tags?: ReturnType<typeof runTags>;
}

/** The standby group: by default the pilot-light state before any run. */
export function standbyGroup(
  options: GroupOptions = {},
  overrides: Partial<AutoScalingGroup> = {},
): AutoScalingGroup {
  return {
    AutoScalingGroupName: GROUP,
    MinSize: options.min ?? 0,
    DesiredCapacity: options.desired ?? 0,
    MaxSize: options.max ?? 2,
    DefaultCooldown: 300,
    AvailabilityZones: ['us-west-2a', 'us-west-2b'],
    HealthCheckType: 'ELB',
    CreatedTime: new Date('2026-01-01T00:00:00Z'),
    LaunchTemplate: {
      LaunchTemplateId: TEMPLATE_ID,
      LaunchTemplateName: TEMPLATE_NAME,
      Version: options.version ?? '$Latest',
    },
    Instances: options.instances ?? [],
    Tags: [
      { ResourceId: GROUP, ResourceType: 'auto-scaling-group', Key: 'app', Value: 'shop' },
      ...(options.tags ?? []),
    ],
    ...overrides,
  };
}

/** The group as a successful start of RUN_ID left it (2/4/8 on version 4), with these instances. */
export function scaledGroup(instances: Instance[] = [], tags = runTags()): AutoScalingGroup {
  return standbyGroup({ min: 2, desired: 4, max: 8, version: '4', instances, tags });
}

export function templateVersion(
  versionNumber: number,
  imageId: string,
  description?: string,
): LaunchTemplateVersion {
  return {
    LaunchTemplateId: TEMPLATE_ID,
    LaunchTemplateName: TEMPLATE_NAME,
    VersionNumber: versionNumber,
    DefaultVersion: versionNumber === 1,
    ...(description ? { VersionDescription: description } : {}),
    LaunchTemplateData: { ImageId: imageId, InstanceType: 't3.small' },
  };
}

/** Version 4, as start of RUN_ID creates it. */
export const createdVersion = () => templateVersion(4, NEW_AMI, `dr-runbook ${RUN_ID}: ${NEW_AMI}`);

export function image(imageId: string, creationDate: string): Image {
  return { ImageId: imageId, Name: `shop-web-${imageId}`, CreationDate: creationDate, State: 'available' };
}

/** ami-new is 24 hours old at the run's start, ami-old 30 days. */
export const images = () => [
  image(OLD_AMI, '2026-10-26T12:00:00.000Z'),
  image(NEW_AMI, '2026-11-24T12:00:00.000Z'),
];

/** The state a first start of RUN_ID returns for the standby group. */
export function startedState(overrides: Partial<ComputeState> = {}): ComputeState {
  return {
    groupName: GROUP,
    startedAt: RUN_STARTED_AT,
    previous: PREVIOUS,
    target: { min: 2, desired: 4, max: 8 },
    launchTemplateId: TEMPLATE_ID,
    targetVersion: '4',
    targetVersionNumber: 4,
    createdVersion: 4,
    amiId: NEW_AMI,
    preexistingInstanceIds: [],
    ...overrides,
  };
}

/** Whether a mock call happened before another (of any mock); false when either is missing. */
export function happenedBefore<C>(
  first: { calledBefore(call: C): boolean } | undefined,
  second: C | undefined,
) {
  return first !== undefined && second !== undefined && first.calledBefore(second);
}
