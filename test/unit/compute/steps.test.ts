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
import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { computeClientsFor } from '../../../functions/compute/clients.ts';
import { computeSteps } from '../../../functions/compute/steps.ts';
import { InvalidStepInputError } from '../../../functions/shared/errors.ts';
import { runStep } from '../../../functions/shared/family-handler.ts';
import { lambdaContext, mutatingCommandsSent, RUN_ID, stepEvent, testClock } from '../../fixtures.ts';
import {
  computeClients,
  createdVersion,
  GROUP,
  images,
  OLD_AMI,
  planWithCompute,
  standbyGroup,
  startedState,
  templateVersion,
} from './compute-fixtures.ts';

const asg = mockClient(AutoScalingClient);
const ec2 = mockClient(EC2Client);
const clients = computeClients();
const noCompute = () => planWithCompute({ strategy: 'none' });

type Handler = typeof import('../../../functions/compute/handler.ts')['handler'];
let handler: Handler;

beforeAll(async () => {
  // Powertools reads these when the handler module creates its logger and metrics.
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  ({ handler } = await import('../../../functions/compute/handler.ts'));
});

beforeEach(() => {
  asg.reset();
  ec2.reset();
});

function arrangeStandby() {
  asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [standbyGroup()] });
  asg.on(CreateOrUpdateTagsCommand).resolves({});
  asg.on(UpdateAutoScalingGroupCommand).resolves({});
  ec2
    .on(DescribeLaunchTemplateVersionsCommand)
    .resolves({ LaunchTemplateVersions: [templateVersion(3, OLD_AMI)] });
  ec2.on(DescribeImagesCommand).resolves({ Images: images() });
  ec2.on(CreateLaunchTemplateVersionCommand).resolves({ LaunchTemplateVersion: createdVersion() });
}

describe('computeSteps', () => {
  it('reports one passing check and 0 seconds for strategy none, calling nothing', async () => {
    const result = await computeSteps.readiness(
      stepEvent('readiness', { plan: noCompute() }),
      clients,
      testClock(),
    );

    expect(result).toEqual({
      family: 'compute',
      strategy: 'none',
      checks: [{ name: 'strategy', status: 'pass', detail: expect.any(String) }],
      predictedSeconds: 0,
    });
    expect(asg.calls()).toHaveLength(0);
    expect(ec2.calls()).toHaveLength(0);
  });

  it('is done at once for start, check and revert with strategy none, calling nothing', async () => {
    const plan = noCompute();
    const results = [
      await computeSteps.start(stepEvent('start', { plan, mode: 'drill' }), clients, testClock()),
      await computeSteps.check(stepEvent('check', { plan, mode: 'drill' }), clients, testClock()),
      await computeSteps.revert(stepEvent('revert', { plan, mode: 'drill' }), clients, testClock()),
    ];

    expect(results.map((r) => [r.action, r.done, r.nextCheckSeconds])).toEqual([
      ['start', true, 0],
      ['check', true, 0],
      ['revert', true, 0],
    ]);
    expect(asg.calls()).toHaveLength(0);
    expect(ec2.calls()).toHaveLength(0);
  });

  it('scales the real standby in a drill just as in a failover', async () => {
    arrangeStandby();

    const result = await computeSteps.start(stepEvent('start', { mode: 'drill' }), clients, testClock());

    expect(asg).toHaveReceivedCommandWith(UpdateAutoScalingGroupCommand, {
      AutoScalingGroupName: GROUP,
      MinSize: 2,
      DesiredCapacity: 4,
      MaxSize: 8,
    });
    expect(result.state).toMatchObject({ createdVersion: 4 });
  });

  it('refuses start and revert in dry-run mode, touching nothing', async () => {
    arrangeStandby();

    await expect(
      computeSteps.start(stepEvent('start', { mode: 'dry-run' }), clients, testClock()),
    ).rejects.toThrow(InvalidStepInputError);
    await expect(
      computeSteps.revert(
        stepEvent('revert', { mode: 'dry-run', state: startedState() }),
        clients,
        testClock(),
      ),
    ).rejects.toThrow(InvalidStepInputError);
    expect(asg.calls()).toHaveLength(0);
  });

  it('refuses revert in failover mode: a failover is never undone', async () => {
    await expect(
      computeSteps.revert(
        stepEvent('revert', { mode: 'failover', state: startedState() }),
        clients,
        testClock(),
      ),
    ).rejects.toThrow(/compute revert does not run in failover mode/);
    expect(asg.calls()).toHaveLength(0);
  });
});

describe('compute handler', () => {
  it('dispatches through runStep with clients for the recovery region', async () => {
    arrangeStandby();

    const result = await runStep(computeSteps, computeClientsFor, stepEvent('readiness'));

    expect(result).toMatchObject({ family: 'compute', strategy: 'scale-standby' });
    expect(await computeClientsFor('us-west-2').autoScaling.config.region()).toBe('us-west-2');
    expect(mutatingCommandsSent([asg, ec2])).toEqual([]);
  });

  it('is a Lambda handler that runs start and returns its progress', async () => {
    arrangeStandby();

    const result = await handler(stepEvent('start'), lambdaContext);

    expect(result).toMatchObject({
      family: 'compute',
      action: 'start',
      done: false,
      state: { groupName: GROUP },
    });
    expect(asg).toHaveReceivedCommandWith(CreateOrUpdateTagsCommand, {
      Tags: expect.arrayContaining([expect.objectContaining({ Value: RUN_ID })]),
    });
  });

  it('rejects a check without state with InvalidStepInputError', async () => {
    await expect(handler(stepEvent('check'), lambdaContext)).rejects.toMatchObject({
      name: 'InvalidStepInputError',
    });
  });
});
