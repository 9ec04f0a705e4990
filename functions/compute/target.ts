// The capacity a failover sets: the plan's, but never lower than the group's current values.
import type { Capacity } from './state.ts';

export function targetCapacity(current: Capacity, plan: Capacity): Capacity {
  return {
    min: Math.max(current.min, plan.min),
    desired: Math.max(current.desired, plan.desired),
    max: Math.max(current.max, plan.max),
  };
}
