// The biggest plan the schema accepts, for the run's state (test/fixtures-biggest-plan.ts has the
// biggest plans for the IAM limits, and the helpers used here), out of the resource types the fake
// AWS serves: 16 resources (4 rds-read-replica, 2 rds-snapshot-restore, 6 auto-scaling-group, 2
// route53-records and 2 route53-weighted with 10 records each: 40 in all, the caps), in 3 steps (an
// approval gate, the 12 that recover side by side, the 4 that move traffic: more steps would add
// nothing to the state), and its JSON exactly MAX_PLAN_BYTES long.
//
// Every text at its longest does not fit: 40 records of 253-character names alone are 24 KiB, and
// the plan would be 68 KiB. So the texts a run repeats in its state (resource ids, AWS names,
// record names and targets, set identifiers, the probe URL, the verification alarm) are at their
// longest; the texts only the plan holds (descriptions, AMI owners, emails, trigger alarms) are
// left out; the KMS key ARNs (repeated by readiness) take what room is left, and the plan's
// description the last bytes. Left out too: hooks (the fake serves no Lambda) and numbers at their
// largest (a group of 10,000 instances is not text, and the fake would launch them all).
import { MAX_RECORDS_PER_RESOURCE } from '../../plan/resources/traffic.ts';
import {
  type DrPlan,
  type DrPlanInput,
  MAX_PLAN_BYTES,
  MAX_RESOURCES,
  planSchema,
} from '../../plan/schema.ts';
import { longestNameIn, MAX_LENGTH, sized } from '../fixtures-biggest-plan.ts';
import { type Environment, environmentFor } from './environments.ts';

const pad = (n: number) => String(n).padStart(2, '0');

/** A resource id at its longest: "<kind>-<n>-zzz…". */
const idOf = (kind: string, n: number) => sized(`${kind}-${pad(n)}-`, MAX_LENGTH.resourceId, 'z');

/**
 * A hosted zone name of `length` characters, its labels at most 63: long, but leaving room for
 * records of the longest name in it (longestNameIn).
 */
function zoneName(n: number, length = 180): string {
  const labels: string[] = [];
  let room = length - 'example.com'.length;
  while (room > 0) {
    let take = Math.min(MAX_LENGTH.dnsLabel, room - 1);
    if (room - (take + 1) === 1) take -= 1; // never leave room for a lone dot
    labels.push(sized(labels.length === 0 ? `zone${pad(n)}` : '', take, 'a'));
    room -= take + 1;
  }
  return `${labels.join('.')}.example.com`;
}

/** GovCloud, as in test/fixtures-biggest-plan.ts: the longest partition and region names. */
const REGIONS = { primary: 'us-gov-east-1', recovery: 'us-gov-west-1' } as const;
const KMS_PREFIX = `arn:aws-us-gov:kms:${REGIONS.recovery}:123456789012:key/`;

/** What fills the plan up to MAX_PLAN_BYTES. */
interface Filler {
  /** Length of each KMS key ARN (the restore placement's kmsKeyArn; at most 2048). */
  readonly kmsKeyArnLength: number;
  /** Length of the plan's description (at most 1024). */
  readonly descriptionLength: number;
}

