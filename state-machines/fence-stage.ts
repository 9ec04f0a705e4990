// Fencing (docs/design.md, "Fencing"): after a failover or switchover is verified, one best-effort
// call per fenced resource into the primary region (its old primary stopped, its writers scaled
// to 0), side by side. It comes after Verify, so it is never on the critical path (the RTO is
// measured at Verify), and after the promotion, which it needs (AWS refuses to stop an RDS
// primary that still has a read replica). Each call records its outcome and never fails the run.
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { fences } from '../plan/resources/fencing.ts';
import { familyOf } from '../plan/resources/index.ts';
import type { DrPlan } from '../plan/schema.ts';
import { stepInvoke } from './polling-loop.ts';
import { functionFor, type RunbookFunctions } from './resource-branch.ts';

/** The fencing stage before `next`, or `next` itself when the plan fences nothing. */
export function fenceStage(
  scope: Construct,
  functions: RunbookFunctions,
  plan: DrPlan,
  next: sfn.IChainable,
): sfn.IChainable {
  const fenced = plan.resources.filter(fences);
  if (fenced.length === 0) return next;
  const parallel = new sfn.Parallel(scope, 'Fence', {
    comment: `Best effort, one short call each: ${fenced.map((r) => r.id).join(', ')}. Recorded, never fatal.`,
    resultPath: '$.fencing',
  });
  for (const resource of fenced) {
    const fence = stepInvoke(scope, `${resource.id}.Fence`, {
      fn: functionFor(functions, resource),
      resource: resource.id,
      action: 'fence',
      resultPath: '$',
    });
    // The Lambda itself could not run (throttled past its retries, timed out): recorded as failed.
    fence.addCatch(
      new sfn.Pass(scope, `${resource.id}.FenceFailed`, {
        parameters: {
          resource: resource.id,
          family: familyOf(resource),
          type: resource.type,
          action: 'fence',
          outcome: 'failed',
          'detail.$': '$.caught.Cause',
          changes: [],
        },
      }),
      { resultPath: '$.caught' },
    );
    parallel.branch(fence);
  }
  parallel.addCatch(next, { resultPath: '$.fencingFailure' });
  parallel.next(next);
  return new sfn.Choice(scope, 'Fence?', {
    comment: 'Only a failover or a switchover fences: a drill never touches production.',
  })
    .when(
      sfn.Condition.or(
        sfn.Condition.stringEquals('$.run.mode', 'failover'),
        sfn.Condition.stringEquals('$.run.mode', 'switchover'),
      ),
      parallel,
    )
    .otherwise(next);
}
