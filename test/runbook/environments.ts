// The recovery-region environments the fake AWS starts from, one per plan the runbook tests run:
// the warm standby of "shop" in us-west-2, the pilot light of "billing" in eu-central-1, and any
// plan of the types the fake serves, seeded from the plan itself (environmentFor). An environment
// holds lists (replicas, snapshots, groups, zones), each entry keyed by its AWS name or id, so one
// plan may have several resources of one type.
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import type { DrPlan } from '../../plan/schema.ts';

export const ACCOUNT = '123456789012';

/** A cross-region read replica of a primary in the primary region. */
export interface ReplicaSeed {
  readonly primaryId: string;
  readonly replicaId: string;
  readonly replicaClass: string;
  /** The one ReplicaLag datapoint, a minute before the run. */
  readonly replicaLagSeconds: number;
  /** @default "<plan>-db-subnets" */
  readonly subnetGroup?: string;
  /** @default ["sg-0<plan>db"] */
  readonly securityGroups?: readonly string[];
}

/** A snapshot copy in the recovery region (a copy keeps its source's instance id). */
export interface SnapshotSeed {
  readonly id: string;
  readonly instanceId: string;
  readonly ageHours: number;
  /** The class a restore without DBInstanceClass gets. @default "db.r6g.large" */
  readonly instanceClass?: string;
  /** Encrypted with this KMS key (an ARN). @default unencrypted */
  readonly kmsKeyId?: string;
}

export interface AmiSeed {
  readonly id: string;
  readonly ageHours: number;
}

/** An Auto Scaling group, its launch template (version 1) and the AMIs around it. */
export interface GroupSeed {
  readonly name: string;
  readonly min: number;
  readonly desired: number;
  readonly max: number;
  /** InService, Healthy instances on launch template version 1. */
  readonly instances: number;
  readonly launchTemplate: { readonly id: string; readonly name: string };
  readonly amis: {
    /** The tags of the plan's `ami.tags`, on `older` and `newer`. */
    readonly tags: Readonly<Record<string, string>>;
    /** The image launch template version 1 launches. */
    readonly older: AmiSeed;
    /** The newest plan-tagged image: what a failover must launch. */
    readonly newer: AmiSeed;
    /** Even newer, but not tagged for the plan: must never be picked. */
    readonly untagged: AmiSeed;
  };
}

export interface ZoneSeed {
  readonly id: string;
  readonly name: string;
  readonly records: readonly ResourceRecordSet[];
}

export interface Environment {
  readonly plan: string;
  readonly recoveryRegion: string;
  readonly primaryRegion: string;
  readonly replicas: readonly ReplicaSeed[];
  readonly snapshots: readonly SnapshotSeed[];
  readonly groups: readonly GroupSeed[];
  readonly zones: readonly ZoneSeed[];
  readonly alarms: Readonly<Record<string, 'OK' | 'ALARM' | 'INSUFFICIENT_DATA'>>;
}

/** The first entry of one of the environment's lists (the examples' only one). */
export function first<T>(items: readonly T[], what: string): T {
  const item = items[0];
  if (item === undefined) throw new Error(`the environment has no ${what}`);
  return item;
}

