import 'aws-sdk-client-mock-jest';
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  AccessDeniedError,
  AwsRequestError,
  HostedZoneNotFoundError,
  InvalidStepInputError,
  RecordNotFoundError,
  TransientAwsError,
} from '../../../functions/shared/errors.ts';
import { mockClient } from '../../aws-mock.ts';
import { accessDenied, awsError, RUN_STARTED_AT, testClock, throttling } from '../../fixtures.ts';
import {
  API,
  API_PRIMARY_VALUE,
  API_RECOVERY,
  activeActive,
  aliasPlan,
  CATALOG_API,
  CATALOG_WWW,
  CATALOG_ZONE_ID,
  changeBatches,
  changeInfo,
  cname,
  comment,
  type EventOptions,
  listings,
  ownState,
  PRIMARY_SET,
  progress,
  RECOVERY_SET,
  serveZone,
  twoWeightedPlan,
  WWW,
  WWW_PRIMARY_VALUE,
  WWW_RECOVERY,
  weightedCname,
  ZONE_ID,
} from './traffic-fixtures.ts';

describe('failover', () => {
  const route53 = mockClient(Route53Client);

  const start = (options: EventOptions = {}, clock = testClock()) => progress('start', options, clock);
  const check = (options: EventOptions = {}, clock = testClock()) => progress('check', options, clock);

  /** Both production CNAMEs still on the primary region. */
  const recordsOnPrimary = () =>
    serveZone(route53, [cname(WWW, WWW_PRIMARY_VALUE), cname(API, API_PRIMARY_VALUE)]);

  beforeEach(() => {
    route53.reset();
  });

  describe('route53-records switchover', () => {
    it('sends the change a failover sends, and checks it until INSYNC', async () => {
      recordsOnPrimary();
      route53.on(ChangeResourceRecordSetsCommand).resolves(changeInfo('PENDING'));
      route53.on(GetChangeCommand).resolves(changeInfo('INSYNC'));

      const started = await start({ mode: 'switchover' });
      const switchoverBatch = changeBatches(route53)[0]?.ChangeBatch?.Changes;
      const checked = await check({ mode: 'switchover', state: started.state });
      route53.resetHistory();
      await start({ mode: 'failover' });

      expect(switchoverBatch).toEqual(changeBatches(route53)[0]?.ChangeBatch?.Changes);
      expect(switchoverBatch?.map((c) => c.ResourceRecordSet?.ResourceRecords)).toEqual([
        [{ Value: WWW_RECOVERY }],
        [{ Value: API_RECOVERY }],
      ]);
      expect(checked).toMatchObject({ action: 'check', done: true });
    });
  });

  describe('route53-records failover', () => {
    it('upserts every record to its recovery target in ONE change batch commented with the run and resource', async () => {
      recordsOnPrimary();
      route53.on(ChangeResourceRecordSetsCommand).resolves(changeInfo('PENDING'));

      const result = await start();

      expect(route53).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 1);
      expect(changeBatches(route53)[0]).toEqual({
        HostedZoneId: ZONE_ID,
        ChangeBatch: {
          Comment: comment('failover'),
          Changes: [
            {
              Action: 'UPSERT',
              ResourceRecordSet: {
                Name: WWW,
                Type: 'CNAME',
                TTL: 60,
                ResourceRecords: [{ Value: WWW_RECOVERY }],
              },
            },
            {
              Action: 'UPSERT',
              ResourceRecordSet: {
                Name: API,
                Type: 'CNAME',
                TTL: 60,
                ResourceRecords: [{ Value: API_RECOVERY }],
              },
            },
          ],
        },
      });
      expect(result).toMatchObject({
        family: 'traffic',
        resource: 'dns',
        type: 'route53-records',
        action: 'start',
        done: false,
      });
      expect(result.nextCheckSeconds).toBeGreaterThan(0);
      // The state is the change to follow and when it started: no record sets, no names.
      expect(ownState(result.state)).toEqual({ changeId: 'C0123456789ABC', startedAt: RUN_STARTED_AT });
      expect(result.changes).toContainEqual({
        resource: `${WWW} CNAME`,
        action: 'upsert',
        detail: `${WWW_PRIMARY_VALUE} (TTL 300) -> ${WWW_RECOVERY} (TTL 60)`,
      });
    });

    it('reads both records with one listing, not one call per record', async () => {
      recordsOnPrimary();
      route53.on(ChangeResourceRecordSetsCommand).resolves(changeInfo('PENDING'));

      await start();

      expect(listings(route53)).toEqual([
        { HostedZoneId: ZONE_ID, StartRecordName: API, StartRecordType: 'CNAME', MaxItems: 300 },
      ]);
    });

    it('is done at once when Route 53 reports the change INSYNC', async () => {
      recordsOnPrimary();
      route53.on(ChangeResourceRecordSetsCommand).resolves(changeInfo('INSYNC'));

      const result = await start();

      expect(result).toMatchObject({ done: true, nextCheckSeconds: 0 });
    });

    it('sends alias targets without a TTL, and CNAME values with one', async () => {
      recordsOnPrimary();
      route53.on(ChangeResourceRecordSetsCommand).resolves(changeInfo('PENDING'));

      await start({ plan: aliasPlan() });

      const changes = changeBatches(route53)[0]?.ChangeBatch?.Changes ?? [];
      expect(changes.map((change) => change.ResourceRecordSet)).toEqual([
        {
          Name: WWW,
          Type: 'A',
          AliasTarget: {
            HostedZoneId: 'Z1H1FL5HABSF5',
            DNSName: 'shop-web-standby-123.us-west-2.elb.amazonaws.com',
            EvaluateTargetHealth: true,
          },
        },
        { Name: API, Type: 'CNAME', TTL: 60, ResourceRecords: [{ Value: API_RECOVERY }] },
      ]);
    });

    it('changes nothing when re-run after success (records already point at the recovery target)', async () => {
      serveZone(route53, [cname(WWW, `${WWW_RECOVERY}.`, 60), cname(API, API_RECOVERY, 60)]);

      const result = await start();

      expect(route53).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
      expect(result).toMatchObject({ done: true, nextCheckSeconds: 0, changes: [] });
      expect(ownState(result.state)).toEqual({ startedAt: RUN_STARTED_AT });
      expect(result.detail).toContain('already point at the recovery target');
    });

    it('continues a half-finished failover by upserting only the records not yet moved', async () => {
      serveZone(route53, [cname(WWW, WWW_RECOVERY, 60), cname(API, API_PRIMARY_VALUE)]);
      route53.on(ChangeResourceRecordSetsCommand).resolves(changeInfo('PENDING'));

      const result = await start();

      const changes = changeBatches(route53)[0]?.ChangeBatch?.Changes ?? [];
      expect(changes.map((change) => change.ResourceRecordSet?.Name)).toEqual([API]);
      expect(result.changes.map((c) => c.resource)).toEqual([`${API} CNAME`]);
    });

    it('polls PENDING -> INSYNC through check after start, with a growing wait', async () => {
      recordsOnPrimary();
      route53.on(ChangeResourceRecordSetsCommand).resolves(changeInfo('PENDING'));
      route53.on(GetChangeCommand).resolvesOnce(changeInfo('PENDING')).resolvesOnce(changeInfo('INSYNC'));
      const clock = testClock();

      const started = await start({}, clock);
      clock.advance(20);
      const pending = await check({ state: started.state }, clock);
      clock.advance(20);
      const synced = await check({ state: pending.state }, clock);

      expect(pending).toMatchObject({ done: false });
      expect(pending.detail).toBe(`${WWW}, ${API}: change C0123456789ABC is PENDING after 20 s`);
      expect(pending.nextCheckSeconds).toBeGreaterThan(0);
      expect(synced).toMatchObject({ done: true, nextCheckSeconds: 0, measurements: { dnsSyncSeconds: 40 } });
      expect(route53).toHaveReceivedCommandWith(GetChangeCommand, { Id: 'C0123456789ABC' });
      expect(route53).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 1);
      // What start changed is still in the last check's result, for the report.
      expect(synced.changes).toEqual(started.changes);
    });

    it('throws TransientAwsError on throttling, then succeeds when Step Functions retries', async () => {
      recordsOnPrimary();
      route53.on(ChangeResourceRecordSetsCommand).rejectsOnce(throttling()).resolves(changeInfo('PENDING'));

      await expect(start()).rejects.toThrow(TransientAwsError);
      const retried = await start();

      expect(retried.state.changeId).toBe('C0123456789ABC');
      expect(route53).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 2);
    });

    it('treats a throttled listing and PriorRequestNotComplete as transient', async () => {
      recordsOnPrimary();
      route53.on(ListResourceRecordSetsCommand).rejectsOnce(throttling());
      await expect(start()).rejects.toThrow(TransientAwsError);
      recordsOnPrimary();
      route53.on(ChangeResourceRecordSetsCommand).rejects(awsError('PriorRequestNotComplete', 400));
      await expect(start()).rejects.toThrow(TransientAwsError);
    });

    it('throws HostedZoneNotFoundError naming the zone when it does not exist', async () => {
      route53.on(ListResourceRecordSetsCommand).rejects(awsError('NoSuchHostedZone', 404));

      const attempt = start();

      await expect(attempt).rejects.toThrow(HostedZoneNotFoundError);
      await expect(attempt).rejects.toThrow(/hosted zone Z0SHOPEXAMPLE \(shop\.example\.com\)/);
      expect(route53).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
    });

    it('throws AccessDeniedError naming the IAM action when the role may not change records', async () => {
      recordsOnPrimary();
      route53.on(ChangeResourceRecordSetsCommand).rejects(accessDenied());

      const attempt = start();

      await expect(attempt).rejects.toThrow(AccessDeniedError);
      await expect(attempt).rejects.toThrow(/route53:ChangeResourceRecordSets/);
    });

    it("throws AwsRequestError carrying Route 53's message for a rejected change batch", async () => {
      recordsOnPrimary();
      const message =
        'RRSet of type CNAME with DNS name www.shop.example.com. is not permitted as it conflicts with other records';
      route53.on(ChangeResourceRecordSetsCommand).rejects(awsError('InvalidChangeBatch', 400, message));

      const attempt = start();

      await expect(attempt).rejects.toThrow(AwsRequestError);
      await expect(attempt).rejects.toThrow(message);
    });

    it('refuses start and check in dry-run mode without calling Route 53', async () => {
      await expect(start({ mode: 'dry-run' })).rejects.toThrow(InvalidStepInputError);
      await expect(
        check({ mode: 'dry-run', state: { changeId: 'C1', startedAt: RUN_STARTED_AT } }),
      ).rejects.toThrow(/traffic check of dns does not run in dry-run mode/);
      expect(route53.calls()).toHaveLength(0);
    });
  });

  describe('route53-weighted failover', () => {
    const primary = (name: string, weight = 100) =>
      weightedCname(name, PRIMARY_SET, weight, `web.singapore.${name}`, { HealthCheckId: 'hc-primary' });
    const recovery = (name: string, weight = 0) =>
      weightedCname(name, RECOVERY_SET, weight, `web.tokyo.${name}`, {
        TTL: 30,
        HealthCheckId: 'hc-recovery',
      });

    function weightedZone(
      apiWeights: [number, number] = [100, 0],
      wwwWeights: [number, number] = [100, 0],
      pageSize?: number,
    ) {
      return serveZone(
        route53,
        [
          primary(CATALOG_API, apiWeights[0]),
          recovery(CATALOG_API, apiWeights[1]),
          cname('m.catalog.example.com', 'y'),
          primary(CATALOG_WWW, wwwWeights[0]),
          recovery(CATALOG_WWW, wwwWeights[1]),
        ],
        { zoneName: 'catalog.example.com', ...(pageSize ? { pageSize } : {}) },
      );
    }

    it('sets the primary weight to 0 and the recovery weight to recoveryWeight, keeping every other field', async () => {
      weightedZone();
      route53.on(ChangeResourceRecordSetsCommand).resolves(changeInfo('PENDING'));

      const result = await start({ plan: activeActive() });

      expect(route53).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 1);
      expect(changeBatches(route53)[0]).toEqual({
        HostedZoneId: CATALOG_ZONE_ID,
        ChangeBatch: {
          Comment: comment('failover'),
          Changes: [
            { Action: 'UPSERT', ResourceRecordSet: { ...primary(CATALOG_API), Weight: 0 } },
            { Action: 'UPSERT', ResourceRecordSet: { ...recovery(CATALOG_API), Weight: 100 } },
          ],
        },
      });
      expect(changeBatches(route53)[0]?.ChangeBatch?.Changes?.[1]?.ResourceRecordSet).toMatchObject({
        SetIdentifier: RECOVERY_SET,
        TTL: 30,
        HealthCheckId: 'hc-recovery',
        ResourceRecords: [{ Value: `web.tokyo.${CATALOG_API}` }],
      });
      expect(result).toMatchObject({ resource: 'dns', type: 'route53-weighted', done: false });
      expect(ownState(result.state)).toEqual({ changeId: 'C0123456789ABC', startedAt: RUN_STARTED_AT });
      expect(result.changes).toContainEqual({
        resource: `${CATALOG_API} CNAME SetIdentifier "singapore"`,
        action: 'set-weight',
        detail: 'weight 100 -> 0',
      });
    });

    it('shifts two records in one batch, read with one paged listing that follows NextRecordIdentifier', async () => {
      weightedZone(undefined, undefined, 2);
      route53.on(ChangeResourceRecordSetsCommand).resolves(changeInfo('PENDING'));

      await start({ plan: twoWeightedPlan() });

      expect(changeBatches(route53)[0]?.ChangeBatch?.Changes?.map((c) => c.ResourceRecordSet?.Name)).toEqual([
        `${CATALOG_API}.`,
        `${CATALOG_API}.`,
        `${CATALOG_WWW}.`,
        `${CATALOG_WWW}.`,
      ]);
      // api (singapore, tokyo) | m, www singapore | www tokyo
      expect(
        listings(route53).map((l) => [l.StartRecordName, l.StartRecordType, l.StartRecordIdentifier]),
      ).toEqual([
        [CATALOG_API, 'CNAME', undefined],
        ['m.catalog.example.com.', 'CNAME', undefined],
        [`${CATALOG_WWW}.`, 'CNAME', RECOVERY_SET],
      ]);
    });

    it('changes nothing when re-run after the weights were shifted', async () => {
      weightedZone([0, 100]);

      const result = await start({ plan: activeActive() });

      expect(route53).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
      expect(result).toMatchObject({ done: true, nextCheckSeconds: 0, changes: [] });
      expect(result.detail).toContain('already send all traffic to the recovery set');
    });

    it('polls PENDING -> INSYNC through check', async () => {
      weightedZone();
      route53.on(ChangeResourceRecordSetsCommand).resolves(changeInfo('PENDING'));
      route53.on(GetChangeCommand).resolvesOnce(changeInfo('PENDING')).resolvesOnce(changeInfo('INSYNC'));
      const clock = testClock();

      const started = await start({ plan: activeActive() }, clock);
      clock.advance(15);
      const pending = await check({ plan: activeActive(), state: started.state }, clock);
      clock.advance(15);
      const synced = await check({ plan: activeActive(), state: pending.state }, clock);

      expect([started.done, pending.done, synced.done]).toEqual([false, false, true]);
      expect(pending.detail).toContain(CATALOG_API);
      expect(synced.measurements).toMatchObject({ dnsSyncSeconds: 30 });
    });

    it('throws RecordNotFoundError naming a missing SetIdentifier and its plan field, changing nothing', async () => {
      serveZone(route53, [primary(CATALOG_API)], { zoneName: 'catalog.example.com' });

      const attempt = start({ plan: activeActive() });

      await expect(attempt).rejects.toThrow(RecordNotFoundError);
      await expect(attempt).rejects.toThrow(
        /api\.catalog\.example\.com CNAME SetIdentifier "tokyo" not found.*fix resources\[2\]\.records\[0\]\.recoverySetIdentifier/,
      );
      expect(route53).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
    });

    it('throws TransientAwsError when listing is throttled, then succeeds on retry', async () => {
      weightedZone();
      route53.on(ListResourceRecordSetsCommand).rejectsOnce(throttling());
      route53.on(ChangeResourceRecordSetsCommand).resolves(changeInfo('INSYNC'));

      await expect(start({ plan: activeActive() })).rejects.toThrow(TransientAwsError);
      weightedZone();
      const retried = await start({ plan: activeActive() });

      expect(retried.done).toBe(true);
    });

    it('throws AccessDeniedError when the role may not change the weights', async () => {
      weightedZone();
      route53.on(ChangeResourceRecordSetsCommand).rejects(accessDenied());

      await expect(start({ plan: activeActive() })).rejects.toThrow(AccessDeniedError);
    });

    it('throws HostedZoneNotFoundError naming the zone', async () => {
      route53.on(ListResourceRecordSetsCommand).rejects(awsError('NoSuchHostedZone', 404));

      await expect(start({ plan: activeActive() })).rejects.toThrow(
        /hosted zone Z0CATALOGEXAMPLE \(catalog\.example\.com\)/,
      );
    });
  });
});
