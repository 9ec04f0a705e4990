import 'aws-sdk-client-mock-jest';
import {
  AutoScalingClient,
  CreateOrUpdateTagsCommand,
  DescribeAutoScalingGroupsCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  CreateLaunchTemplateVersionCommand,
  DescribeImagesCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import { computeClientsFor } from '../../../functions/compute/clients.ts';
import { handler } from '../../../functions/compute/handler.ts';
import { computeSteps } from '../../../functions/compute/steps.ts';
import { StepTimedOutError } from '../../../functions/shared/deadlines.ts';
import { InvalidStepInputError } from '../../../functions/shared/errors.ts';
import { runStep } from '../../../functions/shared/family-handler.ts';
import { mockClient } from '../../aws-mock.ts';
import { lambdaContext, mutatingCommandsSent, testClock } from '../../fixtures.ts';
import {
  activeActive,
  computeClients,
  computeEvent,
  createdVersion,
  GROUP,
  images,
  OLD_AMI,
  progress,
  readiness,
  runTags,
  scaledGroup,
  standbyGroup,
  startedState,
  templateVersion,
} from './compute-fixtures.ts';

describe('steps', () => {
  const asg = mockClient(AutoScalingClient);
  const ec2 = mockClient(EC2Client);

  beforeEach(() => {
    asg.reset();
    ec2.reset();
  });

  function arrangeStandby(group = standbyGroup()) {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group] });
    asg.on(CreateOrUpdateTagsCommand).resolves({});
    asg.on(UpdateAutoScalingGroupCommand).resolves({});
    ec2
      .on(DescribeLaunchTemplateVersionsCommand)
      .resolves({ LaunchTemplateVersions: [templateVersion(3, OLD_AMI)] });
    ec2.on(DescribeImagesCommand).resolves({ Images: images() });
    ec2.on(CreateLaunchTemplateVersionCommand).resolves({ LaunchTemplateVersion: createdVersion() });
  }

  describe('computeSteps', () => {
    it('runs every compute type of the plan schema', () => {
      expect(Object.keys(computeSteps)).toEqual(['auto-scaling-group']);
    });

    it("expects the resource's expectedHealthySeconds in every mode", () => {
      const [, api] = activeActive().resources;
      const steps = computeSteps['auto-scaling-group'];
      expect(steps?.expectedSeconds(api, 'failover')).toBe(180);
      expect(steps?.expectedSeconds(api, 'drill')).toBe(180);
    });

    it('scales the real standby in a drill just as in a failover', async () => {
      arrangeStandby();

      const result = await progress('start', { mode: 'drill' });

      expect(asg).toHaveReceivedCommandWith(UpdateAutoScalingGroupCommand, {
        AutoScalingGroupName: GROUP,
        MinSize: 2,
        DesiredCapacity: 4,
        MaxSize: 8,
      });
      expect(result.state).toMatchObject({ createdVersion: 4 });
    });

    it('refuses start, check and revert in dry-run mode, touching nothing', async () => {
      arrangeStandby();

      await expect(progress('start', { mode: 'dry-run' })).rejects.toThrow(InvalidStepInputError);
      await expect(progress('check', { mode: 'dry-run', state: startedState() })).rejects.toThrow(
        /compute check of web does not run in dry-run mode/,
      );
      await expect(progress('revert', { mode: 'dry-run', state: startedState() })).rejects.toThrow(
        InvalidStepInputError,
      );
      expect(asg.calls()).toHaveLength(0);
    });

    it('refuses revert in failover mode: a failover is never undone', async () => {
      await expect(progress('revert', { mode: 'failover', state: startedState() })).rejects.toThrow(
        /compute revert of web does not run in failover mode \(only drill\)/,
      );
      expect(asg.calls()).toHaveLength(0);
    });

    it('refuses a resource of another family, naming what it runs', async () => {
      await expect(progress('start', { resource: 'db' })).rejects.toThrow(
        /resource "db" is of type "rds-read-replica", which this family does not run \(it runs auto-scaling-group\)/,
      );
      expect(asg.calls()).toHaveLength(0);
    });

    it('fails a check still not healthy after the timeout, naming resources[i].timeoutMinutes', async () => {
      asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [scaledGroup([])] });
      const clock = testClock();
      clock.advance(21 * 60); // 4 × 300 s = 20 min

      const attempt = progress('check', { state: startedState() }, clock);

      await expect(attempt).rejects.toThrow(StepTimedOutError);
      await expect(attempt).rejects.toThrow(/raise resources\[1\]\.timeoutMinutes/);
    });
  });

  describe('compute handler', () => {
    it('dispatches through runStep with clients for the recovery region only, stamping resource and type', async () => {
      arrangeStandby();
      const clientsFor = jest.fn((_region: string) => computeClients());

      const result = await runStep(computeSteps, clientsFor, computeEvent('readiness', { mode: 'dry-run' }));

      expect(clientsFor).toHaveBeenCalledWith('us-west-2');
      expect(clientsFor).not.toHaveBeenCalledWith('us-east-1');
      expect(result).toMatchObject({
        family: 'compute',
        resource: 'web',
        type: 'auto-scaling-group',
        ready: true,
      });
      expect(await computeClientsFor('us-west-2').autoScaling.config.region()).toBe('us-west-2');
      expect(mutatingCommandsSent([asg, ec2])).toEqual([]);
    });

    it('is a Lambda handler that runs start and returns its progress', async () => {
      arrangeStandby();

      const result = await handler(computeEvent('start'), lambdaContext);

      expect(result).toMatchObject({
        family: 'compute',
        resource: 'web',
        action: 'start',
        done: false,
        state: { groupName: GROUP },
      });
      expect(asg).toHaveReceivedCommandWith(CreateOrUpdateTagsCommand, { Tags: runTags() });
    });

    it('rejects a check without state with InvalidStepInputError', async () => {
      await expect(handler(computeEvent('check'), lambdaContext)).rejects.toMatchObject({
        name: 'InvalidStepInputError',
      });
    });

    it('reports readiness as not ready when a check fails', async () => {
      arrangeStandby();
      asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });

      const result = await readiness();

      expect(result).toMatchObject({ ready: false, resource: 'web' });
    });
  });
});
