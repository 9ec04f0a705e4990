// The runbook (docs/design.md, "The runbook") as a CDK chain built from a plan's steps. State names
// carry the resource id ("web.Check", "Step2.apps"): the contract the local runner, the tests and
// the operator's progress view rely on.
import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { familyOf } from '../plan/resources/index.ts';
import type { DrPlan } from '../plan/schema.ts';
import { type ApprovalStep, type PlanStep, planSteps } from '../plan/steps.ts';
import { fenceStage } from './fence-stage.ts';
import { stepInvoke, TRANSIENT_RETRY } from './polling-loop.ts';
import { functionFor, type RunbookFunctions, resourceBranch } from './resource-branch.ts';
import { runbookInvoke } from './runbook-invoke.ts';
import { buildRunbookTail, failureOf } from './runbook-tail.ts';
import { firstFailedBranch, settledParallel } from './settled-parallel.ts';

export interface RunbookDefinitionProps {
  readonly plan: DrPlan;
  readonly functions: RunbookFunctions;
}

/** State name of a step: "Step2" or, when named, "Step2.apps". */
export function stepStateName(step: PlanStep): string {
  return step.name ? `Step${step.number}.${step.name}` : `Step${step.number}`;
}

export function buildRunbookDefinition(scope: Construct, props: RunbookDefinitionProps): sfn.IChainable {
  const { plan, functions } = props;
  const run = { run: sfn.JsonPath.objectAt('$.run') };
  const tail = buildRunbookTail(scope, { plan, functions });

  /** Catch handler of a main state: record which step failed and why, then (revert and) report. */
  const failed = (step: string) => failureOf(scope, step).next(tail.afterRun);

  // ---- main path
  const injectPlan = new sfn.Pass(scope, 'InjectPlan', {
    comment: 'The deployed plan travels in the execution state: every step sees exactly which plan ran.',
    parameters: {
      input: sfn.JsonPath.objectAt('$'),
      plan,
      execution: {
        name: sfn.JsonPath.executionName,
        startTime: sfn.JsonPath.executionStartTime,
        arn: sfn.JsonPath.executionId,
        stateMachineArn: sfn.JsonPath.stateMachineId,
      },
    },
  });
  const validateInput = runbookInvoke(scope, 'ValidateInput', functions.runbook, 'validate-input', {
    payload: { input: sfn.JsonPath.objectAt('$.input'), execution: sfn.JsonPath.objectAt('$.execution') },
    resultPath: '$.run',
  });
  const invalidInput = new sfn.Fail(scope, 'InvalidInput', {
    error: 'InvalidInput',
    causePath: '$.error.Cause',
  });
  // A cleanup (started by the execution-status rule) that ended FAILED would start a cleanup of
  // itself, and so on: it ends SUCCEEDED instead; the rejected input is in its history.
  validateInput.addCatch(
    new sfn.Choice(scope, 'InvalidCleanupInput?')
      .when(
        sfn.Condition.isPresent('$.input.trigger.type'),
        new sfn.Choice(scope, 'InvalidCleanupInputKind')
          .when(
            sfn.Condition.stringEquals('$.input.trigger.type', 'execution-ended'),
            new sfn.Succeed(scope, 'CleanupInputRejected'),
          )
          .otherwise(invalidInput),
      )
      .otherwise(invalidInput),
    { resultPath: '$.error' },
  );

  // ---- the lock: a failover preempts drills and dead runs; refusals are reported and notified.
  const acquireLock = runbookInvoke(scope, 'AcquireLock', functions.lock, 'acquire-lock', {
    comment:
      'Free, cooldown over, or a dead holder: taken. A drill or approval wait: preempted by a failover.',
    payload: run,
    resultPath: '$.lock',
  });
  const refused = (id: string, error: string) =>
    new sfn.Pass(scope, id, {
      parameters: { Error: error, 'Cause.$': '$.caught.Cause' },
      resultPath: '$.refusal',
    }).next(tail.report);
  acquireLock.addCatch(refused('LockHeld', 'AlreadyRunning'), {
    errors: ['AlreadyRunningError'],
    resultPath: '$.caught',
  });
  acquireLock.addCatch(refused('LockFailed', 'LockUnavailable'), { resultPath: '$.caught' });

  // ---- readiness: every resource side by side; one whose checks cannot even run is recorded as
  // not ready instead of failing the run (a failover treats readiness as advisory).
  const readiness = new sfn.Parallel(scope, 'Readiness', {
    comment: 'Read-only checks of every resource, and the predicted RTO.',
    resultPath: '$.readiness',
  });
  for (const resource of plan.resources) {
    const name = `${resource.id}.Readiness`;
    const check = stepInvoke(scope, name, {
      fn: functionFor(functions, resource),
      resource: resource.id,
      action: 'readiness',
      resultPath: '$',
    });
    check.addCatch(
      new sfn.Pass(scope, `${name}Failed`, {
        parameters: {
          resource: resource.id,
          family: familyOf(resource),
          type: resource.type,
          ready: false,
          checks: [],
          predictedSeconds: 0,
          error: { 'Error.$': '$.caught.Error', 'Cause.$': '$.caught.Cause' },
        },
      }),
      { resultPath: '$.caught' },
    );
    readiness.branch(check);
  }
  readiness.addCatch(failed('Readiness'), { resultPath: '$.caught' });
  const notReady = sfn.Condition.or(
    ...plan.resources.map((_, i) => sfn.Condition.booleanEquals(`$.readiness[${i}].ready`, false)),
  );

  const verify = runbookInvoke(scope, 'Verify', functions.runbook, 'verify', {
    payload: run,
    resultPath: '$.verification',
  });
  // Right after INSYNC, resolvers may still hand out the old answer for a TTL: probe again, spaced
  // out, before calling the recovery unverified (bounded by attempts, ~4 minutes in all).
  verify.addRetry({
    errors: ['RecoveryNotVerifiedError'],
    interval: Duration.seconds(10),
    backoffRate: 1.5,
    maxAttempts: 6,
    maxDelay: Duration.seconds(60),
  });
  verify.addCatch(failed('Verify'), { resultPath: '$.caught' });
  // Traffic is verified: now fence the old primary, off the critical path (fence-stage.ts).
  verify.next(fenceStage(scope, functions, plan, tail.afterRun));

  // ---- the plan's steps in order: one settled Parallel per step (a branch per resource, each
  // settled before anything else starts), or an approval gate. Built from the last step back.
  let recovery: sfn.IChainable = verify;
  for (const step of [...planSteps(plan)].reverse()) {
    const name = stepStateName(step);
    if (step.kind === 'approval') {
      recovery = approvalGate(scope, step, name, functions, recovery, failed);
      continue;
    }
    const settled = settledParallel(scope, name, {
      comment: `${step.resources.map((r) => r.id).join(', ')} side by side; each polls until done, a failure waits for the others.`,
      resultPath: `$.results.step${step.number}`,
      branches: step.resources.map((resource) => resourceBranch(scope, functions, resource, 'start')),
    });
    settled.parallel.addCatch(failed(name), { resultPath: '$.caught' });
    settled.parallel.next(
      firstFailedBranch(scope, name, settled, { resultPath: '$.failure', next: tail.afterRun, ok: recovery }),
    );
    recovery = settled.parallel;
  }

  const readinessGate = new sfn.Choice(scope, 'ReadinessGate', {
    comment:
      'Dry-run: report. Drill and switchover (planned): any failed check ends it untouched. Failover: advisory only.',
  })
    .when(sfn.Condition.stringEquals('$.run.mode', 'dry-run'), tail.report)
    .when(
      sfn.Condition.and(
        sfn.Condition.or(
          sfn.Condition.stringEquals('$.run.mode', 'drill'),
          sfn.Condition.stringEquals('$.run.mode', 'switchover'),
        ),
        notReady,
      ),
      new sfn.Pass(scope, 'NotReadyToStart', {
        result: sfn.Result.fromBoolean(true),
        resultPath: '$.notReady',
      }).next(tail.release),
    )
    .otherwise(
      new sfn.Pass(scope, 'BeginRecovery', {
        comment: 'Each step adds its results here (results.step<N>, one entry per resource).',
        result: sfn.Result.fromObject({}),
        resultPath: '$.results',
      }).next(recovery),
    );
  readiness.next(readinessGate);
  acquireLock.next(readiness);

  // ---- cleanup: a run that died without its tail (or one an operator names) is reverted.
  const cleanUp = runbookInvoke(scope, 'CleanUpDeadRun', functions.lock, 'cleanup', {
    comment: 'Frees a dead run’s lock, records it as aborted, and says what its revert may undo.',
    payload: { ...run, stateMachineArn: sfn.JsonPath.stringAt('$.execution.stateMachineArn') },
    resultPath: '$.cleanup',
  });
  cleanUp.addCatch(failed('CleanUpDeadRun'), { resultPath: '$.caught' });
  const settle = new sfn.Wait(scope, 'SettleDeadRun', {
    comment: 'Whatever the dead run had started finishes within the step timeout: revert after that.',
    time: sfn.WaitTime.timestampPath('$.cleanup.settleUntil'),
  });
  // The dead run's own record, when its tail never wrote one: aborted (or preempted), notified.
  const recordDeadRun = runbookInvoke(scope, 'RecordDeadRun', functions.runbook, 'record-aborted', {
    payload: { dead: sfn.JsonPath.objectAt('$.cleanup.record') },
    resultPath: '$.deadRunRecord',
  });
  const revertNeeded = new sfn.Choice(scope, 'RevertNeeded?');
  recordDeadRun.addCatch(revertNeeded, { resultPath: '$.deadRunRecordFailure' });
  recordDeadRun.next(revertNeeded);
  cleanUp.next(
    new sfn.Choice(scope, 'DeadRunRecorded?')
      .when(sfn.Condition.isPresent('$.cleanup.record'), recordDeadRun)
      .otherwise(revertNeeded),
  );
  revertNeeded
    .when(
      sfn.Condition.stringEquals('$.cleanup.scope', 'none'),
      new sfn.Succeed(scope, 'NothingToRevert', {
        comment: 'Its own tail reported the run, or it was no drill (its lock, if held, was freed).',
      }),
    )
    .otherwise(
      settle
        .next(
          new sfn.Pass(scope, 'PrepareCleanupRevert', {
            inputPath: '$.cleanup.revertRun',
            resultPath: '$.revertRun',
          }),
        )
        .next(tail.revert),
    );

  const entry = new sfn.Choice(scope, 'NeedsLock?', {
    comment: 'A dry-run only reads: it never blocks a failover.',
  })
    .when(sfn.Condition.stringEquals('$.run.mode', 'dry-run'), readiness)
    .when(sfn.Condition.stringEquals('$.run.mode', 'revert'), cleanUp)
    .otherwise(acquireLock);

  return injectPlan.next(validateInput).next(entry);
}

