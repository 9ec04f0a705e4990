// The DR plan: one JSON file per application, the one contract every layer reads.
// Field names carry their units; every optional field documents its default.
import * as z from './zod.ts';
import { nonEmptyString, nonNegativeInt, positiveInt } from './zod.ts';

/** A string matching `pattern`; `error` says what it must be and is shown as is. */
const matching = (pattern: RegExp, error: string) => z.string().check(z.regex(pattern, { error }));

const region = matching(
  /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/,
  'must be an AWS region code such as "us-east-1"',
);

/** A name used in AWS resource names: lowercase letters, digits and hyphens. */
const slug = matching(
  /^[a-z][a-z0-9-]{0,39}$/,
  'must start with a lowercase letter and use only a-z, 0-9 and "-" (at most 40 characters)',
).check(
  z.refine((s) => !s.endsWith('-') && !s.includes('--'), { error: 'must not end with "-" or contain "--"' }),
);

const rdsInstanceId = matching(
  /^[a-zA-Z][a-zA-Z0-9-]{0,62}$/,
  'must be an RDS DB instance identifier: a letter, then letters, digits or "-" (at most 63)',
);

/** A whole number from `min` to `max`. */
const intBetween = (min: number, max: number) => z.number().check(z.int(), z.minimum(min), z.maximum(max));

/** Fully qualified DNS name; a trailing dot is accepted and removed. */
const dnsName = z.pipe(
  z.pipe(
    z.string(),
    z.transform((s: string) => s.toLowerCase().replace(/\.$/, '')),
  ),
  matching(
    /^(\*\.)?([a-z0-9_]([a-z0-9-_]{0,61}[a-z0-9_])?\.)+[a-z]{2,63}$/,
    'must be a fully qualified DNS name such as "app.example.com"',
  ),
);

// ---------------------------------------------------------------- database

const snapshotRestore = {
  /** Instance class of a restored instance. @default the replica's (or source's) class */
  instanceClass: z.optional(z.string()),
  /** A newest snapshot older than this fails readiness. @default 24 */
  snapshotMaxAgeHours: z._default(positiveInt, 24),
};

const promoteReadReplica = z.strictObject({
  strategy: z.literal('promote-read-replica'),
  /** The production primary, in the primary region (never called during failover). */
  primaryInstanceId: rdsInstanceId,
  /** The cross-region read replica, in the recovery region. */
  replicaInstanceId: rdsInstanceId,
  /** Backup retention set on promotion when the replica has none. @default 7 */
  backupRetentionDays: z._default(intBetween(1, 35), 7),
  /** Expected promotion time, for the predicted RTO. @default 300 */
  expectedPromotionSeconds: z._default(positiveInt, 300),
  /** A start/check loop still not done after this fails the run. @default 4× the expected time, at least 15 */
  timeoutMinutes: z.optional(positiveInt),
  /** Drill: the newest recovery-region snapshot is restored to a temporary instance. */
  drill: z.prefault(z.strictObject(snapshotRestore), {}),
});

const restoreLatestSnapshot = z.strictObject({
  strategy: z.literal('restore-latest-snapshot'),
  /** Instance whose snapshots (copied to the recovery region) are restored. */
  sourceInstanceId: rdsInstanceId,
  /** Identifier of the instance created in the recovery region on failover. */
  restoredInstanceId: rdsInstanceId,
  ...snapshotRestore,
  /** Expected restore time, for the predicted RTO. @default 900 */
  expectedRestoreSeconds: z._default(positiveInt, 900),
  /** A start/check loop still not done after this fails the run. @default 4× the expected time, at least 15 */
  timeoutMinutes: z.optional(positiveInt),
});

const noDatabase = z.strictObject({
  strategy: z.literal('none'),
});

export const databaseSchema = z.discriminatedUnion(
  'strategy',
  [promoteReadReplica, restoreLatestSnapshot, noDatabase],
  {
    error: 'must be one of "promote-read-replica", "restore-latest-snapshot", "none"',
  },
);

