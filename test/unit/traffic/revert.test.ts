import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AccessDeniedError,
  InvalidResourceStateError,
  InvalidStepInputError,
  TransientAwsError,
} from '../../../functions/shared/errors.ts';
import type { Mode } from '../../../functions/shared/step-contract.ts';
import { trafficSteps } from '../../../functions/traffic/steps.ts';
import {
  accessDenied,
  awsError,
  examplePlan,
  RUN_ID,
  RUN_STARTED_AT,
  stepEvent,
  testClock,
  throttling,
} from '../../fixtures.ts';
import {
  changeInfo,
  cname,
  DRILL,
  listing,
  namesChanged,
  PRODUCTION_NAMES,
  trafficClients,
  WWW,
  WWW_RECOVERY,
  weightedCname,
  ZONE_ID,
} from './traffic-fixtures.ts';

const route53 = mockClient(Route53Client);
const clients = trafficClients();

/** The state a drill start returns. */
const drillState = {
  changeId: 'C0123456789ABC',
  startedAt: RUN_STARTED_AT,
  drillRecordName: DRILL,
  drillRecord: { Name: DRILL, Type: 'CNAME', TTL: 60, ResourceRecords: [{ Value: WWW_RECOVERY }] },
};
/** The drill record as Route 53 lists it. */
const listedDrillRecord = cname(DRILL, WWW_RECOVERY, 60);

const revert = (state: Record<string, unknown> = drillState, mode: Mode = 'drill', plan = examplePlan()) =>
  stepEvent('revert', { mode, plan, state });

beforeEach(() => {
  route53.reset();
  route53.on(ListResourceRecordSetsCommand).resolves(listing());
  route53.on(ChangeResourceRecordSetsCommand).resolves(changeInfo('PENDING', 'CDELETE'));
});

afterEach(() => {
  // Revert never deletes a production record.
  expect(namesChanged(route53).filter((name) => PRODUCTION_NAMES.includes(name))).toEqual([]);
});

