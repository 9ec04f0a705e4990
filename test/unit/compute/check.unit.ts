import 'aws-sdk-client-mock-jest';
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  AccessDeniedError,
  AutoScalingGroupNotFoundError,
  InvalidResourceStateError,
  InvalidStepInputError,
  TransientAwsError,
} from '../../../functions/shared/errors.ts';
import type { StepContext } from '../../../functions/shared/step-contract.ts';
import { mockClient } from '../../aws-mock.ts';
import { accessDenied, mutatingCommandsSent, testClock, throttling } from '../../fixtures.ts';
import {
  type EventOptions,
  GROUP,
  instance,
  ownState,
  progress,
  runTags,
  scaledGroup,
  standbyGroup,
  startedState,
  TEMPLATE_ID,
} from './compute-fixtures.ts';

describe('check', () => {
  const asg = mockClient(AutoScalingClient);
  const ec2 = mockClient(EC2Client);
  const check = (options: EventOptions = {}, clock: StepContext = testClock()) =>
    progress('check', options, clock);

  const healthyOnVersion4 = (count: number) =>
    Array.from({ length: count }, (_, i) => instance(`i-new${i + 1}`, '4'));

  beforeEach(() => {
    asg.reset();
    ec2.reset();
  });

  describe('auto-scaling-group check', () => {
    it('is done when the target desired count is InService and healthy on the target version', async () => {
      asg
        .on(DescribeAutoScalingGroupsCommand)
        .resolves({ AutoScalingGroups: [scaledGroup(healthyOnVersion4(4))] });
      const clock = testClock();
      clock.advance(240);

      const result = await check({ state: startedState() }, clock);

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
      const event: EventOptions = { state: startedState() };

      clock.advance(60);
      const first = await check(event, clock);
      clock.advance(60);
      const second = await check({ ...event, state: first.state }, clock);

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

      const result = await check({ state }, testClock());

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

      const result = await check({ state }, testClock());

      expect(result.done).toBe(true);
    });

    it('waits longer between checks the longer scaling has taken', async () => {
      asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [scaledGroup([])] });
      const clock = testClock();
      clock.advance(600);

      const result = await check({ state: startedState() }, clock);

      expect(result.nextCheckSeconds).toBe(18);
    });

    it('stays done and read-only when re-run after it is done', async () => {
      asg
        .on(DescribeAutoScalingGroupsCommand)
        .resolves({ AutoScalingGroups: [scaledGroup(healthyOnVersion4(5))] });
      const event: EventOptions = { state: startedState(), mode: 'drill' };

      const first = await check(event, testClock());
      const second = await check({ ...event, state: first.state }, testClock());

      expect([first.done, second.done]).toEqual([true, true]);
      expect(mutatingCommandsSent([asg, ec2])).toEqual([]);
    });

    it('throws TransientAwsError on throttling, and the retry succeeds', async () => {
      asg
        .on(DescribeAutoScalingGroupsCommand)
        .rejectsOnce(throttling())
        .resolves({ AutoScalingGroups: [scaledGroup(healthyOnVersion4(4))] });
      const event: EventOptions = { state: startedState() };

      await expect(check(event, testClock())).rejects.toThrow(TransientAwsError);
      await expect(check(event, testClock())).resolves.toMatchObject({ done: true });
    });

    it('throws AutoScalingGroupNotFoundError naming the group when it is gone', async () => {
      asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });

      const attempt = check({ state: startedState() }, testClock());

      await expect(attempt).rejects.toThrow(AutoScalingGroupNotFoundError);
      await expect(attempt).rejects.toThrow(GROUP);
    });

    it('throws AccessDeniedError when the role may not describe the group', async () => {
      asg.on(DescribeAutoScalingGroupsCommand).rejects(accessDenied());

      const attempt = check({ state: startedState() }, testClock());

      await expect(attempt).rejects.toThrow(AccessDeniedError);
      await expect(attempt).rejects.toThrow(GROUP);
    });

    it('returns the state it was given (what start recorded), unchanged', async () => {
      asg
        .on(DescribeAutoScalingGroupsCommand)
        .resolves({ AutoScalingGroups: [scaledGroup(healthyOnVersion4(2))] });

      const result = await check({ state: startedState() });

      expect(ownState(result.state)).toEqual(startedState());
    });

    it("refuses the state of another group (another resource's branch), calling nothing", async () => {
      const attempt = check({ state: startedState({ groupName: 'market-workers-standby' }) });

      await expect(attempt).rejects.toThrow(InvalidStepInputError);
      await expect(attempt).rejects.toThrow(
        /state of Auto Scaling group market-workers-standby, but resources\[1\]\.autoScalingGroupName is shop-web-standby/,
      );
      expect(asg.calls()).toHaveLength(0);
    });

    it('throws InvalidStepInputError without the state start returned', async () => {
      await expect(check()).rejects.toThrow(InvalidStepInputError);
      await expect(check({ state: { groupName: GROUP } }, testClock())).rejects.toThrow(
        /invalid compute state/,
      );
      expect(asg).not.toHaveReceivedCommand(DescribeAutoScalingGroupsCommand);
    });
  });

  describe('auto-scaling-group check when something lowered the group during the run', () => {
    /** The group as a drill revert racing the run left it: back at 0/0/2 on $Latest, run tags gone. */
    const lowered = (options: Parameters<typeof standbyGroup>[0] = {}) =>
      standbyGroup({ instances: [instance('i-new1', '4', { LifecycleState: 'Terminating' })], ...options });

    it('re-raises it to the target with the update start sends, and says so in detail and changes', async () => {
      asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [lowered()] });
      asg.on(UpdateAutoScalingGroupCommand).resolves({});

      const result = await check({ state: startedState() }, testClock());

      expect(asg).toHaveReceivedCommandTimes(UpdateAutoScalingGroupCommand, 1);
      expect(asg).toHaveReceivedCommandWith(UpdateAutoScalingGroupCommand, {
        AutoScalingGroupName: GROUP,
        MinSize: 2,
        DesiredCapacity: 4,
        MaxSize: 8,
        LaunchTemplate: { LaunchTemplateId: TEMPLATE_ID, Version: '4' },
      });
      expect(result).toMatchObject({ done: false, state: startedState() });
      expect(result.nextCheckSeconds).toBeGreaterThan(0);
      expect(result.detail).toContain(
        `Auto Scaling group ${GROUP} found at min 0/desired 0/max 2, below the target min 2/desired 4/max 8`,
      );
      expect(result.changes).toContainEqual({
        resource: GROUP,
        action: 'reraise',
        detail: expect.stringContaining('raised to min 2/desired 4/max 8, launch template'),
      });
    });

    it('only raises: a value above the target stays as it is', async () => {
      const group = scaledGroup(healthyOnVersion4(4));
      Object.assign(group, { MinSize: 3, DesiredCapacity: 3, MaxSize: 10 });
      asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group] });
      asg.on(UpdateAutoScalingGroupCommand).resolves({});

      const result = await check({ state: startedState() }, testClock());

      expect(asg).toHaveReceivedCommandWith(UpdateAutoScalingGroupCommand, {
        MinSize: 3,
        DesiredCapacity: 4,
        MaxSize: 10,
      });
      // Version 4 is still the group's: only the capacity is sent.
      expect(asg.commandCalls(UpdateAutoScalingGroupCommand)[0]?.args[0].input).not.toHaveProperty(
        'LaunchTemplate',
      );
      // Four healthy instances, but the group was below its target: the next check judges.
      expect(result.done).toBe(false);
    });

    it('leaves a group at its target alone while its instances come up', async () => {
      asg.on(DescribeAutoScalingGroupsCommand).resolves({
        AutoScalingGroups: [scaledGroup([instance('i-new1', '4', { LifecycleState: 'Pending' })])],
      });

      const result = await check({ state: startedState() }, testClock());

      expect(mutatingCommandsSent([asg, ec2])).toEqual([]);
      expect(result.done).toBe(false);
      expect(result.changes.map((c) => c.action)).not.toContain('reraise');
    });

    it('in a drill, never touches a lowered group carrying another run’s tag', async () => {
      asg
        .on(DescribeAutoScalingGroupsCommand)
        .resolves({ AutoScalingGroups: [lowered({ tags: runTags('run-other') })] });

      const attempt = check({ mode: 'drill', state: startedState() }, testClock());

      await expect(attempt).rejects.toThrow(InvalidResourceStateError);
      await expect(attempt).rejects.toThrow(/carries dr-runbook:run-id=run-other/);
      expect(mutatingCommandsSent([asg, ec2])).toEqual([]);
    });

    it('in a drill, never touches a lowered group carrying this run’s tags for another resource', async () => {
      asg.on(DescribeAutoScalingGroupsCommand).resolves({
        AutoScalingGroups: [lowered({ tags: runTags(undefined, undefined, 'workers') })],
      });

      const attempt = check({ mode: 'drill', state: startedState() });

      await expect(attempt).rejects.toThrow(/dr-runbook:resource=workers/);
      expect(mutatingCommandsSent([asg, ec2])).toEqual([]);
    });

    it('in a failover, re-raises a lowered group even when another run’s tag is on it, naming that run', async () => {
      asg
        .on(DescribeAutoScalingGroupsCommand)
        .resolves({ AutoScalingGroups: [lowered({ tags: runTags('run-other') })] });
      asg.on(UpdateAutoScalingGroupCommand).resolves({});

      const result = await check({ mode: 'failover', state: startedState() }, testClock());

      expect(asg).toHaveReceivedCommandWith(UpdateAutoScalingGroupCommand, {
        MinSize: 2,
        DesiredCapacity: 4,
        MaxSize: 8,
      });
      expect(result.detail).toContain('dr-runbook:run-id=run-other');
    });
  });
});
