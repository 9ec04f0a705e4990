// Start of scale-standby (failover and drill alike): record the group's previous configuration in
// tags, point it at a launch template version with the newest plan-tagged AMI, raise its capacity.
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { AmiNotFoundError, InvalidResourceStateError } from '../shared/errors.ts';
import { nextCheckSeconds, secondsBetween } from '../shared/polling.ts';
import type { ProgressResult, StepContext, StepEvent } from '../shared/step-contract.ts';
import { describeAmiSelector, newestAmi } from './ami.ts';
import type { ComputeClients } from './clients.ts';
import {
  capacityOf,
  inServiceInstanceIds,
  requireGroup,
  runTagsOf,
  type TemplateRef,
  templateRefOf,
  updateGroup,
  updateInput,
  writeRunTags,
} from './group.ts';
import { scaleStandbyPlan } from './plan.ts';
import { changesOf, scalingProgress } from './progress.ts';
import {
  type ComputeState,
  decodePrevious,
  encodePrevious,
  formatCapacity,
  MAX_TAG_VALUE_LENGTH,
  optionalState,
  PREVIOUS_TAG,
  type Previous,
  RUN_ID_TAG,
} from './state.ts';
import { targetCapacity } from './target.ts';
import { createdByRun, createVersion, describeVersion, type TemplateVersion } from './template.ts';

const OPERATION = 'scale the standby';

export async function scaleStandbyStart(
  event: StepEvent,
  clients: ComputeClients,
  context: StepContext,
): Promise<ProgressResult> {
  const plan = scaleStandbyPlan(event);
  const name = plan.autoScalingGroupName;
  const runId = event.run.id;
  const prior = optionalState(event);
  const resumed = prior?.groupName === name ? prior : undefined;

  const group = await requireGroup(clients.autoScaling, name, OPERATION);
  const ref = templateRefOf(group);
  if (!ref) {
    throw new InvalidResourceStateError(
      `Auto Scaling group ${name} ${group.LaunchConfigurationName ? `uses launch configuration ${group.LaunchConfigurationName}` : 'has no launch template'}: migrate the group to a launch template, so the runbook can launch the newest AMI`,
      name,
    );
  }
  const groupVersion = await describeVersion(clients.ec2, ref, ref.version, OPERATION);
  const launchTemplateId = groupVersion.launchTemplateId;

  const ami = await newestAmi(clients.ec2, plan.ami, OPERATION);
  if (!ami) {
    const selector = describeAmiSelector(plan.ami);
    throw new AmiNotFoundError(
      `no available ${selector} in ${event.plan.regions.recovery} to launch in Auto Scaling group ${name}: copy the current image there and tag it as plan.compute.ami.tags says`,
      selector,
    );
  }

  // Every read is done: record the previous configuration before changing anything.
  const notes: string[] = [];
  const previous = await recordPrevious(event, clients, group, ref, launchTemplateId, notes);

  let target: TemplateVersion = groupVersion;
  // A version this run created is pinned by number, and kept even if a newer AMI appeared since.
  let targetVersion = createdByRun(groupVersion, runId) ? String(groupVersion.versionNumber) : ref.version;
  if (groupVersion.imageId !== ami.imageId && !createdByRun(groupVersion, runId)) {
    const latest = await describeVersion(clients.ec2, { launchTemplateId }, '$Latest', OPERATION);
    target =
      latest.imageId === ami.imageId && createdByRun(latest, runId)
        ? latest
        : await createVersion(clients.ec2, launchTemplateId, groupVersion.versionNumber, ami.imageId, runId);
    targetVersion = String(target.versionNumber);
  }

  const capacity = targetCapacity(capacityOf(group), plan.capacity);
  const update = updateInput(group, capacity, { launchTemplateId, version: targetVersion });
  if (update) await updateGroup(clients.autoScaling, update, OPERATION);

  const state: ComputeState = {
    groupName: name,
    startedAt: resumed?.startedAt ?? context.now().toISOString(),
    previous,
    target: capacity,
    launchTemplateId,
    targetVersion,
    targetVersionNumber: target.versionNumber,
    ...(createdByRun(target, runId) ? { createdVersion: target.versionNumber } : {}),
    amiId: target.imageId ?? ami.imageId,
    preexistingInstanceIds: resumed?.preexistingInstanceIds ?? inServiceInstanceIds(group),
  };
  const progress = scalingProgress(group, state);
  const action = update
    ? `set to ${formatCapacity(capacity)}, launch template ${launchTemplateId} version ${targetVersion}`
    : `already at ${formatCapacity(capacity)}, launch template ${launchTemplateId} version ${targetVersion}`;
  return {
    family: 'compute',
    action: 'start',
    done: progress.done,
    nextCheckSeconds: progress.done ? 0 : nextCheckSeconds(secondsBetween(state.startedAt, context.now())),
    detail: [`Auto Scaling group ${name} ${action} (${state.amiId})`, progress.detail, ...notes].join('; '),
    state,
    changes: changesOf(state),
  };
}

/**
 * The group's configuration before this run, recorded in tags before anything changes so that a
 * re-run and revert still know it. Tags of this run are reused; tags of another run stop a drill
 * (an earlier drill did not revert) and are reported, then replaced, in a failover.
 */
async function recordPrevious(
  event: StepEvent,
  clients: ComputeClients,
  group: AutoScalingGroup,
  ref: TemplateRef,
  launchTemplateId: string,
  notes: string[],
): Promise<Previous> {
  const name = group.AutoScalingGroupName ?? '';
  const runId = event.run.id;
  const tags = runTagsOf(group);
  const recorded = decodePrevious(tags.previous);
  if (tags.runId === runId && recorded) return recorded;

  if (tags.runId !== undefined) {
    const found =
      tags.runId === runId
        ? `its ${PREVIOUS_TAG} tag is unreadable (${tags.previous ?? 'missing'})`
        : `it carries tags of run ${tags.runId} (${PREVIOUS_TAG}=${tags.previous ?? 'missing'})`;
    if (event.run.mode === 'drill') {
      throw new InvalidResourceStateError(
        `Auto Scaling group ${name}: ${found}, so an earlier drill did not revert and that tag holds the group's original configuration. Revert run ${tags.runId} (or restore min/desired/max and the launch template version from the tag by hand), delete the ${RUN_ID_TAG} and ${PREVIOUS_TAG} tags, then run the drill again`,
        name,
      );
    }
    notes.push(
      `warning: ${found}; an earlier run did not clean up, its tags are replaced by this failover's`,
    );
  }

  const previous: Previous = { ...capacityOf(group), launchTemplateId, version: ref.version };
  const value = encodePrevious(previous);
  if (value.length > MAX_TAG_VALUE_LENGTH) {
    throw new InvalidResourceStateError(
      `Auto Scaling group ${name}: its previous configuration (${value}) does not fit in a ${MAX_TAG_VALUE_LENGTH}-character tag`,
      name,
    );
  }
  await writeRunTags(clients.autoScaling, name, runId, value);
  return previous;
}
