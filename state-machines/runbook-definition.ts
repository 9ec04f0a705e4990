// The runbook (DESIGN.md §2) as a CDK chain built from a plan. State names are the contract the
// local runner, the tests and the operator's progress view rely on.
import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import type { DrPlan } from '../plan/schema.ts';
import { pollingLoop, stepInvoke, TRANSIENT_RETRY } from './polling-loop.ts';

export interface RunbookFunctions {
  readonly database: IFunction;
  readonly compute: IFunction;
  readonly traffic: IFunction;
  /** validate-input, request-approval, verify, report */
  readonly runbook: IFunction;
}

export interface RunbookDefinitionProps {
  readonly plan: DrPlan;
  readonly functions: RunbookFunctions;
  /** Lock and history table (partition key `pk`, sort key `sk`). */
  readonly table: ITable;
}

/** The lock's DynamoDB tasks retry the table's transient faults. */
const LOCK_RETRY: sfn.RetryProps = {
  errors: ['DynamoDB.InternalServerErrorException', 'DynamoDB.ThrottlingException'],
  maxAttempts: 5,
};

const LOCK_KEY = (plan: DrPlan) => ({
  pk: tasks.DynamoAttributeValue.fromString(`LOCK#${plan.name}`),
  sk: tasks.DynamoAttributeValue.fromString('LOCK'),
});

/** Invokes the runbook Lambda with an action and extra payload fields. */
function runbookInvoke(
  scope: Construct,
  id: string,
  fn: IFunction,
  action: string,
  payload: Record<string, unknown>,
  resultPath: string,
): tasks.LambdaInvoke {
  const task = new tasks.LambdaInvoke(scope, id, {
    lambdaFunction: fn,
    payloadResponseOnly: true,
    payload: sfn.TaskInput.fromObject({ action, plan: sfn.JsonPath.objectAt('$.plan'), ...payload }),
    resultPath,
  });
  task.addRetry(TRANSIENT_RETRY);
  return task;
}

