// The biggest plans plan/schema.ts accepts, for the limits that grow with the plan (each family
// role's inline policy: 10,240 characters per role, and no policy CDK splits off it): MAX_RESOURCES
// resources, MAX_TOTAL_RECORDS records (at most MAX_RECORDS_PER_RESOURCE per traffic resource), in
// the partition with the longest ARNs (GovCloud), and the names the runbook's IAM policies list as
// long as the schema accepts: each at its longest where its family's IAM_NAME_BUDGET allows,
// otherwise as long as the budget allows (fillBudget: one more character in any of them is
// rejected). An optional ARN the policies list (a KMS key) is on the first resource of its type,
// and on the others only with the budget left once every name is at its longest. Values no policy
// names (descriptions, record targets, placement, AMI tags) stay short: they only fill the plan
// (MAX_PLAN_BYTES).
//
// One plan per resource type (MAX_RESOURCES of that type: the most one family's role can hold of
// it); one with every type, which also has MAX_STEPS steps, each named at the longest (state
// names); and the biggest database and traffic roles (EVERY_DATABASE_TYPE, 'one-record-each').
import { iamNames } from '../plan/resources/iam-names.ts';
import { FAMILY_OF_TYPE, familyOf, RESOURCE_TYPES, resourceSchema } from '../plan/resources/index.ts';
import { MAX_RECORDS_PER_RESOURCE } from '../plan/resources/traffic.ts';
import {
  type DrPlan,
  type DrPlanInput,
  IAM_ARN_OVERHEAD,
  IAM_NAME_BUDGET,
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
  lambdaFunctionName: 64,
  lambdaQualifier: 128,
  metricNamespace: 255,
} as const;

/** GovCloud: the longest partition ("aws-us-gov") and a long region, so every ARN is at its longest. */
const REGIONS = { primary: 'us-gov-east-1', recovery: 'us-gov-west-1' } as const;
const ACCOUNT = '123456789012';
const ARN_PREFIX = 'arn:aws-us-gov';

/**
 * The database role at its biggest. A DynamoDB table brings a statement of its own (its probe key
 * condition); the other types' statements list each resource but merge across resources, and each
 * type brings its fixed statements once. So one read replica (with its KMS key: the KMS
 * statements), one Aurora database (its statements and its drill clone's), and tables for the
 * rest. Measured with test/infra/iam.part.ts: a snapshot restore instead of the replica, or with
 * it, a second Aurora database, or four of each type, make the role's policy smaller.
 */
const EVERY_DATABASE_TYPE: readonly ResourceType[] = [
  'rds-read-replica',
  'aurora-global-database',
  ...Array<ResourceType>(MAX_RESOURCES - 2).fill('dynamodb-global-table'),
];

/**
 * What `biggestPlan` builds: the biggest plan of one resource type; of every type together; of
 * every database type (the database role's biggest); or of route53-records with one record each
 * (the traffic role's biggest: a record costs the budget a whole ARN's characters and the policy
 * only a value in a condition, so the fewer records, the longer the other names).
 */
export type BiggestPlanKind = ResourceType | 'every-type' | 'every-database-type' | 'one-record-each';

export const BIGGEST_PLAN_KINDS: readonly BiggestPlanKind[] = [
  ...(RESOURCE_TYPES as ResourceType[]),
  'every-type',
  'every-database-type',
  'one-record-each',
];

/** `prefix` padded with `fill` to exactly `length` characters. */
export function sized(prefix: string, length: number, fill = 'x'): string {
  if (prefix.length > length) throw new Error(`"${prefix}" is longer than ${length} characters`);
  return prefix + fill.repeat(length - prefix.length);
}

const two = (n: number) => String(n).padStart(2, '0');

/** A DNS name of exactly `length` characters in `zone`, starting with `unique`. */
export function dnsNameIn(zone: string, unique: string, length: number): string {
  const labels: string[] = [];
  // What is left for "label." repeated before the zone.
  let room = length - zone.length;
  while (room > 0) {
    // Each label takes its length plus a dot; never leave room for a lone dot.
    let take = Math.min(MAX_LENGTH.dnsLabel, room - 1);
    if (room - (take + 1) === 1) take -= 1;
    labels.push(sized(labels.length === 0 ? unique : '', take, 'a'));
    room -= take + 1;
  }
  if (room !== 0 || labels.length === 0) {
    throw new Error(`cannot build a ${length}-character name in ${zone}`);
  }
  return `${labels.join('.')}.${zone}`;
}

