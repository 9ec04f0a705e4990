// The hook family's role: read and invoke exactly the plan's hook functions.
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { DrPlan } from '../../plan/schema.ts';
import { resourcesOf } from '../../plan/steps.ts';
import type { FamilyPermissions } from './arns.ts';

export function hookPermissions(plan: DrPlan): FamilyPermissions {
  const functions = resourcesOf(plan, 'hook').map((hook) => hook.functionArn);
  return {
    statements:
      functions.length === 0
        ? []
        : [
            new PolicyStatement({
              sid: 'InvokeThePlansHooks',
              actions: ['lambda:GetFunctionConfiguration', 'lambda:InvokeFunction'],
              resources: functions,
            }),
          ],
    wildcards: [],
  };
}
