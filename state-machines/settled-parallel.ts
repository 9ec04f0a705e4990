// A Parallel whose branches each catch their own failure and finish normally, so the Parallel
// ends only once every branch has settled: no revert starts while a sibling's start is still in
// flight (a plain Parallel stops waiting for its other branches at the first failure, while their
// Lambdas keep running), and one failing revert does not stop the others (docs/design.md).

import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import type { PollingLoop } from './polling-loop.ts';

export interface SettledBranch {
  /** Key of the branch's result: the resource id as a JSONPath key (plan/steps.ts pathKey). */
  readonly key: string;
  /** The resource the branch acts on, and its family and type (for the report and `$.failure`). */
  readonly resource: string;
  readonly family: string;
  readonly type: string;
  /** The branch's states; a failed Task is caught into `{failed: true, error}` at `progressPath`. Every
   * end state must output only the progress (`outputPath: "$.progress"`). */
  readonly loop: PollingLoop;
  /** State name prefix of the branch's own states, e.g. "db." or "db.Revert". */
  readonly name: string;
  /** Runs before the loop, e.g. a Choice that skips the branch; its end must lead to the loop. */
  readonly before?: (loop: sfn.IChainable) => sfn.IChainable;
}

export interface SettledParallelProps {
  readonly comment: string;
  readonly branches: SettledBranch[];
  /** Where `{<key>: progress}` goes in the execution state. */
  readonly resultPath: string;
}

/** Where each branch keeps its progress: the last start/check/revert result, or its failure. */
const PROGRESS = '$.progress';

export interface SettledParallel {
  readonly parallel: sfn.Parallel;
  /** Where the branches' results are in the execution state. */
  readonly resultPath: string;
  /** True when some branch failed; its result then has `failed: true` and `error`. */
  readonly anyFailed: sfn.Condition;
  /** One condition per branch key. */
  readonly failedBranch: Record<string, sfn.Condition>;
  readonly branches: SettledBranch[];
}

export function settledParallel(scope: Construct, id: string, props: SettledParallelProps): SettledParallel {
  const resultSelector: Record<string, string> = {};
  const parallel = new sfn.Parallel(scope, id, {
    comment: props.comment,
    resultSelector,
    resultPath: props.resultPath,
  });
  props.branches.forEach((branch, index) => {
    // Every branch ends with its progress as its whole output (see `outputPath` below).
    resultSelector[`${branch.key}.$`] = `$[${index}]`;
    // A failed call keeps what the branch had already changed, for the report and the revert.
    const init = new sfn.Pass(scope, `${branch.name}Begin`, {
      result: sfn.Result.fromObject({
        resource: branch.resource,
        family: branch.family,
        type: branch.type,
        done: false,
        changes: [],
        state: {},
      }),
      resultPath: PROGRESS,
    });
    const failed = new sfn.Pass(scope, `${branch.name}Failed`, {
      parameters: {
        resource: branch.resource,
        family: branch.family,
        type: branch.type,
        done: false,
        failed: true,
        error: { 'Error.$': '$.caught.Error', 'Cause.$': '$.caught.Cause' },
        'changes.$': `${PROGRESS}.changes`,
        'state.$': `${PROGRESS}.state`,
        'detail.$': '$.caught.Cause',
      },
      resultPath: PROGRESS,
      outputPath: PROGRESS,
    });
    for (const task of branch.loop.tasks as tasks.LambdaInvoke[]) {
      task.addCatch(failed, { resultPath: '$.caught' });
    }
    const body = branch.before ? branch.before(branch.loop.chain) : branch.loop.chain;
    parallel.branch(init.next(body));
  });
  const failedBranch = Object.fromEntries(
    props.branches.map((b) => [b.key, sfn.Condition.isPresent(`${props.resultPath}.${b.key}.failed`)]),
  );
  return {
    parallel,
    resultPath: props.resultPath,
    branches: props.branches,
    failedBranch,
    anyFailed: sfn.Condition.or(...Object.values(failedBranch)),
  };
}

/**
 * After a settled Parallel: when a branch failed, records the first failed one (its resource, error
 * and cause) at `resultPath` as `{step, resource, family, Error, Cause}`, then continues with `next`.
 */
export function firstFailedBranch(
  scope: Construct,
  step: string,
  settled: SettledParallel,
  options: { resultPath: string; next: sfn.IChainable; ok?: sfn.IChainable },
): sfn.Choice {
  const choice = new sfn.Choice(scope, `${step}Settled?`);
  for (const branch of settled.branches) {
    const key = branch.key;
    const failed = settled.failedBranch[key] as sfn.Condition;
    const pass = new sfn.Pass(scope, `${step}.${branch.resource}Failed`, {
      parameters: {
        step,
        resource: branch.resource,
        family: branch.family,
        'Error.$': `${settled.resultPath}.${key}.error.Error`,
        'Cause.$': `${settled.resultPath}.${key}.error.Cause`,
      },
      resultPath: options.resultPath,
    });
    choice.when(failed, pass.next(options.next));
  }
  return choice.otherwise(options.ok ?? options.next);
}
