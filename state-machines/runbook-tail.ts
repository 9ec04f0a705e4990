// The tail every run joins, also after any failure (docs/design.md, "The tail tells the truth"):
// [revert the drill, every branch settled] → release the lock (or hold the cooldown) → report →
// outcome. Release comes before Report so that the record says whether the lock was freed; a
// failed release is reported, never swallowed; Report never fails a recovered failover (each of
// its sinks is attempted on its own and the failed ones are named).
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { familyOf } from '../plan/resources/index.ts';
import type { DrPlan } from '../plan/schema.ts';
import { planSteps } from '../plan/steps.ts';
import { type RunbookFunctions, resourceBranch } from './resource-branch.ts';
import { runbookInvoke } from './runbook-invoke.ts';
import { firstFailedBranch, settledParallel } from './settled-parallel.ts';

export interface RunbookTailProps {
  readonly plan: DrPlan;
  readonly functions: RunbookFunctions;
}

export interface RunbookTail {
  /** Entry after the main path (or its failure): drills revert first. */
  readonly afterRun: sfn.IChainable;
  /** Entry of a cleanup run once it knows what to revert (`$.revertRun` set). */
  readonly revert: sfn.IChainable;
  /** Entry that skips the revert (a cleanup with nothing to revert, a not-ready drill). */
  readonly release: sfn.IChainable;
  /** Entry for a run that never got the lock: report, then end. */
  readonly report: sfn.IChainable;
}

/** Records which main step failed and why (`$.failure`), keeping the rest of the state. */
export function failureOf(scope: Construct, step: string, resultPath = '$.failure'): sfn.Pass {
  return new sfn.Pass(scope, `${step}Failed`, {
    parameters: { step, 'Error.$': '$.caught.Error', 'Cause.$': '$.caught.Cause' },
    resultPath,
  });
}

