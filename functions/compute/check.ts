// Check of scale-standby: done when enough instances are InService and healthy on the target version.
// A group found below start's target (something lowered it during the run, e.g. a drill revert
// racing a failover) is raised to it again first: values are only ever raised, never lowered.
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { InvalidResourceStateError } from '../shared/errors.ts';
import { nextCheckSeconds, secondsBetween } from '../shared/polling.ts';
import type { Change, ProgressResult, StepContext, StepEvent } from '../shared/step-contract.ts';
import type { ComputeClients } from './clients.ts';
import { capacityOf, requireGroup, runTagsOf, updateGroup, updateInput } from './group.ts';
import { belowTarget, changesOf, scalingProgress } from './progress.ts';
import { type ComputeState, formatCapacity, RUN_ID_TAG, requiredState } from './state.ts';
import { targetCapacity } from './target.ts';

export async function scaleStandbyCheck(
  event: StepEvent,
  clients: ComputeClients,
  context: StepContext,
): Promise<ProgressResult> {
  const state = requiredState(event, 'check');
  const group = await requireGroup(clients.autoScaling, state.groupName, 'check the standby is healthy');
  const reraised = await reraiseIfLowered(event, clients, group, state);
  const progress = scalingProgress(group, state);
  // After a re-raise the instances seen are those of the lowered group: the next check judges.
  const done = progress.done && !reraised;
  const elapsed = secondsBetween(state.startedAt, context.now());
  return {
    family: 'compute',
    action: 'check',
    done,
    nextCheckSeconds: done ? 0 : nextCheckSeconds(elapsed),
    detail: reraised
      ? `Auto Scaling group ${state.groupName} ${reraised.detail}; ${progress.detail}`
      : progress.detail,
    state,
    changes: [...changesOf(state), ...(reraised ? [reraised] : [])],
    measurements: {
      healthyInstances: progress.ready,
      ...(done ? { computeReadySeconds: elapsed } : {}),
    },
  };
}

/**
 * Re-applies start's target when the group's min, desired or max is below it, with the update
 * start sends (capacity raised to the target, the target launch template version); the change
 * made, or undefined when the group is as start left it (or above). In a drill, a group carrying
 * another run's tag is never touched.
 */
async function reraiseIfLowered(
  event: StepEvent,
  clients: ComputeClients,
  group: AutoScalingGroup,
  state: ComputeState,
): Promise<Change | undefined> {
  const name = state.groupName;
  const current = capacityOf(group);
  if (!belowTarget(current, state.target)) return undefined;
  const owner = runTagsOf(group).runId;
  if (event.run.mode === 'drill' && owner !== undefined && owner !== event.run.id) {
    throw new InvalidResourceStateError(
      `Auto Scaling group ${name} is at ${formatCapacity(current)}, below this drill's target ${formatCapacity(state.target)}, and carries ${RUN_ID_TAG}=${owner}, not this run (${event.run.id}): another run changed it during the drill, so the drill leaves it alone; check that run`,
      name,
    );
  }
  const raised = targetCapacity(current, state.target);
  const update = updateInput(group, raised, {
    launchTemplateId: state.launchTemplateId,
    version: state.targetVersion,
  });
  if (!update) return undefined;
  await updateGroup(clients.autoScaling, update, 're-raise the standby to its target');
  const version = update.LaunchTemplate || update.MixedInstancesPolicy;
  const foreign = owner !== undefined && owner !== event.run.id ? ` (it carries ${RUN_ID_TAG}=${owner})` : '';
  return {
    resource: name,
    action: 'reraise',
    detail: `found at ${formatCapacity(current)}, below the target ${formatCapacity(state.target)} (something lowered it during the run)${foreign}: raised to ${formatCapacity(raised)}${version ? `, launch template ${state.launchTemplateId} version ${state.targetVersion}` : ''}`,
  };
}
