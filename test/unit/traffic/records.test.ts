import { describe, expect, it } from '@jest/globals';
import { describeAnswer, normalizeName, sameAnswer } from '../../../functions/traffic/records.ts';

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
