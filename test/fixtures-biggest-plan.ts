// The biggest plans plan/schema.ts accepts, for the limits that grow with the plan (each family
// role's inline policy: 10,240 characters per role): MAX_RESOURCES resources, MAX_TOTAL_RECORDS
// records (at most MAX_RECORDS_PER_RESOURCE per traffic resource), and every value the runbook's
// IAM policies repeat (ids, AWS names and ARNs, record names) at the longest the schema accepts, in
// the partition with the longest ARNs (GovCloud). Values no policy names (descriptions, record
// targets, placement, AMI tags) stay short: they only fill the plan (MAX_PLAN_BYTES).
//
// One plan per resource type (MAX_RESOURCES of that type: the most one family's role can hold of
// it) and one with every type, so each family meets its worst case whatever the type costs; the
// one with every type also has MAX_STEPS steps, each named at the longest (state names).
import { RESOURCE_TYPES } from '../plan/resources/index.ts';
import { MAX_RECORDS_PER_RESOURCE } from '../plan/resources/traffic.ts';
import {
  type DrPlan,
  type DrPlanInput,
  MAX_RESOURCES,
  MAX_STEPS,
  MAX_TOTAL_RECORDS,
  planSchema,
  type ResourceType,
} from '../plan/schema.ts';

/** The longest texts the schema accepts (plan/fields.ts, plan/resources/*.ts). */
export const MAX_LENGTH = {
  planName: 40,
  resourceId: 24,
  rdsInstanceId: 63,
  auroraClusterId: 63,
  dynamodbTableName: 255,
  probeKeyPrefix: 64,
  autoScalingGroupName: 255,
  hostedZoneId: 32,
  dnsName: 253,
  dnsLabel: 63,
  arn: 2048,
  lambdaFunctionName: 64,
  lambdaQualifier: 128,
} as const;

/**
 * How ARN fields are filled: padded to MAX_LENGTH.arn (what plan/fields.ts arnOf accepts today), or
 * the longest ARN AWS hands out (when the schema only accepts real ones).
 */
type ArnStyle = 'padded' | 'aws';

/** The plan fields holding ARNs of the user's (only their length is in question). */
const ARN_FIELDS = ['kmsKeyArn', 'functionArn'];

/** GovCloud: the longest partition ("aws-us-gov") and a long region, so every ARN is at its longest. */
const REGIONS = { primary: 'us-gov-east-1', recovery: 'us-gov-west-1' } as const;
const ACCOUNT = '123456789012';
const ARN_PREFIX = 'arn:aws-us-gov';

/** What `biggestPlan` builds: the biggest plan of one resource type, or of every type together. */
export type BiggestPlanKind = ResourceType | 'every-type';

export const BIGGEST_PLAN_KINDS: readonly BiggestPlanKind[] = [
  ...(RESOURCE_TYPES as ResourceType[]),
  'every-type',
];

/** `prefix` padded with `fill` to exactly `length` characters. */
export function sized(prefix: string, length: number, fill = 'x'): string {
  if (prefix.length > length) throw new Error(`"${prefix}" is longer than ${length} characters`);
  return prefix + fill.repeat(length - prefix.length);
}

const two = (n: number) => String(n).padStart(2, '0');

/** A DNS name of exactly MAX_LENGTH.dnsName characters in `zone`, starting with `unique`. */
export function longestNameIn(zone: string, unique: string): string {
  const labels: string[] = [];
  // What is left for "label." repeated before the zone.
  let room = MAX_LENGTH.dnsName - zone.length;
  while (room > 0) {
    // Each label takes its length plus a dot; never leave room for a lone dot.
    let length = Math.min(MAX_LENGTH.dnsLabel, room - 1);
    if (room - (length + 1) === 1) length -= 1;
    labels.push(sized(labels.length === 0 ? unique : '', length, 'a'));
    room -= length + 1;
  }
  if (room !== 0) throw new Error(`cannot build a ${MAX_LENGTH.dnsName}-character name in ${zone}`);
  return `${labels.join('.')}.${zone}`;
}

