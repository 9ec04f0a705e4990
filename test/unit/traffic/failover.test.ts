import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AccessDeniedError,
  AwsRequestError,
  HostedZoneNotFoundError,
  InvalidStepInputError,
  RecordNotFoundError,
  TransientAwsError,
} from '../../../functions/shared/errors.ts';
import { trafficSteps } from '../../../functions/traffic/steps.ts';
import {
  accessDenied,
  awsError,
  RUN_ID,
  RUN_STARTED_AT,
  stepEvent,
  testClock,
  throttling,
} from '../../fixtures.ts';
import {
  API,
  API_RECOVERY,
  aliasPlan,
  changeBatches,
  changeInfo,
  cname,
  listing,
  PRIMARY_SET,
  RECOVERY_SET,
  trafficClients,
  WWW,
  WWW_PRIMARY_VALUE,
  WWW_RECOVERY,
  weightedCname,
  weightedPlan,
  ZONE_ID,
} from './traffic-fixtures.ts';

const route53 = mockClient(Route53Client);
const clients = trafficClients();

/** Both production CNAMEs still on the primary region. */
function recordsOnPrimary() {
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

describe('start, failover (upsert-records)', () => {
  it('upserts every record to its recovery target in ONE change batch commented with the run', async () => {
    recordsOnPrimary();
    route53.on(ChangeResourceRecordSetsCommand).resolves(changeInfo('PENDING'));

    const result = await trafficSteps.start(stepEvent('start'), clients, testClock());

    expect(route53).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 1);
    expect(route53).toHaveReceivedCommandWith(ChangeResourceRecordSetsCommand, {
      HostedZoneId: ZONE_ID,
      ChangeBatch: {
        Comment: `dr-runbook ${RUN_ID} failover`,
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
    expect(result.done).toBe(false);
    expect(result.nextCheckSeconds).toBeGreaterThan(0);
    expect(result.state).toEqual({
      changeId: 'C0123456789ABC',
      startedAt: RUN_STARTED_AT,
      records: [WWW, API],
    });
    expect(result.changes).toContainEqual({
      resource: `${WWW} CNAME`,
      action: 'upsert',
      detail: `${WWW_PRIMARY_VALUE} (TTL 300) -> ${WWW_RECOVERY} (TTL 60)`,
    });
  });

  it('is done at once when Route 53 reports the change INSYNC', async () => {
    recordsOnPrimary();
    route53.on(ChangeResourceRecordSetsCommand).resolves(changeInfo('INSYNC'));

    const result = await trafficSteps.start(stepEvent('start'), clients, testClock());

    expect(result).toMatchObject({ done: true, nextCheckSeconds: 0 });
  });

  it('sends alias targets without a TTL, and CNAME values with one', async () => {
    recordsOnPrimary();
    route53.on(ChangeResourceRecordSetsCommand).resolves(changeInfo('PENDING'));

    await trafficSteps.start(stepEvent('start', { plan: aliasPlan() }), clients, testClock());

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
    route53
      .on(ListResourceRecordSetsCommand, { StartRecordName: WWW })
      .resolves(listing(cname(WWW, `${WWW_RECOVERY}.`, 60)));
    route53
      .on(ListResourceRecordSetsCommand, { StartRecordName: API })
      .resolves(listing(cname(API, API_RECOVERY, 60)));

    const result = await trafficSteps.start(stepEvent('start'), clients, testClock());

    expect(route53).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
    expect(result).toMatchObject({ done: true, nextCheckSeconds: 0, changes: [] });
    expect(result.detail).toContain('already point at the recovery target');
  });

  it('continues a half-finished failover by upserting only the records not yet moved', async () => {
    recordsOnPrimary();
    route53
      .on(ListResourceRecordSetsCommand, { StartRecordName: WWW })
      .resolves(listing(cname(WWW, WWW_RECOVERY, 60)));
    route53.on(ChangeResourceRecordSetsCommand).resolves(changeInfo('PENDING'));

    const result = await trafficSteps.start(stepEvent('start'), clients, testClock());

    const changes = changeBatches(route53)[0]?.ChangeBatch?.Changes ?? [];
    expect(changes.map((change) => change.ResourceRecordSet?.Name)).toEqual([API]);
    expect(result.state.records).toEqual([API]);
  });

  it('polls PENDING -> INSYNC through check after start, with a growing wait', async () => {
    recordsOnPrimary();
    route53.on(ChangeResourceRecordSetsCommand).resolves(changeInfo('PENDING'));
    route53.on(GetChangeCommand).resolvesOnce(changeInfo('PENDING')).resolvesOnce(changeInfo('INSYNC'));
    const clock = testClock();

    const started = await trafficSteps.start(stepEvent('start'), clients, clock);
    clock.advance(20);
    const pending = await trafficSteps.check(stepEvent('check', { state: started.state }), clients, clock);
    clock.advance(20);
    const synced = await trafficSteps.check(stepEvent('check', { state: pending.state }), clients, clock);

    expect(pending).toMatchObject({ done: false });
    expect(pending.nextCheckSeconds).toBeGreaterThan(0);
    expect(synced).toMatchObject({ done: true, nextCheckSeconds: 0, measurements: { dnsSyncSeconds: 40 } });
    expect(route53).toHaveReceivedCommandWith(GetChangeCommand, { Id: 'C0123456789ABC' });
    expect(route53).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 1);
  });

  it('throws TransientAwsError on throttling, then succeeds when Step Functions retries', async () => {
    recordsOnPrimary();
    route53.on(ChangeResourceRecordSetsCommand).rejectsOnce(throttling()).resolves(changeInfo('PENDING'));

    await expect(trafficSteps.start(stepEvent('start'), clients, testClock())).rejects.toThrow(
      TransientAwsError,
    );
    const retried = await trafficSteps.start(stepEvent('start'), clients, testClock());

    expect(retried.state.changeId).toBe('C0123456789ABC');
  });

  it('treats PriorRequestNotComplete as transient', async () => {
    recordsOnPrimary();
    route53.on(ChangeResourceRecordSetsCommand).rejects(awsError('PriorRequestNotComplete', 400));

    await expect(trafficSteps.start(stepEvent('start'), clients, testClock())).rejects.toThrow(
      TransientAwsError,
    );
  });

  it('throws HostedZoneNotFoundError naming the zone when it does not exist', async () => {
    route53.on(ListResourceRecordSetsCommand).rejects(awsError('NoSuchHostedZone', 404));

    const start = trafficSteps.start(stepEvent('start'), clients, testClock());

    await expect(start).rejects.toThrow(HostedZoneNotFoundError);
    await expect(start).rejects.toThrow(/hosted zone Z0SHOPEXAMPLE \(shop\.example\.com\)/);
  });

  it('throws AccessDeniedError when the role may not change records', async () => {
    recordsOnPrimary();
    route53.on(ChangeResourceRecordSetsCommand).rejects(accessDenied());

    await expect(trafficSteps.start(stepEvent('start'), clients, testClock())).rejects.toThrow(
      AccessDeniedError,
    );
  });

  it("throws AwsRequestError carrying Route 53's message for a rejected change batch", async () => {
    recordsOnPrimary();
    const message =
      'RRSet of type CNAME with DNS name www.shop.example.com. is not permitted as it conflicts with other records';
    route53.on(ChangeResourceRecordSetsCommand).rejects(awsError('InvalidChangeBatch', 400, message));

    const start = trafficSteps.start(stepEvent('start'), clients, testClock());

    await expect(start).rejects.toThrow(AwsRequestError);
    await expect(start).rejects.toThrow(message);
  });

  it('refuses to start in dry-run mode without calling Route 53', async () => {
    await expect(
      trafficSteps.start(stepEvent('start', { mode: 'dry-run' }), clients, testClock()),
    ).rejects.toThrow(InvalidStepInputError);
    expect(route53.calls()).toHaveLength(0);
  });
});

describe('start, failover (weighted)', () => {
  const primary = (name: string, weight = 100) =>
    weightedCname(name, PRIMARY_SET, weight, `web.us-east-1.${name}`, { HealthCheckId: 'hc-primary' });
  const recovery = (name: string, weight = 0) =>
    weightedCname(name, RECOVERY_SET, weight, `web.us-west-2.${name}`, {
      TTL: 30,
      HealthCheckId: 'hc-recovery',
    });

  function weightedZone(wwwWeights: [number, number] = [100, 0], apiWeights: [number, number] = [100, 0]) {
    route53.on(ListResourceRecordSetsCommand).resolves(listing());
    route53
      .on(ListResourceRecordSetsCommand, { StartRecordName: WWW })
      .resolves(
        listing(primary(WWW, wwwWeights[0]), recovery(WWW, wwwWeights[1]), cname('x.shop.example.com', 'y')),
      );
    route53
      .on(ListResourceRecordSetsCommand, { StartRecordName: API })
      .resolves(listing(primary(API, apiWeights[0]), recovery(API, apiWeights[1])));
  }

  it('sets the primary weight to 0 and the recovery weight to recoveryWeight, keeping every other field', async () => {
    weightedZone();
    route53.on(ChangeResourceRecordSetsCommand).resolves(changeInfo('PENDING'));

    const result = await trafficSteps.start(
      stepEvent('start', { plan: weightedPlan() }),
      clients,
      testClock(),
    );

    expect(route53).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 1);
    const changes = changeBatches(route53)[0]?.ChangeBatch?.Changes ?? [];
    expect(changes).toEqual([
      { Action: 'UPSERT', ResourceRecordSet: { ...primary(WWW), Weight: 0 } },
      { Action: 'UPSERT', ResourceRecordSet: { ...recovery(WWW), Weight: 100 } },
      { Action: 'UPSERT', ResourceRecordSet: { ...primary(API), Weight: 0 } },
      { Action: 'UPSERT', ResourceRecordSet: { ...recovery(API), Weight: 100 } },
    ]);
    expect(changes[1]?.ResourceRecordSet).toMatchObject({
      SetIdentifier: RECOVERY_SET,
      TTL: 30,
      HealthCheckId: 'hc-recovery',
      ResourceRecords: [{ Value: `web.us-west-2.${WWW}` }],
    });
    expect(result.state).toMatchObject({ changeId: 'C0123456789ABC', records: [WWW, API] });
    expect(result.changes).toContainEqual({
      resource: `${WWW} CNAME SetIdentifier "us-east-1"`,
      action: 'set-weight',
      detail: 'weight 100 -> 0',
    });
  });

  it('lists record sets across pages until the name ends', async () => {
    route53.on(ListResourceRecordSetsCommand).resolves(listing());
    route53
      .on(ListResourceRecordSetsCommand, { StartRecordName: WWW, StartRecordIdentifier: undefined })
      .resolves({
        ResourceRecordSets: [primary(WWW)],
        IsTruncated: true,
        NextRecordName: `${WWW}.`,
        NextRecordType: 'CNAME',
        NextRecordIdentifier: RECOVERY_SET,
        MaxItems: 1,
      });
    route53
      .on(ListResourceRecordSetsCommand, { StartRecordIdentifier: RECOVERY_SET })
      .resolves(listing(recovery(WWW)));
    route53
      .on(ListResourceRecordSetsCommand, { StartRecordName: API })
      .resolves(listing(primary(API, 0), recovery(API, 100)));
    route53.on(ChangeResourceRecordSetsCommand).resolves(changeInfo('PENDING'));

    const result = await trafficSteps.start(
      stepEvent('start', { plan: weightedPlan() }),
      clients,
      testClock(),
    );

    expect(result.state.records).toEqual([WWW]);
    expect(route53).toHaveReceivedCommandWith(ListResourceRecordSetsCommand, {
      StartRecordName: `${WWW}.`,
      StartRecordType: 'CNAME',
      StartRecordIdentifier: RECOVERY_SET,
    });
  });

  it('changes nothing when re-run after the weights were shifted', async () => {
    weightedZone([0, 100], [0, 100]);

    const result = await trafficSteps.start(
      stepEvent('start', { plan: weightedPlan() }),
      clients,
      testClock(),
    );

    expect(route53).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
    expect(result).toMatchObject({ done: true, nextCheckSeconds: 0, changes: [] });
  });

  it('throws RecordNotFoundError naming a missing SetIdentifier, changing nothing', async () => {
    weightedZone();
    route53.on(ListResourceRecordSetsCommand, { StartRecordName: API }).resolves(listing(primary(API)));

    const start = trafficSteps.start(stepEvent('start', { plan: weightedPlan() }), clients, testClock());

    await expect(start).rejects.toThrow(RecordNotFoundError);
    await expect(start).rejects.toThrow(/api\.shop\.example\.com CNAME SetIdentifier "us-west-2" not found/);
    expect(route53).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
  });

  it('throws TransientAwsError when listing is throttled, then succeeds on retry', async () => {
    weightedZone();
    route53.on(ListResourceRecordSetsCommand, { StartRecordName: WWW }).rejectsOnce(throttling());
    route53.on(ChangeResourceRecordSetsCommand).resolves(changeInfo('INSYNC'));

    await expect(
      trafficSteps.start(stepEvent('start', { plan: weightedPlan() }), clients, testClock()),
    ).rejects.toThrow(TransientAwsError);
    weightedZone();
    const retried = await trafficSteps.start(
      stepEvent('start', { plan: weightedPlan() }),
      clients,
      testClock(),
    );

    expect(retried.done).toBe(true);
  });
});
