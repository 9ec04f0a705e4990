// The DR plan (v2): one JSON file per application, the one contract every layer reads. A plan
// names its resources (each of a type from plan/resources/) and the ordered steps that recover
// them. Field names carry their units; every optional field documents its default.
import {
  atMostItems,
  email,
  intBetween,
  matching,
  name255,
  region,
  resourceId,
  slug,
  text,
} from './fields.ts';
import { iamNames } from './resources/iam-names.ts';
import { familyOf, type Resource, resourceSchema } from './resources/index.ts';
import { tagMap } from './resources/tags.ts';
import * as z from './zod.ts';
import { nonEmptyString, nonNegativeInt, positiveInt } from './zod.ts';

/** Resources one plan may hold: bounds the run's state, each family's IAM policy and the steps' Parallels. */
export const MAX_RESOURCES = 16;
/** Records across all traffic resources: bounds the traffic role's inline policy (10,240 characters). */
export const MAX_TOTAL_RECORDS = 40;
export const MAX_STEPS = 12;
/** The plan travels in every step's event and the execution state (256 KiB per state). */
export const MAX_PLAN_BYTES = 48 * 1024;
/**
 * Characters of names one family's role may list (each name plus the ARN around it, counted at
 * IAM_ARN_OVERHEAD): with the fixed statements this keeps a role under IAM's 10,240 characters of
 * inline policy, whatever the plan (checked on the biggest plans in test/infra/iam.part.ts). The
 * database role has the most fixed statements: its biggest plan measures about 9,700 characters.
 */
export const IAM_NAME_BUDGET = 6_000;
/** An ARN's characters besides the name (the longest partition, region and account, quotes, comma). */
export const IAM_ARN_OVERHEAD = 60;

const approval = z.strictObject({
  /** "always": every failover waits; "alarm-triggered": only automatic ones. @default "always" */
  when: z._default(z.enum(['always', 'alarm-triggered']), 'always'),
  /** @default 30 */
  timeoutMinutes: z._default(intBetween(1, 24 * 60), 30),
  /** What happens when nobody answers in time. @default "abort" */
  onTimeout: z._default(z.enum(['abort', 'proceed']), 'abort'),
});

/** Either resources that run side by side, or an approval gate (failovers only wait at it). */
const step = z
  .strictObject({
    name: z.optional(resourceId),
    resources: z.optional(z.array(resourceId).check(z.minLength(1), z.maxLength(MAX_RESOURCES))),
    approval: z.optional(approval),
  })
  .check(
    z.refine((s) => (s.resources === undefined) !== (s.approval === undefined), {
      error:
        'set exactly one of "resources" (ids that run side by side) or "approval" ({"when": "always"}: failovers wait for a person)',
    }),
  );

const verification = z.strictObject({
  /** Probed after traffic moved. In a drill the host is replaced by the drill record of the traffic
   * resource that serves it (production DNS was not switched), so the recovery endpoint must answer
   * to that name too. */
  http: z.optional(
    z.strictObject({
      url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).check(z.maxLength(2048)),
      /** @default 200 */
      expectedStatus: z._default(intBetween(100, 599), 200),
      /** @default 5 */
      timeoutSeconds: z._default(intBetween(1, 60), 5),
    }),
  ),
  /** An application alarm in the recovery region that must be OK after failover. */
  alarmName: z.optional(name255),
  /**
   * Whether the application alarm may be INSUFFICIENT_DATA (then it passes with a warning), e.g.
   * when its metric only gets data points once users arrive. Otherwise INSUFFICIENT_DATA fails
   * the verification: an alarm without data shows nothing about the recovery. @default false
   */
  alarmInsufficientDataIsOk: z._default(z.boolean(), false),
});

