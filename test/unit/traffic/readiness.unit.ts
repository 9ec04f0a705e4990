import 'aws-sdk-client-mock-jest';
import { GetHostedZoneCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { TransientAwsError } from '../../../functions/shared/errors.ts';
import type { ReadinessResult } from '../../../functions/shared/step-contract.ts';
import { planSchema } from '../../../plan/schema.ts';
import { mockClient } from '../../aws-mock.ts';
import {
  accessDenied,
  awsError,
  examplePlanInput,
  mutatingCommandsSent,
  throttling,
} from '../../fixtures.ts';
import {
  API,
  API_PRIMARY_VALUE,
  API_RECOVERY,
  activeActive,
  CATALOG_API,
  CATALOG_WWW,
  CATALOG_ZONE_ID,
  cname,
  DRILL,
  listings,
  PRIMARY_SET,
  RECOVERY_SET,
  readiness,
  serveZone,
  twoWeightedPlan,
  WWW,
  WWW_PRIMARY_VALUE,
  weightedCname,
  ZONE_ID,
} from './traffic-fixtures.ts';

describe('readiness', () => {
  const route53 = mockClient(Route53Client);

  const statusOf = (result: ReadinessResult, name: string) => result.checks.find((c) => c.name === name);

  function zoneNamed(id: string, name: string) {
    route53.on(GetHostedZoneCommand).resolves({
      HostedZone: { Id: `/hostedzone/${id}`, Name: `${name}.`, CallerReference: 'x', Config: {} },
      DelegationSet: { NameServers: [] },
    });
  }

  /** warm-standby's zone with both production CNAMEs on the primary and no drill record. */
  function healthyZone(extra: Parameters<typeof serveZone>[1] = []) {
    zoneNamed(ZONE_ID, 'shop.example.com');
    return serveZone(route53, [cname(WWW, WWW_PRIMARY_VALUE), cname(API, API_PRIMARY_VALUE), ...extra]);
  }

  beforeEach(() => {
    route53.reset();
  });

  describe('route53-records readiness', () => {
    it('passes every check when the zone and records exist, naming current and recovery answers', async () => {
      healthyZone();

      const result = await readiness();

      expect(result).toMatchObject({
        family: 'traffic',
        resource: 'dns',
        type: 'route53-records',
        ready: true,
      });
      expect(result.checks.map((c) => [c.name, c.status])).toEqual([
        ['hosted-zone', 'pass'],
        [`record:${WWW}`, 'pass'],
        [`record:${API}`, 'pass'],
        ['drill-record', 'pass'],
        ['control-plane', 'warn'],
      ]);
      expect(statusOf(result, `record:${WWW}`)?.detail).toBe(
        `${WWW} CNAME answers ${WWW_PRIMARY_VALUE} (TTL 300); failover points it at web-standby.us-west-2.shop.example.com (TTL 60)`,
      );
    });

    it('reads both records and the drill record with ONE listing of the zone', async () => {
      healthyZone();

      await readiness();

      expect(route53).toHaveReceivedCommandTimes(GetHostedZoneCommand, 1);
      expect(route53).toHaveReceivedCommandWith(GetHostedZoneCommand, { Id: ZONE_ID });
      expect(listings(route53)).toEqual([
        { HostedZoneId: ZONE_ID, StartRecordName: API, StartRecordType: 'CNAME', MaxItems: 300 },
      ]);
      expect(mutatingCommandsSent([route53])).toEqual([]);
    });

    it('predicts the sync time plus the longest TTL resolvers may still be caching', async () => {
      healthyZone();

      const result = await readiness();

      // expectedSyncSeconds 60 + the current records' TTL 300 (longer than the plan's 60)
      expect(result.predictedSeconds).toBe(360);
    });

    it('warns when a record already points at the recovery target', async () => {
      zoneNamed(ZONE_ID, 'shop.example.com');
      serveZone(route53, [cname(WWW, WWW_PRIMARY_VALUE), cname(API, `${API_RECOVERY}.`)]);

      const result = await readiness();

      expect(statusOf(result, `record:${API}`)).toEqual({
        name: `record:${API}`,
        status: 'warn',
        detail: `${API} CNAME already points at the recovery target (${API_RECOVERY}. (TTL 300))`,
      });
    });

    it('warns that failover will create a record that does not exist', async () => {
      zoneNamed(ZONE_ID, 'shop.example.com');
      serveZone(route53, [
        cname(API, API_PRIMARY_VALUE),
        cname('www2.shop.example.com', 'elsewhere.example.com'),
      ]);

      const result = await readiness();

      expect(statusOf(result, `record:${WWW}`)).toMatchObject({
        status: 'warn',
        detail: `${WWW} CNAME does not exist; failover will create it`,
      });
    });

    it('warns about a drill record left by an earlier drill', async () => {
      healthyZone([cname(DRILL, 'x.example.com', 60)]);

      const result = await readiness();

      expect(statusOf(result, 'drill-record')?.status).toBe('warn');
      expect(statusOf(result, 'drill-record')?.detail).toMatch(
        /drill\.shop\.example\.com CNAME exists .*left by an earlier drill; a drill overwrites and then deletes it/,
      );
    });

    it('fails a routing-policy record at the drill name, naming the field to change', async () => {
      healthyZone([weightedCname(DRILL, 'blue', 10, 'x.example.com')]);

      const result = await readiness();

      expect(statusOf(result, 'drill-record')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('choose another resources[2].drillRecordName'),
      });
      expect(result.ready).toBe(false);
    });

    it('fails a production record that has a routing policy an UPSERT cannot replace', async () => {
      zoneNamed(ZONE_ID, 'shop.example.com');
      serveZone(route53, [
        weightedCname(WWW, 'us-east-1', 100, WWW_PRIMARY_VALUE),
        cname(API, API_PRIMARY_VALUE),
      ]);

      const result = await readiness();

      expect(statusOf(result, `record:${WWW}`)).toMatchObject({
        status: 'fail',
        detail: expect.stringMatching(/SetIdentifier "us-east-1".*route53-weighted/),
      });
    });

    it('fails a missing hosted zone, naming it and the plan field, without listing records', async () => {
      route53
        .on(GetHostedZoneCommand)
        .rejects(awsError('NoSuchHostedZone', 404, 'No hosted zone found with ID: Z0SHOPEXAMPLE'));

      const result = await readiness();

      // The hosted zone check, and the warning that the plan's traffic depends on us-east-1's control plane.
      expect(result.checks.map((c) => c.name)).toEqual(['hosted-zone', 'control-plane']);
      expect(result.checks[0]).toMatchObject({
        status: 'fail',
        detail: expect.stringMatching(
          /hosted zone Z0SHOPEXAMPLE \(shop\.example\.com\) not found.*fix resources\[2\]\.hostedZoneId/,
        ),
      });
      expect(route53).not.toHaveReceivedCommand(ListResourceRecordSetsCommand);
    });

    it('fails a hosted zone whose name differs from the plan, naming both fields', async () => {
      healthyZone();
      zoneNamed(ZONE_ID, 'staging.example.com');

      const result = await readiness();

      expect(result.checks[0]?.status).toBe('fail');
      expect(result.checks[0]?.detail).toBe(
        'hosted zone Z0SHOPEXAMPLE is "staging.example.com", but resources[2].hostedZoneName is "shop.example.com": fix resources[2].hostedZoneId or resources[2].hostedZoneName',
      );
    });

    it("warns that Route 53's API is served from us-east-1 when that is the primary region, and only then", async () => {
      healthyZone();
      const warned = statusOf(await readiness(), 'control-plane');
      expect(warned?.status).toBe('warn');
      expect(warned?.detail).toMatch(
        /control plane served from us-east-1.*use arc-routing-control or route53-health-check-failover/,
      );

      const input = examplePlanInput('warm-standby');
      input.regions = { primary: 'us-east-2', recovery: 'us-west-2' };
      const elsewhere = await readiness({ plan: planSchema.parse(input) });
      expect(statusOf(elsewhere, 'control-plane')).toBeUndefined();
    });

    it('reports access denied as failed checks naming the IAM action instead of throwing', async () => {
      healthyZone();
      route53.on(ListResourceRecordSetsCommand).rejects(accessDenied());

      const result = await readiness();

      expect(result.checks.map((c) => [c.name, c.status])).toEqual([
        ['hosted-zone', 'pass'],
        [`record:${WWW}`, 'fail'],
        [`record:${API}`, 'fail'],
        ['drill-record', 'fail'],
        ['control-plane', 'warn'],
      ]);
      expect(statusOf(result, `record:${WWW}`)?.detail).toMatch(
        /access denied.*route53:ListResourceRecordSets.*grant/,
      );
      expect(listings(route53)).toHaveLength(1);
    });

    it('throws TransientAwsError on throttling so Step Functions retries, then succeeds', async () => {
      healthyZone();
      route53.on(GetHostedZoneCommand).rejectsOnce(throttling());

      await expect(readiness()).rejects.toThrow(TransientAwsError);
      healthyZone();
      route53.on(ListResourceRecordSetsCommand).rejectsOnce(throttling());
      await expect(readiness()).rejects.toThrow(TransientAwsError);
      healthyZone();
      await expect(readiness()).resolves.toMatchObject({ ready: true });
    });

    it('is the same when run again (read-only), in a healthy and in a failing environment', async () => {
      healthyZone();
      const first = await readiness();
      const again = await readiness();
      route53.on(ListResourceRecordSetsCommand).rejects(accessDenied());
      await readiness();

      expect(again.checks).toEqual(first.checks);
      expect(mutatingCommandsSent([route53])).toEqual([]);
    });
  });

  describe('route53-weighted readiness', () => {
    function weightedZone(recoveryWeight = 0, names = [CATALOG_API]) {
      zoneNamed(CATALOG_ZONE_ID, 'catalog.example.com');
      return serveZone(
        route53,
        names.flatMap((name) => [
          weightedCname(name, PRIMARY_SET, 100, `primary.${name}`),
          weightedCname(name, RECOVERY_SET, recoveryWeight, `recovery.${name}`, { TTL: 120 }),
        ]),
        { zoneName: 'catalog.example.com' },
      );
    }

    it('passes with the current weights of both record sets, reading them with one listing', async () => {
      weightedZone();

      const result = await readiness({ plan: activeActive() });

      expect(result).toMatchObject({ resource: 'dns', type: 'route53-weighted', ready: true });
      expect(statusOf(result, `record:${CATALOG_API}`)).toEqual({
        name: `record:${CATALOG_API}`,
        status: 'pass',
        detail: `${CATALOG_API} CNAME: "singapore" weight 100, "tokyo" weight 0; failover sets them to 0 and 100`,
      });
      expect(statusOf(result, 'drill-record')?.status).toBe('pass');
      // expectedSyncSeconds 45 + the longest TTL 120
      expect(result.predictedSeconds).toBe(45 + 120);
      expect(listings(route53)).toEqual([
        {
          HostedZoneId: CATALOG_ZONE_ID,
          StartRecordName: CATALOG_API,
          StartRecordType: 'CNAME',
          MaxItems: 300,
        },
      ]);
    });

    it('fails a record whose recovery set is missing, naming the SetIdentifier and its field', async () => {
      zoneNamed(CATALOG_ZONE_ID, 'catalog.example.com');
      serveZone(
        route53,
        [
          weightedCname(CATALOG_API, PRIMARY_SET, 100, 'p'),
          weightedCname(CATALOG_API, RECOVERY_SET, 0, 'r'),
          weightedCname(CATALOG_WWW, PRIMARY_SET, 100, 'p'),
        ],
        { zoneName: 'catalog.example.com' },
      );

      const result = await readiness({ plan: twoWeightedPlan() });

      expect(statusOf(result, `record:${CATALOG_WWW}`)?.status).toBe('fail');
      expect(statusOf(result, `record:${CATALOG_WWW}`)?.detail).toMatch(
        /weighted record www\.catalog\.example\.com CNAME SetIdentifier "tokyo" not found.*resources\[2\]\.records\[1\]\.recoverySetIdentifier/,
      );
      expect(statusOf(result, `record:${CATALOG_API}`)?.status).toBe('pass');
    });

    it('warns when traffic already goes to the recovery set', async () => {
      zoneNamed(CATALOG_ZONE_ID, 'catalog.example.com');
      serveZone(
        route53,
        [weightedCname(CATALOG_API, PRIMARY_SET, 0, 'p'), weightedCname(CATALOG_API, RECOVERY_SET, 100, 'r')],
        { zoneName: 'catalog.example.com' },
      );

      const result = await readiness({ plan: activeActive() });

      expect(statusOf(result, `record:${CATALOG_API}`)?.status).toBe('warn');
    });

    it('fails a set without a weight (another routing policy)', async () => {
      zoneNamed(CATALOG_ZONE_ID, 'catalog.example.com');
      serveZone(
        route53,
        [
          weightedCname(CATALOG_API, PRIMARY_SET, 100, 'p'),
          {
            ...weightedCname(CATALOG_API, RECOVERY_SET, 0, 'r'),
            Weight: undefined,
            Region: 'ap-northeast-1',
          },
        ],
        { zoneName: 'catalog.example.com' },
      );

      const result = await readiness({ plan: activeActive() });

      expect(statusOf(result, `record:${CATALOG_API}`)?.detail).toMatch(/"tokyo" has no weight/);
    });

    it('reads two weighted records and the drill record with one listing', async () => {
      weightedZone(0, [CATALOG_API, CATALOG_WWW]);

      const result = await readiness({ plan: twoWeightedPlan() });

      expect(result.checks.map((c) => [c.name, c.status])).toEqual([
        ['hosted-zone', 'pass'],
        [`record:${CATALOG_API}`, 'pass'],
        [`record:${CATALOG_WWW}`, 'pass'],
        ['drill-record', 'pass'],
      ]);
      expect(listings(route53)).toHaveLength(1);
      expect(listings(route53)[0]).toMatchObject({ StartRecordName: CATALOG_API });
    });

    it('fails every record check when the zone is gone between the two calls', async () => {
      zoneNamed(CATALOG_ZONE_ID, 'catalog.example.com');
      route53.on(ListResourceRecordSetsCommand).rejects(awsError('NoSuchHostedZone', 404));

      const result = await readiness({ plan: activeActive() });

      expect(result.checks.map((c) => [c.name, c.status])).toEqual([
        ['hosted-zone', 'pass'],
        [`record:${CATALOG_API}`, 'fail'],
        ['drill-record', 'fail'],
      ]);
      expect(statusOf(result, 'drill-record')?.detail).toMatch(/not found.*fix resources\[2\]\.hostedZoneId/);
    });
  });
});