/** One resource of `type`, number `n` in the plan, with every name a policy repeats at its longest. */
function resourceOf(
  type: ResourceType,
  n: number,
  records: number,
  arns: ArnStyle,
): DrPlanInput['resources'][number] {
  const id = sized(`${type.split('-')[0]}-${two(n)}-`, MAX_LENGTH.resourceId, 'z');
  const name = (what: string, length: number) => sized(`${what}${two(n)}-`, length, 'n');
  const prefix = (service: string) => `${ARN_PREFIX}:${service}:${REGIONS.recovery}:${ACCOUNT}:`;
  // A multi-Region key id ("mrk-" and 32 hex digits) is as long as a key id gets.
  const keyArn = (what: string) =>
    arns === 'padded'
      ? sized(`${prefix('kms')}key/${what}-${two(n)}-`, MAX_LENGTH.arn, 'k')
      : `${prefix('kms')}key/mrk-${sized(two(n), 32, what === 'replica' ? 'a' : 'b')}`;
  // A function name and an alias (qualifier) at their longest.
  const functionArn = () =>
    arns === 'padded'
      ? sized(`${prefix('lambda')}function:hook-${two(n)}-`, MAX_LENGTH.arn, 'k')
      : `${prefix('lambda')}function:${sized(`hook-${two(n)}-`, MAX_LENGTH.lambdaFunctionName, 'h')}:${sized('live-', MAX_LENGTH.lambdaQualifier, 'q')}`;
  switch (type) {
    case 'rds-read-replica':
      return {
        id,
        type,
        primaryInstanceId: name('primary', MAX_LENGTH.rdsInstanceId),
        replicaInstanceId: name('replica', MAX_LENGTH.rdsInstanceId),
        drill: { kmsKeyArn: keyArn('replica') },
      };
    case 'rds-snapshot-restore':
      return {
        id,
        type,
        sourceInstanceId: name('source', MAX_LENGTH.rdsInstanceId),
        restoredInstanceId: name('restored', MAX_LENGTH.rdsInstanceId),
        kmsKeyArn: keyArn('restore'),
      };
    case 'aurora-global-database':
      return {
        id,
        type,
        globalClusterId: name('global', MAX_LENGTH.auroraClusterId),
        secondaryClusterId: name('secondary', MAX_LENGTH.auroraClusterId),
      };
    case 'dynamodb-global-table':
      return {
        id,
        type,
        tableName: name('table', MAX_LENGTH.dynamodbTableName),
        drill: { probeKeyPrefix: name('probe', MAX_LENGTH.probeKeyPrefix) },
      };
    case 'auto-scaling-group':
      return {
        id,
        type,
        autoScalingGroupName: name('group', MAX_LENGTH.autoScalingGroupName),
        capacity: { min: 1, desired: 2, max: 4 },
        ami: { tags: { role: 'app' } },
      };
    case 'lambda-hook':
      return { id, type, functionArn: functionArn() };
    case 'route53-records':
    case 'route53-weighted': {
      const zone = `zone${two(n)}.example.com`;
      const common = {
        id,
        hostedZoneId: sized(`Z${two(n)}`, MAX_LENGTH.hostedZoneId, 'Q'),
        hostedZoneName: zone,
        drillRecordName: longestNameIn(zone, 'drill'),
      };
      const recordName = (k: number) => longestNameIn(zone, `r${two(k)}`);
      return type === 'route53-records'
        ? {
            ...common,
            type,
            records: Array.from({ length: records }, (_, k) => ({
              name: recordName(k),
              type: 'CNAME' as const,
              recoveryTarget: { value: `standby-${two(n)}-${two(k)}.example.net` },
            })),
          }
        : {
            ...common,
            type,
            records: Array.from({ length: records }, (_, k) => ({
              name: recordName(k),
              type: 'CNAME' as const,
              primarySetIdentifier: 'primary',
              recoverySetIdentifier: 'recovery',
            })),
          };
    }
  }
}

const isTraffic = (type: ResourceType) => type === 'route53-records' || type === 'route53-weighted';

/**
 * The biggest plan of `kind`, as written: MAX_RESOURCES resources (of the one type, or every type in
 * turn), MAX_TOTAL_RECORDS records spread over its traffic resources (as many as they may hold), ARNs
 * of the user's as long as the schema accepts.
 */
export function biggestPlanInput(kind: BiggestPlanKind): DrPlanInput {
  const padded = planInput(kind, 'padded');
  const issues = planSchema.safeParse(padded).error?.issues ?? [];
  const arnRejected = issues.some((issue) => ARN_FIELDS.includes(String(issue.path.at(-1))));
  return arnRejected ? planInput(kind, 'aws') : padded;
}

function planInput(kind: BiggestPlanKind, arns: ArnStyle): DrPlanInput {
  const types = kind === 'every-type' ? (RESOURCE_TYPES as ResourceType[]) : [kind];
  const typeAt = Array.from({ length: MAX_RESOURCES }, (_, i) => types[i % types.length] as ResourceType);
  const trafficCount = typeAt.filter(isTraffic).length;
  let recordsLeft = Math.min(MAX_TOTAL_RECORDS, trafficCount * MAX_RECORDS_PER_RESOURCE);
  let trafficSeen = 0;
  const resources = typeAt.map((type, i) => {
    if (!isTraffic(type)) return resourceOf(type, i + 1, 0, arns);
    // Spread what is left evenly over the traffic resources still to come (each holds at least one).
    const records = Math.ceil(recordsLeft / (trafficCount - trafficSeen));
    trafficSeen += 1;
    recordsLeft -= records;
    return resourceOf(type, i + 1, records, arns);
  });
  return {
    name: sized('biggest-', MAX_LENGTH.planName, 'b'),
    regions: { ...REGIONS },
    objectives: { rtoMinutes: 60, rpoSeconds: 300 },
    resources,
    ...(kind === 'every-type' ? { steps: everyStep(resources) } : {}),
    verification: { alarmName: 'recovery-health' },
    triggers: { alarms: [{ name: 'primary-health', region: REGIONS.primary }] },
  };
}

/**
 * MAX_STEPS steps, each named at the longest a step name may be: an approval gate, the resources
 * that are not traffic spread over all steps but the last, and the traffic resources last.
 */
function everyStep(resources: DrPlanInput['resources']): NonNullable<DrPlanInput['steps']> {
  const name = (n: number) => sized(`step-${two(n)}-`, MAX_LENGTH.resourceId, 's');
  const standby = resources.filter((r) => !isTraffic(r.type)).map((r) => r.id);
  const traffic = resources.filter((r) => isTraffic(r.type)).map((r) => r.id);
  const groups = MAX_STEPS - 2;
  return [
    { name: name(1), approval: { when: 'always', timeoutMinutes: 24 * 60, onTimeout: 'proceed' } },
    ...Array.from({ length: groups }, (_, g) => ({
      name: name(g + 2),
      resources: standby.filter((_, i) => i % groups === g),
    })),
    { name: name(MAX_STEPS), resources: traffic },
  ];
}

/** The biggest plan of `kind`, validated (defaults filled in); throws what the schema rejects. */
export function biggestPlan(kind: BiggestPlanKind): DrPlan {
  const input = biggestPlanInput(kind);
  const parsed = planSchema.safeParse(input);
  if (!parsed.success) {
    throw new Error(
      `the biggest ${kind} plan is not accepted: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}
