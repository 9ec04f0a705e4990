// The traffic family's role: each traffic resource's hosted zone, changes limited to its records.
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { DrPlan } from '../../plan/schema.ts';
import { resourcesOf } from '../../plan/steps.ts';
import { type FamilyPermissions, readOnly, sid } from './arns.ts';

export function trafficPermissions(plan: DrPlan): FamilyPermissions {
  const statements = [readOnly(['route53:GetChange'])];
  for (const resource of resourcesOf(plan, 'traffic')) {
    const zoneId = resource.hostedZoneId.replace(/^\/hostedzone\//, '');
    const zone = `arn:aws:route53:::hostedzone/${zoneId}`;
    const names = [...new Set([...resource.records.map((r) => r.name), resource.drillRecordName])];
    statements.push(
      new PolicyStatement({
        sid: sid('ReadTheZone', resource.id),
        actions: ['route53:GetHostedZone', 'route53:ListResourceRecordSets'],
        resources: [zone],
      }),
      new PolicyStatement({
        sid: sid('ChangeOnlyThePlanRecords', resource.id),
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
