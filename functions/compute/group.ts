// The standby Auto Scaling group: describe it, read its capacity, launch template and the runbook's
// tags, and send the few mutating calls the family makes on it.
import {
  type AutoScalingClient,
  type AutoScalingGroup,
  CreateOrUpdateTagsCommand,
  DeleteTagsCommand,
  DescribeAutoScalingGroupsCommand,
  UpdateAutoScalingGroupCommand,
  type UpdateAutoScalingGroupCommandInput,
} from '@aws-sdk/client-auto-scaling';
import { awsErrorName, toStepError } from '../shared/aws-errors.ts';
import { AutoScalingGroupNotFoundError } from '../shared/errors.ts';
import { type Capacity, PREVIOUS_TAG, RUN_ID_TAG } from './state.ts';

/** Runs an Auto Scaling call; adds the not-found shape the shared classifier cannot know. */
export async function asgCall<T>(groupName: string, operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const name = awsErrorName(error);
    const message = error instanceof Error ? error.message : '';
    // Mutating calls on a missing group fail with a generic ValidationError.
    if (name === 'ValidationError' && /not found/i.test(message))
      throw groupNotFound(groupName, operation, error);
    throw toStepError(error, { resource: groupName, operation });
  }
}

export function groupNotFound(groupName: string, operation: string, cause?: unknown) {
  return new AutoScalingGroupNotFoundError(
    `Auto Scaling group ${groupName} not found while trying to ${operation}: check plan.compute.autoScalingGroupName and the recovery region`,
    groupName,
    { cause },
  );
}

/** The group, or undefined when it does not exist. */
export async function describeGroup(
  client: AutoScalingClient,
  groupName: string,
  operation: string,
): Promise<AutoScalingGroup | undefined> {
  const out = await asgCall(groupName, operation, () =>
    client.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [groupName] })),
  );
  return out.AutoScalingGroups?.find((g) => g.AutoScalingGroupName === groupName);
}

export async function requireGroup(
  client: AutoScalingClient,
  groupName: string,
  operation: string,
): Promise<AutoScalingGroup> {
  const group = await describeGroup(client, groupName, operation);
  if (!group) throw groupNotFound(groupName, operation);
  return group;
}

export function capacityOf(group: AutoScalingGroup): Capacity {
  return { min: group.MinSize ?? 0, desired: group.DesiredCapacity ?? 0, max: group.MaxSize ?? 0 };
}

/** The launch template the group launches from (directly or through a mixed instances policy). */
export interface TemplateRef {
  launchTemplateId?: string;
  launchTemplateName?: string;
  /** As the group references it: "$Latest", "$Default" or a number (AWS's default is "$Default"). */
  version: string;
  mixed: boolean;
}

export function templateRefOf(group: AutoScalingGroup): TemplateRef | undefined {
  const direct = group.LaunchTemplate;
  const mixed = group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
  const spec = direct ?? mixed;
  if (!spec || (!spec.LaunchTemplateId && !spec.LaunchTemplateName)) return undefined;
  return {
    ...(spec.LaunchTemplateId ? { launchTemplateId: spec.LaunchTemplateId } : {}),
    ...(spec.LaunchTemplateName ? { launchTemplateName: spec.LaunchTemplateName } : {}),
    version: spec.Version ?? '$Default',
    mixed: !direct,
  };
}

/** The runbook's tags on the group. */
export function runTagsOf(group: AutoScalingGroup): { runId?: string; previous?: string } {
  const value = (key: string) => group.Tags?.find((t) => t.Key === key)?.Value;
  const runId = value(RUN_ID_TAG);
  const previous = value(PREVIOUS_TAG);
  return { ...(runId !== undefined ? { runId } : {}), ...(previous !== undefined ? { previous } : {}) };
}

export async function writeRunTags(
  client: AutoScalingClient,
  groupName: string,
  runId: string,
  previous: string,
): Promise<void> {
  const tag = (Key: string, Value: string) => ({
    ResourceId: groupName,
    ResourceType: 'auto-scaling-group',
    Key,
    Value,
    PropagateAtLaunch: false,
  });
  await asgCall(groupName, 'record its previous configuration in tags', () =>
    client.send(
      new CreateOrUpdateTagsCommand({ Tags: [tag(RUN_ID_TAG, runId), tag(PREVIOUS_TAG, previous)] }),
    ),
  );
}

export async function deleteRunTags(client: AutoScalingClient, groupName: string): Promise<void> {
  const tag = (Key: string) => ({ ResourceId: groupName, ResourceType: 'auto-scaling-group', Key });
  await asgCall(groupName, 'delete the runbook tags', () =>
    client.send(new DeleteTagsCommand({ Tags: [tag(RUN_ID_TAG), tag(PREVIOUS_TAG)] })),
  );
}

/**
 * UpdateAutoScalingGroup input setting capacity and, when `version` differs from the group's, the
 * launch template version (inside the mixed instances policy for a mixed group, so the policy's
 * instance types and distribution are kept). Undefined when nothing would change.
 */
export function updateInput(
  group: AutoScalingGroup,
  capacity: Capacity,
  template: { launchTemplateId: string; version: string },
): UpdateAutoScalingGroupCommandInput | undefined {
  const current = capacityOf(group);
  const ref = templateRefOf(group);
  const templateChanges =
    !ref ||
    ref.version !== template.version ||
    (ref.launchTemplateId ?? template.launchTemplateId) !== template.launchTemplateId;
  const capacityChanges =
    current.min !== capacity.min || current.desired !== capacity.desired || current.max !== capacity.max;
  if (!templateChanges && !capacityChanges) return undefined;
  const input: UpdateAutoScalingGroupCommandInput = {
    AutoScalingGroupName: group.AutoScalingGroupName,
    MinSize: capacity.min,
    DesiredCapacity: capacity.desired,
    MaxSize: capacity.max,
  };
  if (!templateChanges) return input;
  const spec = { LaunchTemplateId: template.launchTemplateId, Version: template.version };
  const policy = group.MixedInstancesPolicy;
  if (ref?.mixed && policy?.LaunchTemplate) {
    input.MixedInstancesPolicy = {
      ...policy,
      LaunchTemplate: { ...policy.LaunchTemplate, LaunchTemplateSpecification: spec },
    };
  } else {
    input.LaunchTemplate = spec;
  }
  return input;
}

export async function updateGroup(
  client: AutoScalingClient,
  input: UpdateAutoScalingGroupCommandInput,
  operation: string,
): Promise<void> {
  const name = input.AutoScalingGroupName ?? '';
  await asgCall(name, operation, () => client.send(new UpdateAutoScalingGroupCommand(input)));
}

/** Ids of the instances that are InService and Healthy. */
export function healthyInstanceIds(group: AutoScalingGroup): string[] {
  return (group.Instances ?? [])
    .filter((i) => i.LifecycleState === 'InService' && i.HealthStatus === 'Healthy' && i.InstanceId)
    .map((i) => i.InstanceId as string);
}

/** Ids of the instances that are InService (whatever their health). */
export function inServiceInstanceIds(group: AutoScalingGroup): string[] {
  return (group.Instances ?? [])
    .filter((i) => i.LifecycleState === 'InService' && i.InstanceId)
    .map((i) => i.InstanceId as string);
}
