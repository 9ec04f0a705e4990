// What a plan resource becomes in the state machine: the Lambda of its family, and its start (or
// revert) polling loop as a settled branch whose state names carry the resource id.
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { familyOf } from '../plan/resources/index.ts';
import type { Resource, ResourceFamily } from '../plan/schema.ts';
import { pathKey } from '../plan/steps.ts';
import { pollingLoop } from './polling-loop.ts';
import type { SettledBranch } from './settled-parallel.ts';

export interface RunbookFunctions {
  /** One Lambda per resource family the plan uses (database, compute, traffic, hook). */
  readonly families: Partial<Record<ResourceFamily, IFunction>>;
  /** validate-input, request-approval, verify, report, record-aborted */
  readonly runbook: IFunction;
  /** acquire-lock, approval-granted, release-lock, cleanup: the only one that may stop executions */
  readonly lock: IFunction;
}

/** The Lambda that runs a resource's type (one per family). */
export function functionFor(functions: RunbookFunctions, resource: Resource): IFunction {
  const family = familyOf(resource);
  const fn = functions.families[family];
  if (!fn) throw new Error(`no ${family} function for resource "${resource.id}"`);
  return fn;
}

/** A resource's start → wait → check loop as a settled branch: web.Start, web.StartWait, web.Check … */
export function resourceBranch(
  scope: Construct,
  functions: RunbookFunctions,
  resource: Resource,
  first: 'start' | 'revert',
  runPath?: string,
): SettledBranch {
  const name = first === 'start' ? `${resource.id}.` : `${resource.id}.Revert`;
  return {
    key: pathKey(resource.id),
    resource: resource.id,
    family: familyOf(resource),
    type: resource.type,
    name,
    loop: pollingLoop(scope, {
      fn: functionFor(functions, resource),
      resource: resource.id,
      name: `${resource.id}.`,
      first,
      resultPath: '$.progress',
      runPath,
      // A branch's result is its progress only: the Parallel's raw output holds every branch's
      // result, and a whole state per branch (each with the plan) could pass the 256 KiB limit.
      outputPath: '$.progress',
    }),
  };
}
