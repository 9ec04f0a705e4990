// The plan's traffic section narrowed per strategy, and the one wrapper every Route 53 call goes
// through, so SDK errors become the runbook's named errors with the hosted zone in the message.

import type { TrafficPlan } from '../../plan/schema.ts';
import { awsCall } from '../shared/aws-errors.ts';
import { HostedZoneNotFoundError, InvalidStepInputError } from '../shared/errors.ts';
import type { StepEvent } from '../shared/step-contract.ts';

export type UpsertRecordsPlan = Extract<TrafficPlan, { strategy: 'upsert-records' }>;
export type WeightedPlan = Extract<TrafficPlan, { strategy: 'weighted' }>;
export type UpsertRecord = UpsertRecordsPlan['records'][number];
export type WeightedRecord = WeightedPlan['records'][number];

/** Route 53 error codes meaning the hosted zone does not exist. */
const ZONE_NOT_FOUND = ['NoSuchHostedZone', 'HostedZoneNotFound'] as const;

/** The plan's traffic section for one strategy; any other strategy is a dispatch bug. */
export function trafficPlan<S extends TrafficPlan['strategy']>(
  event: StepEvent,
  strategy: S,
): Extract<TrafficPlan, { strategy: S }> {
  const traffic = event.plan.traffic;
  if (traffic.strategy !== strategy) {
    throw new InvalidStepInputError(
      `traffic step for strategy "${strategy}" called with a plan using "${traffic.strategy}"`,
      `plan ${event.plan.name}`,
    );
  }
  return traffic as Extract<TrafficPlan, { strategy: S }>;
}

/** The hosted zone ID without the "/hostedzone/" prefix the plan may carry. */
export function zoneId(traffic: TrafficPlan): string {
  return traffic.hostedZoneId.replace(/^\/hostedzone\//, '');
}

/** How messages name the hosted zone. */
export function zoneResource(traffic: TrafficPlan): string {
  return `hosted zone ${zoneId(traffic)} (${traffic.hostedZoneName})`;
}

/**
 * Runs one Route 53 call: NoSuchHostedZone -> HostedZoneNotFoundError, throttling and
 * PriorRequestNotComplete -> TransientAwsError, AccessDenied -> AccessDeniedError, anything else
 * (InvalidChangeBatch, InvalidInput) -> AwsRequestError carrying Route 53's message.
 * `operation` names what was being done, with the IAM action the step's role needs.
 */
export function route53Call<T>(traffic: TrafficPlan, operation: string, call: () => Promise<T>): Promise<T> {
  return awsCall(
    {
      resource: zoneResource(traffic),
      operation,
      notFound: { names: ZONE_NOT_FOUND, error: HostedZoneNotFoundError },
    },
    call,
  );
}

/** Refuses a drill record name that is also a production record (the schema forbids it too). */
export function assertDrillNameIsNotProduction(traffic: TrafficPlan): void {
  const drill = traffic.drillRecordName;
  if (traffic.records.some((record) => record.name === drill)) {
    throw new InvalidStepInputError(
      `traffic.drillRecordName "${drill}" is a production record in ${zoneResource(traffic)}: ` +
        `a drill never writes or deletes production records; use a name of its own, e.g. "drill.${traffic.hostedZoneName}"`,
      drill,
    );
  }
}
