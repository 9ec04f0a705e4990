import { GetHostedZoneCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { TransientAwsError } from '../../../functions/shared/errors.ts';
import type { ReadinessResult } from '../../../functions/shared/step-contract.ts';
import { trafficReadiness } from '../../../functions/traffic/readiness.ts';
import {
  accessDenied,
  awsError,
  examplePlan,
  mutatingCommandsSent,
  stepEvent,
  throttling,
} from '../../fixtures.ts';
import {
  API,
  API_RECOVERY,
  cname,
  DRILL,
  listing,
  PRIMARY_SET,
  RECOVERY_SET,
  trafficClients,
  WWW,
  WWW_PRIMARY_VALUE,
  weightedCname,
  weightedPlan,
  ZONE_ID,
} from './traffic-fixtures.ts';

const route53 = mockClient(Route53Client);
const clients = trafficClients();

const statusOf = (result: ReadinessResult, name: string) => result.checks.find((c) => c.name === name);

/** The example zone with both production CNAMEs on the primary and no drill record. */
function healthyZone() {
  route53.on(GetHostedZoneCommand).resolves({
    HostedZone: { Id: `/hostedzone/${ZONE_ID}`, Name: 'shop.example.com.', CallerReference: 'x', Config: {} },
    DelegationSet: { NameServers: [] },
  });
  route53.on(ListResourceRecordSetsCommand).resolves(listing());
  route53
    .on(ListResourceRecordSetsCommand, { StartRecordName: WWW })
    .resolves(listing(cname(WWW, WWW_PRIMARY_VALUE)));
  route53
    .on(ListResourceRecordSetsCommand, { StartRecordName: API })
    .resolves(listing(cname(API, 'api.us-east-1.shop.example.com')));
}

beforeEach(() => {
  route53.reset();
});

describe('trafficReadiness (upsert-records)', () => {
  it('passes every check when the zone and records exist, naming current and recovery answers', async () => {
    healthyZone();

    const result = await trafficReadiness(stepEvent('readiness', { mode: 'dry-run' }), clients);

    expect(result.checks.map((c) => [c.name, c.status])).toEqual([
      ['hosted-zone', 'pass'],
      [`record:${WWW}`, 'pass'],
      [`record:${API}`, 'pass'],
      ['drill-record', 'pass'],
    ]);
    expect(statusOf(result, `record:${WWW}`)?.detail).toBe(
      `${WWW} CNAME answers ${WWW_PRIMARY_VALUE} (TTL 300); failover points it at web-standby.us-west-2.shop.example.com (TTL 60)`,
    );
    expect(route53).toHaveReceivedCommandWith(ListResourceRecordSetsCommand, {
      HostedZoneId: ZONE_ID,
      StartRecordName: WWW,
      StartRecordType: 'CNAME',
      MaxItems: 1,
    });
  });

  it('predicts the sync time plus the longest TTL resolvers may still be caching', async () => {
    healthyZone();

    const result = await trafficReadiness(stepEvent('readiness', { mode: 'dry-run' }), clients);

    // expectedSyncSeconds 60 + the current records' TTL 300 (longer than the plan's 60)
    expect(result.predictedSeconds).toBe(360);
  });

  it('warns when a record already points at the recovery target', async () => {
    healthyZone();
    route53
      .on(ListResourceRecordSetsCommand, { StartRecordName: API })
      .resolves(listing(cname(API, `${API_RECOVERY}.`)));

    const result = await trafficReadiness(stepEvent('readiness'), clients);

    expect(statusOf(result, `record:${API}`)).toEqual({
      name: `record:${API}`,
      status: 'warn',
      detail: `${API} CNAME already points at the recovery target (${API_RECOVERY}. (TTL 300))`,
    });
  });

  it('warns that failover will create a record that does not exist (Route 53 lists the next name instead)', async () => {
    healthyZone();
    route53
      .on(ListResourceRecordSetsCommand, { StartRecordName: WWW })
      .resolves(listing(cname('www2.shop.example.com', 'elsewhere.example.com')));

    const result = await trafficReadiness(stepEvent('readiness'), clients);

    expect(statusOf(result, `record:${WWW}`)?.status).toBe('warn');
    expect(statusOf(result, `record:${WWW}`)?.detail).toBe(
      `${WWW} CNAME does not exist; failover will create it`,
    );
  });

  it('warns about a drill record left by an earlier drill', async () => {
    healthyZone();
    route53
      .on(ListResourceRecordSetsCommand, { StartRecordName: DRILL })
      .resolves(listing(cname(DRILL, 'x.example.com', 60)));

    const result = await trafficReadiness(stepEvent('readiness'), clients);

    expect(statusOf(result, 'drill-record')?.status).toBe('warn');
    expect(statusOf(result, 'drill-record')?.detail).toMatch(
      /drill\.shop\.example\.com CNAME exists .*left by an earlier drill; a drill overwrites and then deletes it/,
    );
  });

  it('fails a production record that has a routing policy an UPSERT cannot replace', async () => {
    healthyZone();
    route53
      .on(ListResourceRecordSetsCommand, { StartRecordName: WWW })
      .resolves(listing(weightedCname(WWW, PRIMARY_SET, 100, WWW_PRIMARY_VALUE)));

    const result = await trafficReadiness(stepEvent('readiness'), clients);

    expect(statusOf(result, `record:${WWW}`)?.status).toBe('fail');
    expect(statusOf(result, `record:${WWW}`)?.detail).toMatch(
      /SetIdentifier "us-east-1".*use the weighted strategy/,
    );
  });

  it('fails a missing hosted zone, naming it and the fix, without checking records', async () => {
    route53
      .on(GetHostedZoneCommand)
      .rejects(awsError('NoSuchHostedZone', 404, 'No hosted zone found with ID: Z0SHOPEXAMPLE'));

    const result = await trafficReadiness(stepEvent('readiness'), clients);

    expect(result.checks).toHaveLength(1);
    expect(result.checks[0]?.status).toBe('fail');
    expect(result.checks[0]?.detail).toMatch(
      /hosted zone Z0SHOPEXAMPLE \(shop\.example\.com\) not found.*fix traffic\.hostedZoneId/,
    );
    expect(route53).not.toHaveReceivedCommand(ListResourceRecordSetsCommand);
  });

  it('fails a hosted zone whose name differs from the plan, naming both', async () => {
    healthyZone();
    route53.on(GetHostedZoneCommand).resolves({
      HostedZone: { Id: ZONE_ID, Name: 'staging.example.com.', CallerReference: 'x' },
      DelegationSet: { NameServers: [] },
    });

    const result = await trafficReadiness(stepEvent('readiness'), clients);

    expect(result.checks[0]?.status).toBe('fail');
    expect(result.checks[0]?.detail).toContain('"staging.example.com"');
    expect(result.checks[0]?.detail).toContain('"shop.example.com"');
  });

  it('reports access denied as a failed check naming the IAM action instead of throwing', async () => {
    healthyZone();
    route53.on(ListResourceRecordSetsCommand).rejects(accessDenied());

    const result = await trafficReadiness(stepEvent('readiness'), clients);

    expect(statusOf(result, `record:${WWW}`)?.status).toBe('fail');
    expect(statusOf(result, `record:${WWW}`)?.detail).toMatch(
      /access denied.*route53:ListResourceRecordSets.*grant/,
    );
    expect(statusOf(result, 'drill-record')?.status).toBe('fail');
  });

  it('throws TransientAwsError on throttling so Step Functions retries', async () => {
    healthyZone();
    route53.on(GetHostedZoneCommand).rejects(throttling());

    await expect(trafficReadiness(stepEvent('readiness'), clients)).rejects.toThrow(TransientAwsError);
  });

  it('sends only read-only commands, in a healthy and in a failing environment', async () => {
    healthyZone();
    await trafficReadiness(stepEvent('readiness'), clients);
    route53.reset();
    route53.on(GetHostedZoneCommand).rejects(awsError('NoSuchHostedZone', 404));
    await trafficReadiness(stepEvent('readiness', { plan: weightedPlan() }), clients);
    route53.reset();
    healthyZone();
    route53.on(ListResourceRecordSetsCommand).rejects(accessDenied());
    await trafficReadiness(stepEvent('readiness', { plan: examplePlan() }), clients);

    expect(mutatingCommandsSent([route53])).toEqual([]);
  });
});

describe('trafficReadiness (weighted)', () => {
  function weightedZone(recoveryWeight = 0) {
    healthyZone();
    for (const name of [WWW, API]) {
      route53
        .on(ListResourceRecordSetsCommand, { StartRecordName: name })
        .resolves(
          listing(
            weightedCname(name, PRIMARY_SET, 100, `primary.${name}`),
            weightedCname(name, RECOVERY_SET, recoveryWeight, `recovery.${name}`, { TTL: 120 }),
          ),
        );
    }
  }

  it('passes with the current weights of both record sets', async () => {
    weightedZone();

    const result = await trafficReadiness(stepEvent('readiness', { plan: weightedPlan() }), clients);

    expect(result.strategy).toBe('weighted');
    expect(statusOf(result, `record:${WWW}`)).toEqual({
      name: `record:${WWW}`,
      status: 'pass',
      detail: `${WWW} CNAME: "us-east-1" weight 100, "us-west-2" weight 0; failover sets them to 0 and 100`,
    });
    expect(result.predictedSeconds).toBe(60 + 120);
  });

  it('fails a record whose recovery set is missing, naming the SetIdentifier', async () => {
    weightedZone();
    route53
      .on(ListResourceRecordSetsCommand, { StartRecordName: API })
      .resolves(listing(weightedCname(API, PRIMARY_SET, 100, 'primary')));

    const result = await trafficReadiness(stepEvent('readiness', { plan: weightedPlan() }), clients);

    expect(statusOf(result, `record:${API}`)?.status).toBe('fail');
    expect(statusOf(result, `record:${API}`)?.detail).toMatch(
      /weighted record api\.shop\.example\.com CNAME SetIdentifier "us-west-2" not found.*recoverySetIdentifier/,
    );
    expect(statusOf(result, `record:${WWW}`)?.status).toBe('pass');
  });

  it('warns when traffic already goes to the recovery set', async () => {
    weightedZone(100);
    route53
      .on(ListResourceRecordSetsCommand, { StartRecordName: WWW })
      .resolves(
        listing(
          weightedCname(WWW, PRIMARY_SET, 0, 'primary'),
          weightedCname(WWW, RECOVERY_SET, 100, 'recovery'),
        ),
      );

    const result = await trafficReadiness(stepEvent('readiness', { plan: weightedPlan() }), clients);

    expect(statusOf(result, `record:${WWW}`)?.status).toBe('warn');
    expect(statusOf(result, `record:${API}`)?.status).toBe('pass');
  });
});
