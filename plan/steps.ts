// The plan's steps: explicit, or the default order (databases, compute and hooks together, then
// traffic). Everything that walks a plan in order (the state machine, the report, validate) uses
// these, so the default is decided in one place.

import { familyOf } from './resources/families.ts';
import type { Resource, ResourceFamily, ResourceIn } from './resources/index.ts';
import type { DrPlan } from './schema.ts';

export interface ResourceStep {
  kind: 'resources';
  /** 1-based position, part of state names ("Step2"). */
  number: number;
  name?: string;
  resources: Resource[];
}

export interface ApprovalStep {
  kind: 'approval';
  number: number;
  name?: string;
  approval: { when: 'always' | 'alarm-triggered'; timeoutMinutes: number; onTimeout: 'abort' | 'proceed' };
}

export type PlanStep = ResourceStep | ApprovalStep;

/** The steps in run order, with resource ids resolved (validated plans reference only known ids). */
export function planSteps(plan: Pick<DrPlan, 'resources' | 'steps'>): PlanStep[] {
  const byId = new Map(plan.resources.map((r) => [r.id, r]));
  if (!plan.steps) {
    const first = plan.resources.filter((r) => familyOf(r) !== 'traffic');
    const traffic = plan.resources.filter((r) => familyOf(r) === 'traffic');
    return [first, traffic]
      .filter((group) => group.length > 0)
      .map((resources, i) => ({ kind: 'resources' as const, number: i + 1, resources }));
  }
  return plan.steps.map((step, i) =>
    step.approval
      ? {
          kind: 'approval' as const,
          number: i + 1,
          ...(step.name ? { name: step.name } : {}),
          approval: step.approval,
        }
      : {
          kind: 'resources' as const,
          number: i + 1,
          ...(step.name ? { name: step.name } : {}),
          resources: (step.resources ?? []).flatMap((id) => byId.get(id) ?? []),
        },
  );
}

/** The plan's resources of one family, in plan order. */
export function resourcesOf<F extends ResourceFamily>(
  plan: Pick<DrPlan, 'resources'>,
  family: F,
): ResourceIn<F>[] {
  return plan.resources.filter((r) => familyOf(r) === family) as ResourceIn<F>[];
}

/** The resource with this id, or undefined. */
export function resourceById(plan: Pick<DrPlan, 'resources'>, id: string): Resource | undefined {
  return plan.resources.find((r) => r.id === id);
}

/** A resource id as a JSONPath key ("web-tier" → "web_tier"; ids never contain "_"). */
export function pathKey(id: string): string {
  return id.replaceAll('-', '_');
}

/** The approval gates of the plan, in order. */
export function approvalSteps(plan: Pick<DrPlan, 'resources' | 'steps'>): ApprovalStep[] {
  return planSteps(plan).filter((s): s is ApprovalStep => s.kind === 'approval');
}
