// Which family's Lambda runs each resource type, without the schemas: the Lambdas need this map,
// not the plan's validation (the plan they are sent was validated when the runbook was built).
// plan/resources/index.ts checks at compile time that it names every type exactly once.

export const RESOURCE_FAMILIES = ['database', 'compute', 'traffic', 'hook'] as const;
export type ResourceFamily = (typeof RESOURCE_FAMILIES)[number];

export const FAMILY_OF_TYPE = {
  'rds-read-replica': 'database',
  'rds-snapshot-restore': 'database',
  'aurora-global-database': 'database',
  'dynamodb-global-table': 'database',
  'auto-scaling-group': 'compute',
  'route53-records': 'traffic',
  'route53-weighted': 'traffic',
  'arc-routing-control': 'traffic',
  'route53-health-check-failover': 'traffic',
  'lambda-hook': 'hook',
} as const satisfies Record<string, ResourceFamily>;

export function familyOf(resource: { type: string }): ResourceFamily {
  const family = (FAMILY_OF_TYPE as Record<string, ResourceFamily>)[resource.type];
  if (!family) throw new Error(`unknown resource type "${resource.type}"`);
  return family;
}
