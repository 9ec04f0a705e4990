import 'aws-sdk-client-mock-jest';
import {
  ChangeResourceRecordSetsCommand,
  type ChangeResourceRecordSetsCommandInput,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  AccessDeniedError,
  InvalidResourceStateError,
  InvalidStepInputError,
  RecordNotFoundError,
  TransientAwsError,
} from '../../../functions/shared/errors.ts';
import type { Mode } from '../../../functions/shared/step-contract.ts';
import { mockClient } from '../../aws-mock.ts';
import { accessDenied, awsError, RUN_STARTED_AT, testClock, throttling } from '../../fixtures.ts';
import {
  API,
  API_PRIMARY_VALUE,
  activeActive,
  CATALOG_API,
  CATALOG_DRILL,
  CATALOG_ZONE_ID,
  changeInfo,
  cname,
  comment,
  DRILL,
  type EventOptions,
  listings,
  namesChanged,
  PRIMARY_SET,
  PRODUCTION_NAMES,
  progress,
  RECOVERY_SET,
  serveZone,
  WWW,
  WWW_PRIMARY_VALUE,
  WWW_RECOVERY,
  weightedCname,
  ZONE_ID,
} from './traffic-fixtures.ts';

describe('revert', () => {
  const route53 = mockClient(Route53Client);

  /** The state a drill start of warm-standby's dns returns. */
  const drillState = {
    changeId: 'C0123456789ABC',
    startedAt: RUN_STARTED_AT,
    drillRecordName: DRILL,
    drillRecord: { Name: DRILL, Type: 'CNAME', TTL: 60, ResourceRecords: [{ Value: WWW_RECOVERY }] },
  };
  /** The drill record as Route 53 lists it. */
  const listedDrillRecord = cname(DRILL, WWW_RECOVERY, 60);

  /** A revert call with this state (`null`: none, as when start never returned). */
  const revert = (
    state: Record<string, unknown> | null = drillState,
    clock = testClock(),
    options: EventOptions & { mode?: Mode } = {},
  ) => progress('revert', { mode: 'drill', state: state ?? undefined, ...options }, clock);

  /** Serves the zone and applies change batches to it (DELETE must match the listed set, as Route 53's). */
  function liveZone(sets: ResourceRecordSet[], zoneName?: string) {
    const zone = serveZone(route53, sets, zoneName ? { zoneName } : {});
    route53
      .on(ChangeResourceRecordSetsCommand)
      .callsFake(async (input: ChangeResourceRecordSetsCommandInput) => {
        for (const change of input.ChangeBatch?.Changes ?? []) {
          const set = change.ResourceRecordSet as ResourceRecordSet;
          const at = zone.findIndex(
            (s) => s.Name === set.Name && s.Type === set.Type && s.SetIdentifier === set.SetIdentifier,
          );
          if (change.Action === 'DELETE') {
            if (at < 0 || JSON.stringify(zone[at]) !== JSON.stringify(set)) {
              throw awsError(
                'InvalidChangeBatch',
                400,
                `Tried to delete resource record set ${set.Name} but it was not found`,
              );
            }
            zone.splice(at, 1);
          }
        }
        return changeInfo('PENDING', 'CDELETE');
      });
    return zone;
  }

  const shopZone = (...extra: ResourceRecordSet[]) =>
    liveZone([cname(WWW, WWW_PRIMARY_VALUE), cname(API, API_PRIMARY_VALUE), ...extra]);

  beforeEach(() => {
    route53.reset();
  });

  afterEach(() => {
    // Revert never deletes a production record.
    expect(namesChanged(route53).filter((name) => [...PRODUCTION_NAMES, CATALOG_API].includes(name))).toEqual(
      [],
    );
  });

  describe('route53-records revert (drill)', () => {
    it('deletes the drill record exactly as Route 53 lists it, then is done only once two calls found it gone', async () => {
      shopZone(listedDrillRecord);
      const clock = testClock();
      clock.advance(120);

      const first = await revert(drillState, clock);
      clock.advance(first.nextCheckSeconds);
      const second = await revert(first.state, clock);
      clock.advance(second.nextCheckSeconds);
      const third = await revert(second.state, clock);

      expect(route53).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 1);
      expect(route53.commandCalls(ChangeResourceRecordSetsCommand)[0]?.args[0].input).toEqual({
        HostedZoneId: ZONE_ID,
        ChangeBatch: {
          Comment: comment('drill revert'),
          Changes: [{ Action: 'DELETE', ResourceRecordSet: listedDrillRecord }],
        },
      });
      expect(first).toMatchObject({
        resource: 'dns',
        type: 'route53-records',
        done: false,
        changes: [{ resource: `${DRILL} CNAME`, action: 'delete' }],
      });
      expect(first.nextCheckSeconds).toBeGreaterThan(0);
      expect(second).toMatchObject({ done: false, state: { goneSeenAt: expect.any(String) } });
      expect(second.nextCheckSeconds).toBeGreaterThan(0);
      expect(third).toMatchObject({ done: true, nextCheckSeconds: 0 });
      expect(third.detail).toContain(`drill record ${DRILL} CNAME is gone`);
      // One listing per call, of the drill record only.
      expect(listings(route53).map((l) => l.StartRecordName)).toEqual([DRILL, DRILL, DRILL]);
    });

    it('does not trust a first not-found: not done, records when it was first seen gone', async () => {
      shopZone();
      const clock = testClock();
      clock.advance(30);

      const result = await revert(drillState, clock);

      expect(result).toMatchObject({
        done: false,
        nextCheckSeconds: 2,
        changes: [],
        state: { goneSeenAt: '2026-11-25T12:00:30.000Z', revertStartedAt: '2026-11-25T12:00:30.000Z' },
      });
      expect(result.detail).toContain('looking again');
      expect(route53).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
    });

    it('without a state (start never returned) deletes the record this resource’s drill writes', async () => {
      shopZone(listedDrillRecord);

      const result = await revert(null);

      expect(result.done).toBe(false);
      expect(route53).toHaveReceivedCommandWith(ChangeResourceRecordSetsCommand, {
        ChangeBatch: {
          Comment: comment('drill revert'),
          Changes: [{ Action: 'DELETE', ResourceRecordSet: listedDrillRecord }],
        },
      });
    });

    it('without a state and no drill record, is done on the second look without changing anything', async () => {
      shopZone();

      const first = await revert(null);
      const second = await revert(first.state);

      expect([first.done, second.done]).toEqual([false, true]);
      expect(route53).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
    });

    it('is done on the second look, and idempotent, when the drill record is already gone', async () => {
      shopZone();

      const first = await revert();
      const second = await revert(first.state);
      const again = await revert(second.state);

      expect([first.done, second.done, again.done]).toEqual([false, true, true]);
      expect(route53).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
    });

    it('deletes a drill record that reappears after it was seen gone, and starts confirming over', async () => {
      const zone = shopZone();
      const clock = testClock();

      const gone = await revert(drillState, clock);
      zone.push(listedDrillRecord); // a drill start still in flight writes it late
      clock.advance(gone.nextCheckSeconds);
      const back = await revert(gone.state, clock);
      clock.advance(back.nextCheckSeconds);
      const goneAgain = await revert(back.state, clock);
      clock.advance(goneAgain.nextCheckSeconds);
      const confirmed = await revert(goneAgain.state, clock);

      expect(route53).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 1);
      expect(back).toMatchObject({
        done: false,
        changes: [{ resource: `${DRILL} CNAME`, action: 'delete' }],
      });
      expect(back.detail).toContain('reappeared');
      expect(back.state).not.toHaveProperty('goneSeenAt');
      expect([gone.done, goneAgain.done, confirmed.done]).toEqual([false, false, true]);
    });

    it('treats "not found" from a concurrent delete as a first sighting: gone only once the next call agrees', async () => {
      const zone = shopZone(listedDrillRecord);
      route53.on(ChangeResourceRecordSetsCommand).callsFake(async () => {
        zone.pop();
        throw awsError(
          'InvalidChangeBatch',
          400,
          "[Tried to delete resource record set [name='drill.shop.example.com.', type='CNAME'] but it was not found]",
        );
      });

      const first = await revert();
      const second = await revert(first.state);

      expect(first).toMatchObject({ done: false, changes: [], state: { goneSeenAt: RUN_STARTED_AT } });
      expect(first.detail).toContain('already deleted');
      expect(second).toMatchObject({ done: true, nextCheckSeconds: 0 });
    });

    it('refuses to delete a drill-name record whose answer differs from what this run wrote', async () => {
      shopZone(cname(DRILL, 'someone-else.example.com', 60));

      const attempt = revert();

      await expect(attempt).rejects.toThrow(InvalidResourceStateError);
      await expect(attempt).rejects.toThrow(
        /refusing to delete drill record drill\.shop\.example\.com CNAME/,
      );
      expect(route53).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
    });

    it('refuses to delete a routing-policy record at the drill name', async () => {
      shopZone(weightedCname(DRILL, 'blue', 10, WWW_RECOVERY));

      await expect(revert()).rejects.toThrow(InvalidResourceStateError);
      expect(route53).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
    });

    it('refuses a state naming a record other than the resource’s drill record (e.g. a production one)', async () => {
      shopZone();

      const attempt = revert({ ...drillState, drillRecordName: WWW });

      await expect(attempt).rejects.toThrow(InvalidResourceStateError);
      await expect(attempt).rejects.toThrow(
        /but resources\[2\]\.drillRecordName is drill\.shop\.example\.com/,
      );
      expect(route53.calls()).toHaveLength(0);
    });

    it('refuses a failover state (no drill record in it)', async () => {
      await expect(revert({ changeId: 'C1', startedAt: RUN_STARTED_AT })).rejects.toThrow(
        InvalidResourceStateError,
      );
      expect(route53.calls()).toHaveLength(0);
    });

    it.each(['failover', 'dry-run'] as const)('refuses to revert in %s mode', async (mode) => {
      await expect(revert(drillState, testClock(), { mode })).rejects.toThrow(InvalidStepInputError);
      await expect(revert(drillState, testClock(), { mode })).rejects.toThrow(/undoes drills only/);
      expect(route53.calls()).toHaveLength(0);
    });

    it('throws TransientAwsError when the delete is throttled, then deletes when retried', async () => {
      serveZone(route53, [listedDrillRecord]);
      route53.on(ChangeResourceRecordSetsCommand).rejectsOnce(throttling()).resolves(changeInfo('PENDING'));

      await expect(revert()).rejects.toThrow(TransientAwsError);
      const retried = await revert();

      expect(retried.done).toBe(false);
      expect(route53).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 2);
    });

    it('throws AccessDeniedError when the role may not delete the drill record', async () => {
      serveZone(route53, [listedDrillRecord]);
      route53.on(ChangeResourceRecordSetsCommand).rejects(accessDenied());

      await expect(revert()).rejects.toThrow(AccessDeniedError);
    });

    it('throws AccessDeniedError when the role may not list the zone, deleting nothing', async () => {
      route53.on(ListResourceRecordSetsCommand).rejects(accessDenied());

      await expect(revert()).rejects.toThrow(/access denied.*route53:ListResourceRecordSets/);
      expect(route53).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
    });
  });

  describe('route53-weighted revert (drill)', () => {
    const tokyo = 'api.tokyo.catalog.example.com';
    const catalogSets = () => [
      weightedCname(CATALOG_API, PRIMARY_SET, 100, 'api.singapore.catalog.example.com'),
      weightedCname(CATALOG_API, RECOVERY_SET, 0, tokyo, { TTL: 30 }),
    ];
    const catalogDrillRecord = cname(CATALOG_DRILL, tokyo, 30);
    const weighted = { plan: activeActive() };

    it('without a state rebuilds the drill record from the recovery set, in the same listing, and deletes it', async () => {
      liveZone([...catalogSets(), catalogDrillRecord], 'catalog.example.com');
      const clock = testClock();

      const first = await revert(null, clock, weighted);
      clock.advance(first.nextCheckSeconds);
      const second = await revert(first.state, clock, weighted);
      clock.advance(second.nextCheckSeconds);
      const third = await revert(second.state, clock, weighted);

      expect(route53.commandCalls(ChangeResourceRecordSetsCommand).map((c) => c.args[0].input)).toEqual([
        {
          HostedZoneId: CATALOG_ZONE_ID,
          ChangeBatch: {
            Comment: comment('drill revert'),
            Changes: [{ Action: 'DELETE', ResourceRecordSet: catalogDrillRecord }],
          },
        },
      ]);
      expect(listings(route53)[0]).toEqual({
        HostedZoneId: CATALOG_ZONE_ID,
        StartRecordName: CATALOG_API,
        StartRecordType: 'CNAME',
        MaxItems: 300,
      });
      // After the first call the state says what the drill wrote: only the drill record is listed.
      expect(
        listings(route53)
          .slice(1)
          .map((l) => l.StartRecordName),
      ).toEqual([CATALOG_DRILL, CATALOG_DRILL]);
      expect([first.done, second.done, third.done]).toEqual([false, false, true]);
      expect(first).toMatchObject({ type: 'route53-weighted' });
    });

    it('is done on the second look when there is no drill record, without reading the recovery set’s answer', async () => {
      liveZone([weightedCname(CATALOG_API, PRIMARY_SET, 100, 'p')], 'catalog.example.com');

      const first = await revert(null, testClock(), weighted);
      const second = await revert(first.state, testClock(), weighted);

      // The recovery set is missing, but there is nothing to compare it with: nothing to delete.
      expect([first.done, second.done]).toEqual([false, true]);
      expect(route53).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
    });

    it('throws RecordNotFoundError when a drill record is there but the recovery set it copies is not', async () => {
      liveZone(
        [weightedCname(CATALOG_API, PRIMARY_SET, 100, 'p'), catalogDrillRecord],
        'catalog.example.com',
      );

      await expect(revert(null, testClock(), weighted)).rejects.toThrow(RecordNotFoundError);
      expect(route53).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
    });

    it('throws TransientAwsError when the listing is throttled, then deletes when retried', async () => {
      liveZone([...catalogSets(), catalogDrillRecord], 'catalog.example.com');
      route53.on(ListResourceRecordSetsCommand).rejectsOnce(throttling());

      await expect(revert(null, testClock(), weighted)).rejects.toThrow(TransientAwsError);
      liveZone([...catalogSets(), catalogDrillRecord], 'catalog.example.com');
      const retried = await revert(null, testClock(), weighted);

      expect(retried).toMatchObject({ done: false, changes: [{ action: 'delete' }] });
    });

    it('throws AccessDeniedError when the role may not delete the drill record', async () => {
      liveZone([...catalogSets(), catalogDrillRecord], 'catalog.example.com');
      route53.on(ChangeResourceRecordSetsCommand).rejects(accessDenied());

      await expect(revert(null, testClock(), weighted)).rejects.toThrow(AccessDeniedError);
    });
  });
});