/** A DNS name of exactly MAX_LENGTH.dnsName characters in `zone`, starting with `unique`. */
export function longestNameIn(zone: string, unique: string): string {
  return dnsNameIn(zone, unique, MAX_LENGTH.dnsName);
}

type ResourceInput = DrPlanInput['resources'][number];

/** The length of each name a resource's policy lists, by field ("records.3.name", "tableName"). */
type Lengths = Record<string, number>;

/** One resource as the builder shapes it: the names it may lengthen, and how it is written. */
interface Shape {
  readonly type: ResourceType;
  /** The shortest and longest each name may be (the longest: what the schema accepts). */
  readonly names: Readonly<Record<string, { readonly min: number; readonly max: number }>>;
  /** Whether the type has an optional ARN its policy lists (a KMS key). */
  readonly optionalArn: boolean;
  readonly build: (lengths: Lengths, withArn: boolean) => ResourceInput;
}

/** Resource `n` of `type`, with `records` records if it is a traffic resource. */
function shapeOf(type: ResourceType, n: number, records: number): Shape {
  const id = sized(`${type.split('-')[0]}-${two(n)}-`, MAX_LENGTH.resourceId, 'z');
  const prefix = (service: string) => `${ARN_PREFIX}:${service}:${REGIONS.recovery}:${ACCOUNT}:`;
  const name = (what: string, length: number) => sized(`${what}${two(n)}-`, length, 'n');
  /** A name of `what` and the resource number, and at least one padding character. */
  const shortest = (what: string) => `${what}${two(n)}-`.length + 1;
  // A multi-Region key id ("mrk-" and 32 hex digits) is as long as a key id gets.
  const keyArn = (what: string) =>
    `${prefix('kms')}key/mrk-${sized(two(n), 32, what === 'replica' ? 'a' : 'b')}`;
  switch (type) {
    case 'rds-read-replica':
      return {
        type,
        names: { replicaInstanceId: { min: shortest('replica'), max: MAX_LENGTH.rdsInstanceId } },
        optionalArn: true,
        build: (lengths, withArn) => ({
          id,
          type,
          primaryInstanceId: name('primary', MAX_LENGTH.rdsInstanceId),
          replicaInstanceId: name('replica', lengths.replicaInstanceId as number),
          drill: withArn ? { kmsKeyArn: keyArn('replica') } : {},
        }),
      };
    case 'rds-snapshot-restore':
      return {
        type,
        names: { restoredInstanceId: { min: shortest('restored'), max: MAX_LENGTH.rdsInstanceId } },
        optionalArn: true,
        build: (lengths, withArn) => ({
          id,
          type,
          sourceInstanceId: name('source', MAX_LENGTH.rdsInstanceId),
          restoredInstanceId: name('restored', lengths.restoredInstanceId as number),
          ...(withArn ? { kmsKeyArn: keyArn('restore') } : {}),
        }),
      };
    case 'aurora-global-database':
      return {
        type,
        names: {
          globalClusterId: { min: shortest('global'), max: MAX_LENGTH.auroraClusterId },
          secondaryClusterId: { min: shortest('secondary'), max: MAX_LENGTH.auroraClusterId },
        },
        optionalArn: false,
        build: (lengths) => ({
          id,
          type,
          globalClusterId: name('global', lengths.globalClusterId as number),
          secondaryClusterId: name('secondary', lengths.secondaryClusterId as number),
        }),
      };
    case 'dynamodb-global-table':
      return {
        type,
        names: {
          tableName: { min: shortest('table'), max: MAX_LENGTH.dynamodbTableName },
          'drill.probeKeyPrefix': { min: shortest('probe'), max: MAX_LENGTH.probeKeyPrefix },
        },
        optionalArn: false,
        build: (lengths) => ({
          id,
          type,
          tableName: name('table', lengths.tableName as number),
          drill: { probeKeyPrefix: name('probe', lengths['drill.probeKeyPrefix'] as number) },
        }),
      };
    case 'auto-scaling-group':
      return {
        type,
        names: {
          autoScalingGroupName: { min: shortest('group'), max: MAX_LENGTH.autoScalingGroupName },
          // The primary region's group, which fencing scales to 0 (its own statement).
          primaryAutoScalingGroupName: { min: shortest('primary'), max: MAX_LENGTH.autoScalingGroupName },
        },
        optionalArn: false,
        build: (lengths) => ({
          id,
          type,
          autoScalingGroupName: name('group', lengths.autoScalingGroupName as number),
          primaryAutoScalingGroupName: name('primary', lengths.primaryAutoScalingGroupName as number),
          capacity: { min: 1, desired: 2, max: 4 },
          ami: { tags: { role: 'app' } },
        }),
      };
    case 'lambda-hook': {
      // A function name, then an alias (qualifier) once the name is at its longest.
      const functions = `${prefix('lambda')}function:`;
      const longestName = functions.length + MAX_LENGTH.lambdaFunctionName;
      const functionArn = (length: number) => {
        if (length <= longestName) return sized(`${functions}hook-${two(n)}-`, length, 'h');
        // ":" and at least one character of qualifier: the name gives one up if it must.
        const nameLength = Math.min(MAX_LENGTH.lambdaFunctionName, length - functions.length - 2);
        const qualifier = length - functions.length - nameLength - 1;
        return `${sized(`${functions}hook-${two(n)}-`, functions.length + nameLength, 'h')}:${sized('', qualifier, 'q')}`;
      };
      return {
        type,
        names: {
          functionArn: {
            min: `${functions}hook-${two(n)}-`.length + 1,
            max: longestName + 1 + MAX_LENGTH.lambdaQualifier,
          },
        },
        optionalArn: false,
        build: (lengths) => ({ id, type, functionArn: functionArn(lengths.functionArn as number) }),
      };
    }
    case 'arc-routing-control': {
      // Routing control ARNs have one length (hex ids of 32 and 16 digits); the drill one is the optional ARN.
      const control = (role: string) =>
        `${ARN_PREFIX}:route53-recovery-control::${ACCOUNT}:controlpanel/${sized(two(n), 32, '0')}/routingcontrol/${sized(`${role}${two(n)}`, 16, '0')}`;
      return {
        type,
        names: {},
        optionalArn: true,
        build: (_lengths, withArn) => ({
          id,
          type,
          clusterEndpoints: [
            { region: REGIONS.recovery, url: `https://host-${two(n)}.${REGIONS.recovery}.example.com/v1` },
          ],
          primaryRoutingControlArn: control('a'),
          recoveryRoutingControlArn: control('b'),
          recordName: `app-${two(n)}.example.com`,
          ...(withArn
            ? { drillRoutingControlArn: control('c'), drillRecordName: `drill-${two(n)}.example.com` }
            : {}),
        }),
      };
    }
    case 'route53-health-check-failover': {
      // Health check ids have one length; the namespace is the name the policy lists (a condition),
      // and the drill pair is the optional part.
      const check = (pair: string) => `${sized(`${pair}${two(n)}`, 8, '0')}-0000-4000-8000-000000000000`;
      const alarm = (pair: string, namespace: string) => ({
        alarmName: `${pair}-${two(n)}`,
        namespace,
        metricName: 'SwitchToRecovery',
      });
      return {
        type,
        names: { 'alarm.namespace': { min: shortest('ns'), max: MAX_LENGTH.metricNamespace } },
        optionalArn: true,
        build: (lengths, withArn) => ({
          id,
          type,
          recordName: `app-${two(n)}.example.com`,
          secondaryAnswer: `standby-${two(n)}.example.net`,
          healthCheckId: check('a'),
          alarm: alarm('switch', name('ns', lengths['alarm.namespace'] as number)),
          ...(withArn
            ? {
                drill: {
                  recordName: `drill-${two(n)}.example.com`,
                  healthCheckId: check('b'),
                  alarm: alarm('drill', `drill-${two(n)}`),
                },
              }
            : {}),
        }),
      };
    }
    case 'route53-records':
    case 'route53-weighted': {
      // A short zone name, so that record names may be as short as the budget needs.
      const zone = `z${two(n)}.io`;
      const recordName = (k: number) => `records.${k}.name`;
      const names: Record<string, { min: number; max: number }> = {
        hostedZoneId: { min: `Z${two(n)}`.length, max: MAX_LENGTH.hostedZoneId },
        drillRecordName: { min: 'd.'.length + zone.length, max: MAX_LENGTH.dnsName },
      };
      for (let k = 0; k < records; k += 1) {
        names[recordName(k)] = { min: `r${two(k)}.`.length + zone.length, max: MAX_LENGTH.dnsName };
      }
      const build = (lengths: Lengths): ResourceInput => {
        const common = {
          id,
          hostedZoneId: sized(`Z${two(n)}`, lengths.hostedZoneId as number, 'Q'),
          hostedZoneName: zone,
          drillRecordName: dnsNameIn(zone, 'd', lengths.drillRecordName as number),
        };
        const nameOf = (k: number) => dnsNameIn(zone, `r${two(k)}`, lengths[recordName(k)] as number);
        return type === 'route53-records'
          ? {
              ...common,
              type,
              records: Array.from({ length: records }, (_, k) => ({
                name: nameOf(k),
                type: 'CNAME' as const,
                recoveryTarget: { value: `standby-${two(n)}-${two(k)}.example.net` },
              })),
            }
          : {
              ...common,
              type,
              records: Array.from({ length: records }, (_, k) => ({
                name: nameOf(k),
                type: 'CNAME' as const,
                primarySetIdentifier: 'primary',
                recoverySetIdentifier: 'recovery',
              })),
            };
      };
      return { type, names, optionalArn: false, build };
    }
  }
}