// ----------------------------------------------------------------- compute

const capacity = z.strictObject({ min: nonNegativeInt, desired: nonNegativeInt, max: positiveInt });

const scaleStandby = z.strictObject({
  strategy: z.literal('scale-standby'),
  /** The standby group in the recovery region (at 0 instances for pilot light). */
  autoScalingGroupName: nonEmptyString,
  /** Capacity the group is raised to on failover (never lowered below its current values). */
  capacity,
  /** The newest available AMI carrying all these tags is launched. */
  ami: z.strictObject({
    tags: z.record(nonEmptyString, z.string()).check(
      z.refine((t) => Object.keys(t).length > 0, {
        error: 'must name at least one tag, e.g. {"dr-runbook:plan": "shop"}',
      }),
    ),
    /** @default ["self"] */
    owners: z._default(z.array(nonEmptyString).check(z.minLength(1)), ['self']),
    /** A newest AMI older than this is a readiness warning. @default 168 (one week) */
    maxAgeHours: z._default(positiveInt, 168),
  }),
  /** Expected time until new instances are InService and healthy. @default 300 */
  expectedHealthySeconds: z._default(positiveInt, 300),
  /** A start/check loop still not done after this fails the run. @default 4× the expected time, at least 15 */
  timeoutMinutes: z.optional(positiveInt),
});

const noCompute = z.strictObject({ strategy: z.literal('none') });

export const computeSchema = z.discriminatedUnion('strategy', [scaleStandby, noCompute], {
  error: 'must be one of "scale-standby", "none"',
});

// ----------------------------------------------------------------- traffic

const aliasTarget = z.strictObject({
  dnsName: dnsName,
  hostedZoneId: nonEmptyString,
  /** @default true */
  evaluateTargetHealth: z._default(z.boolean(), true),
});

/** Exactly one of a record value (CNAME/A/AAAA) or an alias target (load balancer, CloudFront, …). */
const recordTarget = z
  .strictObject({ value: z.optional(nonEmptyString), alias: z.optional(aliasTarget) })
  .check(
    z.refine((t) => (t.value === undefined) !== (t.alias === undefined), {
      error: 'set exactly one of "value" (a CNAME/A/AAAA value) or "alias" ({"dnsName", "hostedZoneId"})',
    }),
  );

const upsertRecord = z.strictObject({
  name: dnsName,
  type: z.enum(['CNAME', 'A', 'AAAA']),
  /** TTL of a non-alias record. @default 60 */
  ttlSeconds: z._default(positiveInt, 60),
  recoveryTarget: recordTarget,
});

const hostedZone = {
  hostedZoneId: matching(/^(\/hostedzone\/)?[A-Z0-9]+$/, 'must be a Route 53 hosted zone ID'),
  hostedZoneName: dnsName,
};

const upsertRecords = z.strictObject({
  strategy: z.literal('upsert-records'),
  ...hostedZone,
  records: z.array(upsertRecord).check(z.minLength(1)),
  /** Drills write this record (pointing at the first record's recovery target) instead of production. */
  drillRecordName: dnsName,
  /** Expected time until a change is INSYNC. @default 60 */
  expectedSyncSeconds: z._default(positiveInt, 60),
  /** A start/check loop still not done after this fails the run. @default 4× the expected time, at least 15 */
  timeoutMinutes: z.optional(positiveInt),
});

const weightedRecord = z.strictObject({
  name: dnsName,
  type: z.enum(['CNAME', 'A', 'AAAA']),
  /** SetIdentifier of the weighted record serving from the primary region. */
  primarySetIdentifier: nonEmptyString,
  /** SetIdentifier of the weighted record serving from the recovery region. */
  recoverySetIdentifier: nonEmptyString,
});

