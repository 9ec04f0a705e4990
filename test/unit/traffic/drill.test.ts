import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AccessDeniedError,
  HostedZoneNotFoundError,
  InvalidResourceStateError,
  InvalidStepInputError,
  RecordNotFoundError,
  TransientAwsError,
} from '../../../functions/shared/errors.ts';
import { trafficSteps } from '../../../functions/traffic/steps.ts';
import {
  accessDenied,
  awsError,
  examplePlan,
  RUN_ID,
  stepEvent,
  testClock,
  throttling,
} from '../../fixtures.ts';
import {
  aliasPlan,
  changeBatches,
  changeInfo,
  cname,
  DRILL,
  listing,
  namesChanged,
  PRIMARY_SET,
  PRODUCTION_NAMES,
  RECOVERY_SET,
  trafficClients,
  WWW,
  WWW_RECOVERY,
  weightedCname,
  weightedPlan,
  ZONE_ID,
} from './traffic-fixtures.ts';

const route53 = mockClient(Route53Client);
const clients = trafficClients();
const drill = (plan = examplePlan(), state?: Record<string, unknown>) =>
  stepEvent('start', { mode: 'drill', plan, ...(state ? { state } : {}) });

beforeEach(() => {
  route53.reset();
  route53.on(ListResourceRecordSetsCommand).resolves(listing());
  route53.on(ChangeResourceRecordSetsCommand).resolves(changeInfo('PENDING'));
});

afterEach(() => {
  // Whatever a drill test did, no change batch may ever name a production record.
  expect(namesChanged(route53).filter((name) => PRODUCTION_NAMES.includes(name))).toEqual([]);
});

