// The state a traffic start returns and check/revert receive back: the Route 53 change to follow
// and, in a drill, the one record written. Kept small (docs/design.md, "State stays small"): the
// change ID stands for the batch, and the production records are the plan's, never copied here.
// Validated on the way in, so a hand-edited or foreign state fails clearly.

import { formatIssues } from '../../plan/format-issues.ts';
import * as z from '../../plan/zod.ts';
import { nonEmptyString, nonNegativeInt } from '../../plan/zod.ts';
import { InvalidStepInputError } from '../shared/errors.ts';
import type { Action, Mode, ResourceEvent } from '../shared/step-contract.ts';
import { orList } from '../shared/words.ts';

const recordSetSchema = z.object({
  Name: nonEmptyString,
  Type: z.enum(['CNAME', 'A', 'AAAA']),
  TTL: z.optional(nonNegativeInt),
  ResourceRecords: z.optional(z.array(z.object({ Value: z.string() }))),
  AliasTarget: z.optional(
    z.object({ HostedZoneId: z.string(), DNSName: z.string(), EvaluateTargetHealth: z.boolean() }),
  ),
});

export const trafficStateSchema = z.object({
  /** The Route 53 change to wait for; absent when nothing had to change. */
  changeId: z.optional(nonEmptyString),
  /** When start began: polling intervals and the sync time are measured from it. */
  startedAt: z.iso.datetime({ offset: true }),
  /** Drill: the record the drill wrote (revert deletes it, and nothing else). */
  drillRecordName: z.optional(z.string()),
  /** Drill: the record set as written, so revert can tell it apart from someone else's record. */
  drillRecord: z.optional(recordSetSchema),
  /** Revert: when the first revert call deleted the drill record. */
  revertStartedAt: z.optional(z.iso.datetime({ offset: true })),
});

export type TrafficState = z.output<typeof trafficStateSchema>;
/** A simple record set as a drill writes it (and as revert expects to find it). */
export type DrillRecord = z.output<typeof recordSetSchema>;

/** The event's state, validated; undefined when there is none (start never ran). */
export function readState(event: Pick<ResourceEvent<unknown>, 'state'>): TrafficState | undefined {
  if (event.state === undefined) return undefined;
  const parsed = trafficStateSchema.safeParse(event.state);
  if (parsed.success) return parsed.data;
  throw new InvalidStepInputError(
    `invalid traffic state: ${formatIssues(parsed.error, event.state).join('; ')}`,
    'traffic state',
  );
}

/** InvalidStepInputError unless the run's mode is one of `allowed`, saying why. */
export function requireMode(
  event: Pick<ResourceEvent<unknown>, 'run' | 'resourceId' | 'plan'>,
  action: Exclude<Action, 'readiness'>,
  allowed: readonly Mode[],
  why: string,
): void {
  if (!allowed.includes(event.run.mode)) {
    throw new InvalidStepInputError(
      `traffic ${action} of ${event.resourceId} does not run in ${event.run.mode} mode (only ${orList(allowed)}): ${why}`,
      `plan ${event.plan.name}`,
    );
  }
}
