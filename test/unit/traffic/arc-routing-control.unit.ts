// arc-routing-control: the routing controls set through the cluster's data plane, each call trying
// the cluster's endpoints in turn (recovery region first, primary region last).
import 'aws-sdk-client-mock-jest';
import {
  GetRoutingControlStateCommand,
  Route53RecoveryClusterClient,
  UpdateRoutingControlStatesCommand,
} from '@aws-sdk/client-route53-recovery-cluster';
import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  AccessDeniedError,
  AwsRequestError,
  InvalidStepInputError,
  RoutingControlNotFoundError,
  TransientAwsError,
} from '../../../functions/shared/errors.ts';
import { runStep } from '../../../functions/shared/family-handler.ts';
import type { ProgressResult, ReadinessResult } from '../../../functions/shared/step-contract.ts';
import type { ClusterEndpoint, TrafficClients } from '../../../functions/traffic/clients.ts';
import { trafficSteps } from '../../../functions/traffic/steps.ts';
import { type DrPlan, planSchema } from '../../../plan/schema.ts';
import { mockClient } from '../../aws-mock.ts';
import {
  accessDenied,
  awsError,
  examplePlan,
  examplePlanInput,
  testClock,
  throttling,
} from '../../fixtures.ts';
import { trafficEvent } from './traffic-fixtures.ts';