/** Characters of the resource's names plan/schema.ts counts against its family's IAM_NAME_BUDGET. */
export function iamCharacters(resource: ResourceInput): number {
  return iamNames(resourceSchema.parse(resource)).reduce(
    (sum, name) => sum + name.length + IAM_ARN_OVERHEAD,
    0,
  );
}

/** One resource being sized: its shape, its names' lengths, whether it has the optional ARN. */
interface Sizing {
  readonly shape: Shape;
  readonly lengths: Lengths;
  withArn: boolean;
  characters: number;
}

/** A name of one resource: how many times the budget counts each of its characters. */
interface Slot {
  readonly sizing: Sizing;
  readonly key: string;
  readonly min: number;
  readonly max: number;
  readonly times: number;
}

/**
 * Lengthens the names of one family's resources until they fill IAM_NAME_BUDGET or are at their
 * longest, for the most characters of names: first the names the budget counts once, then those
 * it counts twice, and so on (a table name counts three times, its probe key once); names counted
 * alike grow alike (to the longest common length that fits, then one character at a time). Then
 * the optional ARNs, resource by resource, while one fits.
 */
function fillBudget(family: Sizing[]): void {
  const total = () => family.reduce((sum, s) => sum + s.characters, 0);
  const resize = (s: Sizing) => {
    s.characters = iamCharacters(s.shape.build(s.lengths, s.withArn));
  };
  /** Sets the slot's length if the family still fits, and says whether it did. */
  const tryLength = (slot: Slot, length: number) => {
    const before = slot.sizing.lengths[slot.key] as number;
    slot.sizing.lengths[slot.key] = length;
    resize(slot.sizing);
    if (total() <= IAM_NAME_BUDGET) return true;
    slot.sizing.lengths[slot.key] = before;
    resize(slot.sizing);
    return false;
  };
  const slots: Slot[] = [];
  for (const sizing of family) {
    for (const [key, { min }] of Object.entries(sizing.shape.names)) sizing.lengths[key] = min;
    resize(sizing);
  }
  for (const sizing of family) {
    for (const [key, { min, max }] of Object.entries(sizing.shape.names)) {
      // What one more character costs (plan/resources/iam-names.ts lists the name that many times).
      sizing.lengths[key] = min + 1;
      const times = iamCharacters(sizing.shape.build(sizing.lengths, sizing.withArn)) - sizing.characters;
      sizing.lengths[key] = min;
      slots.push({ sizing, key, min, max, times });
    }
  }
  if (total() > IAM_NAME_BUDGET) {
    throw new Error(`the shortest names take ${total()} characters, more than ${IAM_NAME_BUDGET}`);
  }
  for (const times of [...new Set(slots.map((slot) => slot.times))].sort((a, b) => a - b)) {
    const alike = slots.filter((slot) => slot.times === times);
    const level = (length: number) => {
      for (const slot of alike)
        slot.sizing.lengths[slot.key] = Math.max(slot.min, Math.min(slot.max, length));
      for (const sizing of new Set(alike.map((slot) => slot.sizing))) resize(sizing);
    };
    let low = 0;
    let high = Math.max(...alike.map((slot) => slot.max));
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      level(mid);
      if (total() <= IAM_NAME_BUDGET) low = mid;
      else high = mid - 1;
    }
    level(low);
  }
  // What is left, one character at a time, to any name it fits.
  for (let grown = true; grown; ) {
    grown = false;
    for (const slot of slots) {
      const length = slot.sizing.lengths[slot.key] as number;
      if (length < slot.max && tryLength(slot, length + 1)) grown = true;
    }
  }
  for (const sizing of family) {
    if (!sizing.shape.optionalArn || sizing.withArn) continue;
    sizing.withArn = true;
    resize(sizing);
    if (total() <= IAM_NAME_BUDGET) continue;
    sizing.withArn = false;
    resize(sizing);
  }
}