export function buildRunbookTail(scope: Construct, props: RunbookTailProps): RunbookTail {
  const { functions } = props;

  const fail = (id: string, error: string, causePath: string) =>
    new sfn.Fail(scope, id, { error, causePath });
  const outcome = new sfn.Choice(scope, 'Outcome')
    // A cleanup started by the execution-status rule never ends FAILED: that would start another
    // cleanup of itself. Its report (recorded and notified) says what it could not do.
    .when(
      sfn.Condition.stringEquals('$.run.trigger.type', 'execution-ended'),
      new sfn.Succeed(scope, 'CleanupEnded'),
    )
    .when(
      sfn.Condition.isPresent('$.refusal'),
      new sfn.Choice(scope, 'Refusal')
        .when(
          sfn.Condition.stringEquals('$.refusal.Error', 'AlreadyRunning'),
          fail('AlreadyRunning', 'AlreadyRunning', '$.refusal.Cause'),
        )
        .otherwise(fail('LockUnavailable', 'LockUnavailable', '$.refusal.Cause')),
    )
    .when(sfn.Condition.isPresent('$.failure'), fail('RunFailed', 'RunbookFailed', '$.failure.Cause'))
    .when(
      sfn.Condition.isPresent('$.revertFailure'),
      fail('DrillNotReverted', 'DrillRevertFailed', '$.revertFailure.Cause'),
    )
    .when(
      sfn.Condition.isPresent('$.notReady'),
      new sfn.Fail(scope, 'NotReady', {
        error: 'NotReady',
        cause: 'a readiness check failed: the run touched nothing (see the run report)',
      }),
    )
    .when(
      sfn.Condition.and(
        sfn.Condition.isPresent('$.lockRelease.error'),
        // A run that moved production succeeded even if its lock could not be given back (listed).
        sfn.Condition.not(
          sfn.Condition.or(
            sfn.Condition.stringEquals('$.run.mode', 'failover'),
            sfn.Condition.stringEquals('$.run.mode', 'switchover'),
          ),
        ),
      ),
      fail('LockNotReleased', 'LockNotReleased', '$.lockRelease.error.Cause'),
    )
    .otherwise(new sfn.Succeed(scope, 'RunSucceeded'));

  // The outcome is the whole state, plan included (the Lambda reads it from there); Report answers
  // with a summary: the full report is in the history, S3 and the notification, not in the state.
  const report = runbookInvoke(scope, 'Report', functions.runbook, 'report', {
    payload: { run: sfn.JsonPath.objectAt('$.run'), outcome: sfn.JsonPath.objectAt('$') },
    withPlan: false,
    resultPath: '$.report',
  });
  report.addCatch(
    new sfn.Pass(scope, 'ReportFailed', {
      parameters: { 'Error.$': '$.caught.Error', 'Cause.$': '$.caught.Cause' },
      resultPath: '$.reportFailure',
    }).next(outcome),
    { resultPath: '$.caught' },
  );
  report.next(outcome);

  const releaseLock = runbookInvoke(scope, 'ReleaseLock', functions.lock, 'release-lock', {
    comment: 'Deletes the lock, or turns it into the cooldown after a recovered failover.',
    payload: { run: sfn.JsonPath.objectAt('$.run'), outcome: sfn.JsonPath.objectAt('$') },
    withPlan: false,
    resultPath: '$.lockRelease',
  });
  releaseLock.addCatch(
    new sfn.Pass(scope, 'LockReleaseFailed', {
      parameters: { released: false, error: { 'Error.$': '$.caught.Error', 'Cause.$': '$.caught.Cause' } },
      resultPath: '$.lockRelease',
    }).next(report),
    { resultPath: '$.caught' },
  );
  releaseLock.next(report);

  // ---- revert: step by step in reverse order (traffic back first, the database last); within
  // a step every branch runs, each polling until what the run created is really gone.
  let revertChain: sfn.IChainable = releaseLock;
  const resourceSteps = planSteps(props.plan).filter((step) => step.kind === 'resources');
  for (const step of resourceSteps) {
    const id = `Revert${step.number}`;
    const revert = settledParallel(scope, id, {
      comment: `Undo what the drill created or changed for ${step.resources.map((r) => r.id).join(', ')}.`,
      resultPath: `$.revert.step${step.number}`,
      branches: step.resources.map((resource) => {
        const branch = resourceBranch(scope, functions, resource, 'revert', '$.revertRun');
        if (familyOf(resource) !== 'compute') return branch;
        const kept = new sfn.Pass(scope, `${resource.id}.RevertKept`, {
          comment: 'A failover preempted the drill: the compute it scaled is what the failover needs.',
          parameters: {
            resource: resource.id,
            family: 'compute',
            type: resource.type,
            action: 'revert',
            done: true,
            nextCheckSeconds: 0,
            detail: 'kept: a failover holds the lock and needs this compute',
            changes: [],
            state: {},
          },
          resultPath: '$.progress',
          outputPath: '$.progress',
        });
        return {
          ...branch,
          before: (loop: sfn.IChainable) =>
            new sfn.Choice(scope, `${resource.id}.KeepCompute?`)
              .when(sfn.Condition.booleanEquals('$.revertRun.keepCompute', true), kept)
              .otherwise(loop),
        };
      }),
    });
    revert.parallel.addCatch(failureOf(scope, id, '$.revertFailure').next(revertChain), {
      resultPath: '$.caught',
    });
    revert.parallel.next(
      firstFailedBranch(scope, id, revert, { resultPath: '$.revertFailure', next: revertChain }),
    );
    revertChain = revert.parallel;
  }
  const revertFirst = new sfn.Pass(scope, 'RevertDrill', {
    comment: 'Each revert step adds its results here (revert.step<N>, one entry per resource).',
    result: sfn.Result.fromObject({}),
    resultPath: '$.revert',
  }).next(revertChain);

  const prepareDrillRevert = new sfn.Pass(scope, 'PrepareDrillRevert', {
    parameters: {
      'id.$': '$.run.id',
      mode: 'drill',
      'startedAt.$': '$.run.startedAt',
      keepCompute: false,
    },
    resultPath: '$.revertRun',
  }).next(revertFirst);
  const afterRun = new sfn.Choice(scope, 'IsDrill?')
    .when(sfn.Condition.stringEquals('$.run.mode', 'drill'), prepareDrillRevert)
    .otherwise(releaseLock);

  return { afterRun, revert: revertFirst, release: releaseLock, report };
}