describe('arc-routing-control', () => {
  const arc = mockClient(Route53RecoveryClusterClient);
  const plan = examplePlan('arc-routing-control');
  const cells = plan.resources.find((r) => r.type === 'arc-routing-control');
  if (cells?.type !== 'arc-routing-control') throw new Error('the example has no arc-routing-control');
  const PRIMARY = cells.primaryRoutingControlArn;
  const RECOVERY = cells.recoveryRoutingControlArn;
  const DRILL = cells.drillRoutingControlArn as string;

  /** Which endpoint region each client serves, so that a fake can fail one endpoint. */
  const regionOf = new WeakMap<object, string>();
  const clients: TrafficClients = {
    route53: undefined as never,
    route53Advisory: undefined as never,
    cloudWatch: undefined as never,
    dns: undefined as never,
    routingControl(endpoint: ClusterEndpoint) {
      const client = new Route53RecoveryClusterClient({
        region: endpoint.region,
        endpoint: endpoint.url,
        maxAttempts: 1,
      });
      regionOf.set(client, endpoint.region);
      return client;
    },
  };

  /** The cluster's states; `down` maps an endpoint region to the error it answers every call with. */
  let states: Record<string, 'On' | 'Off'>;
  let down: Record<string, () => Error>;
  /** The endpoint region of every call, in order. */
  let tried: string[];
  /** The endpoint region of every UpdateRoutingControlStates attempt, in order. */
  let updateTried: string[];

  beforeEach(() => {
    arc.reset();
    states = { [PRIMARY]: 'On', [RECOVERY]: 'Off', [DRILL]: 'Off' };
    down = {};
    tried = [];
    updateTried = [];
    arc.callsFake((input: Record<string, unknown>, getClient: () => object) => {
      const region = regionOf.get(getClient()) ?? '?';
      tried.push(region);
      if ('UpdateRoutingControlStateEntries' in input) updateTried.push(region);
      const fault = down[region];
      if (fault) throw fault();
      if ('UpdateRoutingControlStateEntries' in input) {
        for (const entry of input.UpdateRoutingControlStateEntries as {
          RoutingControlArn: string;
          RoutingControlState: 'On' | 'Off';
        }[]) {
          if (!(entry.RoutingControlArn in states)) throw awsError('ResourceNotFoundException', 404);
        }
        for (const entry of input.UpdateRoutingControlStateEntries as {
          RoutingControlArn: string;
          RoutingControlState: 'On' | 'Off';
        }[]) {
          states[entry.RoutingControlArn] = entry.RoutingControlState;
        }
        return {};
      }
      const arn = String(input.RoutingControlArn);
      const state = states[arn];
      if (!state) throw awsError('ResourceNotFoundException', 404, `routing control ${arn} not found`);
      return { RoutingControlArn: arn, RoutingControlState: state };
    });
  });

  const event = (
    action: 'readiness' | 'start' | 'check' | 'revert',
    mode: 'failover' | 'switchover' | 'drill' | 'dry-run',
    options: { plan?: DrPlan; state?: Record<string, unknown> } = {},
  ) => trafficEvent(action, { plan: options.plan ?? plan, mode, resource: 'cells', state: options.state });
  const step = async (
    action: 'start' | 'check' | 'revert',
    mode: 'failover' | 'switchover' | 'drill',
    options: { plan?: DrPlan; state?: Record<string, unknown> } = {},
    clock = testClock(),
  ) => (await runStep(trafficSteps, () => clients, event(action, mode, options), clock)) as ProgressResult;
  const readiness = async (options: { plan?: DrPlan } = {}) =>
    (await runStep(
      trafficSteps,
      () => clients,
      event('readiness', 'dry-run', options),
      testClock(),
    )) as ReadinessResult;
  const updates = () => arc.commandCalls(UpdateRoutingControlStatesCommand).map((call) => call.args[0].input);

  describe('failover', () => {
    it('turns recovery On and primary Off in one UpdateRoutingControlStates, through the recovery region endpoint', async () => {
      const started = await step('start', 'failover');

      expect(started).toMatchObject({ done: false, action: 'start' });
      expect(updates()).toEqual([
        {
          UpdateRoutingControlStateEntries: [
            { RoutingControlArn: RECOVERY, RoutingControlState: 'On' },
            { RoutingControlArn: PRIMARY, RoutingControlState: 'Off' },
          ],
        },
      ]);
      expect(tried.every((region) => region === 'us-west-2')).toBe(true);
      expect(started.changes).toEqual([
        {
          resource: `recovery routing control ${RECOVERY}`,
          action: 'set-routing-control',
          detail: 'Off -> On',
        },
        {
          resource: `primary routing control ${PRIMARY}`,
          action: 'set-routing-control',
          detail: 'On -> Off',
        },
      ]);
      expect(states).toMatchObject({ [PRIMARY]: 'Off', [RECOVERY]: 'On', [DRILL]: 'Off' });
    });

    it('is done on a check that reads the new states back, with the time it took', async () => {
      const clock = testClock();
      const started = await step('start', 'failover', {}, clock);
      clock.advance(4);
      const checked = await step('check', 'failover', { state: started.state }, clock);

      expect(checked).toMatchObject({ done: true, measurements: { dnsSyncSeconds: 4 } });
      expect(arc).toHaveReceivedCommandTimes(UpdateRoutingControlStatesCommand, 1);
    });

    it('keeps checking while a control still reads its old state', async () => {
      const started = await step('start', 'failover');
      states[PRIMARY] = 'On';
      const checked = await step('check', 'failover', { state: started.state });

      expect(checked).toMatchObject({ done: false });
      expect(checked.detail).toContain(`primary routing control ${PRIMARY} still On`);
      expect(checked.nextCheckSeconds).toBeGreaterThan(0);
    });

    it('changes nothing when run again after it succeeded', async () => {
      states = { [PRIMARY]: 'Off', [RECOVERY]: 'On', [DRILL]: 'Off' };
      const started = await step('start', 'failover');

      expect(started).toMatchObject({ done: true, changes: [] });
      expect(started.detail).toContain('nothing to change');
      expect(arc).not.toHaveReceivedCommand(UpdateRoutingControlStatesCommand);
    });

    it.each([
      [
        'times out',
        () => Object.assign(new Error('connect ETIMEDOUT'), { name: 'TimeoutError', $metadata: {} }),
      ],
      ['is temporarily unavailable', () => awsError('EndpointTemporarilyUnavailableException', 503)],
      ['is throttled', throttling],
      ['answers 500', () => awsError('InternalServerException', 500)],
    ])('tries the next endpoint when one %s, the primary region last', async (_, fault) => {
      down['us-west-2'] = fault;
      down['eu-west-1'] = fault;
      down['ap-northeast-1'] = fault;
      down['ap-southeast-2'] = fault;

      await step('start', 'failover');

      // The update went through the recovery region first and reached the primary region's endpoint last.
      expect(updateTried).toEqual([
        'us-west-2',
        'eu-west-1',
        'ap-northeast-1',
        'ap-southeast-2',
        'us-east-1',
      ]);
      expect(states).toMatchObject({ [PRIMARY]: 'Off', [RECOVERY]: 'On' });
    });

    it('ends as a TransientAwsError naming every endpoint when none answers (Step Functions retries it)', async () => {
      for (const endpoint of cells.clusterEndpoints) down[endpoint.region] = throttling;

      const attempt = step('start', 'failover');

      await expect(attempt).rejects.toThrow(TransientAwsError);
      await expect(attempt).rejects.toThrow(
        /no endpoint of the ARC cluster answered.*us-west-2.*ThrottlingException.*us-east-1/,
      );
      expect(arc).not.toHaveReceivedCommand(UpdateRoutingControlStatesCommand);
    });

    it('stops at the first endpoint that denies access: another endpoint would answer the same', async () => {
      down['us-west-2'] = accessDenied;

      const attempt = step('start', 'failover');

      await expect(attempt).rejects.toThrow(AccessDeniedError);
      expect(new Set(tried)).toEqual(new Set(['us-west-2']));
    });

    it('names the routing control that does not exist', async () => {
      delete states[RECOVERY];

      const attempt = step('start', 'failover');

      await expect(attempt).rejects.toThrow(RoutingControlNotFoundError);
      await expect(attempt).rejects.toThrow(`recovery routing control ${RECOVERY}`);
      expect(arc).not.toHaveReceivedCommand(UpdateRoutingControlStatesCommand);
    });

    it('says a safety rule refused the new states', async () => {
      arc
        .on(UpdateRoutingControlStatesCommand)
        .rejects(awsError('ConflictException', 409, 'assertion rule at-least-one-on'));

      const attempt = step('start', 'failover');

      await expect(attempt).rejects.toThrow(AwsRequestError);
      await expect(attempt).rejects.toThrow(/safety rule.*at-least-one-on/);
    });
  });

  describe('switchover', () => {
    it('sets the states a failover sets (recovery On, primary Off), checks them back, and is never reverted', async () => {
      const clock = testClock();
      const started = await step('start', 'switchover', {}, clock);
      clock.advance(3);
      const checked = await step('check', 'switchover', { state: started.state }, clock);

      expect(updates()).toEqual([
        {
          UpdateRoutingControlStateEntries: [
            { RoutingControlArn: RECOVERY, RoutingControlState: 'On' },
            { RoutingControlArn: PRIMARY, RoutingControlState: 'Off' },
          ],
        },
      ]);
      expect(checked).toMatchObject({ done: true, measurements: { dnsSyncSeconds: 3 } });
      await expect(step('revert', 'switchover')).rejects.toThrow(
        'traffic revert of cells does not run in switchover mode (only drill)',
      );
    });
  });

  describe('drill', () => {
    it('turns only the drill routing control On, and revert turns it Off (done on the call that reads it Off)', async () => {
      const started = await step('start', 'drill');
      expect(updates()).toEqual([
        { UpdateRoutingControlStateEntries: [{ RoutingControlArn: DRILL, RoutingControlState: 'On' }] },
      ]);
      expect(states).toMatchObject({ [PRIMARY]: 'On', [RECOVERY]: 'Off', [DRILL]: 'On' });
      expect(await step('check', 'drill', { state: started.state })).toMatchObject({ done: true });

      const first = await step('revert', 'drill', { state: started.state });
      expect(first.done).toBe(false);
      // runStep carries the start's change along; the revert's own comes last.
      expect(first.changes.at(-1)).toEqual({
        resource: `drill routing control ${DRILL}`,
        action: 'set-routing-control',
        detail: 'On -> Off',
      });
      expect(states[DRILL]).toBe('Off');
      const second = await step('revert', 'drill', { state: first.state });
      expect(second).toMatchObject({ done: true });
      expect(
        updates().flatMap((u) => u.UpdateRoutingControlStateEntries?.map((e) => e.RoutingControlArn)),
      ).toEqual([DRILL, DRILL]);
    });

    it('without a drill routing control runs readiness only: it switches nothing, and revert has nothing to do', async () => {
      const input = examplePlanInput('arc-routing-control');
      const resource = input.resources.find((r) => r.id === 'cells') as Record<string, unknown>;
      delete resource.drillRoutingControlArn;
      delete resource.drillRecordName;
      const bare = planSchema.parse(input);

      const started = await step('start', 'drill', { plan: bare });
      expect(started).toMatchObject({ done: true, state: { readinessOnly: true } });
      expect(started.detail).toContain('ran its readiness only');
      expect(await step('check', 'drill', { plan: bare, state: started.state })).toMatchObject({
        done: true,
      });
      expect(await step('revert', 'drill', { plan: bare, state: started.state })).toMatchObject({
        done: true,
      });
      expect(arc).not.toHaveReceivedCommand(UpdateRoutingControlStatesCommand);
    });

    it('is refused in a dry-run', async () => {
      await expect(
        runStep(trafficSteps, () => clients, event('start', 'dry-run'), testClock()),
      ).rejects.toThrow(InvalidStepInputError);
    });
  });

  describe('readiness', () => {
    const check = (result: ReadinessResult, name: string) => result.checks.find((c) => c.name === name);

    it('passes when every endpoint answers, primary is On, recovery and drill Off; it changes nothing', async () => {
      const result = await readiness();

      expect(result.checks.map((c) => [c.name, c.status])).toEqual([
        ['cluster-endpoints', 'pass'],
        ['routing-controls', 'pass'],
        ['drill-routing-control', 'pass'],
      ]);
      expect(result.predictedSeconds).toBe(30);
      expect(arc).not.toHaveReceivedCommand(UpdateRoutingControlStatesCommand);
      expect(arc).toHaveReceivedCommandWith(GetRoutingControlStateCommand, { RoutingControlArn: RECOVERY });
    });

    it('warns naming the endpoints that do not answer, and fails when none does', async () => {
      down['us-east-1'] = () =>
        Object.assign(new Error('connect ETIMEDOUT'), { name: 'TimeoutError', $metadata: {} });
      const some = await readiness();
      expect(check(some, 'cluster-endpoints')).toMatchObject({
        status: 'warn',
        detail: expect.stringContaining(
          '4 of 5 cluster endpoints answer; not answering: us-east-1 (TimeoutError)',
        ),
      });
      expect(check(some, 'routing-controls')?.status).toBe('pass');

      for (const endpoint of cells.clusterEndpoints) down[endpoint.region] = throttling;
      await expect(readiness()).rejects.toThrow(TransientAwsError);
    });

    it('warns when traffic already goes to the recovery cell, or a drill control is On', async () => {
      states = { [PRIMARY]: 'Off', [RECOVERY]: 'On', [DRILL]: 'On' };
      const result = await readiness();

      expect(check(result, 'routing-controls')).toMatchObject({
        status: 'warn',
        detail: expect.stringContaining('already goes to the recovery cell'),
      });
      expect(check(result, 'drill-routing-control')).toMatchObject({
        status: 'warn',
        detail: expect.stringContaining('revert turns it Off'),
      });
    });

    it('fails the routing-control check naming a control that does not exist, and one the role may not read', async () => {
      delete states[RECOVERY];
      const missing = await readiness();
      expect(check(missing, 'routing-controls')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining(`recovery routing control ${RECOVERY} not found`),
      });

      down['us-west-2'] = accessDenied;
      const denied = await readiness();
      expect(check(denied, 'routing-controls')).toMatchObject({
        status: 'fail',
        detail: expect.stringContaining('access denied'),
      });
    });
  });
});
