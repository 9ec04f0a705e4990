import { ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  AccessDeniedError,
  AwsRequestError,
  HostedZoneNotFoundError,
} from '../../../functions/shared/errors.ts';
import {
  describeAnswer,
  listingKey,
  normalizeName,
  readRecords,
  sameAnswer,
} from '../../../functions/traffic/records.ts';
import type { RecordsResource } from '../../../functions/traffic/zone.ts';
import { mockClient } from '../../aws-mock.ts';
import { accessDenied, awsError } from '../../fixtures.ts';
import {
  API,
  cname,
  DRILL,
  listings,
  serveZone,
  trafficClients,
  WWW,
  warmStandby,
  weightedCname,
  ZONE_ID,
} from './traffic-fixtures.ts';

describe('records', () => {
  const route53 = mockClient(Route53Client);
  const client = trafficClients().route53;
  const dns = warmStandby().resources.find((r) => r.id === 'dns') as RecordsResource;

  beforeEach(() => {
    route53.reset();
  });

  describe('listingKey', () => {
    it("sorts as Route 53 lists: labels reversed, with the trailing dot that puts 'www-1' before 'www'", () => {
      expect(listingKey('www.shop.example.com')).toBe('com.example.shop.www.');
      expect(listingKey('WWW.Shop.Example.com.')).toBe('com.example.shop.www.');
      expect(listingKey('www-1.shop.example.com') < listingKey('www.shop.example.com')).toBe(true);
      expect(listingKey('\\052.shop.example.com')).toBe('com.example.shop.*.');
    });
  });

  describe('readRecords: one paged listing for several records', () => {
    const filler = (n: number) =>
      Array.from({ length: n }, (_, i) => cname(`host${String(i).padStart(3, '0')}.shop.example.com`, 'x'));

    it('starts at the first wanted name in listing order and stops once the next record is past the last', async () => {
      // In listing order: api < (drill, absent) < host000…host004 < www < zz0…zz5.
      const after = Array.from({ length: 6 }, (_, i) => cname(`zz${i}.shop.example.com`, 'z'));
      serveZone(route53, [cname(WWW, 'w'), cname(API, 'a'), ...after, ...filler(5)], { pageSize: 3 });

      const records = await readRecords(
        client,
        dns,
        [
          { name: WWW, type: 'CNAME' },
          { name: API, type: 'CNAME' },
          { name: DRILL, type: 'CNAME' },
        ],
        'test',
      );

      expect(records.find(WWW, 'CNAME')).toEqual(cname(WWW, 'w'));
      expect(records.find(API, 'CNAME')).toEqual(cname(API, 'a'));
      expect(records.find(DRILL, 'CNAME')).toBeUndefined();
      // Pages: [api, host000, host001], [host002…host004], [www, zz0, zz1]; the next (zz2) is past www.
      expect(listings(route53)).toEqual([
        { HostedZoneId: ZONE_ID, StartRecordName: API, StartRecordType: 'CNAME', MaxItems: 300 },
        {
          HostedZoneId: ZONE_ID,
          StartRecordName: 'host002.shop.example.com.',
          StartRecordType: 'CNAME',
          MaxItems: 300,
        },
        { HostedZoneId: ZONE_ID, StartRecordName: `${WWW}.`, StartRecordType: 'CNAME', MaxItems: 300 },
      ]);
    });

    it('makes one call when everything wanted fits in the first page', async () => {
      serveZone(route53, [cname(WWW, 'w'), cname(API, 'a'), ...filler(20)]);

      await readRecords(
        client,
        dns,
        [
          { name: WWW, type: 'CNAME' },
          { name: API, type: 'CNAME' },
        ],
        'test',
      );

      expect(listings(route53)).toHaveLength(1);
    });

    it('follows NextRecordIdentifier through the weighted sets of one name', async () => {
      const sets = ['a', 'b', 'c', 'd'].map((id, i) => weightedCname(WWW, id, i, `${id}.example.com`));
      serveZone(route53, sets, { pageSize: 2 });

      const records = await readRecords(client, dns, [{ name: WWW, type: 'CNAME' }], 'test');

      expect(records.all(WWW, 'CNAME').map((s) => s.SetIdentifier)).toEqual(['a', 'b', 'c', 'd']);
      expect(listings(route53).map((l) => [l.StartRecordName, l.StartRecordIdentifier])).toEqual([
        [WWW, undefined],
        [`${WWW}.`, 'c'],
      ]);
    });

    it('matches names case-insensitively and decodes Route 53 escapes', async () => {
      serveZone(route53, [{ ...cname(WWW, 'w'), Name: 'WWW.shop.example.com.' }]);

      const records = await readRecords(client, dns, [{ name: WWW, type: 'CNAME' }], 'test');

      expect(records.find(WWW, 'CNAME')?.ResourceRecords).toEqual([{ Value: 'w' }]);
      expect(records.find(WWW, 'A')).toBeUndefined();
    });

    it('refuses a listing that does not advance instead of looping', async () => {
      route53.on(ListResourceRecordSetsCommand).resolves({
        ResourceRecordSets: [],
        IsTruncated: true,
        NextRecordName: API,
        NextRecordType: 'CNAME',
        MaxItems: 300,
      });

      await expect(
        readRecords(
          client,
          dns,
          [
            { name: API, type: 'CNAME' },
            { name: WWW, type: 'CNAME' },
          ],
          'test',
        ),
      ).rejects.toThrow(AwsRequestError);
    });

    it('names the zone and the IAM action when the listing fails', async () => {
      route53.on(ListResourceRecordSetsCommand).rejects(accessDenied());
      await expect(readRecords(client, dns, [{ name: WWW, type: 'CNAME' }], 'test')).rejects.toThrow(
        AccessDeniedError,
      );
      route53.on(ListResourceRecordSetsCommand).rejects(awsError('NoSuchHostedZone', 404));
      await expect(readRecords(client, dns, [{ name: WWW, type: 'CNAME' }], 'test')).rejects.toThrow(
        /hosted zone Z0SHOPEXAMPLE \(shop\.example\.com\) not found/,
      );
      await expect(readRecords(client, dns, [{ name: WWW, type: 'CNAME' }], 'test')).rejects.toThrow(
        HostedZoneNotFoundError,
      );
    });

    it('lists nothing when nothing is wanted', async () => {
      const records = await readRecords(client, dns, [], 'test');

      expect(records.find(WWW, 'CNAME')).toBeUndefined();
      expect(route53.calls()).toHaveLength(0);
    });
  });

  describe('normalizeName', () => {
    it('drops the trailing dot, lowercases and decodes Route 53 octal escapes', () => {
      expect(normalizeName('WWW.Shop.Example.com.')).toBe('www.shop.example.com');
      expect(normalizeName('\\052.shop.example.com.')).toBe('*.shop.example.com');
      expect(normalizeName(undefined)).toBe('');
    });
  });

  describe('sameAnswer', () => {
    it('compares values regardless of order, case, trailing dot and TTL', () => {
      const listed = {
        Name: 'a.',
        Type: 'A' as const,
        TTL: 300,
        ResourceRecords: [{ Value: '10.0.0.2' }, { Value: '10.0.0.1' }],
      };
      const planned = {
        Name: 'a',
        Type: 'A' as const,
        TTL: 60,
        ResourceRecords: [{ Value: '10.0.0.1' }, { Value: '10.0.0.2' }],
      };
      expect(sameAnswer(listed, planned)).toBe(true);
      expect(sameAnswer(listed, { ...planned, ResourceRecords: [{ Value: '10.0.0.1' }] })).toBe(false);
    });

    it('compares alias targets by zone and DNS name, ignoring the dualstack prefix Route 53 may add', () => {
      const planned = {
        Name: 'a',
        Type: 'A' as const,
        AliasTarget: {
          HostedZoneId: 'Z1H1FL5HABSF5',
          DNSName: 'lb-1.us-west-2.elb.amazonaws.com',
          EvaluateTargetHealth: true,
        },
      };
      const listed = {
        ...planned,
        AliasTarget: { ...planned.AliasTarget, DNSName: 'dualstack.lb-1.us-west-2.elb.amazonaws.com.' },
      };
      expect(sameAnswer(listed, planned)).toBe(true);
      expect(
        sameAnswer(listed, { ...planned, AliasTarget: { ...planned.AliasTarget, HostedZoneId: 'ZOTHER' } }),
      ).toBe(false);
      expect(sameAnswer(listed, { Name: 'a', Type: 'A', ResourceRecords: [{ Value: '10.0.0.1' }] })).toBe(
        false,
      );
    });
  });

  describe('describeAnswer', () => {
    it('names values with their TTL, aliases with their zone, and a missing record', () => {
      expect(
        describeAnswer({ Name: 'a', Type: 'CNAME', TTL: 60, ResourceRecords: [{ Value: 'b.example.com' }] }),
      ).toBe('b.example.com (TTL 60)');
      expect(
        describeAnswer({
          Name: 'a',
          Type: 'A',
          AliasTarget: { HostedZoneId: 'Z1', DNSName: 'lb.example.com.', EvaluateTargetHealth: false },
        }),
      ).toBe('alias lb.example.com (zone Z1)');
      expect(describeAnswer(undefined)).toBe('(no record)');
    });
  });
});
