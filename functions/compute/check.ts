// Check of scale-standby: done when enough instances are InService and healthy on the target version.
import { nextCheckSeconds, secondsBetween } from '../shared/polling.ts';
import type { ProgressResult, StepContext, StepEvent } from '../shared/step-contract.ts';
import type { ComputeClients } from './clients.ts';
import { requireGroup } from './group.ts';
import { changesOf, scalingProgress } from './progress.ts';
import { requiredState } from './state.ts';

export async function scaleStandbyCheck(
  event: StepEvent,
  clients: ComputeClients,
  context: StepContext,
): Promise<ProgressResult> {
  const state = requiredState(event, 'check');
  const group = await requireGroup(clients.autoScaling, state.groupName, 'check the standby is healthy');
  const progress = scalingProgress(group, state);
  const elapsed = secondsBetween(state.startedAt, context.now());
  return {
    family: 'compute',
    action: 'check',
    done: progress.done,
    nextCheckSeconds: progress.done ? 0 : nextCheckSeconds(elapsed),
    detail: progress.detail,
    state,
    changes: changesOf(state),
    measurements: {
      healthyInstances: progress.ready,
      ...(progress.done ? { computeReadySeconds: elapsed } : {}),
    },
  };
}
