// The hook family: a Lambda function of the user's, called with the run context at its place in
// the steps (flush a cache, flip a feature flag). The contract is in docs/design.md, "Hooks".
import { intBetween, lambdaFunctionArn, resourceId, text, timeoutMinutes } from '../fields.ts';
import * as z from '../zod.ts';
import { positiveInt } from '../zod.ts';

/** A hook answers within this many seconds at most (the step Lambda's own timeout is 60 s). */
export const MAX_HOOK_TIMEOUT_SECONDS = 45;

export const lambdaHook = z.strictObject({
  id: resourceId,
  type: z.literal('lambda-hook'),
  description: z.optional(text(256)),
  /** The function to invoke (in the recovery region; a function in the primary region is refused). */
  functionArn: lambdaFunctionArn,
  /** Each invocation must answer within this. @default 10 */
  invocationTimeoutSeconds: z._default(intBetween(1, MAX_HOOK_TIMEOUT_SECONDS), 10),
  /** Expected time until the hook says done, for the predicted RTO. @default 30 */
  expectedSeconds: z._default(positiveInt, 30),
  /** Whether drills call it too (with mode "drill"; also "revert" after the drill). @default true */
  runInDrills: z._default(z.boolean(), true),
  /** A start/check loop still not done after this fails the run. @default 15 */
  timeoutMinutes,
});

export const HOOK_TYPES = [lambdaHook] as const;