const weighted = z.strictObject({
  strategy: z.literal('weighted'),
  ...hostedZone,
  records: z.array(weightedRecord).check(z.minLength(1)),
  /** Weight the recovery record gets on failover (the primary's goes to 0). @default 100 */
  recoveryWeight: z._default(intBetween(1, 255), 100),
  /** Drills write this record (a copy of the first recovery record) instead of shifting production. */
  drillRecordName: dnsName,
  /** @default 60 */
  expectedSyncSeconds: z._default(positiveInt, 60),
  /** A start/check loop still not done after this fails the run. @default 4× the expected time, at least 15 */
  timeoutMinutes: z.optional(positiveInt),
});

export const trafficSchema = z.discriminatedUnion('strategy', [upsertRecords, weighted], {
  error: 'must be one of "upsert-records", "weighted"',
});

// ------------------------------------------------------ the rest of a plan

const verification = z.strictObject({
  /** Probed after traffic moved. In a drill the host is replaced by traffic.drillRecordName
   * (production DNS was not switched), so the recovery endpoint must answer to that name too. */
  http: z.optional(
    z.strictObject({
      url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
      /** @default 200 */
      expectedStatus: z._default(intBetween(100, 599), 200),
      /** @default 5 */
      timeoutSeconds: z._default(positiveInt.check(z.maximum(60)), 5),
    }),
  ),
  /** An application alarm in the recovery region that must be OK after failover. */
  alarmName: z.optional(nonEmptyString),
  /**
   * Whether the application alarm may be INSUFFICIENT_DATA (then it passes with a warning), e.g.
   * when its metric only gets data points once users arrive. Otherwise INSUFFICIENT_DATA fails
   * the verification: an alarm without data shows nothing about the recovery. @default false
   */
  alarmInsufficientDataIsOk: z._default(z.boolean(), false),
});

const triggers = z.strictObject({
  /** CloudWatch alarms whose ALARM state starts an automatic failover. @default [] */
  alarms: z._default(z.array(z.strictObject({ name: nonEmptyString, region: z.optional(region) })), []),
  /** No new failover starts within this time after one completed. @default 60 */
  cooldownMinutes: z._default(nonNegativeInt, 60),
  /** Who must approve before anything changes. @default "none" */
  approval: z._default(z.enum(['none', 'alarm-triggered', 'always']), 'none'),
  /** @default 30 */
  approvalTimeoutMinutes: z._default(positiveInt, 30),
  /** What happens when nobody answers in time. @default "abort" */
  onApprovalTimeout: z._default(z.enum(['abort', 'proceed']), 'abort'),
});

/** EventBridge Scheduler expression: cron(...), rate(...) or at(...). */
const scheduleExpression = matching(
  /^(cron|rate|at)\(.+\)$/,
  'must be an EventBridge Scheduler expression such as "cron(0 10 ? * TUE *)" or "rate(1 day)"',
);

const schedule = z.strictObject({
  expression: scheduleExpression,
  /** IANA time zone of a cron expression. @default "UTC" */
  timezone: z._default(nonEmptyString, 'UTC'),
  /** @default true */
  enabled: z._default(z.boolean(), true),
});

const schedules = z.strictObject({
  /** Scheduled drill that reverts itself. */
  gameDay: z.optional(schedule),
  /** Scheduled read-only readiness check (dry-run). */
  readinessCheck: z.optional(schedule),
});

const notifications = z.strictObject({
  /** Addresses subscribed to the runbook's topic. @default [] */
  emails: z._default(z.array(z.email({ error: 'must be an email address' })), []),
});

