import 'aws-sdk-client-mock-jest';
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  AccessDeniedError,
  HostedZoneNotFoundError,
  InvalidResourceStateError,
  InvalidStepInputError,
  RecordNotFoundError,
  TransientAwsError,
} from '../../../functions/shared/errors.ts';
import { trafficSteps } from '../../../functions/traffic/steps.ts';
import { mockClient } from '../../aws-mock.ts';
import { accessDenied, awsError, RUN_STARTED_AT, testClock, throttling } from '../../fixtures.ts';
import {
  API,
  API_PRIMARY_VALUE,
  activeActive,
  aliasPlan,
  CATALOG_API,
  CATALOG_DRILL,
  CATALOG_ZONE_ID,
  changeBatches,
  changeInfo,
  cname,
  comment,
  DRILL,
  type EventOptions,
  listings,
  namesChanged,
  ownState,
  PRIMARY_SET,
  PRODUCTION_NAMES,
  progress,
  RECOVERY_SET,
  serveZone,
  trafficClients,
  WWW,
  WWW_PRIMARY_VALUE,
  WWW_RECOVERY,
  warmStandby,
  weightedCname,
  ZONE_ID,
} from './traffic-fixtures.ts';

describe('drill', () => {
  const route53 = mockClient(Route53Client);
  const drill = (options: EventOptions = {}, clock = testClock()) =>
    progress('start', { mode: 'drill', ...options }, clock);

  /** warm-standby's zone: both production CNAMEs on the primary, plus whatever the test adds. */
  const shopZone = (...extra: Parameters<typeof cname>[]) =>
    serveZone(route53, [
      cname(WWW, WWW_PRIMARY_VALUE),
      cname(API, API_PRIMARY_VALUE),
      ...extra.map((args) => cname(...args)),
    ]);

  /** active-active's zone: api's two weighted sets. */
  const catalogZone = (extra: Parameters<typeof serveZone>[1] = []) =>
    serveZone(
      route53,
      [
        weightedCname(CATALOG_API, PRIMARY_SET, 100, 'api.singapore.catalog.example.com'),
        weightedCname(CATALOG_API, RECOVERY_SET, 0, 'api.tokyo.catalog.example.com', {
          TTL: 30,
          HealthCheckId: 'hc-2',
        }),
        ...extra,
      ],
      { zoneName: 'catalog.example.com' },
    );

  beforeEach(() => {
    route53.reset();
    route53.on(ChangeResourceRecordSetsCommand).resolves(changeInfo('PENDING'));
  });

  afterEach(() => {
    // Whatever a drill test did, no change batch may ever name a production record.
    expect(namesChanged(route53).filter((name) => [...PRODUCTION_NAMES, CATALOG_API].includes(name))).toEqual(
      [],
    );
  });

  describe('route53-records drill start', () => {
    it("writes only the drill record, with the first record's type, TTL and recovery target", async () => {
      shopZone();

      const result = await drill();

      expect(changeBatches(route53)).toEqual([
        {
          HostedZoneId: ZONE_ID,
          ChangeBatch: {
            Comment: comment('drill'),
            Changes: [
              {
                Action: 'UPSERT',
                ResourceRecordSet: {
                  Name: DRILL,
                  Type: 'CNAME',
                  TTL: 60,
                  ResourceRecords: [{ Value: WWW_RECOVERY }],
                },
              },
            ],
          },
        },
      ]);
      expect(result).toMatchObject({ resource: 'dns', type: 'route53-records', done: false });
      expect(result.nextCheckSeconds).toBeGreaterThan(0);
      // The change to follow, and the one record set the drill wrote (revert recognises it by it).
      expect(ownState(result.state)).toEqual({
        changeId: 'C0123456789ABC',
        startedAt: RUN_STARTED_AT,
        drillRecordName: DRILL,
        drillRecord: { Name: DRILL, Type: 'CNAME', TTL: 60, ResourceRecords: [{ Value: WWW_RECOVERY }] },
      });
      expect(result.changes).toEqual([
        {
          resource: `${DRILL} CNAME`,
          action: 'create',
          detail: `(no record) -> ${WWW_RECOVERY} (TTL 60) (drill record; deleted on revert)`,
        },
      ]);
    });

    it('reads the drill record with one listing, never the production records it does not need', async () => {
      shopZone();

      await drill();

      expect(listings(route53)).toEqual([
        { HostedZoneId: ZONE_ID, StartRecordName: DRILL, StartRecordType: 'CNAME', MaxItems: 300 },
      ]);
    });

    it('writes an alias drill record without a TTL when the first record is an alias', async () => {
      shopZone();

      await drill({ plan: aliasPlan() });

      expect(changeBatches(route53)[0]?.ChangeBatch?.Changes?.[0]?.ResourceRecordSet).toEqual({
        Name: DRILL,
        Type: 'A',
        AliasTarget: {
          HostedZoneId: 'Z1H1FL5HABSF5',
          DNSName: 'shop-web-standby-123.us-west-2.elb.amazonaws.com',
          EvaluateTargetHealth: true,
        },
      });
    });

    it('changes nothing when re-run after success (the drill record already has the answer)', async () => {
      shopZone([DRILL, WWW_RECOVERY, 60]);

      const result = await drill();

      expect(route53).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
      expect(result).toMatchObject({ done: true, nextCheckSeconds: 0, state: { drillRecordName: DRILL } });
    });

    it('overwrites a drill record left by an earlier drill with a different answer', async () => {
      shopZone([DRILL, 'old.example.com', 60]);

      const result = await drill();

      expect(route53).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 1);
      expect(result.changes[0]?.action).toBe('upsert');
    });

    it('polls the drill change PENDING -> INSYNC through check', async () => {
      shopZone();
      route53.on(GetChangeCommand).resolvesOnce(changeInfo('PENDING')).resolvesOnce(changeInfo('INSYNC'));
      const clock = testClock();

      const started = await drill({}, clock);
      clock.advance(10);
      const pending = await progress('check', { mode: 'drill', state: started.state }, clock);
      clock.advance(10);
      const synced = await progress('check', { mode: 'drill', state: pending.state }, clock);

      expect(pending.done).toBe(false);
      expect(pending.nextCheckSeconds).toBeGreaterThan(0);
      expect(pending.detail).toContain(`drill record ${DRILL}`);
      expect(synced).toMatchObject({ done: true, nextCheckSeconds: 0 });
    });

    it('refuses a drill record name that is a production record, touching nothing', async () => {
      const plan = warmStandby();
      const dns = plan.resources[2];
      if (dns?.type !== 'route53-records') throw new Error('warm-standby lost dns');
      dns.drillRecordName = WWW; // the schema forbids this; the step refuses it anyway
      // A hand-made event (the plan would not validate): straight to the type's implementation.
      const attempt = trafficSteps['route53-records']?.start(
        {
          action: 'start',
          plan,
          run: { id: 'run-1', mode: 'drill', startedAt: RUN_STARTED_AT },
          resourceId: 'dns',
          resource: dns,
        },
        trafficClients(),
        testClock(),
      );

      await expect(attempt).rejects.toThrow(InvalidStepInputError);
      await expect(attempt).rejects.toThrow(
        /resources\[2\]\.drillRecordName "www\.shop\.example\.com" is a production record/,
      );
      expect(route53.calls()).toHaveLength(0);
    });

    it('refuses to overwrite a routing-policy record that sits at the drill name', async () => {
      serveZone(route53, [weightedCname(DRILL, 'someone', 10, 'x.example.com')]);

      const attempt = drill();

      await expect(attempt).rejects.toThrow(InvalidResourceStateError);
      await expect(attempt).rejects.toThrow(/choose another resources\[2\]\.drillRecordName/);
      expect(route53).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
    });

    it('throws TransientAwsError on throttling, then succeeds when retried', async () => {
      shopZone();
      route53.on(ChangeResourceRecordSetsCommand).rejectsOnce(throttling()).resolves(changeInfo('PENDING'));

      await expect(drill()).rejects.toThrow(TransientAwsError);
      const retried = await drill();

      expect(retried.state.changeId).toBe('C0123456789ABC');
    });

    it('throws HostedZoneNotFoundError naming the zone', async () => {
      route53.on(ListResourceRecordSetsCommand).rejects(awsError('NoSuchHostedZone', 404));

      await expect(drill()).rejects.toThrow(HostedZoneNotFoundError);
    });

    it('throws AccessDeniedError when the role may not write the drill record', async () => {
      shopZone();
      route53.on(ChangeResourceRecordSetsCommand).rejects(accessDenied());

      await expect(drill()).rejects.toThrow(AccessDeniedError);
    });
  });

  describe('route53-weighted drill start', () => {
    it("writes a simple (non-weighted) copy of the first record's recovery set, read in the same listing", async () => {
      catalogZone();

      const result = await drill({ plan: activeActive() });

      expect(changeBatches(route53)).toEqual([
        {
          HostedZoneId: CATALOG_ZONE_ID,
          ChangeBatch: {
            Comment: comment('drill'),
            Changes: [
              {
                Action: 'UPSERT',
                ResourceRecordSet: {
                  Name: CATALOG_DRILL,
                  Type: 'CNAME',
                  TTL: 30,
                  ResourceRecords: [{ Value: 'api.tokyo.catalog.example.com' }],
                },
              },
            ],
          },
        },
      ]);
      expect(listings(route53)).toEqual([
        {
          HostedZoneId: CATALOG_ZONE_ID,
          StartRecordName: CATALOG_API,
          StartRecordType: 'CNAME',
          MaxItems: 300,
        },
      ]);
      expect(result).toMatchObject({
        type: 'route53-weighted',
        done: false,
        state: { drillRecordName: CATALOG_DRILL },
      });
    });

    it('changes nothing when re-run after success', async () => {
      catalogZone([cname(CATALOG_DRILL, 'api.tokyo.catalog.example.com', 30)]);

      const result = await drill({ plan: activeActive() });

      expect(route53).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
      expect(result).toMatchObject({ done: true, nextCheckSeconds: 0 });
    });

    it('is done at once when Route 53 reports the change INSYNC', async () => {
      catalogZone();
      route53.on(ChangeResourceRecordSetsCommand).resolves(changeInfo('INSYNC'));

      const result = await drill({ plan: activeActive() });

      expect(result).toMatchObject({ done: true, nextCheckSeconds: 0 });
    });

    it('throws RecordNotFoundError when the recovery set is missing, naming it and its field', async () => {
      serveZone(route53, [weightedCname(CATALOG_API, PRIMARY_SET, 100, 'p')], {
        zoneName: 'catalog.example.com',
      });

      const attempt = drill({ plan: activeActive() });

      await expect(attempt).rejects.toThrow(RecordNotFoundError);
      await expect(attempt).rejects.toThrow(
        /SetIdentifier "tokyo".*resources\[2\]\.records\[0\]\.recoverySetIdentifier/,
      );
      expect(route53).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
    });

    it('throws TransientAwsError when the listing is throttled, then succeeds when retried', async () => {
      catalogZone();
      route53.on(ListResourceRecordSetsCommand).rejectsOnce(throttling());

      await expect(drill({ plan: activeActive() })).rejects.toThrow(TransientAwsError);
      catalogZone();
      await expect(drill({ plan: activeActive() })).resolves.toMatchObject({ done: false });
    });

    it('throws AccessDeniedError when the role may not list the zone', async () => {
      route53.on(ListResourceRecordSetsCommand).rejects(accessDenied());

      await expect(drill({ plan: activeActive() })).rejects.toThrow(
        /access denied.*route53:ListResourceRecordSets/,
      );
      await expect(drill({ plan: activeActive() })).rejects.toThrow(AccessDeniedError);
    });
  });
});