const triggers = z.strictObject({
  /** CloudWatch alarms whose ALARM state starts an automatic failover. @default [] */
  alarms: z._default(
    z.array(z.strictObject({ name: name255, region: z.optional(region) })).check(z.maxLength(10)),
    [],
  ),
  /** No new failover starts within this time after one completed. @default 60 */
  cooldownMinutes: z._default(intBetween(0, 7 * 24 * 60), 60),
  /**
   * A detector in the recovery region (infra/detector.ts): a probe of the primary's own health
   * endpoint every minute, and an alarm when `failingMinutes` of the last `ofMinutes` failed (the
   * flap guard), which starts a failover like a plan alarm. It fires when the primary region is
   * dark, which an alarm there cannot.
   */
  detector: z.optional(
    z.strictObject({
      /** The primary's endpoint itself (not a name failover moves), e.g. its load balancer's. */
      url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).check(z.maxLength(2048)),
      /** @default 200 */
      expectedStatus: z._default(intBetween(100, 599), 200),
      /** @default 5 */
      timeoutSeconds: z._default(intBetween(1, 30), 5),
      /** @default 3 */
      failingMinutes: z._default(intBetween(1, 10), 3),
      /** @default 5 */
      ofMinutes: z._default(intBetween(1, 10), 5),
      /**
       * Whether the probe alone may start a failover. When true, a composite alarm in the recovery
       * region, `dr-runbook-<plan>-primary-down`, goes to ALARM only when the detector's alarm AND
       * at least one of the plan's `triggers.alarms` in the recovery region (the default region of
       * an alarm) are in ALARM, and that composite starts the failover instead of either of them:
       * a failing probe needs a second witness, and those alarms no longer fire on their own.
       * Plan alarms in other regions keep starting a failover on their own. A composite alarm
       * can only watch alarms of its own account and region, so at least one plan alarm must be in
       * the recovery region. @default false
       */
      combineWithAlarms: z._default(z.boolean(), false),
    }),
  ),
});

/** EventBridge Scheduler expression: cron(...), rate(...) or at(...). */
const scheduleExpression = matching(
  /^(cron|rate|at)\(.+\)$/,
  'must be an EventBridge Scheduler expression such as "cron(0 10 ? * TUE *)" or "rate(1 day)"',
).check(z.maxLength(256));

const timeZone = text(64, nonEmptyString).check(
  z.refine(isIanaTimeZone, {
    error: (issue) =>
      `${JSON.stringify(issue.input)} is not an IANA time zone: use a name such as "Europe/Berlin" or "UTC"`,
  }),
);

const schedule = z.strictObject({
  expression: scheduleExpression,
  /** IANA time zone of a cron expression. @default "UTC" */
  timezone: z._default(timeZone, 'UTC'),
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
  emails: z._default(z.array(email).check(z.maxLength(10)), []),
});

const planObject = z.strictObject({
  /** Names the runbook and its resources; a manual failover must confirm it. */
  name: slug,
  description: z.optional(text(1024)),
  regions: z.strictObject({ primary: region, recovery: region }),
  objectives: z.strictObject({
    /** Recovery time objective. */
    rtoMinutes: positiveInt,
    /** Recovery point objective (data loss tolerated). */
    rpoSeconds: nonNegativeInt,
  }),
  /** What the runbook recovers, each with an id (a slug) and a type. */
  resources: z
    .array(resourceSchema)
    .check(
      z.minLength(1),
      atMostItems(
        MAX_RESOURCES,
        'resources',
        "each is a branch of the run and widens its family's IAM policy; split the application into two plans",
      ),
    ),
  /** Run order: each step's resources run side by side. @default databases, compute and hooks, then traffic */
  steps: z.optional(z.array(step).check(z.minLength(1), z.maxLength(MAX_STEPS))),
  verification: z.prefault(verification, {}),
  triggers: z.prefault(triggers, {}),
  schedules: z.prefault(schedules, {}),
  notifications: z.prefault(notifications, {}),
  /** Tags added to every resource the runbook creates. @default {} */
  tags: z._default(tagMap(40), {}),
});

export const planSchema = planObject.check(z.superRefine(checkCrossFieldRules));

