// The biggest plan the schema accepts, for the run's state (test/fixtures-biggest-plan.ts has the
// biggest plans for the IAM limits, and the helpers used here), out of the resource types the fake
// AWS serves: 16 resources (4 rds-read-replica, 2 rds-snapshot-restore, 6 auto-scaling-group, 2
// route53-records and 2 route53-weighted with 10 records each: 40 in all, the caps), in 3 steps (an
// approval gate, the 12 that recover side by side, the 4 that move traffic: more steps would add
// nothing to the state), and its JSON exactly MAX_PLAN_BYTES long.
//
// The texts a run repeats in its state (resource ids, AWS names, record targets, set identifiers,
// the probe URL, the verification alarm) are at their longest, and the names the traffic role's
// policy lists as long as its IAM budget allows (IAM_NAME_BUDGET): the 40 record names and 4 drill
// record names alike, then the hosted zone ids (a record name is in the policy once and in the
// state many times). With names that short (64 characters, not 253) and KMS key ARNs of their one
// length, the plan is far from 48 KiB: AMI tags at their longest fill it (readiness repeats them;
// 10 per group at most), then, if the tags run out, the resources' descriptions (only the plan
// holds them), and the plan's description takes the last bytes. Left out: emails and trigger
// alarms (only the plan holds them), hooks (the fake serves no Lambda) and numbers at their
// largest (a group of 10,000 instances is not text, and the fake would launch them all).
import { MAX_RECORDS_PER_RESOURCE } from '../../plan/resources/traffic.ts';
import {
  type DrPlan,
  type DrPlanInput,
  IAM_NAME_BUDGET,
  MAX_PLAN_BYTES,
  MAX_RESOURCES,
  planSchema,
} from '../../plan/schema.ts';
import { dnsNameIn, iamCharacters, longestNameIn, MAX_LENGTH, sized } from '../fixtures-biggest-plan.ts';
import { type Environment, environmentFor } from './environments.ts';

const pad = (n: number) => String(n).padStart(2, '0');

/** A resource id at its longest: "<kind>-<n>-zzz…". */
const idOf = (kind: string, n: number) => sized(`${kind}-${pad(n)}-`, MAX_LENGTH.resourceId, 'z');

/** A hosted zone name of `length` characters, its labels at most 63. */
function zoneName(n: number, length: number): string {
  return dnsNameIn('example.com', `zone${pad(n)}`, length);
}

/** GovCloud, as in test/fixtures-biggest-plan.ts: the longest partition and region names. */
const REGIONS = { primary: 'us-gov-east-1', recovery: 'us-gov-west-1' } as const;
/** A multi-Region KMS key ("mrk-" and 32 hex digits: as long as a key ARN gets). */
const kmsKeyArn = (n: number) =>
  `arn:aws-us-gov:kms:${REGIONS.recovery}:123456789012:key/mrk-${sized(pad(n), 32, 'c')}`;

const DESCRIPTION = { resource: 256, plan: 1024 } as const;
const AMI_TAGS = { perGroup: 10, key: 128, value: 256 } as const;

/** What fills the plan up to MAX_PLAN_BYTES. */
interface Filler {
  /** Resources with a description (at its longest), in order. */
  readonly resourceDescriptions: number;
  /** AMI tags (at their longest) besides each group's first, over the groups in turn (9 more each at most). */
  readonly amiTags: number;
  /** Length of the plan's description (at most 1024). */
  readonly planDescription: number;
}

/** How long the names the traffic role's policy lists are (its IAM budget decides). */
interface TrafficNames {
  /** Every record name and drill record name. */
  readonly record: number;
  readonly hostedZoneId: number;
}

