// Revert of a scale-standby drill: restore the group's previous capacity and launch template
// version, delete the version the drill created, then remove the runbook's tags (last, so a
// crash half-way still leaves the record of the previous configuration).
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { InvalidResourceStateError } from '../shared/errors.ts';
import type { Change, ProgressResult, StepContext, StepEvent } from '../shared/step-contract.ts';
import type { ComputeClients } from './clients.ts';
import {
  capacityOf,
  deleteRunTags,
  describeGroup,
  groupNotFound,
  runTagsOf,
  templateRefOf,
  updateGroup,
  updateInput,
} from './group.ts';
import { scaleStandbyPlan } from './plan.ts';
import {
  type ComputeState,
  decodePrevious,
  formatCapacity,
  optionalState,
  PREVIOUS_TAG,
  RUN_ID_TAG,
  sameCapacity,
} from './state.ts';
import { createdByRun, deleteVersions, findVersion } from './template.ts';

const OPERATION = 'revert the drill';

export async function scaleStandbyRevert(
  event: StepEvent,
  clients: ComputeClients,
  _context: StepContext,
): Promise<ProgressResult> {
  const state = optionalState(event);
  const name = state?.groupName ?? scaleStandbyPlan(event).autoScalingGroupName;
  const runId = event.run.id;
  const result = (detail: string, changes: Change[] = []): ProgressResult => ({
    family: 'compute',
    action: 'revert',
    done: true,
    nextCheckSeconds: 0,
    detail,
    state: state ?? {},
    changes,
  });

  const group = await describeGroup(clients.autoScaling, name, OPERATION);
  if (!group) {
    if (state) throw groupNotFound(name, OPERATION);
    return result(
      `Auto Scaling group ${name} not found and compute start recorded nothing: nothing to revert`,
    );
  }
  const tags = runTagsOf(group);
  if (tags.runId !== undefined && tags.runId !== runId) {
    throw new InvalidResourceStateError(
      `Auto Scaling group ${name} carries ${RUN_ID_TAG}=${tags.runId}, not this run (${runId}): refusing to change a group this run did not scale; revert run ${tags.runId} instead`,
      name,
    );
  }
  const ours = tags.runId === runId;
  const previous = state?.previous ?? (ours ? decodePrevious(tags.previous) : undefined);
  if (!previous) {
    if (ours) {
      throw new InvalidResourceStateError(
        `Auto Scaling group ${name}: its ${PREVIOUS_TAG} tag is unreadable (${tags.previous ?? 'missing'}), so the previous configuration is unknown: restore it by hand, then delete the ${RUN_ID_TAG} and ${PREVIOUS_TAG} tags`,
        name,
      );
    }
    return result(
      `Auto Scaling group ${name}: compute start recorded nothing for run ${runId}: nothing to revert`,
    );
  }

  const changes: Change[] = [];
  // Without our tags the revert already completed, unless the tags alone were lost and the group
  // is still exactly as start left it.
  if (ours || (state && stillAsStartLeftIt(group, state))) {
    const update = updateInput(group, previous, previous);
    if (update) {
      await updateGroup(clients.autoScaling, update, OPERATION);
      changes.push({
        resource: name,
        action: 'restore',
        detail: `${formatCapacity(capacityOf(group))} -> ${formatCapacity(previous)}, launch template ${previous.launchTemplateId} version ${previous.version}`,
      });
    }
  }

  const launchTemplateId = state?.launchTemplateId ?? previous.launchTemplateId;
  const candidates =
    state?.createdVersion !== undefined
      ? [String(state.createdVersion)]
      : ours
        ? [templateRefOf(group)?.version ?? '$Latest', '$Latest']
        : [];
  const created = await versionsCreatedByRun(clients.ec2, launchTemplateId, candidates, runId);
  if (created.length > 0) {
    await deleteVersions(clients.ec2, launchTemplateId, created);
    changes.push({
      resource: launchTemplateId,
      action: 'delete-launch-template-version',
      detail: `version ${created.join(', ')} created by run ${runId}`,
    });
  }
  if (ours) {
    await deleteRunTags(clients.autoScaling, name);
    changes.push({ resource: name, action: 'untag', detail: `${RUN_ID_TAG}, ${PREVIOUS_TAG}` });
  }

  const restored = `Auto Scaling group ${name} is back at ${formatCapacity(previous)}, launch template ${previous.launchTemplateId} version ${previous.version}`;
  return result(
    changes.length > 0
      ? `${restored}; Auto Scaling terminates the extra instances asynchronously`
      : `${restored}: nothing left to revert`,
    changes,
  );
}

function stillAsStartLeftIt(group: AutoScalingGroup, state: ComputeState): boolean {
  return (
    sameCapacity(capacityOf(group), state.target) && templateRefOf(group)?.version === state.targetVersion
  );
}

/** Version numbers among `candidates` that exist and were created by this run (checked, never assumed). */
async function versionsCreatedByRun(
  client: EC2Client,
  launchTemplateId: string,
  candidates: string[],
  runId: string,
): Promise<number[]> {
  const found = new Set<number>();
  for (const candidate of new Set(candidates)) {
    const version = await findVersion(client, launchTemplateId, candidate, OPERATION);
    if (version && createdByRun(version, runId)) found.add(version.versionNumber);
  }
  return [...found];
}