describe('start, drill', () => {
  it("writes only the drill record, with the first record's type, TTL and recovery target", async () => {
    const result = await trafficSteps.start(drill(), clients, testClock());

    expect(route53).toHaveReceivedCommandWith(ChangeResourceRecordSetsCommand, {
      HostedZoneId: ZONE_ID,
      ChangeBatch: {
        Comment: `dr-runbook ${RUN_ID} drill`,
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
    });
    expect(namesChanged(route53)).toEqual([DRILL]);
    expect(result).toMatchObject({
      done: false,
      state: { changeId: 'C0123456789ABC', drillRecordName: DRILL },
    });
    expect(result.nextCheckSeconds).toBeGreaterThan(0);
    expect(result.changes).toEqual([
      {
        resource: `${DRILL} CNAME`,
        action: 'create',
        detail: `(no record) -> ${WWW_RECOVERY} (TTL 60) (drill record; deleted on revert)`,
      },
    ]);
  });

  it('writes an alias drill record without a TTL when the first record is an alias', async () => {
    await trafficSteps.start(drill(aliasPlan()), clients, testClock());

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

  it("writes a simple (non-weighted) copy of the weighted plan's recovery set", async () => {
    route53.on(ListResourceRecordSetsCommand, { StartRecordName: WWW }).resolves(
      listing(
        weightedCname(WWW, PRIMARY_SET, 100, 'web.us-east-1.shop.example.com'),
        weightedCname(WWW, RECOVERY_SET, 0, 'web.us-west-2.shop.example.com', {
          TTL: 30,
          HealthCheckId: 'hc-2',
        }),
      ),
    );

    await trafficSteps.start(drill(weightedPlan()), clients, testClock());

    expect(changeBatches(route53)[0]?.ChangeBatch?.Changes).toEqual([
      {
        Action: 'UPSERT',
        ResourceRecordSet: {
          Name: DRILL,
          Type: 'CNAME',
          TTL: 30,
          ResourceRecords: [{ Value: 'web.us-west-2.shop.example.com' }],
        },
      },
    ]);
  });

  it('changes nothing when re-run after success (the drill record already has the answer)', async () => {
    route53
      .on(ListResourceRecordSetsCommand, { StartRecordName: DRILL })
      .resolves(listing(cname(DRILL, WWW_RECOVERY, 60)));

    const result = await trafficSteps.start(drill(), clients, testClock());

    expect(route53).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
    expect(result).toMatchObject({ done: true, nextCheckSeconds: 0, state: { drillRecordName: DRILL } });
  });

  it('overwrites a drill record left by an earlier drill with a different answer', async () => {
    route53
      .on(ListResourceRecordSetsCommand, { StartRecordName: DRILL })
      .resolves(listing(cname(DRILL, 'old.example.com', 60)));

    const result = await trafficSteps.start(drill(), clients, testClock());

    expect(route53).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 1);
    expect(result.changes[0]?.action).toBe('upsert');
  });

  it('polls the drill change PENDING -> INSYNC through check', async () => {
    route53.on(GetChangeCommand).resolvesOnce(changeInfo('PENDING')).resolvesOnce(changeInfo('INSYNC'));
    const clock = testClock();

    const started = await trafficSteps.start(drill(), clients, clock);
    clock.advance(10);
    const pending = await trafficSteps.check(
      stepEvent('check', { mode: 'drill', state: started.state }),
      clients,
      clock,
    );
    clock.advance(10);
    const synced = await trafficSteps.check(
      stepEvent('check', { mode: 'drill', state: pending.state }),
      clients,
      clock,
    );

    expect(pending.done).toBe(false);
    expect(pending.nextCheckSeconds).toBeGreaterThan(0);
    expect(pending.detail).toContain(`drill record ${DRILL}`);
    expect(synced).toMatchObject({ done: true, nextCheckSeconds: 0 });
  });

  it('refuses a drill record name that is a production record, touching nothing', async () => {
    const plan = examplePlan();
    plan.traffic.drillRecordName = WWW; // the schema forbids this; the step refuses it anyway

    await expect(trafficSteps.start(drill(plan), clients, testClock())).rejects.toThrow(
      InvalidStepInputError,
    );
    expect(route53.calls()).toHaveLength(0);
  });

  it('refuses to overwrite a routing-policy record that sits at the drill name', async () => {
    route53
      .on(ListResourceRecordSetsCommand, { StartRecordName: DRILL })
      .resolves(listing(weightedCname(DRILL, 'someone', 10, 'x.example.com')));

    await expect(trafficSteps.start(drill(), clients, testClock())).rejects.toThrow(
      InvalidResourceStateError,
    );
    expect(route53).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
  });

  it("throws RecordNotFoundError when the weighted plan's recovery set is missing", async () => {
    route53
      .on(ListResourceRecordSetsCommand, { StartRecordName: WWW })
      .resolves(listing(weightedCname(WWW, PRIMARY_SET, 100, 'web.us-east-1.shop.example.com')));

    const start = trafficSteps.start(drill(weightedPlan()), clients, testClock());

    await expect(start).rejects.toThrow(RecordNotFoundError);
    await expect(start).rejects.toThrow(/SetIdentifier "us-west-2"/);
  });

  it('throws TransientAwsError on throttling, then succeeds when retried', async () => {
    route53.on(ChangeResourceRecordSetsCommand).rejectsOnce(throttling()).resolves(changeInfo('PENDING'));

    await expect(trafficSteps.start(drill(), clients, testClock())).rejects.toThrow(TransientAwsError);
    const retried = await trafficSteps.start(drill(), clients, testClock());

    expect(retried.state.changeId).toBe('C0123456789ABC');
  });

  it('throws HostedZoneNotFoundError naming the zone', async () => {
    route53.on(ListResourceRecordSetsCommand).rejects(awsError('NoSuchHostedZone', 404));

    await expect(trafficSteps.start(drill(), clients, testClock())).rejects.toThrow(HostedZoneNotFoundError);
  });

  it('throws AccessDeniedError when the role may not write the drill record', async () => {
    route53.on(ChangeResourceRecordSetsCommand).rejects(accessDenied());

    await expect(trafficSteps.start(drill(), clients, testClock())).rejects.toThrow(AccessDeniedError);
  });
});