export function buildRunbookDefinition(scope: Construct, props: RunbookDefinitionProps): sfn.IChainable {
  const { plan, functions, table } = props;
  const run = { run: sfn.JsonPath.objectAt('$.run') };

  // ---- tail: (drill: revert) → report → release lock → outcome. Every failure joins it, so a
  // failed run is reported, a failed drill still cleans up, and the report says whether it could.
  const outcome = new sfn.Choice(scope, 'Outcome')
    .when(
      sfn.Condition.isPresent('$.failure'),
      new sfn.Fail(scope, 'RunFailed', { error: 'RunbookFailed', causePath: '$.failure.Cause' }),
    )
    .when(
      sfn.Condition.isPresent('$.revertFailure'),
      new sfn.Fail(scope, 'DrillNotReverted', {
        error: 'DrillRevertFailed',
        causePath: '$.revertFailure.Cause',
      }),
    )
    .otherwise(new sfn.Succeed(scope, 'RunSucceeded'));

  const releaseLock = new tasks.DynamoDeleteItem(scope, 'ReleaseLock', {
    table,
    key: LOCK_KEY(plan),
    conditionExpression: 'runId = :runId',
    expressionAttributeValues: {
      ':runId': tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$.run.id')),
    },
    resultPath: sfn.JsonPath.DISCARD,
  });
  const holdCooldown = new tasks.DynamoUpdateItem(scope, 'HoldCooldown', {
    comment: 'After a real failover the lock turns into the cooldown: no new run until cooldownUntil.',
    table,
    key: LOCK_KEY(plan),
    conditionExpression: 'runId = :runId',
    updateExpression: 'REMOVE runId, expiresAt SET cooldownUntil = :until',
    expressionAttributeValues: {
      ':runId': tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$.run.id')),
      ':until': tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$.report.cooldownUntil')),
    },
    resultPath: sfn.JsonPath.DISCARD,
  });
  for (const release of [releaseLock, holdCooldown]) {
    release.addRetry(LOCK_RETRY);
    release.addCatch(outcome, { resultPath: '$.lockError' });
    release.next(outcome);
  }
  const release = new sfn.Choice(scope, 'LockHeld?')
    .when(sfn.Condition.stringEquals('$.run.mode', 'dry-run'), outcome)
    .when(sfn.Condition.isPresent('$.report.cooldownUntil'), holdCooldown)
    .otherwise(releaseLock);

  const revertDrill = new sfn.Parallel(scope, 'RevertDrill', {
    comment: 'Undo everything the drill created or changed; each revert polls until nothing is left.',
    resultSelector: {
      'traffic.$': '$[0].progress',
      'compute.$': '$[1].progress',
      'database.$': '$[2].progress',
    },
    resultPath: '$.revert',
  })
    .branch(
      pollingLoop(scope, {
        fn: functions.traffic,
        name: 'Traffic',
        first: 'revert',
        resultPath: '$.progress',
      }),
    )
    .branch(
      pollingLoop(scope, {
        fn: functions.compute,
        name: 'Compute',
        first: 'revert',
        resultPath: '$.progress',
      }),
    )
    .branch(
      pollingLoop(scope, {
        fn: functions.database,
        name: 'Database',
        first: 'revert',
        resultPath: '$.progress',
      }),
    );
  const report = runbookInvoke(
    scope,
    'Report',
    functions.runbook,
    'report',
    { ...run, outcome: sfn.JsonPath.objectAt('$') },
    '$.report',
  );
  report.addCatch(failureOf(scope, 'Report').next(release), { resultPath: '$.caught' });
  report.next(release);

  // A revert that fails is kept apart from the run's own failure (if any), and reported.
  revertDrill.addCatch(
    new sfn.Pass(scope, 'RevertDrillFailed', {
      parameters: { step: 'RevertDrill', 'Error.$': '$.caught.Error', 'Cause.$': '$.caught.Cause' },
      resultPath: '$.revertFailure',
    }).next(report),
    { resultPath: '$.caught' },
  );
  revertDrill.next(report);

  const beforeReport = new sfn.Choice(scope, 'IsDrill?')
    .when(sfn.Condition.stringEquals('$.run.mode', 'drill'), revertDrill)
    .otherwise(report);

  /** Catch handler of a main state: record which step failed and why, then (revert and) report. */
  const failed = (step: string) => failureOf(scope, step).next(beforeReport);

  // ---- main path
  const injectPlan = new sfn.Pass(scope, 'InjectPlan', {
    comment: 'The deployed plan travels in the execution state: every step sees exactly which plan ran.',
    parameters: {
      input: sfn.JsonPath.objectAt('$'),
      plan,
      execution: { name: sfn.JsonPath.executionName, startTime: sfn.JsonPath.executionStartTime },
    },
  });
  const validateInput = runbookInvoke(
    scope,
    'ValidateInput',
    functions.runbook,
    'validate-input',
    { input: sfn.JsonPath.objectAt('$.input'), execution: sfn.JsonPath.objectAt('$.execution') },
    '$.run',
  );
  validateInput.addCatch(
    new sfn.Fail(scope, 'InvalidInput', { error: 'InvalidInput', causePath: '$.error.Cause' }),
    {
      resultPath: '$.error',
    },
  );

  const acquireLock = new tasks.DynamoPutItem(scope, 'AcquireLock', {
    comment: 'One run per plan: free, or cooldown over, or the holder is a dead execution.',
    table,
    item: {
      ...LOCK_KEY(plan),
      runId: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$.run.id')),
      mode: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$.run.mode')),
      acquiredAt: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$.run.startedAt')),
      expiresAt: tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$.run.lockExpiresAt')),
    },
    conditionExpression:
      'attribute_not_exists(pk) OR (attribute_not_exists(runId) AND cooldownUntil < :now) OR expiresAt < :now',
    expressionAttributeValues: {
      ':now': tasks.DynamoAttributeValue.fromString(sfn.JsonPath.stringAt('$.run.startedAt')),
    },
    resultPath: sfn.JsonPath.DISCARD,
  });
  acquireLock.addRetry(LOCK_RETRY);
  acquireLock.addCatch(
    new sfn.Fail(scope, 'AlreadyRunning', {
      error: 'AlreadyRunning',
      cause: `another run of plan "${plan.name}" holds the lock, or the cooldown after a failover is active`,
    }),
    { errors: ['DynamoDB.ConditionalCheckFailedException'], resultPath: '$.error' },
  );
  acquireLock.addCatch(
    new sfn.Fail(scope, 'LockUnavailable', { error: 'LockUnavailable', causePath: '$.error.Cause' }),
    {
      resultPath: '$.error',
    },
  );

  const readiness = new sfn.Parallel(scope, 'Readiness', {
    comment: 'Read-only checks of every family, and the predicted RTO.',
    resultPath: '$.readiness',
  })
    .branch(
      stepInvoke(scope, 'DatabaseReadiness', {
        fn: functions.database,
        action: 'readiness',
        resultPath: '$',
      }),
    )
    .branch(
      stepInvoke(scope, 'ComputeReadiness', { fn: functions.compute, action: 'readiness', resultPath: '$' }),
    )
    .branch(
      stepInvoke(scope, 'TrafficReadiness', { fn: functions.traffic, action: 'readiness', resultPath: '$' }),
    );
  readiness.addCatch(failed('Readiness'), { resultPath: '$.caught' });

  const recover = new sfn.Parallel(scope, 'Recover', {
    comment: 'Database and compute side by side; each polls until healthy.',
    resultSelector: { 'database.$': '$[0].progress', 'compute.$': '$[1].progress' },
    resultPath: '$.results',
  })
    .branch(
      pollingLoop(scope, {
        fn: functions.database,
        name: 'Database',
        first: 'start',
        resultPath: '$.progress',
      }),
    )
    .branch(
      pollingLoop(scope, {
        fn: functions.compute,
        name: 'Compute',
        first: 'start',
        resultPath: '$.progress',
      }),
    );
  recover.addCatch(failed('Recover'), { resultPath: '$.caught' });

  const switchTraffic = new sfn.Parallel(scope, 'SwitchTraffic', {
    comment: 'Only reached once database and compute are healthy.',
    resultSelector: { 'traffic.$': '$[0].progress' },
    resultPath: '$.switch',
  }).branch(
    pollingLoop(scope, { fn: functions.traffic, name: 'Traffic', first: 'start', resultPath: '$.progress' }),
  );
  switchTraffic.addCatch(failed('SwitchTraffic'), { resultPath: '$.caught' });

  const verify = runbookInvoke(scope, 'Verify', functions.runbook, 'verify', run, '$.verification');
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

  let recovery: sfn.IChainable = recover;
  if (plan.triggers.approval !== 'none') {
    recovery = approvalGate(scope, plan, functions.runbook, recover, failed);
  }

  const modeChoice = new sfn.Choice(scope, 'DryRun?')
    .when(sfn.Condition.stringEquals('$.run.mode', 'dry-run'), report)
    .otherwise(recovery);

  recover.next(switchTraffic);
  switchTraffic.next(verify);
  verify.next(beforeReport);
  readiness.next(modeChoice);

  const needsLock = new sfn.Choice(scope, 'NeedsLock?', {
    comment: 'A dry-run only reads: it never blocks a failover.',
  })
    .when(sfn.Condition.stringEquals('$.run.mode', 'dry-run'), readiness)
    .otherwise(acquireLock.next(readiness));

  return injectPlan.next(validateInput).next(needsLock);
}

