// The compute family: each resource type's actions (functions/compute/types/<type>.ts).
//   auto-scaling-group: the standby group is raised to the resource's capacity on the newest
//                       tagged AMI (failover and drill alike); a drill's revert restores it.
import type { FamilySteps } from '../shared/family-handler.ts';
import type { ComputeClients } from './clients.ts';
import { autoScalingGroupSteps } from './types/auto-scaling-group.ts';

export const computeSteps: FamilySteps<ComputeClients> = {
  'auto-scaling-group': autoScalingGroupSteps,
};
