// How far scaling has got: instances that are InService, healthy and launched from the target
// version (or were already serving before the run), against the target desired capacity; and how
// far a revert has got: the group back at its previous capacity, the extra instances terminating.
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import type { Change } from '../shared/step-contract.ts';
import { capacityOf } from './group.ts';
import type { Capacity, ComputeState } from './state.ts';
import { formatCapacity, sameCapacity } from './state.ts';

export interface Readiness {
  /** InService, healthy, on the target version or preexisting. */
  ready: number;
  /** Of those, launched from the target version. */
  onTargetVersion: number;
  done: boolean;
  detail: string;
}

export function scalingProgress(group: AutoScalingGroup, state: ComputeState): Readiness {
  const preexisting = new Set(state.preexistingInstanceIds);
  const targetVersions = new Set([state.targetVersion, String(state.targetVersionNumber)]);
  let ready = 0;
  let onTargetVersion = 0;
  for (const instance of group.Instances ?? []) {
    if (instance.LifecycleState !== 'InService' || instance.HealthStatus !== 'Healthy') continue;
    const version = instance.LaunchTemplate?.Version;
    const onTarget = version !== undefined && targetVersions.has(version);
    if (onTarget) onTargetVersion += 1;
    if (onTarget || preexisting.has(instance.InstanceId ?? '')) ready += 1;
  }
  const desired = state.target.desired;
  return {
    ready,
    onTargetVersion,
    done: ready >= desired,
    detail: `Auto Scaling group ${state.groupName}: ${ready}/${desired} InService and healthy (${onTargetVersion} on version ${state.targetVersionNumber})`,
  };
}

/** What start changed, derived from the state so a re-run reports the same changes. */
export function changesOf(state: ComputeState): Change[] {
  const changes: Change[] = [];
  const { previous, target } = state;
  if (!sameCapacity(previous, target)) {
    changes.push({
      resource: state.groupName,
      action: 'scale',
      detail: `${formatCapacity(previous)} -> ${formatCapacity(target)}`,
    });
  }
  if (state.createdVersion !== undefined) {
    changes.push({
      resource: state.launchTemplateId,
      action: 'create-launch-template-version',
      detail: `version ${state.createdVersion} launching ${state.amiId}; Auto Scaling group ${state.groupName} moved from version ${previous.version} to ${state.targetVersion}`,
    });
  }
  return changes;
}

/** Lifecycle states of an instance on its way out: it no longer counts against the capacity. */
export const LEAVING_STATES: ReadonlySet<string> = new Set([
  'Terminating',
  'Terminating:Wait',
  'Terminating:Proceed',
  'Terminated',
]);

/** Instances of the group that are not terminating (pending, in service, standby, detaching…). */
export function remainingInstanceCount(group: AutoScalingGroup): number {
  return (group.Instances ?? []).filter((i) => !LEAVING_STATES.has(i.LifecycleState ?? '')).length;
}

export interface RevertProgress {
  /** Min/desired/max equal the previous capacity and no more instances remain than it desires. */
  settled: boolean;
  detail: string;
}

/** Whether the group is back at `previous`: its capacity restored and the extra instances leaving. */
export function revertProgress(group: AutoScalingGroup, previous: Capacity): RevertProgress {
  const name = group.AutoScalingGroupName ?? '';
  const current = capacityOf(group);
  const remaining = remainingInstanceCount(group);
  if (!sameCapacity(current, previous)) {
    return {
      settled: false,
      detail: `Auto Scaling group ${name} is at ${formatCapacity(current)}, waiting for ${formatCapacity(previous)}`,
    };
  }
  if (remaining > previous.desired) {
    return {
      settled: false,
      detail: `Auto Scaling group ${name} is at ${formatCapacity(current)}: ${remaining} instances not yet terminating, waiting for at most ${previous.desired}`,
    };
  }
  return {
    settled: true,
    detail: `Auto Scaling group ${name} is back at ${formatCapacity(previous)} with ${remaining} instances not terminating`,
  };
}

/** Whether any of min/desired/max is below the target's. */
export function belowTarget(current: Capacity, target: Capacity): boolean {
  return current.min < target.min || current.desired < target.desired || current.max < target.max;
}
