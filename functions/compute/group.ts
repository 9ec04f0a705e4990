// The standby Auto Scaling group of one auto-scaling-group resource: describe it, read its
// capacity, launch template and the runbook's tags, and send the few mutating calls the family
// makes on it. Every call names the group and, when it is missing, the plan field naming it.
import {
  type AutoScalingClient,
  type AutoScalingGroup,
  CreateOrUpdateTagsCommand,
  DeleteTagsCommand,
  DescribeAutoScalingGroupsCommand,
  UpdateAutoScalingGroupCommand,
  type UpdateAutoScalingGroupCommandInput,
} from '@aws-sdk/client-auto-scaling';
import type { ResourceOfType } from '../../plan/schema.ts';
import { awsErrorName, toStepError } from '../shared/aws-errors.ts';
import { AutoScalingGroupNotFoundError } from '../shared/errors.ts';
import type { ResourceEvent } from '../shared/step-contract.ts';
import { type Capacity, PREVIOUS_TAG, RESOURCE_TAG, RUN_ID_TAG } from './state.ts';

export type GroupResource = ResourceOfType<'auto-scaling-group'>;
export type GroupEvent = ResourceEvent<GroupResource>;

/**
 * The path of one of this resource's plan fields, as messages name it:
 * `resources[3].autoScalingGroupName`, `resources[4].ami.tags`.
 */
export function fieldPath(event: Pick<GroupEvent, 'plan' | 'resourceId'>, field: string): string {
  const index = event.plan.resources.findIndex((r) => r.id === event.resourceId);
  return `resources[${index}].${field}`;
}

/** The group a resource acts on, and the plan field naming it (for a not-found message). */
export interface GroupRef {
  name: string;
  /** E.g. `resources[3].autoScalingGroupName`. */
  field: string;
  /** Where the group is, as a not-found message names it; "the recovery region" unless told. */
  where?: string;
}

export function groupRefOf(event: GroupEvent): GroupRef {
  return { name: event.resource.autoScalingGroupName, field: fieldPath(event, 'autoScalingGroupName') };
}

/** Runs an Auto Scaling call; adds the not-found shape the shared classifier cannot know. */
export async function asgCall<T>(group: GroupRef, operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const name = awsErrorName(error);
    const message = error instanceof Error ? error.message : '';
    // Mutating calls on a missing group fail with a generic ValidationError.
    if (name === 'ValidationError' && /not found/i.test(message))
      throw groupNotFound(group, operation, error);
    throw toStepError(error, { resource: group.name, operation });
  }
}

export function groupNotFound(group: GroupRef, operation: string, cause?: unknown) {
  return new AutoScalingGroupNotFoundError(
    `Auto Scaling group ${group.name} not found while trying to ${operation}: check ${group.field} and ${group.where ?? 'the recovery region'}`,
    group.name,
    { cause },
  );
}

/** The group, or undefined when it does not exist. */
export async function describeGroup(
  client: AutoScalingClient,
  group: GroupRef,
  operation: string,
): Promise<AutoScalingGroup | undefined> {
  const out = await asgCall(group, operation, () =>
    client.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group.name] })),
  );
  return out.AutoScalingGroups?.find((g) => g.AutoScalingGroupName === group.name);
}

export async function requireGroup(
  client: AutoScalingClient,
  group: GroupRef,
  operation: string,
): Promise<AutoScalingGroup> {
  const found = await describeGroup(client, group, operation);
  if (!found) throw groupNotFound(group, operation);
  return found;
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
export interface RunTags {
  runId?: string;
  resource?: string;
  previous?: string;
}

export function runTagsOf(group: AutoScalingGroup): RunTags {
  const value = (key: string) => group.Tags?.find((t) => t.Key === key)?.Value;
  const runId = value(RUN_ID_TAG);
  const resource = value(RESOURCE_TAG);
  const previous = value(PREVIOUS_TAG);
  return {
    ...(runId !== undefined ? { runId } : {}),
    ...(resource !== undefined ? { resource } : {}),
    ...(previous !== undefined ? { previous } : {}),
  };
}

/** Whether the group carries a run's tags at all. */
export const tagged = (tags: RunTags) => tags.runId !== undefined || tags.resource !== undefined;

/** Whether the tags are this run's for this resource (both must match). */
export const taggedBy = (tags: RunTags, runId: string, resourceId: string) =>
  tags.runId === runId && tags.resource === resourceId;

/** The owner the tags name, for messages: `dr-runbook:run-id=r1, dr-runbook:resource=web`. */
export function describeOwner(tags: RunTags): string {
  return `${RUN_ID_TAG}=${tags.runId ?? '(none)'}, ${RESOURCE_TAG}=${tags.resource ?? '(none)'}`;
}

/** The tag keys the runbook writes, as messages list them. */
export const RUN_TAG_KEYS = `${RUN_ID_TAG}, ${RESOURCE_TAG} and ${PREVIOUS_TAG}`;

export async function writeRunTags(
  client: AutoScalingClient,
  group: GroupRef,
  owner: { runId: string; resourceId: string },
  previous: string,
): Promise<void> {
  const tag = (Key: string, Value: string) => ({
    ResourceId: group.name,
    ResourceType: 'auto-scaling-group',
    Key,
    Value,
    PropagateAtLaunch: false,
  });
  await asgCall(group, 'record its previous configuration in tags', () =>
    client.send(
      new CreateOrUpdateTagsCommand({
        Tags: [
          tag(RUN_ID_TAG, owner.runId),
          tag(RESOURCE_TAG, owner.resourceId),
          tag(PREVIOUS_TAG, previous),
        ],
      }),
    ),
  );
}

export async function deleteRunTags(client: AutoScalingClient, group: GroupRef): Promise<void> {
  const tag = (Key: string) => ({ ResourceId: group.name, ResourceType: 'auto-scaling-group', Key });
  await asgCall(group, 'delete the runbook tags', () =>
    client.send(new DeleteTagsCommand({ Tags: [tag(RUN_ID_TAG), tag(RESOURCE_TAG), tag(PREVIOUS_TAG)] })),
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
  group: GroupRef,
  input: UpdateAutoScalingGroupCommandInput,
  operation: string,
): Promise<void> {
  await asgCall(group, operation, () => client.send(new UpdateAutoScalingGroupCommand(input)));
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
