// Narrowing the plan's compute section to the strategy a step handles.
import type { ComputePlan } from '../../plan/schema.ts';
import { InvalidStepInputError } from '../shared/errors.ts';
import type { StepEvent } from '../shared/step-contract.ts';

export type ScaleStandbyPlan = Extract<ComputePlan, { strategy: 'scale-standby' }>;

export function scaleStandbyPlan(event: StepEvent): ScaleStandbyPlan {
  const compute = event.plan.compute;
  if (compute.strategy !== 'scale-standby') {
    throw new InvalidStepInputError(
      `plan.compute.strategy is "${compute.strategy}", not "scale-standby"`,
      'plan.compute',
    );
  }
  return compute;
}