export function isIanaTimeZone(zone: string): boolean {
  if (zone === 'UTC') return true;
  if (!/^[A-Za-z]+(\/[A-Za-z0-9_+-]+)+$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

type PlanObject = z.output<typeof planObject>;
type Ctx = z.core.$RefinementCtx;

function issue(ctx: Ctx, path: PropertyKey[], message: string): void {
  ctx.addIssue({ code: 'custom', path, message });
}

/** Rules that span fields; each issue names the field to change. */
function checkCrossFieldRules(plan: PlanObject, ctx: Ctx): void {
  if (!plan.verification.http && !plan.verification.alarmName) {
    issue(
      ctx,
      ['verification'],
      'configures no check: add "http" ({"url": "https://…/health"}, probed after traffic moved) or "alarmName" (an application alarm in the recovery region): a recovery nobody checked is not a recovery',
    );
  }
  if (plan.regions.primary === plan.regions.recovery) {
    issue(
      ctx,
      ['regions', 'recovery'],
      `must differ from regions.primary ("${plan.regions.primary}"): a recovery region in the failed region recovers nothing`,
    );
  }
  const detector = plan.triggers.detector;
  if (detector && detector.failingMinutes > detector.ofMinutes) {
    issue(
      ctx,
      ['triggers', 'detector', 'failingMinutes'],
      `${detector.failingMinutes} is more than ofMinutes (${detector.ofMinutes}): the alarm needs failingMinutes of the last ofMinutes probes failing`,
    );
  }
  const inRecovery = (alarm: { region?: string | undefined }) =>
    (alarm.region ?? plan.regions.recovery) === plan.regions.recovery;
  if (detector?.combineWithAlarms && !plan.triggers.alarms.some(inRecovery)) {
    issue(
      ctx,
      ['triggers', 'detector', 'combineWithAlarms'],
      `is true, but none of triggers.alarms is in the recovery region ${plan.regions.recovery}: a composite alarm can only watch alarms of its own region; add an alarm there to triggers.alarms (its "region" left out or "${plan.regions.recovery}"), or set triggers.detector.combineWithAlarms to false`,
    );
  }
  checkResourceIds(plan, ctx);
  checkSteps(plan, ctx);
  checkResources(plan, ctx);
  checkRecords(plan, ctx);
  checkIamBudget(plan, ctx);
  const bytes = Buffer.byteLength(JSON.stringify(plan));
  if (bytes > MAX_PLAN_BYTES) {
    issue(
      ctx,
      [],
      `is ${Math.ceil(bytes / 1024)} KiB, more than ${MAX_PLAN_BYTES / 1024} KiB: it travels in every step of the run (Step Functions allows 256 KiB of state); shorten descriptions or split the application into two plans`,
    );
  }
}

function checkResourceIds(plan: PlanObject, ctx: Ctx): void {
  const first = new Map<string, number>();
  plan.resources.forEach((resource, i) => {
    const earlier = first.get(resource.id);
    if (earlier === undefined) first.set(resource.id, i);
    else
      issue(
        ctx,
        ['resources', i, 'id'],
        `"${resource.id}" is already the id of resources[${earlier}]: give each resource its own id`,
      );
  });
}

function checkSteps(plan: PlanObject, ctx: Ctx): void {
  if (!plan.steps) return;
  const ids = new Set(plan.resources.map((r) => r.id));
  const stepOf = new Map<string, number>();
  const names = new Map<string, number>();
  plan.steps.forEach((step, i) => {
    if (step.name !== undefined) {
      const earlier = names.get(step.name);
      if (earlier === undefined) names.set(step.name, i);
      else
        issue(
          ctx,
          ['steps', i, 'name'],
          `"${step.name}" is already the name of steps[${earlier}]: name each step differently`,
        );
    }
    (step.resources ?? []).forEach((id, k) => {
      if (!ids.has(id)) {
        issue(
          ctx,
          ['steps', i, 'resources', k],
          `"${id}" is not a resource id: use one of ${[...ids].map((x) => `"${x}"`).join(', ')}`,
        );
        return;
      }
      const earlier = stepOf.get(id);
      if (earlier === undefined) stepOf.set(id, i);
      else
        issue(
          ctx,
          ['steps', i, 'resources', k],
          `"${id}" is already in steps[${earlier}]: each resource runs in exactly one step`,
        );
    });
  });
  plan.resources.forEach((resource, i) => {
    if (!stepOf.has(resource.id)) {
      issue(
        ctx,
        ['resources', i],
        `"${resource.id}" is in no step: add it to one of "steps" (or leave "steps" out for the default order)`,
      );
    }
  });
  // Traffic never moves to a standby that has not passed its checks: every database and compute
  // resource runs in an earlier step than any traffic resource.
  const familyIn = (i: number, family: string): Resource[] =>
    (plan.steps?.[i]?.resources ?? [])
      .flatMap((id) => plan.resources.find((r) => r.id === id) ?? [])
      .filter((r) => familyOf(r) === family);
  plan.steps.forEach((_, i) => {
    const traffic = familyIn(i, 'traffic');
    if (traffic.length === 0) return;
    for (let j = i; j < (plan.steps?.length ?? 0); j++) {
      const standby = [...familyIn(j, 'database'), ...familyIn(j, 'compute')];
      if (standby.length === 0) continue;
      const where = j === i ? 'in the same step' : `in the later steps[${j}]`;
      issue(
        ctx,
        ['steps', i],
        `moves traffic ("${traffic[0]?.id}") before ${familyOf(standby[0] as Resource)} "${standby[0]?.id}" (${where}) has recovered: put traffic resources in a step after every database and compute resource`,
      );
      return;
    }
  });
}

function checkResources(plan: PlanObject, ctx: Ctx): void {
  const claimed = new Map<string, string>();
  /** Two resources acting on the same AWS resource would undo each other. */
  const claim = (key: string, path: PropertyKey[], what: string, owner: string) => {
    const earlier = claimed.get(key);
    if (earlier === undefined) claimed.set(key, owner);
    else
      issue(
        ctx,
        path,
        `${what} is already used by resource "${earlier}": one resource per ${what.replace(/ ".*"$/, '')}`,
      );
  };
  plan.resources.forEach((resource, i) => {
    const at = (...path: PropertyKey[]) => ['resources', i, ...path];
    switch (resource.type) {
      case 'auto-scaling-group': {
        const { min, desired, max } = resource.capacity;
        if (min > desired)
          issue(
            ctx,
            at('capacity', 'min'),
            `${min} is more than desired (${desired}): set min ≤ desired ≤ max`,
          );
        if (desired > max)
          issue(
            ctx,
            at('capacity', 'desired'),
            `${desired} is more than max (${max}): set min ≤ desired ≤ max`,
          );
        claim(
          `asg:${resource.autoScalingGroupName}`,
          at('autoScalingGroupName'),
          `group "${resource.autoScalingGroupName}"`,
          resource.id,
        );
        break;
      }
      case 'rds-read-replica':
        if (resource.primaryInstanceId === resource.replicaInstanceId) {
          issue(
            ctx,
            at('replicaInstanceId'),
            'must differ from primaryInstanceId: name the read replica in the recovery region',
          );
        }
        claim(
          `rds:${resource.replicaInstanceId}`,
          at('replicaInstanceId'),
          `instance "${resource.replicaInstanceId}"`,
          resource.id,
        );
        break;
      case 'rds-snapshot-restore':
        claim(
          `rds:${resource.restoredInstanceId}`,
          at('restoredInstanceId'),
          `instance "${resource.restoredInstanceId}"`,
          resource.id,
        );
        break;
      case 'aurora-global-database':
        claim(
          `aurora:${resource.globalClusterId}`,
          at('globalClusterId'),
          `global cluster "${resource.globalClusterId}"`,
          resource.id,
        );
        break;
      case 'dynamodb-global-table':
        claim(`ddb:${resource.tableName}`, at('tableName'), `table "${resource.tableName}"`, resource.id);
        break;
      case 'arc-routing-control': {
        const controls: [string, string | undefined][] = [
          ['primaryRoutingControlArn', resource.primaryRoutingControlArn],
          ['recoveryRoutingControlArn', resource.recoveryRoutingControlArn],
          ['drillRoutingControlArn', resource.drillRoutingControlArn],
        ];
        controls.forEach(([field, arn], k) => {
          if (arn === undefined) return;
          const same = controls.slice(0, k).find(([, other]) => other === arn);
          if (same)
            issue(ctx, at(field), `is the same routing control as ${same[0]}: each role needs its own`);
          else claim(`arc:${arn}`, at(field), `routing control "${arn}"`, resource.id);
        });
        if ((resource.drillRoutingControlArn === undefined) !== (resource.drillRecordName === undefined)) {
          issue(
            ctx,
            at(resource.drillRoutingControlArn === undefined ? 'drillRecordName' : 'drillRoutingControlArn'),
            'set drillRoutingControlArn and drillRecordName together (the drill control and the name it steers), or neither (a drill then only runs readiness)',
          );
        }
        if (resource.drillRecordName !== undefined && resource.drillRecordName === resource.recordName) {
          issue(
            ctx,
            at('drillRecordName'),
            'must differ from recordName: a drill never steers production traffic',
          );
        }
        const seen = new Set<string>();
        resource.clusterEndpoints.forEach((endpoint, k) => {
          if (seen.has(endpoint.url))
            issue(
              ctx,
              at('clusterEndpoints', k, 'url'),
              `"${endpoint.url}" is listed twice: list each endpoint once`,
            );
          seen.add(endpoint.url);
        });
        if (resource.clusterEndpoints.every((endpoint) => endpoint.region === plan.regions.primary)) {
          issue(
            ctx,
            at('clusterEndpoints'),
            `are all in the primary region ${plan.regions.primary}: list the cluster's endpoints in other regions too (DescribeCluster lists five), so that a failover reaches one`,
          );
        }
        break;
      }
      case 'route53-health-check-failover':
        for (const [pair, path] of [
          [resource, []],
          ...(resource.drill ? [[resource.drill, ['drill']] as const] : []),
        ] as const) {
          claim(
            `alarm:${pair.alarm.alarmName}`,
            at(...path, 'alarm', 'alarmName'),
            `alarm "${pair.alarm.alarmName}"`,
            resource.id,
          );
          claim(
            `hc:${pair.healthCheckId}`,
            at(...path, 'healthCheckId'),
            `health check "${pair.healthCheckId}"`,
            resource.id,
          );
        }
        checkHealthCheckFailover(resource, at, ctx);
        break;
      case 'lambda-hook': {
        const fnRegion = resource.functionArn.split(':')[3];
        if (fnRegion === plan.regions.primary) {
          issue(
            ctx,
            at('functionArn'),
            `is in the primary region ${fnRegion}: a failover cannot depend on the failed region; deploy the hook in ${plan.regions.recovery}`,
          );
        }
        break;
      }
    }
  });
}

/** A drill's failover pair is its own: another name, health check, alarm and metric (a drill never trips production). */
function checkHealthCheckFailover(
  resource: Extract<Resource, { type: 'route53-health-check-failover' }>,
  at: (...path: PropertyKey[]) => PropertyKey[],
  ctx: Ctx,
): void {
  const { drill } = resource;
  if (!drill) return;
  if (drill.recordName === resource.recordName)
    issue(
      ctx,
      at('drill', 'recordName'),
      'must differ from recordName: a drill never steers production traffic',
    );
  if (drill.healthCheckId === resource.healthCheckId)
    issue(
      ctx,
      at('drill', 'healthCheckId'),
      "must differ from healthCheckId: the drill pair's health check is its own",
    );
  if (drill.alarm.alarmName === resource.alarm.alarmName)
    issue(
      ctx,
      at('drill', 'alarm', 'alarmName'),
      'must differ from alarm.alarmName: a drill never trips the production alarm',
    );
  const metric = (a: typeof drill.alarm) =>
    JSON.stringify([a.namespace, a.metricName, Object.entries(a.dimensions).sort()]);
  if (metric(drill.alarm) === metric(resource.alarm))
    issue(
      ctx,
      at('drill', 'alarm'),
      'watches the same metric as alarm (namespace, metricName and dimensions): publishing it in a drill would trip production; give the drill metric its own name or dimension',
    );
}

function checkRecords(plan: PlanObject, ctx: Ctx): void {
  let total = 0;
  const production = new Map<string, string>();
  const drills = new Map<string, string>();
  /** arc-routing-control names: [resource index, the name its controls steer]. */
  const steered: [number, string][] = [];
  /** Each traffic resource's drill name is its own. */
  const claimDrill = (i: number, drill: string, owner: string, field: string[] = ['drillRecordName']) => {
    const otherDrill = drills.get(drill);
    if (otherDrill !== undefined) {
      issue(
        ctx,
        ['resources', i, ...field],
        `"${drill}" is already the drill record of "${otherDrill}": give each traffic resource its own`,
      );
    }
    drills.set(drill, owner);
  };
  plan.resources.forEach((resource, i) => {
    if (resource.type === 'arc-routing-control') {
      steered.push([i, resource.recordName]);
      if (resource.drillRecordName !== undefined) claimDrill(i, resource.drillRecordName, resource.id);
      return;
    }
    if (resource.type === 'route53-health-check-failover') {
      steered.push([i, resource.recordName]);
      if (resource.drill) claimDrill(i, resource.drill.recordName, resource.id, ['drill', 'recordName']);
      return;
    }
    if (resource.type !== 'route53-records' && resource.type !== 'route53-weighted') return;
    const zone = resource.hostedZoneName;
    const inZone = (name: string) => name === zone || name.endsWith(`.${zone}`);
    total += resource.records.length;
    resource.records.forEach((record, k) => {
      const path = ['resources', i, 'records', k];
      if (!inZone(record.name)) {
        issue(
          ctx,
          [...path, 'name'],
          `"${record.name}" is outside the hosted zone "${zone}": use a name ending in ".${zone}"`,
        );
      }
      const key = `${record.name} ${record.type}`;
      const earlier = production.get(key);
      if (earlier === undefined) production.set(key, `${resource.id}.records[${k}]`);
      else issue(ctx, path, `${record.type} ${record.name} is already in ${earlier}: list each record once`);
    });
    const drill = resource.drillRecordName;
    if (!inZone(drill)) {
      issue(
        ctx,
        ['resources', i, 'drillRecordName'],
        `"${drill}" is outside the hosted zone "${zone}": use a name ending in ".${zone}"`,
      );
    }
    claimDrill(i, drill, resource.id);
  });
  for (const [i, name] of steered) {
    const owner = [...production].find(([key]) => key.split(' ')[0] === name)?.[1];
    const other = steered.find(([j, otherName]) => j < i && otherName === name);
    if (owner !== undefined || other !== undefined) {
      issue(
        ctx,
        ['resources', i, 'recordName'],
        `"${name}" is already moved by ${owner ?? `resources[${other?.[0]}]`}: one traffic resource per name`,
      );
    }
  }
  for (const [i, name] of steered) production.set(`${name} ARC`, `resources[${i}].recordName`);
  for (const [drill, owner] of drills) {
    if ([...production.keys()].some((key) => key.split(' ')[0] === drill)) {
      const i = plan.resources.findIndex((r) => r.id === owner);
      issue(
        ctx,
        [
          'resources',
          i,
          ...(plan.resources[i]?.type === 'route53-health-check-failover'
            ? ['drill', 'recordName']
            : ['drillRecordName']),
        ],
        `"${drill}" is a production record: drills must write a name of their own, e.g. "drill.${drill.split('.').slice(1).join('.')}"`,
      );
    }
  }
  if (total > MAX_TOTAL_RECORDS) {
    issue(
      ctx,
      ['resources'],
      `name ${total} records across traffic resources, more than ${MAX_TOTAL_RECORDS}: the traffic role's policy lists each one; split the application into two plans`,
    );
  }
}

function checkIamBudget(plan: PlanObject, ctx: Ctx): void {
  const used = new Map<string, number>();
  for (const resource of plan.resources) {
    const family = familyOf(resource);
    const chars = iamNames(resource).reduce((sum, name) => sum + name.length + IAM_ARN_OVERHEAD, 0);
    used.set(family, (used.get(family) ?? 0) + chars);
  }
  for (const [family, chars] of used) {
    if (chars <= IAM_NAME_BUDGET) continue;
    issue(
      ctx,
      ['resources'],
      `the ${family} resources name ${chars} characters of ARNs for their role's policy, more than ${IAM_NAME_BUDGET} (IAM allows 10,240 per role): use shorter names or fewer ${family} resources, or split the application into two plans`,
    );
  }
}

/** A validated plan with every default filled in. */
export type DrPlan = z.output<typeof planSchema>;
/** A plan as written in dr-plan.json (defaults optional). */
export type DrPlanInput = z.input<typeof planSchema>;
export type {
  Resource,
  ResourceFamily,
  ResourceIn,
  ResourceOfType,
  ResourceType,
} from './resources/index.ts';