/** The types that hold records (the record caps spread over them). */
const isTraffic = (type: ResourceType) => type === 'route53-records' || type === 'route53-weighted';
/** Traffic family resources: they go in the last step. */
const movesTraffic = (type: ResourceType) => FAMILY_OF_TYPE[type] === 'traffic';

function typesOf(kind: BiggestPlanKind): ResourceType[] {
  if (kind === 'every-database-type') return [...EVERY_DATABASE_TYPE];
  if (kind === 'one-record-each') return Array<ResourceType>(MAX_RESOURCES).fill('route53-records');
  // Every type once, and the record types first: the resources left over after one of each go
  // to them, so that the plan holds MAX_TOTAL_RECORDS records.
  const all = RESOURCE_TYPES as ResourceType[];
  const types =
    kind === 'every-type' ? [...all.filter(isTraffic), ...all.filter((t) => !isTraffic(t))] : [kind];
  return Array.from({ length: MAX_RESOURCES }, (_, i) => types[i % types.length] as ResourceType);
}

const built = new Map<BiggestPlanKind, DrPlanInput>();

/**
 * The biggest plan of `kind`, as written: MAX_RESOURCES resources (of the one type, or the kind's
 * types in turn), MAX_TOTAL_RECORDS records spread over its traffic resources (as many as they may
 * hold), the names its policies list as long as the schema and the IAM budget accept.
 */
