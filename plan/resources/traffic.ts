// Traffic family resource types: what users resolve is moved to the recovery region
// (functions/traffic/types/). Every traffic step comes after the steps that recover what it
// points at (plan/schema.ts).
import {
  atMostItems,
  dnsName,
  intBetween,
  matching,
  name255,
  region,
  resourceId,
  routingControlArn,
  text,
  timeoutMinutes,
} from '../fields.ts';
import * as z from '../zod.ts';
import { nonEmptyString, positiveInt } from '../zod.ts';

/** Records one traffic resource may hold: one Route 53 change batch, and a bounded IAM condition. */
export const MAX_RECORDS_PER_RESOURCE = 10;

const aliasTarget = z.strictObject({
  dnsName: dnsName,
  hostedZoneId: text(32, nonEmptyString),
  /** @default true */
  evaluateTargetHealth: z._default(z.boolean(), true),
});

/** Exactly one of a record value (CNAME/A/AAAA) or an alias target (load balancer, CloudFront, …). */
const recordTarget = z
  .strictObject({ value: z.optional(text(255, nonEmptyString)), alias: z.optional(aliasTarget) })
  .check(
    z.refine((t) => (t.value === undefined) !== (t.alias === undefined), {
      error: 'set exactly one of "value" (a CNAME/A/AAAA value) or "alias" ({"dnsName", "hostedZoneId"})',
    }),
  );

const recordType = z.enum(['CNAME', 'A', 'AAAA']);

const upsertRecord = z.strictObject({
  name: dnsName,
  type: recordType,
  /** TTL of a non-alias record. @default 60 */
  ttlSeconds: z._default(intBetween(0, 2_147_483_647), 60),
  recoveryTarget: recordTarget,
});

const common = {
  id: resourceId,
  description: z.optional(text(256)),
  hostedZoneId: matching(/^(\/hostedzone\/)?[A-Z0-9]{1,32}$/, 'must be a Route 53 hosted zone ID'),
  hostedZoneName: dnsName,
  /** Drills write this record instead of production. */
  drillRecordName: dnsName,
  /** Expected time until a change is INSYNC. @default 60 */
  expectedSyncSeconds: z._default(positiveInt, 60),
  /** A start/check loop still not done after this fails the run. @default 4× the expected time, at least 15 */
  timeoutMinutes,
};

const records = <T extends z.ZodMiniType>(record: T) =>
  z
    .array(record)
    .check(
      z.minLength(1),
      atMostItems(
        MAX_RECORDS_PER_RESOURCE,
        'records',
        'one traffic resource changes its records in one Route 53 change batch; move some to another traffic resource',
      ),
    );

export const route53Records = z.strictObject({
  ...common,
  type: z.literal('route53-records'),
  /** Upserted to their recovery target on failover; a drill writes drillRecordName → the first target. */
  records: records(upsertRecord),
});

const weightedRecord = z.strictObject({
  name: dnsName,
  type: recordType,
  /** SetIdentifier of the weighted record serving from the primary region. */
  primarySetIdentifier: text(128, name255),
  /** SetIdentifier of the weighted record serving from the recovery region. */
  recoverySetIdentifier: text(128, name255),
});

export const route53Weighted = z.strictObject({
  ...common,
  type: z.literal('route53-weighted'),
  /** The recovery record gets recoveryWeight, the primary's 0; a drill copies the first recovery record. */
  records: records(weightedRecord),
  /** Weight the recovery record gets on failover. @default 100 */
  recoveryWeight: z._default(intBetween(1, 255), 100),
});

/** One of the cluster's regional data-plane endpoints, as DescribeCluster lists it. */
const clusterEndpoint = z.strictObject({
  region,
  url: matching(
    /^https:\/\/[a-z0-9.-]+(:\d+)?(\/[A-Za-z0-9._~/-]*)?$/,
    'must be an https URL such as "https://host-abc.us-west-2.example.com/v1"',
  ),
});

/**
 * arc-routing-control: Route 53 Application Recovery Controller moves traffic through its data
 * plane. Failover turns the recovery cell's routing control On and the primary's Off in one
 * UpdateRoutingControlStates call; Route 53 health checks tied to them move the DNS answers.
 */
