// The recovery-region environments the fake AWS starts from, one per example plan the runbook tests
// run: the warm standby of "shop" in us-west-2, and the pilot light of "billing" in eu-central-1.
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';

export const ACCOUNT = '123456789012';

export interface Environment {
  readonly plan: string;
  readonly recoveryRegion: string;
  readonly primaryRegion: string;
  readonly database: {
    readonly primaryId: string;
    readonly replicaId: string;
    readonly replicaClass: string;
    /** The one ReplicaLag datapoint, a minute before the run. */
    readonly replicaLagSeconds: number;
    /** Snapshot copies in the recovery region, by id, with their age. */
    readonly snapshots: readonly { readonly id: string; readonly ageHours: number }[];
  };
  readonly group: {
    readonly name: string;
    readonly min: number;
    readonly desired: number;
    readonly max: number;
    /** InService, Healthy instances on launch template version 1. */
    readonly instances: number;
  };
  readonly launchTemplate: { readonly id: string; readonly name: string };
  readonly amis: {
    readonly tags: Readonly<Record<string, string>>;
    /** The image launch template version 1 launches. */
    readonly older: { readonly id: string; readonly ageHours: number };
    /** The newest plan-tagged image: what a failover must launch. */
    readonly newer: { readonly id: string; readonly ageHours: number };
    /** Even newer, but not tagged for the plan: must never be picked. */
    readonly untagged: { readonly id: string; readonly ageHours: number };
  };
  readonly zone: {
    readonly id: string;
    readonly name: string;
    readonly records: readonly ResourceRecordSet[];
  };
  readonly alarms: Readonly<Record<string, 'OK' | 'ALARM' | 'INSUFFICIENT_DATA'>>;
}

/** plan/examples/warm-standby.json: one warm instance, www and api on the us-east-1 side. */
export const WARM_STANDBY: Environment = {
  plan: 'shop',
  recoveryRegion: 'us-west-2',
  primaryRegion: 'us-east-1',
  database: {
    primaryId: 'shop-db',
    replicaId: 'shop-db-replica',
    replicaClass: 'db.r6g.large',
    replicaLagSeconds: 4,
    snapshots: [
      { id: 'shop-db-copy-older', ageHours: 27 },
      { id: 'shop-db-copy-latest', ageHours: 3 },
    ],
  },
  group: { name: 'shop-web-standby', min: 1, desired: 1, max: 2, instances: 1 },
  launchTemplate: { id: 'lt-0shopweb00000001', name: 'shop-web' },
  amis: {
    tags: { 'dr-runbook:plan': 'shop', role: 'web' },
    older: { id: 'ami-0shopolder', ageHours: 240 },
    newer: { id: 'ami-0shopnewer', ageHours: 26 },
    untagged: { id: 'ami-0shopuntagged', ageHours: 1 },
  },
  zone: {
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
  alarms: { 'shop-recovery-5xx': 'OK' },
};

/** plan/examples/pilot-light.json: the application tier at 0, app an alias to the eu-west-1 load balancer. */
export const PILOT_LIGHT: Environment = {
  plan: 'billing',
  recoveryRegion: 'eu-central-1',
  primaryRegion: 'eu-west-1',
  database: {
    primaryId: 'billing-db',
    replicaId: 'billing-db-replica-fra',
    replicaClass: 'db.r6g.xlarge',
    replicaLagSeconds: 2,
    snapshots: [{ id: 'billing-db-copy-latest', ageHours: 5 }],
  },
  group: { name: 'billing-app-pilot', min: 0, desired: 0, max: 1, instances: 0 },
  launchTemplate: { id: 'lt-0billingapp00001', name: 'billing-app' },
  amis: {
    tags: { 'dr-runbook:plan': 'billing' },
    older: { id: 'ami-0billingolder', ageHours: 300 },
    newer: { id: 'ami-0billingnewer', ageHours: 48 },
    untagged: { id: 'ami-0billinguntagged', ageHours: 2 },
  },
  zone: {
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
  alarms: {},
};