export function biggestPlanInput(kind: BiggestPlanKind): DrPlanInput {
  const cached = built.get(kind) ?? planInput(kind);
  built.set(kind, cached);
  return structuredClone(cached);
}

function planInput(kind: BiggestPlanKind): DrPlanInput {
  const typeAt = typesOf(kind);
  const trafficCount = typeAt.filter(isTraffic).length;
  let recordsLeft =
    kind === 'one-record-each'
      ? trafficCount
      : Math.min(MAX_TOTAL_RECORDS, trafficCount * MAX_RECORDS_PER_RESOURCE);
  let trafficSeen = 0;
  const firstOfType = new Set<ResourceType>();
  const sizings: Sizing[] = typeAt.map((type, i) => {
    let records = 0;
    if (isTraffic(type)) {
      // Spread what is left evenly over the traffic resources still to come (each holds at least one).
      records = Math.ceil(recordsLeft / (trafficCount - trafficSeen));
      trafficSeen += 1;
      recordsLeft -= records;
    }
    const shape = shapeOf(type, i + 1, records);
    const withArn = shape.optionalArn && !firstOfType.has(type);
    firstOfType.add(type);
    return { shape, lengths: {}, withArn, characters: 0 };
  });
  const families = new Map<string, Sizing[]>();
  for (const s of sizings) {
    const family = familyOf(s.shape);
    families.set(family, [...(families.get(family) ?? []), s]);
  }
  for (const family of families.values()) fillBudget(family);
  const resources = sizings.map((s) => s.shape.build(s.lengths, s.withArn));
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
  const standby = resources.filter((r) => !movesTraffic(r.type)).map((r) => r.id);
  const traffic = resources.filter((r) => movesTraffic(r.type)).map((r) => r.id);
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