/** The plan as written, with traffic `names` and `filler`. */
function planWith(names: TrafficNames, filler: Filler): DrPlanInput {
  const recordNameLength = names.record;
  let described = 0;
  const description = () => {
    described += 1;
    return described <= filler.resourceDescriptions
      ? { description: sized(`resource ${pad(described)} `, DESCRIPTION.resource, '.') }
      : {};
  };
  const securityGroups = (n: number) =>
    Array.from({ length: 5 }, (_, k) => `sg-${pad(n)}${pad(k)}${'0'.repeat(13)}`);
  const placement = (n: number, kind: string) => ({
    instanceClass: sized(`db.${kind}${pad(n)}.`, 64, 'm'),
    snapshotMaxAgeHours: 24 * 366,
    dbSubnetGroupName: sized(`subnets-${kind}-${pad(n)}-`, 255, 's'),
    vpcSecurityGroupIds: securityGroups(n),
    dbParameterGroupName: sized(`params-${kind}-${pad(n)}-`, 255, 'p'),
    kmsKeyArn: kmsKeyArn(n),
  });
  const instanceId = (what: string, n: number) => sized(`${what}${pad(n)}-`, MAX_LENGTH.rdsInstanceId, 'i');

  const replicas = Array.from({ length: 4 }, (_, i) => ({
    id: idOf('replica', i + 1),
    type: 'rds-read-replica' as const,
    ...description(),
    timeoutMinutes: 24 * 60,
    primaryInstanceId: instanceId('primary', i + 1),
    replicaInstanceId: instanceId('replica', i + 1),
    backupRetentionDays: 35,
    expectedPromotionSeconds: 300,
    drill: placement(i + 1, 'replica'),
  }));
  const restores = Array.from({ length: 2 }, (_, i) => ({
    id: idOf('restore', i + 1),
    type: 'rds-snapshot-restore' as const,
    ...description(),
    timeoutMinutes: 24 * 60,
    sourceInstanceId: instanceId('source', i + 1),
    restoredInstanceId: instanceId('restored', i + 1),
    ...placement(10 + i + 1, 'restore'),
    expectedRestoreSeconds: 900,
  }));
  let tagsLeft = filler.amiTags;
  const amiTags = (n: number) => {
    const more = Math.min(AMI_TAGS.perGroup - 1, tagsLeft);
    tagsLeft -= more;
    const tags = Array.from({ length: 1 + more }, (_, k): [string, string] => [
      sized(`dr-runbook:image-${pad(n)}-${pad(k)}-`, AMI_TAGS.key, 't'),
      sized(`baked-${pad(k)}-`, AMI_TAGS.value, 'v'),
    ]);
    return Object.fromEntries(tags);
  };
  const groups = Array.from({ length: 6 }, (_, i) => ({
    id: idOf('group', i + 1),
    type: 'auto-scaling-group' as const,
    ...description(),
    autoScalingGroupName: sized(`group-${pad(i + 1)}-`, MAX_LENGTH.autoScalingGroupName, 'g'),
    capacity: { min: 2, desired: 3, max: 4 },
    ami: { tags: amiTags(i + 1), maxAgeHours: 24 * 366 },
    expectedHealthySeconds: 300,
    timeoutMinutes: 24 * 60,
  }));
  // The zone leaves room for each name's own label ("r00…", "drill…").
  const zones = Array.from({ length: 4 }, (_, i) => zoneName(i + 1, recordNameLength - 'drill.'.length));
  const zoneId = (n: number) => sized(`Z${pad(n)}`, names.hostedZoneId, 'Q');
  const common = (i: number) => ({
    ...description(),
    hostedZoneId: zoneId(i + 1),
    hostedZoneName: zones[i] as string,
    drillRecordName: dnsNameIn(zones[i] as string, 'drill', recordNameLength),
    expectedSyncSeconds: 60,
    timeoutMinutes: 24 * 60,
  });
  const records = Array.from({ length: 2 }, (_, i) => ({
    id: idOf('records', i + 1),
    type: 'route53-records' as const,
    ...common(i),
    records: Array.from({ length: MAX_RECORDS_PER_RESOURCE }, (_, k) =>
      k % 2 === 0
        ? {
            name: dnsNameIn(zones[i] as string, `r${pad(k)}`, recordNameLength),
            type: 'CNAME' as const,
            ttlSeconds: 60,
            recoveryTarget: { value: sized(`standby-${pad(i)}-${pad(k)}.`, 255, 'c') },
          }
        : {
            name: dnsNameIn(zones[i] as string, `r${pad(k)}`, recordNameLength),
            type: 'A' as const,
            recoveryTarget: {
              alias: {
                dnsName: longestNameIn('elb.amazonaws.com', `lb${pad(i)}${pad(k)}`),
                hostedZoneId: sized('Z35SXDOTRQ7X7K', 32, 'K'),
              },
            },
          },
    ),
  }));
  const weighted = Array.from({ length: 2 }, (_, j) => {
    const i = j + 2;
    return {
      id: idOf('weighted', j + 1),
      type: 'route53-weighted' as const,
      ...common(i),
      records: Array.from({ length: MAX_RECORDS_PER_RESOURCE }, (_, k) => ({
        name: dnsNameIn(zones[i] as string, `w${pad(k)}`, recordNameLength),
        type: 'CNAME' as const,
        primarySetIdentifier: sized(`primary-${pad(k)}-`, 128, 'p'),
        recoverySetIdentifier: sized(`recovery-${pad(k)}-`, 128, 'r'),
      })),
      recoveryWeight: 255,
    };
  });
  const resources = [...replicas, ...restores, ...groups, ...records, ...weighted];
  if (resources.length !== MAX_RESOURCES) throw new Error(`${resources.length} resources`);
  const firstRecord = records[0]?.records[0]?.name as string;
  const stepName = (what: string) => sized(`${what}-`, MAX_LENGTH.resourceId, 'n');
  return {
    name: sized('biggest-accepted-plan-', MAX_LENGTH.planName, 'b'),
    ...(filler.planDescription > 0 ? { description: sized('', filler.planDescription, '.') } : {}),
    regions: { ...REGIONS },
    objectives: { rtoMinutes: 60, rpoSeconds: 300 },
    resources,
    steps: [
      {
        name: stepName('approve'),
        approval: { when: 'always', timeoutMinutes: 24 * 60, onTimeout: 'abort' },
      },
      { name: stepName('recover'), resources: [...replicas, ...restores, ...groups].map((r) => r.id) },
      { name: stepName('switch'), resources: [...records, ...weighted].map((r) => r.id) },
    ],
    verification: {
      http: {
        url: sized(`https://${firstRecord}/health/`, 2048, 'h'),
        expectedStatus: 200,
        timeoutSeconds: 60,
      },
      alarmName: sized('recovery-health-', 255, 'a'),
      alarmInsufficientDataIsOk: false,
    },
    triggers: {
      alarms: [{ name: 'primary-health', region: REGIONS.primary }],
      cooldownMinutes: 7 * 24 * 60,
    },
    schedules: {
      gameDay: { expression: 'cron(0 10 ? * TUE#1 *)', timezone: 'America/Argentina/Buenos_Aires' },
      readinessCheck: { expression: 'rate(1 hour)' },
    },
    notifications: { emails: ['oncall@example.com'] },
    tags: {},
  };
}

