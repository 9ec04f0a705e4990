// Fixtures of the traffic family's tests: the example plans' traffic resources, Route 53 record
// sets as ListResourceRecordSets returns them (fully qualified names with a trailing dot), a
// zone served the way Route 53 lists it (sorted, paged, from StartRecordName/Type/Identifier),
// change responses, and step events run through the family's runStep.
//   warm-standby "dns" (resources[2]): route53-records, zone Z0SHOPEXAMPLE, www + api CNAMEs.
//   active-active "dns" (resources[2]): route53-weighted, zone Z0CATALOGEXAMPLE, api weighted.
//   multi-tier "dns" (resources[6]): route53-records, zone Z0MARKETEXAMPLE.

import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  type ChangeResourceRecordSetsCommandInput,
  ListResourceRecordSetsCommand,
  type ListResourceRecordSetsCommandInput,
  type ListResourceRecordSetsResponse,
  type ResourceRecordSet,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { Route53RecoveryClusterClient } from '@aws-sdk/client-route53-recovery-cluster';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import type { DnsResolver } from '../../../functions/shared/dns.ts';
import { runStep } from '../../../functions/shared/family-handler.ts';
import type {
  Action,
  Mode,
  ProgressResult,
  ReadinessResult,
  StepContext,
  StepEvent,
} from '../../../functions/shared/step-contract.ts';
import type { ClusterEndpoint, TrafficClients } from '../../../functions/traffic/clients.ts';
import { trafficSteps } from '../../../functions/traffic/steps.ts';
import { type DrPlan, planSchema } from '../../../plan/schema.ts';
import { examplePlan, examplePlanInput, RUN_ID, RUN_STARTED_AT, testClock } from '../../fixtures.ts';

export const ZONE_ID = 'Z0SHOPEXAMPLE';
export const ZONE_NAME = 'shop.example.com';
export const WWW = 'www.shop.example.com';
export const API = 'api.shop.example.com';
export const DRILL = 'drill.shop.example.com';
export const WWW_RECOVERY = 'web-standby.us-west-2.shop.example.com';
export const API_RECOVERY = 'api-standby.us-west-2.shop.example.com';
export const WWW_PRIMARY_VALUE = 'web.us-east-1.shop.example.com';
export const API_PRIMARY_VALUE = 'api.us-east-1.shop.example.com';
export const PRODUCTION_NAMES = [WWW, API];

/** active-active's weighted resource. */
export const CATALOG_ZONE_ID = 'Z0CATALOGEXAMPLE';
export const CATALOG_API = 'api.catalog.example.com';
export const CATALOG_WWW = 'www.catalog.example.com';
export const CATALOG_DRILL = 'drill.catalog.example.com';
export const PRIMARY_SET = 'singapore';
export const RECOVERY_SET = 'tokyo';

export const warmStandby = (): DrPlan => examplePlan('warm-standby');
export const activeActive = (): DrPlan => examplePlan('active-active');
export const multiTier = (): DrPlan => examplePlan('multi-tier');

/** The test file's mockClient(Route53Client). */
export type Route53Mock = AwsClientStub<Route53Client>;

/** A real client; its `send` is stubbed by the test file's mockClient(Route53Client). */
export function trafficClients(): TrafficClients {
  return {
    route53: new Route53Client({ region: 'us-west-2' }),
    route53Advisory: new Route53Client({ region: 'us-west-2', maxAttempts: 1 }),
    cloudWatch: new CloudWatchClient({ region: 'us-west-2' }),
    dns: unresolvable,
    routingControl: routingControlClient,
  };
}