/** plan/examples/warm-standby.json: one warm instance, www and api on the us-east-1 side. */
export const WARM_STANDBY: Environment = {
  plan: 'shop',
  recoveryRegion: 'us-west-2',
  primaryRegion: 'us-east-1',
  replicas: [
    {
      primaryId: 'shop-db',
      replicaId: 'shop-db-replica',
      replicaClass: 'db.r6g.large',
      replicaLagSeconds: 4,
    },
  ],
  snapshots: [
    { id: 'shop-db-copy-older', instanceId: 'shop-db', ageHours: 27 },
    { id: 'shop-db-copy-latest', instanceId: 'shop-db', ageHours: 3 },
  ],
  groups: [
    {
      name: 'shop-web-standby',
      min: 1,
      desired: 1,
      max: 2,
      instances: 1,
      launchTemplate: { id: 'lt-0shopweb00000001', name: 'shop-web' },
      amis: {
        tags: { 'dr-runbook:plan': 'shop', role: 'web' },
        older: { id: 'ami-0shopolder', ageHours: 240 },
        newer: { id: 'ami-0shopnewer', ageHours: 26 },
        untagged: { id: 'ami-0shopuntagged', ageHours: 1 },
      },
    },
  ],
  zones: [
    {
      id: 'Z0SHOPEXAMPLE',
      name: 'shop.example.com',
      records: [
        {
          Name: 'www.shop.example.com.',
          Type: 'CNAME',
          TTL: 60,
          ResourceRecords: [{ Value: 'web.us-east-1.shop.example.com' }],
        },
        {
          Name: 'api.shop.example.com.',
          Type: 'CNAME',
          TTL: 60,
          ResourceRecords: [{ Value: 'api.us-east-1.shop.example.com' }],
        },
      ],
    },
  ],
  alarms: { 'shop-recovery-5xx': 'OK' },
};

/** plan/examples/pilot-light.json: the application tier at 0, app an alias to the eu-west-1 load balancer. */
export const PILOT_LIGHT: Environment = {
  plan: 'billing',
  recoveryRegion: 'eu-central-1',
  primaryRegion: 'eu-west-1',
  replicas: [
    {
      primaryId: 'billing-db',
      replicaId: 'billing-db-replica-fra',
      replicaClass: 'db.r6g.xlarge',
      replicaLagSeconds: 2,
    },
  ],
  snapshots: [{ id: 'billing-db-copy-latest', instanceId: 'billing-db', ageHours: 5 }],
  groups: [
    {
      name: 'billing-app-pilot',
      min: 0,
      desired: 0,
      max: 1,
      instances: 0,
      launchTemplate: { id: 'lt-0billingapp00001', name: 'billing-app' },
      amis: {
        tags: { 'dr-runbook:plan': 'billing' },
        older: { id: 'ami-0billingolder', ageHours: 300 },
        newer: { id: 'ami-0billingnewer', ageHours: 48 },
        untagged: { id: 'ami-0billinguntagged', ageHours: 2 },
      },
    },
  ],
  zones: [
    {
      id: 'Z0BILLINGEXAMPLE',
      name: 'billing.example.org',
      records: [
        {
          Name: 'app.billing.example.org.',
          Type: 'A',
          AliasTarget: {
            HostedZoneId: 'Z32O12XQLNTSW2',
            DNSName: 'billing-alb-dub-987654.eu-west-1.elb.amazonaws.com.',
            EvaluateTargetHealth: true,
          },
        },
      ],
    },
  ],
  alarms: {},
};

/** "shop-workers-standby" → "lt-0<8 hex>…": a launch template id of 17 hex digits derived from a name. */
function templateIdOf(name: string): string {
  let hash = 0x811c9dc5;
  for (const char of name) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return `lt-0${hash.toString(16).padStart(8, '0')}${'0'.repeat(8)}`;
}

/**
 * A healthy recovery region for any plan of the types the fake serves (rds-read-replica,
 * rds-snapshot-restore, auto-scaling-group, route53-records, route53-weighted): each replica
 * replicating with `replicaLagSeconds` of lag and a snapshot copy 3 h old, each group at 1 instance
 * with a tagged AMI newer than its template's, each record pointing at the primary region (weighted
 * records: the primary's set at weight 100, the recovery's at 0), and the verification alarm OK.
 */
