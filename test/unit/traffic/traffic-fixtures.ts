// Fixtures of the traffic family's tests: Route 53 record sets as ListResourceRecordSets returns
// them (fully qualified names with a trailing dot), change responses, and plan variants
// (alias targets, the weighted strategy) built from the example plan.
import {
  type ChangeResourceRecordSetsCommandInput,
  type ListResourceRecordSetsResponse,
  type ResourceRecordSet,
  Route53Client,
} from '@aws-sdk/client-route-53';
import type { AwsStub } from 'aws-sdk-client-mock';
import type { TrafficClients } from '../../../functions/traffic/clients.ts';
import { type DrPlan, planSchema } from '../../../plan/schema.ts';
import { examplePlanInput } from '../../fixtures.ts';

export const ZONE_ID = 'Z0SHOPEXAMPLE';
export const WWW = 'www.shop.example.com';
export const API = 'api.shop.example.com';
export const DRILL = 'drill.shop.example.com';
export const WWW_RECOVERY = 'web-standby.us-west-2.shop.example.com';
export const API_RECOVERY = 'api-standby.us-west-2.shop.example.com';
export const PRODUCTION_NAMES = [WWW, API];

/** A real client; its `send` is stubbed by the test file's mockClient(Route53Client). */
export function trafficClients(): TrafficClients {
  return { route53: new Route53Client({ region: 'us-west-2' }) };
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

/** A ListResourceRecordSets page holding these sets (Route 53 lists from the start name onwards). */
export function listing(...sets: ResourceRecordSet[]): ListResourceRecordSetsResponse {
  return { ResourceRecordSets: sets, IsTruncated: false, MaxItems: 1 };
}

export const changeInfo = (status: 'PENDING' | 'INSYNC', id = 'C0123456789ABC') => ({
  ChangeInfo: { Id: `/change/${id}`, Status: status, SubmittedAt: new Date('2026-11-25T12:00:00Z') },
});

/** The example plan (upsert-records, CNAMEs) with `www` pointing at a load balancer alias instead. */
export function aliasPlan(): DrPlan {
  const input = examplePlanInput();
  if (input.traffic.strategy !== 'upsert-records') throw new Error('example plan is not upsert-records');
  const [www, api] = input.traffic.records;
  if (!www || !api) throw new Error('example plan lost its records');
  input.traffic.records = [
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

export const PRIMARY_SET = 'us-east-1';
export const RECOVERY_SET = 'us-west-2';
export const WWW_PRIMARY_VALUE = 'web.us-east-1.shop.example.com';

/** The example plan switched to the weighted (active-active) strategy. */
export function weightedPlan(): DrPlan {
  const input = examplePlanInput();
  input.traffic = {
    strategy: 'weighted',
    hostedZoneId: ZONE_ID,
    hostedZoneName: 'shop.example.com',
    records: [WWW, API].map((name) => ({
      name,
      type: 'CNAME' as const,
      primarySetIdentifier: PRIMARY_SET,
      recoverySetIdentifier: RECOVERY_SET,
    })),
    drillRecordName: DRILL,
  };
  return planSchema.parse(input);
}

/** The input of every ChangeResourceRecordSets call sent through the mock. */
// biome-ignore lint/suspicious/noExplicitAny: the mock's type parameters do not matter here
export function changeBatches(mock: AwsStub<any, any, any>): ChangeResourceRecordSetsCommandInput[] {
  return mock
    .calls()
    .map((call) => call.args[0] as { constructor: { name: string }; input: unknown })
    .filter((command) => command.constructor.name === 'ChangeResourceRecordSetsCommand')
    .map((command) => command.input as ChangeResourceRecordSetsCommandInput);
}

/** Every record name written or deleted through the mock, without the trailing dot. */
// biome-ignore lint/suspicious/noExplicitAny: the mock's type parameters do not matter here
export function namesChanged(mock: AwsStub<any, any, any>): string[] {
  return changeBatches(mock).flatMap((input) =>
    (input.ChangeBatch?.Changes ?? []).map((change) =>
      (change.ResourceRecordSet?.Name ?? '').replace(/\.$/, ''),
    ),
  );
}
