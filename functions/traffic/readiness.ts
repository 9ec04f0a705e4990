// Readiness of a traffic resource (read-only: GetHostedZone and ONE paged ListResourceRecordSets
// listing). Every problem is a check, not an exception, so a dry-run reports them all; only
// TransientAwsError is thrown (Step Functions retries it). The type's own record checks
// (types/<type>.ts) run on what the listing found.
import { GetHostedZoneCommand, type Route53Client } from '@aws-sdk/client-route-53';
import type { ReadinessResult } from '../shared/step-contract.ts';
import type { TrafficClients } from './clients.ts';
import { type Evaluated, evaluate, fail, pass, warn } from './evaluate.ts';
import { describeAnswer, normalizeName, type RecordKey, readRecords, type ZoneRecords } from './records.ts';
import {
  assertDrillNameIsNotProduction,
  fieldPath,
  route53Call,
  type TrafficEvent,
  zoneId,
  zoneResource,
} from './zone.ts';

/** What a traffic type checks of its records. */
export interface RecordChecks {
  /** The production records, read in the same listing as the drill record. */
  reads: RecordKey[];
  /** The drill record's type (the first production record's). */
  drillType: RecordKey['type'];
  /** One check per production record (named `record:<name>`), on what the listing found. */
  evaluate(records: ZoneRecords): Promise<Evaluated>[];
  /** The longest TTL resolvers may cache when no record says (the plan's own TTLs). */
  fallbackTtl: number;
}

function hostedZone(client: Route53Client, event: TrafficEvent): Promise<Evaluated> {
  const resource = event.resource;
  const idField = fieldPath(event, 'hostedZoneId');
  const nameField = fieldPath(event, 'hostedZoneName');
  return evaluate('hosted-zone', `fix ${idField} in the plan`, async () => {
    const response = await route53Call(resource, 'read the hosted zone (route53:GetHostedZone)', () =>
      client.send(new GetHostedZoneCommand({ Id: zoneId(resource) })),
    );
    const actual = normalizeName(response.HostedZone?.Name);
    if (actual !== resource.hostedZoneName) {
      return fail(
        'hosted-zone',
        `hosted zone ${zoneId(resource)} is "${actual}", but ${nameField} is ` +
          `"${resource.hostedZoneName}": fix ${idField} or ${nameField}`,
      );
    }
    const visibility = response.HostedZone?.Config?.PrivateZone ? 'private' : 'public';
    return pass('hosted-zone', `${zoneResource(resource)} exists (${visibility})`);
  });
}

function drillRecord(event: TrafficEvent, records: ZoneRecords, type: RecordKey['type']): Promise<Evaluated> {
  const drill = event.resource.drillRecordName;
  const label = `drill record ${drill} ${type}`;
  return evaluate('drill-record', `fix ${fieldPath(event, 'hostedZoneId')} in the plan`, () => {
    assertDrillNameIsNotProduction(event);
    const current = records.find(drill, type);
    if (!current)
      return pass('drill-record', `${label} does not exist; a drill creates it and deletes it on revert`);
    if (current.SetIdentifier) {
      return fail(
        'drill-record',
        `${label} is a routing-policy record set (SetIdentifier "${current.SetIdentifier}") that no drill wrote: ` +
          `choose another ${fieldPath(event, 'drillRecordName')}`,
      );
    }
    return warn(
      'drill-record',
      `${label} exists (${describeAnswer(current)}): left by an earlier drill; a drill overwrites and then deletes it`,
    );
  });
}

export async function trafficReadiness(
  event: TrafficEvent,
  clients: TrafficClients,
  checks: RecordChecks,
): Promise<ReadinessResult> {
  const resource = event.resource;
  const client = clients.route53;
  const evaluated: Evaluated[] = [await hostedZone(client, event)];
  // In a missing or different zone the records say nothing about the plan's: the zone check says what to fix.
  if (evaluated[0]?.check.status !== 'fail') {
    const fix = `fix ${fieldPath(event, 'hostedZoneId')} in the plan`;
    const names = [...resource.records.map((r) => `record:${r.name}`), 'drill-record'];
    let records: ZoneRecords | undefined;
    const listed = await evaluate(names[0] as string, fix, async () => {
      records = await readRecords(
        client,
        resource,
        [...checks.reads, { name: resource.drillRecordName, type: checks.drillType }],
        'evaluate traffic readiness',
      );
      return pass(names[0] as string, 'listed');
    });
    if (records) {
      evaluated.push(...(await Promise.all(checks.evaluate(records))));
      evaluated.push(await drillRecord(event, records, checks.drillType));
    } else {
      // The one listing failed: every record check fails with its reason.
      for (const name of names) evaluated.push({ check: { ...listed.check, name } });
    }
  }
  if (event.plan.regions.primary === 'us-east-1') {
    evaluated.push(
      warn(
        'control-plane',
        `${event.resource.type} changes records through Route 53's API, a control plane served from us-east-1, the plan's primary region: ` +
          'when that region is down the failover cannot move traffic; use arc-routing-control or route53-health-check-failover for a switch through a data plane',
      ),
    );
  }
  const ttls = evaluated.flatMap((e) => (e.cachedSeconds === undefined ? [] : [e.cachedSeconds]));
  return {
    family: 'traffic',
    checks: evaluated.map((e) => e.check),
    // Resolvers keep serving the old answer until its TTL runs out after the change is INSYNC.
    predictedSeconds: resource.expectedSyncSeconds + Math.max(checks.fallbackTtl, ...ttls),
  };
}
