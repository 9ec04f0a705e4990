// auto-scaling-group fence: after a failover or switchover, the primary region's group
// (primaryAutoScalingGroupName) is scaled to 0, its capacity before recorded in tags for failback.
// Run through the family's runStep, which calls it with the primary region's fencing clients and
// turns what it throws into an outcome.
import 'aws-sdk-client-mock-jest';
import {
  AutoScalingClient,
  CreateOrUpdateTagsCommand,
  DescribeAutoScalingGroupsCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { computeSteps } from '../../../functions/compute/steps.ts';
import { runStep } from '../../../functions/shared/family-handler.ts';
import type { FenceResult, Mode } from '../../../functions/shared/step-contract.ts';
import { planSchema } from '../../../plan/schema.ts';
import { mockClient } from '../../aws-mock.ts';
import {
  accessDenied,
  awsError,
  examplePlanInput,
  RUN_ID,
  RUN_STARTED_AT,
  stepEvent,
  testClock,
  throttling,
} from '../../fixtures.ts';
import { computeClients, standbyGroup } from './compute-fixtures.ts';

const PRIMARY_GROUP = 'shop-web-primary';

/** warm-standby with "web" naming its primary group (unless told otherwise) and fence as told. */
function fencePlan(web: { primaryAutoScalingGroupName?: string | undefined; fence?: boolean } = {}) {
  const input = examplePlanInput('warm-standby');
  const resource = input.resources.find((r) => r.id === 'web') as Record<string, unknown>;
  delete resource.primaryAutoScalingGroupName;
  const edit = { primaryAutoScalingGroupName: PRIMARY_GROUP, ...web };
  for (const [key, value] of Object.entries(edit)) if (value !== undefined) resource[key] = value;
  return planSchema.parse(input);
}

describe('auto-scaling-group-fence', () => {
  const asg = mockClient(AutoScalingClient);
  const ec2 = mockClient(EC2Client);
  const clients = computeClients();
  let asked: string[];

  /** The fence of "web" through runStep, with the clients it asks for recorded. */
  const fence = async (options: { mode?: Mode; plan?: ReturnType<typeof fencePlan> } = {}) =>
    (await runStep(
      computeSteps,
      (region, profile = 'default') => {
        asked.push(`${profile}:${region}`);
        return clients;
      },
      stepEvent('fence', {
        mode: options.mode ?? 'failover',
        plan: options.plan ?? fencePlan(),
        resource: 'web',
      }),
      testClock(),
    )) as FenceResult;

  const primaryGroup = (min: number, desired: number, max: number) =>
    standbyGroup({ name: PRIMARY_GROUP, min, desired, max }, { AvailabilityZones: ['us-east-1a'] });

  beforeEach(() => {
    asg.reset();
    ec2.reset();
    asked = [];
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [primaryGroup(2, 4, 8)] });
    asg.on(CreateOrUpdateTagsCommand).resolves({});
    asg.on(UpdateAutoScalingGroupCommand).resolves({});
  });

  it.each(['failover', 'switchover'] as const)(
    'in a %s, tags the primary group with the run and its capacity, then scales it to 0 keeping its max',
    async (mode) => {
      const result = await fence({ mode });

      expect(asked).toEqual(['fence:us-east-1']);
      expect(asg.calls().map((c) => c.args[0].constructor.name)).toEqual([
        'DescribeAutoScalingGroupsCommand',
        'CreateOrUpdateTagsCommand',
        'UpdateAutoScalingGroupCommand',
      ]);
      expect(asg).toHaveReceivedCommandWith(DescribeAutoScalingGroupsCommand, {
        AutoScalingGroupNames: [PRIMARY_GROUP],
      });
      const tag = (Key: string, Value: string) => ({
        ResourceId: PRIMARY_GROUP,
        ResourceType: 'auto-scaling-group',
        Key,
        Value,
        PropagateAtLaunch: false,
      });
      expect(asg.commandCalls(CreateOrUpdateTagsCommand).map((c) => c.args[0].input)).toEqual([
        {
          Tags: [tag('dr-runbook:fenced-by', RUN_ID), tag('dr-runbook:capacity-before-fence', '2/4/8')],
        },
      ]);
      expect(asg.commandCalls(UpdateAutoScalingGroupCommand).map((c) => c.args[0].input)).toEqual([
        { AutoScalingGroupName: PRIMARY_GROUP, MinSize: 0, DesiredCapacity: 0 },
      ]);
      expect(ec2.calls()).toHaveLength(0);
      expect(result).toEqual({
        family: 'compute',
        action: 'fence',
        resource: 'web',
        type: 'auto-scaling-group',
        outcome: 'fenced',
        detail: `Auto Scaling group ${PRIMARY_GROUP} in us-east-1 scaled to 0 (min 2/desired 4/max 8 -> min 0/desired 0/max 8); its capacity before is in the tag dr-runbook:capacity-before-fence`,
        changes: [
          {
            resource: PRIMARY_GROUP,
            action: 'scale-to-zero',
            detail: `min 2/desired 4/max 8 -> min 0/desired 0/max 8 in us-east-1; tagged dr-runbook:fenced-by=${RUN_ID}, dr-runbook:capacity-before-fence=2/4/8`,
          },
        ],
        fencedAt: RUN_STARTED_AT,
      });
    },
  );

  it('is fenced with no change when the group is already at min 0 and desired 0', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [primaryGroup(0, 0, 8)] });

    const result = await fence();

    expect(result).toMatchObject({
      outcome: 'fenced',
      detail: `Auto Scaling group ${PRIMARY_GROUP} in us-east-1 is already at min 0/desired 0/max 8: nothing to scale down`,
      changes: [],
    });
    expect(asg).not.toHaveReceivedCommand(CreateOrUpdateTagsCommand);
    expect(asg).not.toHaveReceivedCommand(UpdateAutoScalingGroupCommand);
  });

  it('fails, naming the plan field and the primary region, when the group is not there', async () => {
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });

    const result = await fence();

    expect(result).toMatchObject({ outcome: 'failed', changes: [] });
    expect(result.detail).toBe(
      `Auto Scaling group ${PRIMARY_GROUP} not found while trying to fence the primary group: check resources[1].primaryAutoScalingGroupName and the primary region (us-east-1)`,
    );
    expect(asg).not.toHaveReceivedCommand(UpdateAutoScalingGroupCommand);
  });

  it("fails when the group disappears before it is scaled (Auto Scaling's ValidationError)", async () => {
    asg
      .on(UpdateAutoScalingGroupCommand)
      .rejects(awsError('ValidationError', 400, 'AutoScalingGroup name not found - null'));

    const result = await fence();

    expect(result.outcome).toBe('failed');
    expect(result.detail).toContain(`Auto Scaling group ${PRIMARY_GROUP} not found while trying to scale`);
  });

  it.each([
    ['throttled', throttling()],
    ['timed out connecting', awsError('TimeoutError', 0, 'Connection timed out after 2000 ms')],
    ['unreachable', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
  ])('is not reachable when the primary region is %s', async (_what, error) => {
    asg.on(DescribeAutoScalingGroupsCommand).rejects(error);

    const result = await fence();

    expect(result).toMatchObject({ outcome: 'not-reachable', changes: [] });
    expect(result.detail).toContain(
      `transient AWS error trying to fence the primary group on ${PRIMARY_GROUP}`,
    );
    expect(asg).not.toHaveReceivedCommand(UpdateAutoScalingGroupCommand);
  });

  it('fails when the role may not scale the group, naming the IAM action to grant', async () => {
    asg.on(UpdateAutoScalingGroupCommand).rejects(accessDenied());

    const result = await fence();

    expect(result.outcome).toBe('failed');
    expect(result.detail).toContain(
      `access denied to scale the primary group to 0 on ${PRIMARY_GROUP} (AccessDenied: `,
    );
    expect(result.detail).toContain("grant the step's role this permission");
  });

  it.each([
    [
      'without a primary group',
      { primaryAutoScalingGroupName: undefined },
      'no primary group to fence: set resources[1].primaryAutoScalingGroupName to the group serving in us-east-1, so a failover scales it to 0',
    ],
    [
      'with fence false',
      { fence: false },
      `fencing is turned off (resources[1].fence is false): the primary region's group ${PRIMARY_GROUP} is left as it is`,
    ],
  ])('is skipped %s, sending nothing', async (_what, web, detail) => {
    const result = await fence({ plan: fencePlan(web) });

    expect(result).toMatchObject({ outcome: 'skipped', detail, changes: [] });
    expect(asg.calls()).toHaveLength(0);
  });

  it.each(['drill', 'dry-run'] as const)('refuses to fence in a %s, sending nothing', async (mode) => {
    const result = await fence({ mode });

    expect(result).toMatchObject({
      outcome: 'failed',
      detail: `compute fence of web does not run in ${mode} mode (only failover or switchover)`,
    });
    expect(asg.calls()).toHaveLength(0);
  });
});