export function environmentFor(plan: DrPlan, replicaLagSeconds = 4): Environment {
  const replicas: ReplicaSeed[] = [];
  const snapshots: SnapshotSeed[] = [];
  const groups: GroupSeed[] = [];
  const zones = new Map<string, { id: string; name: string; records: ResourceRecordSet[] }>();
  const zoneOf = (id: string, name: string) => {
    const bare = id.replace(/^\/hostedzone\//, '');
    const zone = zones.get(bare) ?? { id: bare, name, records: [] };
    zones.set(bare, zone);
    return zone;
  };
  for (const resource of plan.resources) {
    switch (resource.type) {
      case 'rds-read-replica':
        replicas.push({
          primaryId: resource.primaryInstanceId,
          replicaId: resource.replicaInstanceId,
          replicaClass: 'db.r6g.large',
          replicaLagSeconds,
        });
        snapshots.push({
          id: `${resource.primaryInstanceId}-copy`.slice(0, 255),
          instanceId: resource.primaryInstanceId,
          ageHours: 3,
          ...(resource.drill.kmsKeyArn ? { kmsKeyId: resource.drill.kmsKeyArn } : {}),
        });
        break;
      case 'rds-snapshot-restore':
        snapshots.push({
          id: `${resource.sourceInstanceId}-copy`.slice(0, 255),
          instanceId: resource.sourceInstanceId,
          ageHours: 3,
          ...(resource.kmsKeyArn ? { kmsKeyId: resource.kmsKeyArn } : {}),
        });
        break;
      case 'auto-scaling-group': {
        const n = groups.length + 1;
        groups.push({
          name: resource.autoScalingGroupName,
          min: 1,
          desired: 1,
          max: 1,
          instances: 1,
          launchTemplate: {
            id: templateIdOf(resource.autoScalingGroupName),
            name: `${plan.name}-group-${n}`,
          },
          amis: {
            tags: resource.ami.tags,
            older: { id: `ami-0${String(n).padStart(2, '0')}older`, ageHours: 240 },
            newer: { id: `ami-0${String(n).padStart(2, '0')}newer`, ageHours: 26 },
            untagged: { id: `ami-0${String(n).padStart(2, '0')}untagged`, ageHours: 1 },
          },
        });
        break;
      }
      case 'route53-records': {
        const zone = zoneOf(resource.hostedZoneId, resource.hostedZoneName);
        for (const record of resource.records) {
          zone.records.push(
            record.recoveryTarget.alias
              ? {
                  Name: `${record.name}.`,
                  Type: record.type,
                  AliasTarget: {
                    HostedZoneId: record.recoveryTarget.alias.hostedZoneId,
                    DNSName: `primary.${plan.regions.primary}.elb.amazonaws.com.`,
                    EvaluateTargetHealth: true,
                  },
                }
              : {
                  Name: `${record.name}.`,
                  Type: record.type,
                  TTL: record.ttlSeconds,
                  ResourceRecords: [
                    {
                      Value:
                        record.type === 'CNAME'
                          ? `primary.${plan.regions.primary}.example.com`
                          : '192.0.2.10',
                    },
                  ],
                },
          );
        }
        break;
      }
      case 'route53-weighted': {
        const zone = zoneOf(resource.hostedZoneId, resource.hostedZoneName);
        for (const record of resource.records) {
          const value = (region: string) =>
            record.type === 'CNAME'
              ? `app.${region}.example.com`
              : record.type === 'A'
                ? '192.0.2.10'
                : '2001:db8::10';
          zone.records.push(
            {
              Name: `${record.name}.`,
              Type: record.type,
              SetIdentifier: record.primarySetIdentifier,
              Weight: 100,
              TTL: 60,
              ResourceRecords: [{ Value: value(plan.regions.primary) }],
            },
            {
              Name: `${record.name}.`,
              Type: record.type,
              SetIdentifier: record.recoverySetIdentifier,
              Weight: 0,
              TTL: 60,
              ResourceRecords: [{ Value: value(plan.regions.recovery) }],
            },
          );
        }
        break;
      }
      default:
        throw new Error(`the fake AWS serves no ${resource.type} (resource "${resource.id}")`);
    }
  }
  const alarm = plan.verification.alarmName;
  return {
    plan: plan.name,
    recoveryRegion: plan.regions.recovery,
    primaryRegion: plan.regions.primary,
    replicas,
    snapshots,
    groups,
    zones: [...zones.values()],
    alarms: alarm ? { [alarm]: 'OK' } : {},
  };
}
