// A Task that invokes the runbook's own Lambda with an action, the plan and extra payload fields.
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { TRANSIENT_RETRY } from './polling-loop.ts';

export interface RunbookInvokeProps {
  readonly payload: Record<string, unknown>;
  /** Where the result goes in the execution state. */
  readonly resultPath: string;
  readonly comment?: string;
  /** Add the plan to the payload. Off when the payload already holds the whole state (with the plan): twice would double it. @default true */
  readonly withPlan?: boolean;
}

export function runbookInvoke(
  scope: Construct,
  id: string,
  fn: IFunction,
  action: string,
  props: RunbookInvokeProps,
): tasks.LambdaInvoke {
  const task = new tasks.LambdaInvoke(scope, id, {
    lambdaFunction: fn,
    payloadResponseOnly: true,
    payload: sfn.TaskInput.fromObject({
      action,
      ...(props.withPlan === false ? {} : { plan: sfn.JsonPath.objectAt('$.plan') }),
      ...props.payload,
    }),
    resultPath: props.resultPath,
    comment: props.comment,
  });
  task.addRetry(TRANSIENT_RETRY);
  return task;
}
