// One long operation as Step Functions states: start, then wait the step's own
// nextCheckSeconds and check again until it says done. No Lambda ever sleeps.
import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import type { Action } from '../functions/shared/step-contract.ts';

/**
 * Errors worth retrying, with backoff, before the run fails: our transient AWS errors, and a Lambda
 * that timed out or ran out of memory (every action is idempotent). Step Functions reports those as
 * "Lambda.Unknown" and the runtime's own "Sandbox.Timedout"; throttled invocations as
 * "Lambda.TooManyRequestsException" (the Lambda service errors are CDK's own default retry).
 */
export const RETRYABLE_ERRORS = [
  'TransientAwsError',
  'Sandbox.Timedout',
  'Lambda.Unknown',
  'Lambda.TooManyRequestsException',
];

/** The one retry policy of every Lambda task for transient AWS errors (throttling, 5xx). */
export const TRANSIENT_RETRY: sfn.RetryProps = {
  errors: RETRYABLE_ERRORS,
  interval: Duration.seconds(2),
  backoffRate: 2,
  maxAttempts: 5,
  jitterStrategy: sfn.JitterType.FULL,
};

/** The run as family steps receive it (the full run record stays in the execution state). */
export function stepRun(runPath = '$.run') {
  return {
    id: sfn.JsonPath.stringAt(`${runPath}.id`),
    mode: sfn.JsonPath.stringAt(`${runPath}.mode`),
    startedAt: sfn.JsonPath.stringAt(`${runPath}.startedAt`),
  };
}

export interface StepInvokeProps {
  readonly fn: IFunction;
  /** The id of the plan resource the step acts on. */
  readonly resource: string;
  readonly action: Action;
  /** Where the step's result goes in the execution state. */
  readonly resultPath: string;
  /** Path of the `state` passed back to the step (check). */
  readonly statePath?: string;
  /** Where the run the step acts for is (a cleanup reverts another run's drill). @default "$.run" */
  readonly runPath?: string;
  readonly comment?: string;
}

/** Invokes a family step with the plan and the run; retries Lambda faults and transient AWS errors. */
export function stepInvoke(scope: Construct, id: string, props: StepInvokeProps): tasks.LambdaInvoke {
  const task = new tasks.LambdaInvoke(scope, id, {
    lambdaFunction: props.fn,
    payloadResponseOnly: true,
    payload: sfn.TaskInput.fromObject({
      action: props.action,
      plan: sfn.JsonPath.objectAt('$.plan'),
      run: stepRun(props.runPath),
      resource: props.resource,
      ...(props.statePath ? { state: sfn.JsonPath.objectAt(props.statePath) } : {}),
    }),
    // "$" is the default (the result replaces the input). Left implicit because
    // aws-local-stepfunctions 3 mistakes an explicit "$" for a key named "$".
    resultPath: props.resultPath === '$' ? undefined : props.resultPath,
    comment: props.comment,
  });
  task.addRetry(TRANSIENT_RETRY);
  return task;
}

export interface PollingLoopProps {
  readonly fn: IFunction;
  /** The id of the plan resource the loop acts on. */
  readonly resource: string;
  /** State name prefix, e.g. "web." gives web.Start, web.StartWait, web.Check. */
  readonly name: string;
  /** The first action: start, or revert (which is polled by calling itself again). */
  readonly first: 'start' | 'revert';
  /** Where the progress result is kept. */
  readonly resultPath: string;
  /** @default "$.run" */
  readonly runPath?: string;
  /** What the loop's last state outputs, e.g. only the progress (a Parallel branch's result). @default the whole state */
  readonly outputPath?: string;
}

export interface PollingLoop {
  readonly chain: sfn.Chain;
  /** Every Task of the loop, for the caller's Catch. */
  readonly tasks: tasks.LambdaInvoke[];
}

/**
 * start → Done? ─no→ Wait(nextCheckSeconds) → check → Done? …; revert polls by calling revert again.
 * Returns the loop as a chain whose end is the "done" branch.
 */
export function pollingLoop(scope: Construct, props: PollingLoopProps): PollingLoop {
  const { fn, name, first, resultPath, runPath, resource } = props;
  const verb = first === 'start' ? 'Start' : 'Revert';
  const begin = stepInvoke(scope, `${name}${verb}`, { fn, resource, action: first, resultPath, runPath });
  const again = stepInvoke(scope, `${name}${first === 'start' ? 'Check' : 'RevertCheck'}`, {
    fn,
    resource,
    action: first === 'start' ? 'check' : 'revert',
    resultPath,
    runPath,
    // check continues start's state; a repeated revert continues its own (a first revert has none:
    // it finds what the run created by the run id, even when start never returned).
    statePath: `${resultPath}.state`,
  });
  const wait = new sfn.Wait(scope, `${name}${verb}Wait`, {
    time: sfn.WaitTime.secondsPath(`${resultPath}.nextCheckSeconds`),
  });
  const done = new sfn.Pass(scope, `${name}${verb}Done`, { outputPath: props.outputPath });
  const isDone = new sfn.Choice(scope, `${name}${verb}Done?`)
    .when(sfn.Condition.booleanEquals(`${resultPath}.done`, true), done)
    .otherwise(wait.next(again));
  again.next(isDone);
  return { chain: sfn.Chain.custom(begin, [done], begin.next(isDone)), tasks: [begin, again] };
}