/** A resolver for which no name exists (the Route 53 types never look names up). */
export const unresolvable: DnsResolver = {
  resolveCname: async (name) => {
    throw Object.assign(new Error(`queryCname ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  },
  resolve4: async (name) => {
    throw Object.assign(new Error(`queryA ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  },
  resolve6: async (name) => {
    throw Object.assign(new Error(`queryAaaa ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  },
};

/** The client of one ARC cluster endpoint; its `send` is stubbed by mockClient(Route53RecoveryClusterClient). */
export function routingControlClient(endpoint: ClusterEndpoint): Route53RecoveryClusterClient {
  return new Route53RecoveryClusterClient({
    region: endpoint.region,
    endpoint: endpoint.url,
    maxAttempts: 1,
  });
}

export interface EventOptions {
  mode?: Mode;
  plan?: DrPlan;
  state?: Record<string, unknown> | undefined;
  /** The resource id; "dns" unless told. */
  resource?: string;
}

/** A step event as the state machine sends it (JSON, as Step Functions passes it). */
export function trafficEvent(action: Action, options: EventOptions = {}): StepEvent {
  return JSON.parse(
    JSON.stringify({
      action,
      plan: options.plan ?? warmStandby(),
      run: { id: RUN_ID, mode: options.mode ?? 'failover', startedAt: RUN_STARTED_AT },
      resource: options.resource ?? 'dns',
      ...(options.state ? { state: options.state } : {}),
    }),
  ) as StepEvent;
}

const clients = trafficClients();

/** A start, check or revert through the family's runStep, as the Lambda runs it. */
export async function progress(
  action: Exclude<Action, 'readiness'>,
  options: EventOptions = {},
  clock: StepContext = testClock(),
): Promise<ProgressResult> {
  return (await runStep(trafficSteps, () => clients, trafficEvent(action, options), clock)) as ProgressResult;
}

/** Readiness through the family's runStep (dry-run unless told). */
export async function readiness(options: EventOptions = {}): Promise<ReadinessResult> {
  return (await runStep(
    trafficSteps,
    () => clients,
    trafficEvent('readiness', { mode: 'dry-run', ...options }),
    testClock(),
  )) as ReadinessResult;
}

/** What runStep adds to every state it returns (carried measurements and changes), dropped. */
export function ownState(state: Record<string, unknown>): Record<string, unknown> {
  const { measurements: _m, changes: _c, ...own } = state;
  return own;
}

/** A simple CNAME record set as Route 53 lists it. */
export function cname(name: string, value: string, ttl = 300): ResourceRecordSet {
  return { Name: `${name}.`, Type: 'CNAME', TTL: ttl, ResourceRecords: [{ Value: value }] };
}

/** A weighted CNAME record set as Route 53 lists it. */
export function weightedCname(
  name: string,
  setIdentifier: string,
  weight: number,
  value: string,
  extra: Partial<ResourceRecordSet> = {},
): ResourceRecordSet {
  return { ...cname(name, value, 60), SetIdentifier: setIdentifier, Weight: weight, ...extra };
}

/** The zone's SOA and NS at its apex, which Route 53 lists first. */
export const apex = (zone = ZONE_NAME): ResourceRecordSet[] => [
  { Name: `${zone}.`, Type: 'NS', TTL: 172800, ResourceRecords: [{ Value: 'ns-1.awsdns-00.com.' }] },
  {
    Name: `${zone}.`,
    Type: 'SOA',
    TTL: 900,
    ResourceRecords: [{ Value: 'ns-1.awsdns-00.com. x 1 7200 900 1209600 86400' }],
  },
];

/** Route 53's listing order: name with labels reversed and a trailing dot, then type, then set identifier. */
function order(set: Pick<ResourceRecordSet, 'Name' | 'Type' | 'SetIdentifier'>): string[] {
  const name = (set.Name ?? '').toLowerCase().replace(/\.$/, '');
  return [`${name.split('.').reverse().join('.')}.`, set.Type ?? '', set.SetIdentifier ?? ''];
}

const before = (a: string[], b: string[]) => {
  for (let i = 0; i < a.length; i++) {
    if ((a[i] as string) < (b[i] as string)) return true;
    if ((a[i] as string) > (b[i] as string)) return false;
  }
  return false;
};

export interface ZoneOptions {
  /** At most this many record sets per page, whatever MaxItems asks (forces paging). */
  pageSize?: number;
  /** The zone whose apex records are listed too (shop.example.com unless told). */
  zoneName?: string;
}

/**
 * Serves ListResourceRecordSets from these record sets the way Route 53 does: sorted, starting at
 * StartRecordName/StartRecordType/StartRecordIdentifier, at most MaxItems a page, with
 * IsTruncated and the Next* of the first record not returned. Returns the mutable list.
 */
export function serveZone(mock: Route53Mock, sets: ResourceRecordSet[], options: ZoneOptions = {}) {
  const zone = [...apex(options.zoneName), ...sets];
  mock
    .on(ListResourceRecordSetsCommand)
    .callsFake(async (input: ListResourceRecordSetsCommandInput) => listZone(zone, input, options));
  return zone;
}

export function listZone(
  zone: ResourceRecordSet[],
  input: ListResourceRecordSetsCommandInput,
  options: ZoneOptions = {},
): ListResourceRecordSetsResponse {
  const sorted = [...zone].sort((a, b) =>
    before(order(a), order(b)) ? -1 : before(order(b), order(a)) ? 1 : 0,
  );
  const start = order({
    Name: input.StartRecordName ?? '',
    Type: input.StartRecordType ?? ('' as never),
    SetIdentifier: input.StartRecordIdentifier ?? '',
  });
  const from = input.StartRecordName ? sorted.filter((set) => !before(order(set), start)) : sorted;
  const max = Math.min(input.MaxItems ?? 300, options.pageSize ?? 300);
  const next = from[max];
  return {
    ResourceRecordSets: structuredClone(from.slice(0, max)),
    IsTruncated: next !== undefined,
    MaxItems: max,
    ...(next
      ? {
          NextRecordName: next.Name,
          NextRecordType: next.Type,
          ...(next.SetIdentifier ? { NextRecordIdentifier: next.SetIdentifier } : {}),
        }
      : {}),
  };
}

/** The input of every ListResourceRecordSets call sent through the mock. */
export function listings(mock: Route53Mock): ListResourceRecordSetsCommandInput[] {
  return mock.commandCalls(ListResourceRecordSetsCommand).map((call) => call.args[0].input);
}

export const changeInfo = (status: 'PENDING' | 'INSYNC', id = 'C0123456789ABC') => ({
  ChangeInfo: { Id: `/change/${id}`, Status: status, SubmittedAt: new Date('2026-11-25T12:00:00Z') },
});

/** The change batch comment of this run and resource. */
export const comment = (purpose: string, resource = 'dns') => `dr-runbook ${RUN_ID} ${resource} ${purpose}`;

/** warm-standby with `www` pointing at a load balancer alias instead of a CNAME value. */
export function aliasPlan(): DrPlan {
  const input = examplePlanInput('warm-standby');
  const dns = input.resources.find((r) => r.id === 'dns');
  if (dns?.type !== 'route53-records') throw new Error('warm-standby lost its route53-records resource');
  const [, api] = dns.records;
  if (!api) throw new Error('warm-standby lost its records');
  dns.records = [
    {
      name: WWW,
      type: 'A',
      recoveryTarget: {
        alias: { dnsName: 'shop-web-standby-123.us-west-2.elb.amazonaws.com', hostedZoneId: 'Z1H1FL5HABSF5' },
      },
    },
    api,
  ];
  return planSchema.parse(input);
}

/** active-active with a second weighted record, www, next to api. */
export function twoWeightedPlan(): DrPlan {
  const input = examplePlanInput('active-active');
  const dns = input.resources.find((r) => r.id === 'dns');
  if (dns?.type !== 'route53-weighted') throw new Error('active-active lost its route53-weighted resource');
  dns.records = [
    ...dns.records,
    {
      name: CATALOG_WWW,
      type: 'CNAME',
      primarySetIdentifier: PRIMARY_SET,
      recoverySetIdentifier: RECOVERY_SET,
    },
  ];
  return planSchema.parse(input);
}

/** warm-standby with a second route53-records resource, "admin", with a drill record of its own. */
export const ADMIN = 'admin.shop.example.com';
export const ADMIN_DRILL = 'drill-admin.shop.example.com';
export const ADMIN_RECOVERY = 'admin-standby.us-west-2.shop.example.com';
export function twoTrafficPlan(): DrPlan {
  const input = examplePlanInput('warm-standby');
  input.resources.push({
    id: 'admin',
    type: 'route53-records',
    hostedZoneId: ZONE_ID,
    hostedZoneName: ZONE_NAME,
    records: [{ name: ADMIN, type: 'CNAME', ttlSeconds: 60, recoveryTarget: { value: ADMIN_RECOVERY } }],
    drillRecordName: ADMIN_DRILL,
  });
  return planSchema.parse(input);
}

/** The input of every ChangeResourceRecordSets call sent through the mock. */
export function changeBatches(mock: Route53Mock): ChangeResourceRecordSetsCommandInput[] {
  return mock
    .calls()
    .map((call) => call.args[0] as { constructor: { name: string }; input: unknown })
    .filter((command) => command.constructor.name === 'ChangeResourceRecordSetsCommand')
    .map((command) => command.input as ChangeResourceRecordSetsCommandInput);
}

/** Every record name written or deleted through the mock, without the trailing dot. */
export function namesChanged(mock: Route53Mock): string[] {
  return changeBatches(mock).flatMap((input) =>
    (input.ChangeBatch?.Changes ?? []).map((change) =>
      (change.ResourceRecordSet?.Name ?? '').replace(/\.$/, ''),
    ),
  );
}
