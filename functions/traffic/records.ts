// Route 53 record set queries and comparisons. Route 53 answers with fully qualified names (a
// trailing dot, special characters as "\ooo" octal escapes); the plan's names are lowercase
// without the dot, so every comparison goes through normalizeName.
//
// A step reads every record it needs with ONE listing of the zone (docs/design.md, "State stays
// small"): ListResourceRecordSets from the first of those names in Route 53's order, page after
// page, until the next record is past the last of them; the sets are then picked out locally.
import {
  ListResourceRecordSetsCommand,
  type ListResourceRecordSetsCommandInput,
  type ResourceRecordSet,
  type Route53Client,
  type RRType,
} from '@aws-sdk/client-route-53';
import { AwsRequestError } from '../shared/errors.ts';
import { route53Call, type TrafficResource, type UpsertRecord, zoneId, zoneResource } from './zone.ts';

/** Resolvers cache an alias answer for the target's TTL: 60 s for ELB, CloudFront and API Gateway. */
export const ALIAS_TTL_SECONDS = 60;

/** Page size of the listing: the most Route 53 returns at a time. */
export const PAGE_SIZE = 300;

/** A DNS name as the plan writes it: lowercase, escapes decoded, no trailing dot. */
export function normalizeName(name: string | undefined): string {
  return (name ?? '')
    .replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)))
    .toLowerCase()
    .replace(/\.$/, '');
}

/**
 * Where a name sorts in a listing: Route 53 lists in ASCII order of the name with its labels
 * reversed and a trailing dot ("com.example.www."), then by type.
 */
export function listingKey(name: string): string {
  return `${normalizeName(name).split('.').reverse().join('.')}.`;
}

/** A record the step needs: its name (as the plan writes it) and type. */
export interface RecordKey {
  name: string;
  type: RRType;
}

const keyOf = (name: string | undefined, type: string | undefined) => `${normalizeName(name)} ${type}`;

/** The record sets one listing found, by name and type. */
export class ZoneRecords {
  private readonly byKey = new Map<string, ResourceRecordSet[]>();

  constructor(sets: ResourceRecordSet[]) {
    for (const set of sets) {
      const key = keyOf(set.Name, set.Type);
      this.byKey.set(key, [...(this.byKey.get(key) ?? []), set]);
    }
  }

  /** Every record set with exactly this name and type (e.g. all weighted sets of a name). */
  all(name: string, type: RRType): ResourceRecordSet[] {
    return this.byKey.get(keyOf(name, type)) ?? [];
  }

  /** The record set with exactly this name and type (the first one, for routing-policy records). */
  find(name: string, type: RRType): ResourceRecordSet | undefined {
    return this.all(name, type)[0];
  }
}

/**
 * Every record set of these names and types in the resource's zone, from one paged listing: it
 * starts at the first name in Route 53's order (with the smallest of its types) and follows
 * IsTruncated / NextRecordName / NextRecordType (and NextRecordIdentifier, for routing-policy
 * records) until the next record is past the last name wanted, or the zone ends.
 */