const planObject = z.strictObject({
  /** Names the runbook and its resources; a manual failover must confirm it. */
  name: slug,
  description: z.optional(z.string()),
  regions: z.strictObject({ primary: region, recovery: region }),
  objectives: z.strictObject({
    /** Recovery time objective. */
    rtoMinutes: positiveInt,
    /** Recovery point objective (data loss tolerated). */
    rpoSeconds: nonNegativeInt,
  }),
  database: databaseSchema,
  compute: computeSchema,
  traffic: trafficSchema,
  verification: z.prefault(verification, {}),
  triggers: z.prefault(triggers, {}),
  schedules: z.prefault(schedules, {}),
  notifications: z.prefault(notifications, {}),
  /** Tags added to every resource the runbook creates. @default {} */
  tags: z._default(z.record(z.string(), z.string()), {}),
});

export const planSchema = planObject.check(z.superRefine(checkCrossFieldRules));

/** Rules that span fields; each issue names the field to change. */
function checkCrossFieldRules(plan: z.output<typeof planObject>, ctx: z.core.$RefinementCtx): void {
  // Every plan moves traffic (the section is required today); should it ever become optional, a
  // plan without traffic has nothing users see to verify and may leave verification out.
  if (plan.traffic && !plan.verification.http && !plan.verification.alarmName) {
    ctx.addIssue({
      code: 'custom',
      path: ['verification'],
      message:
        'configures no check: add "http" ({"url": "https://…/health"}, probed after traffic moved) or "alarmName" (an application alarm in the recovery region): a recovery nobody checked is not a recovery',
    });
  }
  if (plan.regions.primary === plan.regions.recovery) {
    ctx.addIssue({
      code: 'custom',
      path: ['regions', 'recovery'],
      message: `must differ from regions.primary ("${plan.regions.primary}"): a recovery region in the failed region recovers nothing`,
    });
  }
  if (plan.compute.strategy === 'scale-standby') {
    const { min, desired, max } = plan.compute.capacity;
    if (min > desired) {
      ctx.addIssue({
        code: 'custom',
        path: ['compute', 'capacity', 'min'],
        message: `${min} is more than desired (${desired}): set min ≤ desired ≤ max`,
      });
    }
    if (desired > max) {
      ctx.addIssue({
        code: 'custom',
        path: ['compute', 'capacity', 'desired'],
        message: `${desired} is more than max (${max}): set min ≤ desired ≤ max`,
      });
    }
  }
  if (plan.database.strategy === 'promote-read-replica') {
    const { primaryInstanceId, replicaInstanceId } = plan.database;
    if (primaryInstanceId === replicaInstanceId) {
      ctx.addIssue({
        code: 'custom',
        path: ['database', 'replicaInstanceId'],
        message: 'must differ from database.primaryInstanceId: name the read replica in the recovery region',
      });
    }
  }
  const zone = plan.traffic.hostedZoneName;
  const inZone = (name: string) => name === zone || name.endsWith(`.${zone}`);
  plan.traffic.records.forEach((record, i) => {
    if (!inZone(record.name)) {
      ctx.addIssue({
        code: 'custom',
        path: ['traffic', 'records', i, 'name'],
        message: `"${record.name}" is outside the hosted zone "${zone}": use a name ending in ".${zone}"`,
      });
    }
  });
  const drill = plan.traffic.drillRecordName;
  if (!inZone(drill)) {
    ctx.addIssue({
      code: 'custom',
      path: ['traffic', 'drillRecordName'],
      message: `"${drill}" is outside the hosted zone "${zone}": use a name ending in ".${zone}"`,
    });
  }
  if (plan.traffic.records.some((r) => r.name === drill)) {
    ctx.addIssue({
      code: 'custom',
      path: ['traffic', 'drillRecordName'],
      message: `"${drill}" is a production record: drills must write a name of their own, e.g. "drill.${zone}"`,
    });
  }
}

/** A validated plan with every default filled in. */
export type DrPlan = z.output<typeof planSchema>;
/** A plan as written in dr-plan.json (defaults optional). */
export type DrPlanInput = z.input<typeof planSchema>;
export type DatabasePlan = DrPlan['database'];
export type ComputePlan = DrPlan['compute'];
export type TrafficPlan = DrPlan['traffic'];
