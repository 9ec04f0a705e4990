// The traffic family's role. Route 53 types: each resource's hosted zone, changes limited to its
// records. arc-routing-control: reading and setting exactly its routing controls, through the
// cluster's data plane (route53-recovery-cluster); nothing of the control-config API.
// route53-health-check-failover: publishing its alarms' metrics (in the plan's namespaces only),
// reading the alarms, and reading its health checks (readiness).
import { Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { isRoute53Traffic } from '../../plan/resources/traffic-names.ts';
import type { DrPlan } from '../../plan/schema.ts';
import { resourcesOf } from '../../plan/steps.ts';
import { type FamilyPermissions, readOnly } from './arns.ts';

export function trafficPermissions(scope: Construct, plan: DrPlan): FamilyPermissions {
  const traffic = resourcesOf(plan, 'traffic');
  const statements: PolicyStatement[] = [];
  if (traffic.some(isRoute53Traffic)) statements.push(readOnly(['route53:GetChange']));
  // Every routing control of the plan in one statement: the actions are the same for each.
  const controls = traffic.flatMap((resource) =>
    resource.type === 'arc-routing-control'
      ? [
          resource.primaryRoutingControlArn,
          resource.recoveryRoutingControlArn,
          ...(resource.drillRoutingControlArn ? [resource.drillRoutingControlArn] : []),
        ]
      : [],
  );
  if (controls.length > 0) {
    statements.push(
      new PolicyStatement({
        actions: [
          'route53-recovery-cluster:GetRoutingControlState',
          'route53-recovery-cluster:UpdateRoutingControlState',
          'route53-recovery-cluster:UpdateRoutingControlStates',
        ],
        resources: controls,
      }),
    );
  }
  const pairs = traffic.flatMap((resource) =>
    resource.type === 'route53-health-check-failover'
      ? [resource, ...(resource.drill ? [resource.drill] : [])]
      : [],
  );
  if (pairs.length > 0) {
    statements.push(
      readOnly(['cloudwatch:DescribeAlarms']),
      new PolicyStatement({
        // PutMetricData has no resource-level permissions: the namespace condition narrows it.
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'cloudwatch:namespace': [...new Set(pairs.map((p) => p.alarm.namespace))] },
        },
      }),
      new PolicyStatement({
        // Readiness only (advice): whether each health check watches its alarm.
        actions: ['route53:GetHealthCheck'],
        resources: pairs.map(
          (p) => `arn:${Stack.of(scope).partition}:route53:::healthcheck/${p.healthCheckId}`,
        ),
      }),
    );
  }
  for (const resource of traffic) {
    if (!isRoute53Traffic(resource)) continue;
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
