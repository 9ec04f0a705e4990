// ARN builders and the shape every family's permissions take: statements scoped to the plan's own
// resources, and the wildcards among them with the reason cdk-nag is told (nag-acknowledgements.ts).
import { ArnFormat, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { WildcardResource } from '../nag-acknowledgements.ts';

export interface FamilyPermissions {
  statements: PolicyStatement[];
  wildcards: WildcardResource[];
}

/** An ARN in the stack's account; region defaults to the stack's (the recovery region). */
export function arn(
  scope: Construct,
  service: string,
  resource: string,
  resourceName?: string,
  options: { region?: string; format?: ArnFormat } = {},
): string {
  return Stack.of(scope).formatArn({
    service,
    resource,
    resourceName,
    arnFormat: options.format ?? ArnFormat.COLON_RESOURCE_NAME,
    ...(options.region === undefined ? {} : { region: options.region }),
  });
}

export function readOnly(actions: string[]): PolicyStatement {
  return new PolicyStatement({ actions, resources: ['*'] });
}