/** Waits for a person (task token) before the next step; the gate decides what a timeout means. */
function approvalGate(
  scope: Construct,
  step: ApprovalStep,
  name: string,
  functions: RunbookFunctions,
  next: sfn.IChainable,
  failed: (step: string) => sfn.IChainable,
): sfn.IChainable {
  const { runbook: fn, lock: lockFn } = functions;
  const { approval } = step;
  const request = new tasks.LambdaInvoke(scope, `${name}.WaitForApproval`, {
    lambdaFunction: fn,
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    payload: sfn.TaskInput.fromObject({
      action: 'request-approval',
      plan: sfn.JsonPath.objectAt('$.plan'),
      run: sfn.JsonPath.objectAt('$.run'),
      gate: { step: name, timeoutMinutes: approval.timeoutMinutes, onTimeout: approval.onTimeout },
      taskToken: sfn.JsonPath.taskToken,
    }),
    taskTimeout: sfn.Timeout.duration(Duration.minutes(approval.timeoutMinutes)),
    resultPath: '$.approval',
  });
  // A retry publishes a new request with a new task token; the old token simply goes unused.
  request.addRetry(TRANSIENT_RETRY);
  // While it waited, a failover could preempt this run; from here on it is a live failover.
  const granted = runbookInvoke(scope, `${name}.ApprovalGranted`, lockFn, 'approval-granted', {
    payload: { run: sfn.JsonPath.objectAt('$.run') },
    resultPath: sfn.JsonPath.DISCARD,
  });
  granted.addCatch(next, { resultPath: '$.approvalLockNote' });
  granted.next(next);
  if (approval.onTimeout === 'proceed') {
    request.addCatch(granted, { errors: ['States.Timeout'], resultPath: '$.approvalTimeout' });
  }
  request.addCatch(failed(name), { resultPath: '$.caught' });
  request.next(granted);
  // Only runs that move production wait: "always" gates failovers and switchovers,
  // "alarm-triggered" only the failovers an alarm (a believed one) started.
  const waits =
    approval.when === 'always'
      ? sfn.Condition.or(
          sfn.Condition.stringEquals('$.run.mode', 'failover'),
          sfn.Condition.stringEquals('$.run.mode', 'switchover'),
        )
      : sfn.Condition.and(
          sfn.Condition.stringEquals('$.run.mode', 'failover'),
          sfn.Condition.stringEquals('$.run.trigger.type', 'alarm'),
        );
  return new sfn.Choice(scope, `${name}.ApprovalRequired?`).when(waits, request).otherwise(next);
}
