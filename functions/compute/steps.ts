// The compute family's actions, dispatched on the plan's compute strategy and the run's mode.
import { InvalidStepInputError } from '../shared/errors.ts';
import type { FamilySteps } from '../shared/family-handler.ts';
import type { ProgressResult, StepEvent } from '../shared/step-contract.ts';
import { scaleStandbyCheck } from './check.ts';
import type { ComputeClients } from './clients.ts';
import { scaleStandbyReadiness } from './readiness.ts';
import { scaleStandbyRevert } from './revert.ts';
import { scaleStandbyStart } from './start.ts';

function nothingToDo(event: StepEvent, action: ProgressResult['action']): ProgressResult {
  return {
    family: 'compute',
    action,
    done: true,
    nextCheckSeconds: 0,
    detail: `compute strategy "none": no standby group to ${action === 'revert' ? 'revert' : 'scale'} for plan ${event.plan.name}`,
    state: {},
    changes: [],
  };
}

function requireMode(event: StepEvent, allowed: readonly string[], action: string): void {
  if (!allowed.includes(event.run.mode)) {
    throw new InvalidStepInputError(
      `compute ${action} does not run in ${event.run.mode} mode (only ${allowed.join(' or ')})`,
      `run ${event.run.id}`,
    );
  }
}

export const computeSteps: FamilySteps<ComputeClients> = {
  async readiness(event, clients, context) {
    if (event.plan.compute.strategy === 'none') {
      return {
        family: 'compute',
        strategy: 'none',
        checks: [
          {
            name: 'strategy',
            status: 'pass',
            detail: 'compute strategy "none": there is no standby group to scale',
          },
        ],
        predictedSeconds: 0,
      };
    }
    return scaleStandbyReadiness(event, clients, context);
  },
  async start(event, clients, context) {
    requireMode(event, ['failover', 'drill'], 'start');
    if (event.plan.compute.strategy === 'none') return nothingToDo(event, 'start');
    return scaleStandbyStart(event, clients, context);
  },
  async check(event, clients, context) {
    if (event.plan.compute.strategy === 'none') return nothingToDo(event, 'check');
    return scaleStandbyCheck(event, clients, context);
  },
  async revert(event, clients, context) {
    requireMode(event, ['drill'], 'revert');
    if (event.plan.compute.strategy === 'none') return nothingToDo(event, 'revert');
    return scaleStandbyRevert(event, clients, context);
  },
};
