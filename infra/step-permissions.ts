// Least privilege per step family: every mutating action is scoped to the plan's own resources.
// Actions AWS only authorizes on "*" are read-only and listed in permissions/read-only-actions.ts.
import type { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { DrPlan, ResourceFamily } from '../plan/schema.ts';
import { type FamilyPermissions, readOnly } from './permissions/arns.ts';
import { computePermissions } from './permissions/compute.ts';
import { databasePermissions } from './permissions/database.ts';
import { hookPermissions } from './permissions/hook.ts';
import { trafficPermissions } from './permissions/traffic.ts';

/** Each family's statements and accepted wildcards: the union over exactly its resources. */
export function familyPermissions(scope: Construct, plan: DrPlan, family: ResourceFamily): FamilyPermissions {
  switch (family) {
    case 'database':
      return databasePermissions(scope, plan);
    case 'compute':
      return computePermissions(scope, plan);
    case 'traffic':
      return trafficPermissions(scope, plan);
    case 'hook':
      return hookPermissions(plan);
  }
}

export function runbookStatements(): PolicyStatement[] {
  return [readOnly(['cloudwatch:DescribeAlarms'])];
}
