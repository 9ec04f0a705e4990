// Several traffic resources in one plan (and the multi-tier example's dns): each drill writes and
// each revert deletes only its own resource's drill record; each failover changes only its records.
import {
  ChangeResourceRecordSetsCommand,
  type ChangeResourceRecordSetsCommandInput,
  GetHostedZoneCommand,
  type ResourceRecordSet,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { InvalidResourceStateError } from '../../../functions/shared/errors.ts';
import { mockClient } from '../../aws-mock.ts';
import { testClock } from '../../fixtures.ts';
import {
  ADMIN,
  ADMIN_DRILL,
  ADMIN_RECOVERY,
  API,
  API_PRIMARY_VALUE,
  changeBatches,
  changeInfo,
  cname,
  comment,
  DRILL,
  type EventOptions,
  listings,
  multiTier,
  namesChanged,
  progress,
  readiness,
  serveZone,
  twoTrafficPlan,
  WWW,
  WWW_PRIMARY_VALUE,
  WWW_RECOVERY,
} from './traffic-fixtures.ts';

describe('multi-resource', () => {
  const route53 = mockClient(Route53Client);
  const plan = twoTrafficPlan();
  const dns: EventOptions = { plan, resource: 'dns', mode: 'drill' };
  const admin: EventOptions = { plan, resource: 'admin', mode: 'drill' };

  /** The shop zone with its three production records, applying change batches as Route 53 would. */
  function liveZone(...extra: ResourceRecordSet[]) {
    const zone = serveZone(route53, [
      cname(WWW, WWW_PRIMARY_VALUE),
      cname(API, API_PRIMARY_VALUE),
      cname(ADMIN, 'admin.us-east-1.shop.example.com'),
      ...extra,
    ]);
    route53
      .on(ChangeResourceRecordSetsCommand)
      .callsFake(async (input: ChangeResourceRecordSetsCommandInput) => {
        for (const change of input.ChangeBatch?.Changes ?? []) {
          const set = change.ResourceRecordSet as ResourceRecordSet;
          const name = set.Name?.endsWith('.') ? set.Name : `${set.Name}.`;
          const at = zone.findIndex((s) => s.Name === name && s.Type === set.Type);
          if (at >= 0) zone.splice(at, 1);
          if (change.Action === 'UPSERT') zone.push({ ...set, Name: name });
        }
        return changeInfo('PENDING');
      });
    return zone;
  }

  const drillNames = (zone: ResourceRecordSet[]) =>
    zone.map((s) => s.Name?.replace(/\.$/, '')).filter((n) => n === DRILL || n === ADMIN_DRILL);

  async function revertUntilDone(options: EventOptions) {
    const clock = testClock();
    let state: Record<string, unknown> | undefined;
    for (let call = 0; call < 5; call++) {
      const result = await progress('revert', { ...options, state }, clock);
      if (result.done) return result;
      state = result.state;
      clock.advance(result.nextCheckSeconds);
    }
    throw new Error('revert not done after 5 calls');
  }

  beforeEach(() => {
    route53.reset();
  });

  describe('two route53-records resources in one plan', () => {
    it('a drill of each writes its own drill record, commented with its own resource', async () => {
      const zone = liveZone();

      await progress('start', dns);
      await progress('start', admin);

      expect(drillNames(zone)).toEqual([DRILL, ADMIN_DRILL]);
      expect(changeBatches(route53).map((b) => b.ChangeBatch?.Comment)).toEqual([
        comment('drill', 'dns'),
        comment('drill', 'admin'),
      ]);
      expect(zone.find((s) => s.Name === `${ADMIN_DRILL}.`)?.ResourceRecords).toEqual([
        { Value: ADMIN_RECOVERY },
      ]);
      expect(listings(route53).map((l) => l.StartRecordName)).toEqual([DRILL, ADMIN_DRILL]);
    });

    it("reverting one (with no state) deletes only its drill record and leaves the other's", async () => {
      const zone = liveZone(cname(DRILL, WWW_RECOVERY, 60), cname(ADMIN_DRILL, ADMIN_RECOVERY, 60));

      const done = await revertUntilDone(admin);

      expect(done).toMatchObject({ resource: 'admin', done: true });
      expect(drillNames(zone)).toEqual([DRILL]);
      expect(namesChanged(route53)).toEqual([ADMIN_DRILL]);
      expect(changeBatches(route53).map((b) => b.ChangeBatch?.Comment)).toEqual([
        comment('drill revert', 'admin'),
      ]);
    });

    it("refuses to revert one resource with the other's drill state, calling nothing", async () => {
      liveZone();
      const started = await progress('start', dns);
      route53.resetHistory();

      const attempt = progress('revert', { ...admin, state: started.state });

      await expect(attempt).rejects.toThrow(InvalidResourceStateError);
      await expect(attempt).rejects.toThrow(
        /state names drill record drill\.shop\.example\.com, but resources\[3\]\.drillRecordName is drill-admin\.shop\.example\.com/,
      );
      expect(route53.calls()).toHaveLength(0);
    });

    it('a failover of one changes only its own records', async () => {
      const zone = liveZone();

      await progress('start', { ...admin, mode: 'failover' });

      expect(namesChanged(route53)).toEqual([ADMIN]);
      expect(zone.find((s) => s.Name === `${WWW}.`)?.ResourceRecords).toEqual([{ Value: WWW_PRIMARY_VALUE }]);
    });
  });

  describe('multi-tier dns (resources[6])', () => {
    it('checks readiness with one listing and names its own plan fields', async () => {
      route53.on(GetHostedZoneCommand).resolves({
        HostedZone: { Id: '/hostedzone/Z0MARKETEXAMPLE', Name: 'market.example.com.', CallerReference: 'x' },
        DelegationSet: { NameServers: [] },
      });
      serveZone(route53, [cname('www.market.example.com', 'web.us-east-1.market.example.com')], {
        zoneName: 'market.example.com',
      });

      const result = await readiness({ plan: multiTier() });

      expect(result.checks.map((c) => [c.name, c.status])).toEqual([
        ['hosted-zone', 'pass'],
        ['record:www.market.example.com', 'pass'],
        ['record:api.market.example.com', 'warn'],
        ['drill-record', 'pass'],
        ['control-plane', 'warn'],
      ]);
      expect(listings(route53)).toEqual([
        {
          HostedZoneId: 'Z0MARKETEXAMPLE',
          StartRecordName: 'api.market.example.com',
          StartRecordType: 'CNAME',
          MaxItems: 300,
        },
      ]);
    });

    it('names resources[6].hostedZoneName when the zone is another one', async () => {
      route53.on(GetHostedZoneCommand).resolves({
        HostedZone: { Id: '/hostedzone/Z0MARKETEXAMPLE', Name: 'other.example.com.', CallerReference: 'x' },
        DelegationSet: { NameServers: [] },
      });

      const result = await readiness({ plan: multiTier() });

      expect(result.checks[0]?.detail).toContain('but resources[6].hostedZoneName is "market.example.com"');
      expect(result.ready).toBe(false);
    });
  });
});
