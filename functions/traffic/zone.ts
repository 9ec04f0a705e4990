// The traffic resource types' shared shape (a hosted zone, its records, a drill record), how
// messages name their plan fields, and the one wrapper every Route 53 call goes through, so SDK
// errors become the runbook's named errors with the hosted zone in the message.

import type { ResourceOfType } from '../../plan/schema.ts';
import { awsCall } from '../shared/aws-errors.ts';
import { HostedZoneNotFoundError, InvalidStepInputError, TransientAwsError } from '../shared/errors.ts';
import type { ResourceEvent } from '../shared/step-contract.ts';

export type RecordsResource = ResourceOfType<'route53-records'>;
export type WeightedResource = ResourceOfType<'route53-weighted'>;
/** The types that change records through Route 53's API (arc-routing-control has its own file). */
export type TrafficResource = RecordsResource | WeightedResource;
export type UpsertRecord = RecordsResource['records'][number];
export type WeightedRecord = WeightedResource['records'][number];
export type TrafficEvent<R extends TrafficResource = TrafficResource> = ResourceEvent<R>;

/** Route 53 error codes meaning the hosted zone does not exist. */
const ZONE_NOT_FOUND = ['NoSuchHostedZone', 'HostedZoneNotFound'] as const;

/**
 * The path of one of this resource's plan fields, as messages name it:
 * `resources[2].hostedZoneId`, `resources[2].records[1].recoverySetIdentifier`.
 */
export function fieldPath(event: Pick<TrafficEvent, 'plan' | 'resourceId'>, field: string): string {
  const index = event.plan.resources.findIndex((r) => r.id === event.resourceId);
  return `resources[${index}].${field}`;
}

/** The hosted zone ID without the "/hostedzone/" prefix the plan may carry. */
export function zoneId(resource: TrafficResource): string {
  return resource.hostedZoneId.replace(/^\/hostedzone\//, '');
}

/** How messages name the hosted zone. */
export function zoneResource(resource: TrafficResource): string {
  return `hosted zone ${zoneId(resource)} (${resource.hostedZoneName})`;
}

/**
 * Runs one Route 53 call: NoSuchHostedZone -> HostedZoneNotFoundError, throttling and
 * PriorRequestNotComplete -> TransientAwsError, AccessDenied -> AccessDeniedError, anything else
 * (InvalidChangeBatch, InvalidInput) -> AwsRequestError carrying Route 53's message.
 * `operation` names what was being done, with the IAM action the step's role needs.
 */
export async function route53Call<T>(
  resource: TrafficResource,
  operation: string,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await awsCall(
      {
        resource: zoneResource(resource),
        operation,
        notFound: { names: ZONE_NOT_FOUND, error: HostedZoneNotFoundError },
      },
      call,
    );
  } catch (error) {
    // Unreachable (not refused): say what it means for a failover, and what does not depend on it.
    if (!(error instanceof TransientAwsError)) throw error;
    throw new TransientAwsError(
      `${error.message}. Route 53's API is a control plane served from us-east-1: while it is unreachable no record can change; ` +
        'arc-routing-control (ARC routing controls) and route53-health-check-failover (an alarm in the recovery region) move traffic through data planes instead',
      error.resource,
      { cause: error.cause },
    );
  }
}

/**
 * Refuses a drill record name that is a production record of any traffic resource of the plan
 * (the schema forbids it too): a drill never writes or deletes a production record.
 */
export function assertDrillNameIsNotProduction(event: TrafficEvent): void {
  const drill = event.resource.drillRecordName;
  const owner = event.plan.resources.find(
    (r) =>
      (r.type === 'route53-records' || r.type === 'route53-weighted') &&
      r.records.some((record) => record.name === drill),
  );
  if (owner) {
    throw new InvalidStepInputError(
      `${fieldPath(event, 'drillRecordName')} "${drill}" is a production record of resource "${owner.id}" in ${zoneResource(event.resource)}: ` +
        `a drill never writes or deletes production records; use a name of its own, e.g. "drill-${event.resourceId}.${event.resource.hostedZoneName}"`,
      drill,
    );
  }
}