export async function readRecords(
  client: Route53Client,
  resource: TrafficResource,
  wanted: RecordKey[],
  operation: string,
): Promise<ZoneRecords> {
  const keys = new Set(wanted.map((r) => keyOf(r.name, r.type)));
  if (keys.size === 0) return new ZoneRecords([]);
  const sorted = [...wanted].sort(
    (a, b) => compareAscii(listingKey(a.name), listingKey(b.name)) || compareAscii(a.type, b.type),
  );
  const first = sorted[0] as RecordKey;
  const lastKey = listingKey((sorted[sorted.length - 1] as RecordKey).name);
  const names = [...new Set(wanted.map((r) => `${r.name} ${r.type}`))].join(', ');
  const found: ResourceRecordSet[] = [];
  let start: Pick<
    ListResourceRecordSetsCommandInput,
    'StartRecordName' | 'StartRecordType' | 'StartRecordIdentifier'
  > = { StartRecordName: first.name, StartRecordType: first.type };
  for (;;) {
    const page = await route53Call(
      resource,
      `list record sets ${names} (route53:ListResourceRecordSets)`,
      () =>
        client.send(
          new ListResourceRecordSetsCommand({
            HostedZoneId: zoneId(resource),
            ...start,
            MaxItems: PAGE_SIZE,
          }),
        ),
    );
    found.push(...(page.ResourceRecordSets ?? []).filter((set) => keys.has(keyOf(set.Name, set.Type))));
    if (!page.IsTruncated || !page.NextRecordName) break;
    if (compareAscii(listingKey(page.NextRecordName), lastKey) > 0) break;
    const next = {
      StartRecordName: page.NextRecordName,
      StartRecordType: page.NextRecordType,
      ...(page.NextRecordIdentifier ? { StartRecordIdentifier: page.NextRecordIdentifier } : {}),
    };
    if (
      next.StartRecordName === start.StartRecordName &&
      next.StartRecordType === start.StartRecordType &&
      next.StartRecordIdentifier === start.StartRecordIdentifier
    ) {
      throw new AwsRequestError(
        `listing ${zoneResource(resource)} for ${operation} did not advance past ${next.StartRecordName} ${next.StartRecordType}`,
        zoneResource(resource),
      );
    }
    start = next;
  }
  return new ZoneRecords(found);
}

/** Plain code-unit order (ASCII for DNS names), as Route 53 sorts. */
function compareAscii(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The simple record set a plan record points at on failover, under `name` (the drill name in a drill). */
export function recoveryRecordSet(record: UpsertRecord, name: string = record.name): ResourceRecordSet {
  const { alias, value } = record.recoveryTarget;
  if (alias) {
    return {
      Name: name,
      Type: record.type,
      AliasTarget: {
        HostedZoneId: alias.hostedZoneId.replace(/^\/hostedzone\//, ''),
        DNSName: alias.dnsName,
        EvaluateTargetHealth: alias.evaluateTargetHealth,
      },
    };
  }
  return {
    Name: name,
    Type: record.type,
    TTL: record.ttlSeconds,
    ResourceRecords: [{ Value: value }],
  };
}

const aliasKey = (set: ResourceRecordSet) =>
  set.AliasTarget &&
  `${(set.AliasTarget.HostedZoneId ?? '').replace(/^\/hostedzone\//, '')}/${normalizeName(set.AliasTarget.DNSName).replace(/^dualstack\./, '')}`;

const valuesKey = (set: ResourceRecordSet) =>
  (set.ResourceRecords ?? [])
    .map((record) => normalizeName(record.Value))
    .sort()
    .join(',');

/** Whether two record sets give the same answer (values or alias target; TTL and routing ignored). */
export function sameAnswer(a: ResourceRecordSet, b: ResourceRecordSet): boolean {
  if (a.AliasTarget || b.AliasTarget) return aliasKey(a) === aliasKey(b);
  return valuesKey(a) === valuesKey(b);
}

/** A record set's answer for reports, e.g. "web.example.com (TTL 60)" or "alias lb.example.com (Z35SX)". */
export function describeAnswer(set: ResourceRecordSet | undefined): string {
  if (!set) return '(no record)';
  if (set.AliasTarget) {
    return `alias ${normalizeName(set.AliasTarget.DNSName)} (zone ${set.AliasTarget.HostedZoneId})`;
  }
  const values = (set.ResourceRecords ?? []).map((record) => record.Value).join(', ');
  return `${values} (TTL ${set.TTL})`;
}

/** How long resolvers may keep serving this record set's answer. */
export function cachedSeconds(set: ResourceRecordSet): number {
  return set.AliasTarget ? ALIAS_TTL_SECONDS : (set.TTL ?? 0);
}
