// What start records for check and revert: the state passed between steps, and the group's
// previous configuration, which is also kept durably in a tag on the group.
import * as z from '../../plan/zod.ts';
import { nonEmptyString, nonNegativeInt, positiveInt } from '../../plan/zod.ts';
import { InvalidStepInputError } from '../shared/errors.ts';
import type { ResourceEvent } from '../shared/step-contract.ts';

/**
 * Tags naming the run and the plan resource that changed the group: revert (and a re-run of start)
 * only treats a group as its own when both are its own.
 */
export const RUN_ID_TAG = 'dr-runbook:run-id';
export const RESOURCE_TAG = 'dr-runbook:resource';
/** Tag holding the group's configuration before the run (compact JSON of `Previous`). */
export const PREVIOUS_TAG = 'dr-runbook:previous';
/**
 * Tags fencing writes on the primary region's group before scaling it to 0 (functions/compute/fence.ts):
 * the run that fenced it, and its capacity before ("min/desired/max"), which failback restores.
 */
export const FENCED_BY_TAG = 'dr-runbook:fenced-by';
export const CAPACITY_BEFORE_FENCE_TAG = 'dr-runbook:capacity-before-fence';
/** Longest value an Auto Scaling tag accepts. */
export const MAX_TAG_VALUE_LENGTH = 256;

export const capacitySchema = z.object({ min: nonNegativeInt, desired: nonNegativeInt, max: nonNegativeInt });
export type Capacity = z.output<typeof capacitySchema>;

export const previousSchema = z.object({
  min: nonNegativeInt,
  desired: nonNegativeInt,
  max: nonNegativeInt,
  launchTemplateId: nonEmptyString,
  /** The version as the group referenced it, verbatim: "$Latest", "$Default" or a number. */
  version: nonEmptyString,
});
export type Previous = z.output<typeof previousSchema>;

export const computeStateSchema = z.object({
  groupName: nonEmptyString,
  startedAt: z.iso.datetime({ offset: true }),
  previous: previousSchema,
  target: capacitySchema,
  launchTemplateId: nonEmptyString,
  /** The version the group references after start ("5", or the previous "$Latest" when unchanged). */
  targetVersion: nonEmptyString,
  /** targetVersion resolved to a number (instances may report either). */
  targetVersionNumber: positiveInt,
  /** The launch template version this run created, deleted on revert. */
  createdVersion: z.optional(positiveInt),
  amiId: nonEmptyString,
  /** Instances InService before scaling: counted as healthy whatever their template version. */
  preexistingInstanceIds: z.array(z.string()),
});
export type ComputeState = z.output<typeof computeStateSchema>;

/** The compute state of an event, or undefined when there is none. */
export function optionalState(event: Pick<ResourceEvent<unknown>, 'state'>): ComputeState | undefined {
  if (!event.state || Object.keys(event.state).length === 0) return undefined;
  const parsed = computeStateSchema.safeParse(event.state);
  if (!parsed.success) {
    throw new InvalidStepInputError(
      `invalid compute state: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'state'}: ${i.message}`).join('; ')}`,
      'compute state',
    );
  }
  return parsed.data;
}

/** The compute state of an event; a check without one is an input error. */
export function requiredState(event: ResourceEvent<unknown>, action: string): ComputeState {
  const state = optionalState(event);
  if (!state) {
    throw new InvalidStepInputError(
      `compute ${action} of ${event.resourceId} needs the state returned by compute start, and the event has none`,
      'compute state',
    );
  }
  return state;
}

/** Compact JSON for the previous-configuration tag. */
export function encodePrevious(previous: Previous): string {
  return JSON.stringify({
    min: previous.min,
    desired: previous.desired,
    max: previous.max,
    launchTemplateId: previous.launchTemplateId,
    version: previous.version,
  });
}

/** Parses the previous-configuration tag; undefined when it is absent or not what start wrote. */
export function decodePrevious(value: string | undefined): Previous | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = previousSchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function sameCapacity(a: Capacity, b: Capacity): boolean {
  return a.min === b.min && a.desired === b.desired && a.max === b.max;
}

export function formatCapacity(c: Capacity): string {
  return `min ${c.min}/desired ${c.desired}/max ${c.max}`;
}

/** The capacity-before-fence tag's value: "2/4/8" (min/desired/max). */
export function encodeFenceCapacity(c: Capacity): string {
  return `${c.min}/${c.desired}/${c.max}`;
}

/** Parses the capacity-before-fence tag; undefined when it is absent or not what fencing wrote. */
export function decodeFenceCapacity(value: string | undefined): Capacity | undefined {
  const match = value?.match(/^(\d+)\/(\d+)\/(\d+)$/);
  if (!match) return undefined;
  const [min, desired, max] = match.slice(1).map(Number) as [number, number, number];
  return { min, desired, max };
}