/** Catch handler of a main state: records which step failed and why (`$.failure`), keeping the rest. */
function failureOf(scope: Construct, step: string): sfn.Pass {
  return new sfn.Pass(scope, `${step}Failed`, {
    parameters: { step, 'Error.$': '$.caught.Error', 'Cause.$': '$.caught.Cause' },
    resultPath: '$.failure',
  });
}

/** Waits for a person (task token) before anything changes; the plan decides what a timeout means. */
function approvalGate(
  scope: Construct,
  plan: DrPlan,
  fn: IFunction,
  next: sfn.IChainable,
  failed: (step: string) => sfn.IChainable,
): sfn.IChainable {
  const request = new tasks.LambdaInvoke(scope, 'WaitForApproval', {
    lambdaFunction: fn,
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    payload: sfn.TaskInput.fromObject({
      action: 'request-approval',
      plan: sfn.JsonPath.objectAt('$.plan'),
      run: sfn.JsonPath.objectAt('$.run'),
      taskToken: sfn.JsonPath.taskToken,
    }),
    taskTimeout: sfn.Timeout.duration(Duration.minutes(plan.triggers.approvalTimeoutMinutes)),
    resultPath: '$.approval',
  });
  // A retry publishes a new request with a new task token; the old token simply goes unused.
  request.addRetry(TRANSIENT_RETRY);
  if (plan.triggers.onApprovalTimeout === 'proceed') {
    request.addCatch(next, { errors: ['States.Timeout'], resultPath: '$.approvalTimeout' });
  }
  request.addCatch(failed('WaitForApproval'), { resultPath: '$.caught' });
  request.next(next);
  return new sfn.Choice(scope, 'ApprovalRequired?')
    .when(sfn.Condition.booleanEquals('$.run.approvalRequired', true), request)
    .otherwise(next);
}
