// Fencing an auto-scaling-group resource (docs/design.md, "Fencing"): after a failover or
// switchover, the group that served in the primary region (primaryAutoScalingGroupName) is scaled
// to 0 instances, so the old primary's application stops writing and serving when its region
// returns. Best effort: runStep calls it with the primary region's clients made for fencing (one
// short attempt) and records whatever it throws as not-reachable (transient) or failed.
//   1. describe the group (not found: AutoScalingGroupNotFoundError, naming the plan field);
//   2. already at min 0 and desired 0: fenced, nothing sent;
//   3. tag it with the run (dr-runbook:fenced-by) and its capacity before ("min/desired/max",
//      dr-runbook:capacity-before-fence), so failback can restore it; tags first, so a scaled group
//      always says what it had;
//   4. UpdateAutoScalingGroup MinSize 0, DesiredCapacity 0; MaxSize is kept.
import { CreateOrUpdateTagsCommand, UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import type { FenceResult } from '../shared/step-contract.ts';
import type { ComputeClients } from './clients.ts';
import { asgCall, capacityOf, fieldPath, type GroupEvent, type GroupRef, requireGroup } from './group.ts';
import { CAPACITY_BEFORE_FENCE_TAG, encodeFenceCapacity, FENCED_BY_TAG, formatCapacity } from './state.ts';

type Fenced = Omit<FenceResult, 'family' | 'action'>;

const FENCE = 'fence the primary group';

export async function fenceGroup(event: GroupEvent, clients: ComputeClients): Promise<Fenced> {
  const { primaryAutoScalingGroupName: name, fence } = event.resource;
  const primary = event.plan.regions.primary;
  if (!fence) {
    return {
      outcome: 'skipped',
      detail: `fencing is turned off (${fieldPath(event, 'fence')} is false): the primary region's group${name ? ` ${name}` : ''} is left as it is`,
      changes: [],
    };
  }
  if (!name) {
    return {
      outcome: 'skipped',
      detail: `no primary group to fence: set ${fieldPath(event, 'primaryAutoScalingGroupName')} to the group serving in ${primary}, so a failover scales it to 0`,
      changes: [],
    };
  }
  const ref: GroupRef = {
    name,
    field: fieldPath(event, 'primaryAutoScalingGroupName'),
    where: `the primary region (${primary})`,
  };
  const group = await requireGroup(clients.autoScaling, ref, FENCE);
  const before = capacityOf(group);
  const after = { ...before, min: 0, desired: 0 };
  if (before.min === 0 && before.desired === 0) {
    return {
      outcome: 'fenced',
      detail: `Auto Scaling group ${name} in ${primary} is already at ${formatCapacity(before)}: nothing to scale down`,
      changes: [],
    };
  }
  const tag = (Key: string, Value: string) => ({
    ResourceId: name,
    ResourceType: 'auto-scaling-group',
    Key,
    Value,
    PropagateAtLaunch: false,
  });
  await asgCall(ref, 'record its capacity before fencing in tags', () =>
    clients.autoScaling.send(
      new CreateOrUpdateTagsCommand({
        Tags: [tag(FENCED_BY_TAG, event.run.id), tag(CAPACITY_BEFORE_FENCE_TAG, encodeFenceCapacity(before))],
      }),
    ),
  );
  await asgCall(ref, 'scale the primary group to 0', () =>
    clients.autoScaling.send(
      new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: name, MinSize: 0, DesiredCapacity: 0 }),
    ),
  );
  const transition = `${formatCapacity(before)} -> ${formatCapacity(after)}`;
  return {
    outcome: 'fenced',
    detail: `Auto Scaling group ${name} in ${primary} scaled to 0 (${transition}); its capacity before is in the tag ${CAPACITY_BEFORE_FENCE_TAG}`,
    changes: [
      {
        resource: name,
        action: 'scale-to-zero',
        detail: `${transition} in ${primary}; tagged ${FENCED_BY_TAG}=${event.run.id}, ${CAPACITY_BEFORE_FENCE_TAG}=${encodeFenceCapacity(before)}`,
      },
    ],
  };
}