describe('revert (drill)', () => {
  it('deletes the drill record exactly as Route 53 lists it, then is done only once two calls found it gone', async () => {
    route53
      .on(ListResourceRecordSetsCommand, { StartRecordName: DRILL })
      .resolvesOnce(listing(listedDrillRecord))
      .resolves(listing(cname('shop.example.com', 'next.example.com')));
    const clock = testClock();
    clock.advance(120);

    const first = await trafficSteps.revert(revert(), clients, clock);
    clock.advance(first.nextCheckSeconds);
    const second = await trafficSteps.revert(revert(first.state), clients, clock);
    clock.advance(second.nextCheckSeconds);
    const third = await trafficSteps.revert(revert(second.state), clients, clock);

    expect(route53).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 1);
    expect(route53).toHaveReceivedCommandWith(ChangeResourceRecordSetsCommand, {
      HostedZoneId: ZONE_ID,
      ChangeBatch: {
        Comment: `dr-runbook ${RUN_ID} drill revert`,
        Changes: [{ Action: 'DELETE', ResourceRecordSet: listedDrillRecord }],
      },
    });
    expect(first).toMatchObject({ done: false, changes: [{ resource: `${DRILL} CNAME`, action: 'delete' }] });
    expect(first.nextCheckSeconds).toBeGreaterThan(0);
    expect(second).toMatchObject({ done: false, changes: [], state: { goneSeenAt: expect.any(String) } });
    expect(second.nextCheckSeconds).toBeGreaterThan(0);
    expect(third).toMatchObject({ done: true, nextCheckSeconds: 0 });
    expect(third.detail).toContain(`drill record ${DRILL} CNAME is gone`);
  });

  it('does not trust a first not-found: not done, records when it was first seen gone', async () => {
    const clock = testClock();
    clock.advance(30);

    const result = await trafficSteps.revert(revert(), clients, clock);

    expect(result).toMatchObject({
      done: false,
      nextCheckSeconds: 2,
      changes: [],
      state: { goneSeenAt: '2026-11-25T12:00:30.000Z', revertStartedAt: '2026-11-25T12:00:30.000Z' },
    });
    expect(result.detail).toContain('looking again');
    expect(route53).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
  });

  it('without a state (start never returned) deletes the record this plan’s drill writes', async () => {
    route53
      .on(ListResourceRecordSetsCommand, { StartRecordName: DRILL })
      .resolvesOnce(listing(listedDrillRecord));

    const result = await trafficSteps.revert(stepEvent('revert', { mode: 'drill' }), clients, testClock());

    expect(result.done).toBe(false);
    expect(route53).toHaveReceivedCommandWith(ChangeResourceRecordSetsCommand, {
      ChangeBatch: {
        Comment: `dr-runbook ${RUN_ID} drill revert`,
        Changes: [{ Action: 'DELETE', ResourceRecordSet: listedDrillRecord }],
      },
    });
  });

  it('without a state and no drill record, is done on the second look without changing anything', async () => {
    const first = await trafficSteps.revert(stepEvent('revert', { mode: 'drill' }), clients, testClock());
    const second = await trafficSteps.revert(revert(first.state), clients, testClock());

    expect([first.done, second.done]).toEqual([false, true]);
    expect(route53).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
  });

  it('is done on the second look, and idempotent, when the drill record is already gone', async () => {
    const first = await trafficSteps.revert(revert(), clients, testClock());
    const second = await trafficSteps.revert(revert(first.state), clients, testClock());
    const again = await trafficSteps.revert(revert(second.state), clients, testClock());

    expect([first.done, second.done, again.done]).toEqual([false, true, true]);
    expect(route53).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
  });

  it('deletes a drill record that reappears after it was seen gone, and starts confirming over', async () => {
    route53
      .on(ListResourceRecordSetsCommand, { StartRecordName: DRILL })
      .resolvesOnce(listing())
      .resolvesOnce(listing(listedDrillRecord))
      .resolves(listing());
    const clock = testClock();

    const gone = await trafficSteps.revert(revert(), clients, clock);
    clock.advance(gone.nextCheckSeconds);
    const back = await trafficSteps.revert(revert(gone.state), clients, clock);
    clock.advance(back.nextCheckSeconds);
    const goneAgain = await trafficSteps.revert(revert(back.state), clients, clock);
    clock.advance(goneAgain.nextCheckSeconds);
    const confirmed = await trafficSteps.revert(revert(goneAgain.state), clients, clock);

    expect(route53).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 1);
    expect(route53).toHaveReceivedCommandWith(ChangeResourceRecordSetsCommand, {
      ChangeBatch: {
        Comment: `dr-runbook ${RUN_ID} drill revert`,
        Changes: [{ Action: 'DELETE', ResourceRecordSet: listedDrillRecord }],
      },
    });
    expect(back).toMatchObject({ done: false, changes: [{ resource: `${DRILL} CNAME`, action: 'delete' }] });
    expect(back.detail).toContain('reappeared');
    expect(back.state).not.toHaveProperty('goneSeenAt');
    expect([gone.done, goneAgain.done, confirmed.done]).toEqual([false, false, true]);
  });

  it('treats "not found" from a concurrent delete as a first sighting: gone only once the next call agrees', async () => {
    route53
      .on(ListResourceRecordSetsCommand, { StartRecordName: DRILL })
      .resolvesOnce(listing(listedDrillRecord))
      .resolves(listing());
    route53
      .on(ChangeResourceRecordSetsCommand)
      .rejects(
        awsError(
          'InvalidChangeBatch',
          400,
          "[Tried to delete resource record set [name='drill.shop.example.com.', type='CNAME'] but it was not found]",
        ),
      );

    const first = await trafficSteps.revert(revert(), clients, testClock());
    const second = await trafficSteps.revert(revert(first.state), clients, testClock());

    expect(first).toMatchObject({ done: false, changes: [], state: { goneSeenAt: RUN_STARTED_AT } });
    expect(first.detail).toContain('already deleted');
    expect(second).toMatchObject({ done: true, nextCheckSeconds: 0 });
  });

  it('does not call a reappearing record gone when its delete then answers "not found": a later look must agree', async () => {
    route53
      .on(ListResourceRecordSetsCommand, { StartRecordName: DRILL })
      .resolvesOnce(listing(listedDrillRecord))
      .resolves(listing());
    route53
      .on(ChangeResourceRecordSetsCommand)
      .rejects(
        awsError('InvalidChangeBatch', 400, 'Tried to delete resource record set but it was not found'),
      );
    const clock = testClock();
    clock.advance(60);
    const seenGoneBefore = { ...drillState, revertStartedAt: RUN_STARTED_AT, goneSeenAt: RUN_STARTED_AT };

    const vanished = await trafficSteps.revert(revert(seenGoneBefore), clients, clock);
    clock.advance(vanished.nextCheckSeconds);
    const confirmed = await trafficSteps.revert(revert(vanished.state), clients, clock);

    expect(vanished).toMatchObject({ done: false, state: { goneSeenAt: '2026-11-25T12:01:00.000Z' } });
    expect(confirmed.done).toBe(true);
  });

  it('refuses to delete a drill-name record whose answer differs from what this run wrote', async () => {
    route53
      .on(ListResourceRecordSetsCommand, { StartRecordName: DRILL })
      .resolves(listing(cname(DRILL, 'someone-else.example.com', 60)));

    const result = trafficSteps.revert(revert(), clients, testClock());

    await expect(result).rejects.toThrow(InvalidResourceStateError);
    await expect(result).rejects.toThrow(/refusing to delete drill record drill\.shop\.example\.com CNAME/);
    expect(route53).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
  });

  it('refuses to delete a routing-policy record at the drill name', async () => {
    route53
      .on(ListResourceRecordSetsCommand, { StartRecordName: DRILL })
      .resolves(listing(weightedCname(DRILL, 'blue', 10, WWW_RECOVERY)));

    await expect(trafficSteps.revert(revert(), clients, testClock())).rejects.toThrow(
      InvalidResourceStateError,
    );
    expect(route53).not.toHaveReceivedCommand(ChangeResourceRecordSetsCommand);
  });

  it('refuses a state naming a record other than the plan’s drill record (e.g. a production one)', async () => {
    route53
      .on(ListResourceRecordSetsCommand, { StartRecordName: WWW })
      .resolves(listing(cname(WWW, WWW_RECOVERY, 60)));

    const result = trafficSteps.revert(revert({ ...drillState, drillRecordName: WWW }), clients, testClock());

    await expect(result).rejects.toThrow(InvalidResourceStateError);
    expect(route53.calls()).toHaveLength(0);
  });

  it('refuses a failover state (no drill record in it)', async () => {
    const failoverState = { changeId: 'C1', startedAt: RUN_STARTED_AT, records: [WWW] };

    await expect(trafficSteps.revert(revert(failoverState), clients, testClock())).rejects.toThrow(
      InvalidResourceStateError,
    );
    expect(route53.calls()).toHaveLength(0);
  });

  it('never deletes when the plan’s drill record name is a production record', async () => {
    const plan = examplePlan();
    plan.traffic.drillRecordName = WWW; // the schema forbids this; revert refuses it anyway

    const result = trafficSteps.revert(
      revert({ ...drillState, drillRecordName: WWW }, 'drill', plan),
      clients,
      testClock(),
    );

    await expect(result).rejects.toThrow(InvalidStepInputError);
    expect(route53.calls()).toHaveLength(0);
  });

  it.each(['failover', 'dry-run'] as const)('refuses to revert in %s mode', async (mode) => {
    await expect(trafficSteps.revert(revert(drillState, mode), clients, testClock())).rejects.toThrow(
      InvalidStepInputError,
    );
    expect(route53.calls()).toHaveLength(0);
  });

  it('throws TransientAwsError when the delete is throttled, then deletes when retried', async () => {
    route53
      .on(ListResourceRecordSetsCommand, { StartRecordName: DRILL })
      .resolves(listing(listedDrillRecord));
    route53.on(ChangeResourceRecordSetsCommand).rejectsOnce(throttling()).resolves(changeInfo('PENDING'));

    await expect(trafficSteps.revert(revert(), clients, testClock())).rejects.toThrow(TransientAwsError);
    const retried = await trafficSteps.revert(revert(), clients, testClock());

    expect(retried.done).toBe(false);
    expect(route53).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 2);
  });

  it('throws AccessDeniedError when the role may not delete the drill record', async () => {
    route53
      .on(ListResourceRecordSetsCommand, { StartRecordName: DRILL })
      .resolves(listing(listedDrillRecord));
    route53.on(ChangeResourceRecordSetsCommand).rejects(accessDenied());

    await expect(trafficSteps.revert(revert(), clients, testClock())).rejects.toThrow(AccessDeniedError);
  });
});
