// The traffic family's role: each traffic resource's hosted zone, changes limited to its records.
import { Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { DrPlan } from '../../plan/schema.ts';
import { resourcesOf } from '../../plan/steps.ts';
import { type FamilyPermissions, readOnly } from './arns.ts';

export function trafficPermissions(scope: Construct, plan: DrPlan): FamilyPermissions {
  const statements = [readOnly(['route53:GetChange'])];
  for (const resource of resourcesOf(plan, 'traffic')) {
    const zoneId = resource.hostedZoneId.replace(/^\/hostedzone\//, '');
    const zone = `arn:${Stack.of(scope).partition}:route53:::hostedzone/${zoneId}`;
    const names = [...new Set([...resource.records.map((r) => r.name), resource.drillRecordName])];
    statements.push(
      new PolicyStatement({
        actions: ['route53:GetHostedZone', 'route53:ListResourceRecordSets'],
        resources: [zone],
      }),
      new PolicyStatement({
        actions: ['route53:ChangeResourceRecordSets'],
        resources: [zone],
        conditions: {
          'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': names },
        },
      }),
    );
  }
  return { statements, wildcards: [] };
}