/** The plan as written, with `filler`. */
function planWith(filler: Filler): DrPlanInput {
  const kmsLength = filler.kmsKeyArnLength;
  const kms = (n: number) => sized(`${KMS_PREFIX}${pad(n)}-`, kmsLength, 'k');
  const securityGroups = (n: number) =>
    Array.from({ length: 5 }, (_, k) => `sg-${pad(n)}${pad(k)}${'0'.repeat(13)}`);
  const placement = (n: number, kind: string) => ({
    instanceClass: sized(`db.${kind}${pad(n)}.`, 64, 'm'),
    snapshotMaxAgeHours: 24 * 366,
    dbSubnetGroupName: sized(`subnets-${kind}-${pad(n)}-`, 255, 's'),
    vpcSecurityGroupIds: securityGroups(n),
    dbParameterGroupName: sized(`params-${kind}-${pad(n)}-`, 255, 'p'),
    kmsKeyArn: kms(n),
  });
  const instanceId = (what: string, n: number) => sized(`${what}${pad(n)}-`, MAX_LENGTH.rdsInstanceId, 'i');

  const replicas = Array.from({ length: 4 }, (_, i) => ({
    id: idOf('replica', i + 1),
    type: 'rds-read-replica' as const,
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
    timeoutMinutes: 24 * 60,
    sourceInstanceId: instanceId('source', i + 1),
    restoredInstanceId: instanceId('restored', i + 1),
    ...placement(10 + i + 1, 'restore'),
    expectedRestoreSeconds: 900,
  }));
  const groups = Array.from({ length: 6 }, (_, i) => ({
    id: idOf('group', i + 1),
    type: 'auto-scaling-group' as const,
    autoScalingGroupName: sized(`group-${pad(i + 1)}-`, MAX_LENGTH.autoScalingGroupName, 'g'),
    capacity: { min: 2, desired: 3, max: 4 },
    ami: {
      tags: { [sized(`dr-runbook:image-${pad(i + 1)}-`, 128, 't')]: sized('baked-', 256, 'v') },
      maxAgeHours: 24 * 366,
    },
    expectedHealthySeconds: 300,
    timeoutMinutes: 24 * 60,
  }));
  const zones = Array.from({ length: 4 }, (_, i) => zoneName(i + 1));
  const zoneId = (n: number) => sized(`Z${pad(n)}`, MAX_LENGTH.hostedZoneId, 'Q');
  const common = (i: number) => ({
    hostedZoneId: zoneId(i + 1),
    hostedZoneName: zones[i] as string,
    drillRecordName: longestNameIn(zones[i] as string, 'drill'),
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
            name: longestNameIn(zones[i] as string, `r${pad(k)}`),
            type: 'CNAME' as const,
            ttlSeconds: 60,
            recoveryTarget: { value: sized(`standby-${pad(i)}-${pad(k)}.`, 255, 'c') },
          }
        : {
            name: longestNameIn(zones[i] as string, `r${pad(k)}`),
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
        name: longestNameIn(zones[i] as string, `w${pad(k)}`),
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
    description: sized('', filler.descriptionLength, '.'),
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

const bytesOf = (input: DrPlanInput) => Buffer.byteLength(JSON.stringify(planSchema.parse(input)));

const KMS_MIN = KMS_PREFIX.length + 8;
const KMS_RESOURCES = 6;

/** The biggest accepted plan as written: its JSON (defaults filled in) is MAX_PLAN_BYTES to the byte. */
export function biggestPlanInput(): DrPlanInput {
  const base = bytesOf(planWith({ kmsKeyArnLength: KMS_MIN, descriptionLength: 0 }));
  // Each character of the ARNs is one byte in each of the 6 database resources; the description
  // (already in the JSON, empty) takes what is left, to the byte.
  const kmsKeyArnLength = Math.min(
    MAX_LENGTH.arn,
    KMS_MIN + Math.floor((MAX_PLAN_BYTES - base - 64) / KMS_RESOURCES),
  );
  const withKeys = bytesOf(planWith({ kmsKeyArnLength, descriptionLength: 0 }));
  const descriptionLength = Math.max(0, Math.min(1024, MAX_PLAN_BYTES - withKeys));
  const input = planWith({ kmsKeyArnLength, descriptionLength });
  const bytes = bytesOf(input);
  if (bytes !== MAX_PLAN_BYTES) {
    throw new Error(`the biggest plan is ${bytes} bytes, not MAX_PLAN_BYTES (${MAX_PLAN_BYTES})`);
  }
  return input;
}

/** The biggest accepted plan, validated, with defaults filled in. */
export function biggestPlan(): DrPlan {
  return planSchema.parse(biggestPlanInput());
}

/** Its recovery region, healthy (environments.ts environmentFor). */
export function biggestPlanEnvironment(plan: DrPlan = biggestPlan()): Environment {
  return environmentFor(plan);
}