export const arcRoutingControl = z.strictObject({
  id: resourceId,
  description: z.optional(text(256)),
  type: z.literal('arc-routing-control'),
  /**
   * The cluster's regional endpoints (DescribeCluster, done once when writing the plan: that API
   * is a control plane in us-west-2). Each call tries them in turn until one answers, the
   * recovery region's first and the primary region's last.
   */
  clusterEndpoints: z
    .array(clusterEndpoint)
    .check(
      z.minLength(1),
      atMostItems(5, 'clusterEndpoints', 'an ARC cluster has five regional endpoints; list each once'),
    ),
  /** On while the primary serves; failover turns it Off. */
  primaryRoutingControlArn: routingControlArn,
  /** Off while the primary serves; failover turns it On. */
  recoveryRoutingControlArn: routingControlArn,
  /** The name these routing controls steer (what Verify probes). */
  recordName: dnsName,
  /**
   * A routing control of the plan's own, Off at rest, steering drillRecordName to the recovery
   * cell: a drill turns it On and revert turns it Off. Without it a drill only runs readiness.
   */
  drillRoutingControlArn: z.optional(routingControlArn),
  /** The name drillRoutingControlArn steers (what a drill's Verify probes). */
  drillRecordName: z.optional(dnsName),
  /** Expected time until the cluster answers the new states and health checks follow. @default 30 */
  expectedSyncSeconds: z._default(positiveInt, 30),
  timeoutMinutes,
});

/** The CloudWatch alarm a Route 53 health check watches, and the metric the runbook drives it by. */
const switchAlarm = z.strictObject({
  /** The alarm, in the recovery region (the health check names it by region and name). */
  alarmName: name255,
  /** The metric the alarm watches: the runbook publishes 1 to trip it and 0 to clear it. */
  namespace: text(255, nonEmptyString).check(
    z.refine((n) => !n.startsWith('AWS/'), {
      error: 'must be a namespace of your own: PutMetricData refuses namespaces that start with "AWS/"',
    }),
  ),
  metricName: name255,
  /** The alarm's metric dimensions, exactly. @default {} */
  dimensions: z._default(
    z.record(text(255, nonEmptyString), text(1024, nonEmptyString)).check(
      z.refine((d) => Object.keys(d).length <= 30, {
        error: 'has more than 30 dimensions: CloudWatch allows at most 30 per metric',
      }),
    ),
    {},
  ),
});

/** A Route 53 health check ID (a UUID). */
const healthCheckId = matching(
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  'must be a Route 53 health check ID such as "abcdef01-2345-6789-abcd-ef0123456789"',
);

/**
 * route53-health-check-failover: PRIMARY/SECONDARY failover records that exist already, the
 * PRIMARY's health check watching a CloudWatch alarm in the recovery region. The runbook moves
 * traffic by publishing the alarm's metric (CloudWatch's regional data plane), and checks by DNS
 * that the name now answers the SECONDARY: no Route 53 API call on the failover path.
 */
export const route53HealthCheckFailover = z.strictObject({
  id: resourceId,
  description: z.optional(text(256)),
  type: z.literal('route53-health-check-failover'),
  /** The name of the PRIMARY/SECONDARY failover record pair (what Verify probes). */
  recordName: dnsName,
  /** What the SECONDARY record answers: its value (an address or a name) or its alias target's name. */
  secondaryAnswer: text(255, nonEmptyString),
  /** The PRIMARY record's health check (readiness reads it when Route 53's API answers). */
  healthCheckId,
  /** The alarm that health check watches: ALARM makes the PRIMARY unhealthy, so Route 53 answers the SECONDARY. */
  alarm: switchAlarm,
  /**
   * A failover pair of the plan's own for drills (its SECONDARY answers secondaryAnswer too): a
   * drill trips its alarm and revert clears it. Without it a drill only runs readiness.
   */
  drill: z.optional(
    z.strictObject({
      recordName: dnsName,
      healthCheckId,
      alarm: switchAlarm,
    }),
  ),
  /** Expected time until the alarm is in ALARM, health checkers agree and resolvers follow. @default 150 */
  expectedSyncSeconds: z._default(positiveInt, 150),
  timeoutMinutes,
});

export const TRAFFIC_TYPES = [
  route53Records,
  route53Weighted,
  arcRoutingControl,
  route53HealthCheckFailover,
] as const;

/** A traffic resource, as the plan has it. */
export type TrafficResource = z.output<(typeof TRAFFIC_TYPES)[number]>;
