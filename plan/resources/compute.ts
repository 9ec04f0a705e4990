// Compute family resource types: capacity raised in the recovery region (functions/compute/types/).
import { iamRoleArn, intBetween, name255, resourceId, text, timeoutMinutes } from '../fields.ts';
import * as z from '../zod.ts';
import { nonEmptyString, positiveInt } from '../zod.ts';
import { tagMap } from './tags.ts';

/** Auto Scaling accepts at most this many instances in a group (per-group quota ceiling). */
export const MAX_GROUP_CAPACITY = 10_000;

const count = intBetween(0, MAX_GROUP_CAPACITY);

export const autoScalingGroup = z.strictObject({
  id: resourceId,
  type: z.literal('auto-scaling-group'),
  description: z.optional(text(256)),
  /** The standby group in the recovery region (at 0 instances for pilot light). */
  autoScalingGroupName: name255,
  /** Capacity the group is raised to on failover (never lowered below its current values). */
  capacity: z.strictObject({ min: count, desired: count, max: intBetween(1, MAX_GROUP_CAPACITY) }),
  /** The newest available AMI carrying all these tags is launched. */
  ami: z.strictObject({
    tags: tagMap(10).check(
      z.refine((t) => Object.keys(t).length > 0, {
        error: 'must name at least one tag, e.g. {"dr-runbook:plan": "shop"}',
      }),
    ),
    /** @default ["self"] */
    owners: z._default(z.array(text(64, nonEmptyString)).check(z.minLength(1), z.maxLength(10)), ['self']),
    /** A newest AMI older than this is a readiness warning. @default 168 (one week) */
    maxAgeHours: z._default(positiveInt, 168),
  }),
  /**
   * The role of the instance profile the group's launch template launches with: the runbook's role
   * may pass it to EC2 (iam:PassRole), which AWS requires to launch from such a template.
   * Readiness fails when the template names a profile and this is not set.
   */
  instanceRoleArn: z.optional(iamRoleArn),
  /**
   * The group that serves in the primary region: after a failover or switchover it is scaled to 0
   * (best effort, in the primary region), so the old primary's writers stop (docs/design.md,
   * "Fencing"). Without it there is nothing of this resource to fence.
   */
  primaryAutoScalingGroupName: z.optional(name255),
  /** Fence the primary group (when named). @default true */
  fence: z._default(z.boolean(), true),
  /** Expected time until new instances are InService and healthy. @default 300 */
  expectedHealthySeconds: z._default(positiveInt, 300),
  /** A start/check loop still not done after this fails the run. @default 4× the expected time, at least 15 */
  timeoutMinutes,
});

export const COMPUTE_TYPES = [autoScalingGroup] as const;