const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

const NO_FILLER: Filler = { resourceDescriptions: 0, amiTags: 0, planDescription: 0 };

/**
 * The longest record names the traffic role's IAM budget takes, 44 of them alike, then the longest
 * hosted zone ids: a record name is in the policy once and in the run's state many times, a zone id
 * twice in the policy and a few times in the state.
 */
function longestTrafficNames(): TrafficNames {
  const trafficCharacters = (names: TrafficNames) =>
    planWith(names, NO_FILLER)
      .resources.filter((r) => r.type.startsWith('route53-'))
      .reduce((sum, r) => sum + iamCharacters(r), 0);
  const shortestId = 'Z01'.length;
  let record = MAX_LENGTH.dnsName;
  while (trafficCharacters({ record, hostedZoneId: shortestId }) > IAM_NAME_BUDGET) record -= 1;
  let hostedZoneId = shortestId;
  while (
    hostedZoneId < MAX_LENGTH.hostedZoneId &&
    trafficCharacters({ record, hostedZoneId: hostedZoneId + 1 }) <= IAM_NAME_BUDGET
  ) {
    hostedZoneId += 1;
  }
  return { record, hostedZoneId };
}

/** `"description":"plan …",`: what the plan's description takes besides its text. */
const DESCRIPTION_KEY_BYTES = '"description":"",'.length;

/** The biggest accepted plan as written: its JSON (defaults filled in) is MAX_PLAN_BYTES to the byte. */
export function biggestPlanInput(): DrPlanInput {
  const names = longestTrafficNames();
  // The defaults the schema fills in take the same bytes whatever the filler (the schema refuses
  // a plan past MAX_PLAN_BYTES, so a bigger one is measured as written, plus those).
  const bare = planWith(names, NO_FILLER);
  const defaults = jsonBytes(planSchema.parse(bare)) - jsonBytes(bare);
  const bytesOf = (filler: Filler) => jsonBytes(planWith(names, filler)) + defaults;
  // Whole pieces while they leave room for the plan's description, which takes the last bytes.
  const fits = (filler: Filler) => bytesOf(filler) <= MAX_PLAN_BYTES - DESCRIPTION_KEY_BYTES - 1;
  let filler = NO_FILLER;
  for (const more of FILL_ORDER) {
    for (let n = 1; n <= more.count; n += 1) {
      const next = more.add(filler);
      if (!fits(next)) break;
      filler = next;
    }
  }
  const left = MAX_PLAN_BYTES - bytesOf(filler) - DESCRIPTION_KEY_BYTES;
  if (left > DESCRIPTION.plan) throw new Error(`${left} bytes left over for the plan's description`);
  const input = planWith(names, { ...filler, planDescription: left });
  const bytes = jsonBytes(planSchema.parse(input));
  if (bytes !== MAX_PLAN_BYTES) {
    throw new Error(`the biggest plan is ${bytes} bytes, not MAX_PLAN_BYTES (${MAX_PLAN_BYTES})`);
  }
  return input;
}

/** The pieces that fill the plan, in turn: AMI tags first (readiness repeats them), descriptions then. */
const FILL_ORDER: { count: number; add: (filler: Filler) => Filler }[] = [
  { count: 6 * (AMI_TAGS.perGroup - 1), add: (filler) => ({ ...filler, amiTags: filler.amiTags + 1 }) },
  {
    count: MAX_RESOURCES,
    add: (filler) => ({ ...filler, resourceDescriptions: filler.resourceDescriptions + 1 }),
  },
];

/** The biggest accepted plan, validated, with defaults filled in. */
export function biggestPlan(): DrPlan {
  return planSchema.parse(biggestPlanInput());
}

/** Its recovery region, healthy (environments.ts environmentFor). */
export function biggestPlanEnvironment(plan: DrPlan = biggestPlan()): Environment {
  return environmentFor(plan);
}
