import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { scaleStandbyCheck } from '../../../functions/compute/check.ts';
import {
  AccessDeniedError,
  AutoScalingGroupNotFoundError,
  InvalidStepInputError,
  TransientAwsError,
} from '../../../functions/shared/errors.ts';
import { accessDenied, mutatingCommandsSent, stepEvent, testClock, throttling } from '../../fixtures.ts';
import { computeClients, GROUP, instance, scaledGroup, startedState } from './compute-fixtures.ts';

const asg = mockClient(AutoScalingClient);
const ec2 = mockClient(EC2Client);
const clients = computeClients();

const healthyOnVersion4 = (count: number) =>
  Array.from({ length: count }, (_, i) => instance(`i-new${i + 1}`, '4'));

beforeEach(() => {
  asg.reset();
  ec2.reset();
});

describe('scaleStandbyCheck', () => {
  it('is done when the target desired count is InService and healthy on the target version', async () => {
    asg
      .on(DescribeAutoScalingGroupsCommand)
      .resolves({ AutoScalingGroups: [scaledGroup(healthyOnVersion4(4))] });
    const clock = testClock();
    clock.advance(240);

    const result = await scaleStandbyCheck(stepEvent('check', { state: startedState() }), clients, clock);

    expect(asg).toHaveReceivedCommandWith(DescribeAutoScalingGroupsCommand, {
      AutoScalingGroupNames: [GROUP],
    });
    expect(result).toMatchObject({
      family: 'compute',
      action: 'check',
      done: true,
      nextCheckSeconds: 0,
      detail: `Auto Scaling group ${GROUP}: 4/4 InService and healthy (4 on version 4)`,
      measurements: { healthyInstances: 4, computeReadySeconds: 240 },
      state: startedState(),
    });
  });

  it('polls until instances are healthy: in progress, then done', async () => {
    asg
      .on(DescribeAutoScalingGroupsCommand)
      .resolvesOnce({
        AutoScalingGroups: [
          scaledGroup([
            ...healthyOnVersion4(2),
            instance('i-new3', '4', { LifecycleState: 'Pending', HealthStatus: 'Healthy' }),
            instance('i-new4', '4', { HealthStatus: 'Unhealthy' }),
          ]),
        ],
      })
      .resolvesOnce({ AutoScalingGroups: [scaledGroup(healthyOnVersion4(4))] });
    const clock = testClock();
    const event = stepEvent('check', { state: startedState() });

    clock.advance(60);
    const first = await scaleStandbyCheck(event, clients, clock);
    clock.advance(60);
    const second = await scaleStandbyCheck({ ...event, state: first.state }, clients, clock);

    expect(first).toMatchObject({
      done: false,
      detail: `Auto Scaling group ${GROUP}: 2/4 InService and healthy (2 on version 4)`,
    });
    expect(first.nextCheckSeconds).toBeGreaterThan(0);
    expect(second).toMatchObject({ done: true, nextCheckSeconds: 0 });
  });

  it('counts instances that served before the run whatever their version, but not other old-version instances', async () => {
    const group = scaledGroup([instance('i-old1', '3'), instance('i-stray', '3'), ...healthyOnVersion4(2)]);
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group] });
    const state = startedState({ preexistingInstanceIds: ['i-old1'] });

    const result = await scaleStandbyCheck(stepEvent('check', { state }), clients, testClock());

    expect(result).toMatchObject({
      done: false,
      detail: `Auto Scaling group ${GROUP}: 3/4 InService and healthy (2 on version 4)`,
    });
  });

  it('accepts instances reporting the group’s version alias when start kept the template', async () => {
    const group = scaledGroup(['a', 'b', 'c', 'd'].map((id) => instance(`i-${id}`, '$Latest')));
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group] });
    const state = startedState({ targetVersion: '$Latest', targetVersionNumber: 3 });
    delete state.createdVersion;

    const result = await scaleStandbyCheck(stepEvent('check', { state }), clients, testClock());

    expect(result.done).toBe(true);
  });

  it('waits longer between checks the longer scaling has taken', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [scaledGroup([])] });
    const clock = testClock();
    clock.advance(600);

    const result = await scaleStandbyCheck(stepEvent('check', { state: startedState() }), clients, clock);

    expect(result.nextCheckSeconds).toBe(18);
  });

  it('stays done and read-only when re-run after it is done', async () => {
    asg
      .on(DescribeAutoScalingGroupsCommand)
      .resolves({ AutoScalingGroups: [scaledGroup(healthyOnVersion4(5))] });
    const event = stepEvent('check', { state: startedState(), mode: 'drill' });

    const first = await scaleStandbyCheck(event, clients, testClock());
    const second = await scaleStandbyCheck({ ...event, state: first.state }, clients, testClock());

    expect([first.done, second.done]).toEqual([true, true]);
    expect(mutatingCommandsSent([asg, ec2])).toEqual([]);
  });

  it('throws TransientAwsError on throttling, and the retry succeeds', async () => {
    asg
      .on(DescribeAutoScalingGroupsCommand)
      .rejectsOnce(throttling())
      .resolves({ AutoScalingGroups: [scaledGroup(healthyOnVersion4(4))] });
    const event = stepEvent('check', { state: startedState() });

    await expect(scaleStandbyCheck(event, clients, testClock())).rejects.toThrow(TransientAwsError);
    await expect(scaleStandbyCheck(event, clients, testClock())).resolves.toMatchObject({ done: true });
  });

  it('throws AutoScalingGroupNotFoundError naming the group when it is gone', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });

    const attempt = scaleStandbyCheck(stepEvent('check', { state: startedState() }), clients, testClock());

    await expect(attempt).rejects.toThrow(AutoScalingGroupNotFoundError);
    await expect(attempt).rejects.toThrow(GROUP);
  });

  it('throws AccessDeniedError when the role may not describe the group', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).rejects(accessDenied());

    const attempt = scaleStandbyCheck(stepEvent('check', { state: startedState() }), clients, testClock());

    await expect(attempt).rejects.toThrow(AccessDeniedError);
    await expect(attempt).rejects.toThrow(GROUP);
  });

  it('throws InvalidStepInputError without the state start returned', async () => {
    await expect(scaleStandbyCheck(stepEvent('check'), clients, testClock())).rejects.toThrow(
      InvalidStepInputError,
    );
    await expect(
      scaleStandbyCheck(stepEvent('check', { state: { groupName: GROUP } }), clients, testClock()),
    ).rejects.toThrow(/invalid compute state/);
    expect(asg).not.toHaveReceivedCommand(DescribeAutoScalingGroupsCommand);
  });
});
