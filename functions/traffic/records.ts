// Route 53 record set queries and comparisons. Route 53 answers with fully qualified names (a
// trailing dot, special characters as "\ooo" octal escapes); the plan's names are lowercase
// without the dot, so every comparison goes through normalizeName.
import {
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  type Route53Client,
  type RRType,
} from '@aws-sdk/client-route-53';
import type { TrafficPlan } from '../../plan/schema.ts';
import { route53Call, type UpsertRecord, zoneId } from './zone.ts';

/** Resolvers cache an alias answer for the target's TTL: 60 s for ELB, CloudFront and API Gateway. */
export const ALIAS_TTL_SECONDS = 60;

/** Page size when listing the record sets of one name and type (weighted records have several). */
const PAGE_SIZE = 100;

/** A DNS name as the plan writes it: lowercase, escapes decoded, no trailing dot. */
export function normalizeName(name: string | undefined): string {
  return (name ?? '')
    .replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)))
    .toLowerCase()
    .replace(/\.$/, '');
}

const matches = (set: ResourceRecordSet, name: string, type: RRType) =>
  normalizeName(set.Name) === name && set.Type === type;

/** The record set with exactly this name and type (the first one, for routing-policy records). */
export async function findRecordSet(
  client: Route53Client,
  traffic: TrafficPlan,
  name: string,
  type: RRType,
): Promise<ResourceRecordSet | undefined> {
  const page = await route53Call(
    traffic,
    `read record ${name} ${type} (route53:ListResourceRecordSets)`,
    () =>
      client.send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: zoneId(traffic),
          StartRecordName: name,
          StartRecordType: type,
          MaxItems: 1,
        }),
      ),
  );
  const first = page.ResourceRecordSets?.[0];
  return first && matches(first, name, type) ? first : undefined;
}

/** Every record set with exactly this name and type (e.g. all weighted sets), across pages. */
export async function listRecordSets(
  client: Route53Client,
  traffic: TrafficPlan,
  name: string,
  type: RRType,
): Promise<ResourceRecordSet[]> {
  const found: ResourceRecordSet[] = [];
  let start: { name?: string; type?: RRType; identifier?: string } = { name, type };
  for (;;) {
    const page = await route53Call(
      traffic,
      `list record sets ${name} ${type} (route53:ListResourceRecordSets)`,
      () =>
        client.send(
          new ListResourceRecordSetsCommand({
            HostedZoneId: zoneId(traffic),
            StartRecordName: start.name,
            StartRecordType: start.type,
            StartRecordIdentifier: start.identifier,
            MaxItems: PAGE_SIZE,
          }),
        ),
    );
    const sets = page.ResourceRecordSets ?? [];
    const matching = sets.filter((set) => matches(set, name, type));
    found.push(...matching);
    const passedTheName = matching.length < sets.length;
    if (passedTheName || !page.IsTruncated || !page.NextRecordName) return found;
    start = { name: page.NextRecordName, type: page.NextRecordType, identifier: page.NextRecordIdentifier };
  }
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
