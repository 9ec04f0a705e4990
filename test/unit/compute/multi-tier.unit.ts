// Two auto-scaling-group resources in one plan (multi-tier "web" and "workers"), sharing one
// launch template: each start, re-run and revert touches only its own group and only the launch
// template versions made for it.
import 'aws-sdk-client-mock-jest';
import {
  AutoScalingClient,
  type AutoScalingGroup,
  CreateOrUpdateTagsCommand,
  type CreateOrUpdateTagsCommandInput,
  DeleteTagsCommand,
  type DeleteTagsCommandInput,
  DescribeAutoScalingGroupsCommand,
  type DescribeAutoScalingGroupsCommandInput,
  UpdateAutoScalingGroupCommand,
  type UpdateAutoScalingGroupCommandInput,
} from '@aws-sdk/client-auto-scaling';
import {
  CreateLaunchTemplateVersionCommand,
  type CreateLaunchTemplateVersionCommandInput,
  DeleteLaunchTemplateVersionsCommand,
  type DeleteLaunchTemplateVersionsCommandInput,
  DescribeImagesCommand,
  DescribeLaunchTemplateVersionsCommand,
  type DescribeLaunchTemplateVersionsCommandInput,
  EC2Client,
  type LaunchTemplateVersion,
} from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { AutoScalingGroupNotFoundError } from '../../../functions/shared/errors.ts';
import type { ProgressResult } from '../../../functions/shared/step-contract.ts';
import { mockClient } from '../../aws-mock.ts';
import { awsError, RUN_ID, testClock } from '../../fixtures.ts';
import {
  drillRevert,
  type EventOptions,
  images,
  multiTier,
  NEW_AMI,
  OLD_AMI,
  PREVIOUS,
  progress,
  standbyGroup,
  TEMPLATE_ID,
  templateVersion,
  versionDescription,
  WEB_GROUP,
  WORKERS_GROUP,
} from './compute-fixtures.ts';

describe('multi-tier', () => {
  const asg = mockClient(AutoScalingClient);
  const ec2 = mockClient(EC2Client);

  const web: EventOptions = { plan: multiTier(), resource: 'web', mode: 'drill' };
  const workers: EventOptions = { plan: multiTier(), resource: 'workers', mode: 'drill' };

  /** Both standby groups (0/0/2 on $Latest) and their shared launch template ($Latest = 3), as state. */
  let groups: Map<string, AutoScalingGroup>;
  let versions: Map<number, LaunchTemplateVersion>;

  const latest = () => Math.max(...versions.keys());

  function arrangeMarket() {
    groups = new Map([WEB_GROUP, WORKERS_GROUP].map((name) => [name, standbyGroup({ name })]));
    versions = new Map([[3, templateVersion(3, OLD_AMI)]]);
    asg
      .on(DescribeAutoScalingGroupsCommand)
      .callsFake(async (input: DescribeAutoScalingGroupsCommandInput) => ({
        AutoScalingGroups: (input.AutoScalingGroupNames ?? []).flatMap((name) => {
          const group = groups.get(name);
          return group ? [structuredClone(group)] : [];
        }),
      }));
    asg.on(CreateOrUpdateTagsCommand).callsFake(async (input: CreateOrUpdateTagsCommandInput) => {
      for (const tag of input.Tags ?? []) {
        const group = groups.get(tag.ResourceId ?? '') as AutoScalingGroup;
        group.Tags = [...(group.Tags ?? []).filter((t) => t.Key !== tag.Key), tag];
      }
      return {};
    });
    asg.on(DeleteTagsCommand).callsFake(async (input: DeleteTagsCommandInput) => {
      for (const tag of input.Tags ?? []) {
        const group = groups.get(tag.ResourceId ?? '') as AutoScalingGroup;
        group.Tags = (group.Tags ?? []).filter((t) => t.Key !== tag.Key);
      }
      return {};
    });
    asg.on(UpdateAutoScalingGroupCommand).callsFake(async (input: UpdateAutoScalingGroupCommandInput) => {
      const group = groups.get(input.AutoScalingGroupName ?? '') as AutoScalingGroup;
      Object.assign(group, {
        MinSize: input.MinSize,
        DesiredCapacity: input.DesiredCapacity,
        MaxSize: input.MaxSize,
        ...(input.LaunchTemplate
          ? { LaunchTemplate: { ...group.LaunchTemplate, Version: input.LaunchTemplate.Version } }
          : {}),
      });
      return {};
    });
    ec2.on(DescribeImagesCommand).resolves({ Images: images() });
    ec2
      .on(DescribeLaunchTemplateVersionsCommand)
      .callsFake(async (input: DescribeLaunchTemplateVersionsCommandInput) => {
        const asked = input.Versions?.[0] ?? '$Default';
        const number = asked === '$Latest' || asked === '$Default' ? latest() : Number(asked);
        const found = versions.get(number);
        if (!found) throw awsError('InvalidLaunchTemplateId.VersionNotFound', 400, `no version ${asked}`);
        return { LaunchTemplateVersions: [found] };
      });
    ec2
      .on(CreateLaunchTemplateVersionCommand)
      .callsFake(async (input: CreateLaunchTemplateVersionCommandInput) => {
        const created = templateVersion(
          latest() + 1,
          input.LaunchTemplateData?.ImageId ?? '',
          input.VersionDescription,
        );
        versions.set(created.VersionNumber as number, created);
        return { LaunchTemplateVersion: created };
      });
    ec2
      .on(DeleteLaunchTemplateVersionsCommand)
      .callsFake(async (input: DeleteLaunchTemplateVersionsCommandInput) => {
        for (const version of input.Versions ?? []) versions.delete(Number(version));
        return {
          SuccessfullyDeletedLaunchTemplateVersions: (input.Versions ?? []).map((v) => ({
            LaunchTemplateId: TEMPLATE_ID,
            VersionNumber: Number(v),
          })),
        };
      });
  }

  /** The runbook's tags on a group, by key. */
  const runbookTags = (name: string) =>
    Object.fromEntries(
      (groups.get(name)?.Tags ?? [])
        .filter((t) => t.Key?.startsWith('dr-runbook:'))
        .map((t) => [t.Key, t.Value]),
    );

  /** The names of the groups each kind of mutating Auto Scaling call was about. */
  function groupsChanged() {
    return {
      updated: asg
        .commandCalls(UpdateAutoScalingGroupCommand)
        .map((c) => c.args[0].input.AutoScalingGroupName),
      tagged: asg
        .commandCalls(CreateOrUpdateTagsCommand)
        .flatMap((c) => (c.args[0].input.Tags ?? []).map((t) => t.ResourceId)),
      untagged: asg
        .commandCalls(DeleteTagsCommand)
        .flatMap((c) => (c.args[0].input.Tags ?? []).map((t) => t.ResourceId)),
    };
  }

  /** Revert calls until done (each with the previous call's state), as the state machine polls. */
  async function revertUntilDone(options: EventOptions): Promise<ProgressResult[]> {
    const clock = testClock();
    const results: ProgressResult[] = [];
    let state: Record<string, unknown> | undefined;
    for (let call = 0; call < 6; call++) {
      const result = await drillRevert(state, clock, options);
      results.push(result);
      if (result.done) return results;
      state = result.state;
      clock.advance(result.nextCheckSeconds);
    }
    throw new Error(`revert not done after 6 calls: ${results.at(-1)?.detail}`);
  }

  beforeEach(() => {
    asg.reset();
    ec2.reset();
    arrangeMarket();
  });

  describe('auto-scaling-group: two groups in one plan (multi-tier web and workers)', () => {
    it('tags each group with the run and its own resource, and creates a version per group even for the same AMI', async () => {
      const startedWeb = await progress('start', web);
      const startedWorkers = await progress('start', workers);

      expect(runbookTags(WEB_GROUP)).toEqual({
        'dr-runbook:run-id': RUN_ID,
        'dr-runbook:resource': 'web',
        'dr-runbook:previous': JSON.stringify({ ...PREVIOUS }),
      });
      expect(runbookTags(WORKERS_GROUP)).toEqual({
        'dr-runbook:run-id': RUN_ID,
        'dr-runbook:resource': 'workers',
        'dr-runbook:previous': JSON.stringify({ ...PREVIOUS }),
      });
      // $Latest (4) launches the same AMI, but was made for web: workers gets a version of its own.
      expect([...versions.values()].map((v) => [v.VersionNumber, v.VersionDescription])).toEqual([
        [3, undefined],
        [4, versionDescription(NEW_AMI, 'web')],
        [5, versionDescription(NEW_AMI, 'workers')],
      ]);
      expect(startedWeb).toMatchObject({
        resource: 'web',
        state: { groupName: WEB_GROUP, createdVersion: 4 },
      });
      expect(startedWorkers).toMatchObject({
        resource: 'workers',
        state: { groupName: WORKERS_GROUP, createdVersion: 5, target: { min: 1, desired: 2, max: 6 } },
      });
      expect(groupsChanged()).toEqual({
        updated: [WEB_GROUP, WORKERS_GROUP],
        tagged: [WEB_GROUP, WEB_GROUP, WEB_GROUP, WORKERS_GROUP, WORKERS_GROUP, WORKERS_GROUP],
        untagged: [],
      });
    });

    it('a re-run of one start changes nothing of either group', async () => {
      await progress('start', web);
      await progress('start', workers);
      asg.resetHistory();
      ec2.resetHistory();

      const again = await progress('start', workers);

      expect(groupsChanged()).toEqual({ updated: [], tagged: [], untagged: [] });
      expect(ec2).not.toHaveReceivedCommand(CreateLaunchTemplateVersionCommand);
      expect(again.state).toMatchObject({ createdVersion: 5, targetVersion: '5' });
    });

    it("reverting web with no state leaves workers' group, tags and version exactly as its drill left them", async () => {
      await progress('start', web);
      await progress('start', workers);
      const workersBefore = structuredClone(groups.get(WORKERS_GROUP));
      asg.resetHistory();
      ec2.resetHistory();

      const calls = await revertUntilDone(web);

      expect(groups.get(WORKERS_GROUP)).toEqual(workersBefore);
      expect(versions.has(5)).toBe(true);
      expect(versions.has(4)).toBe(false);
      expect(groupsChanged()).toEqual({
        updated: [WEB_GROUP],
        tagged: [],
        untagged: [WEB_GROUP, WEB_GROUP, WEB_GROUP],
      });
      expect(ec2.commandCalls(DeleteLaunchTemplateVersionsCommand).map((c) => c.args[0].input)).toEqual([
        { LaunchTemplateId: TEMPLATE_ID, Versions: ['4'] },
      ]);
      expect(groups.get(WEB_GROUP)).toMatchObject({
        MinSize: 0,
        DesiredCapacity: 0,
        MaxSize: 2,
        LaunchTemplate: { Version: '$Latest' },
      });
      expect(calls.at(-1)).toMatchObject({ resource: 'web', done: true });
    });

    it('then reverting workers restores it and deletes only its own version', async () => {
      await progress('start', web);
      await progress('start', workers);
      await revertUntilDone(web);
      asg.resetHistory();
      ec2.resetHistory();

      await revertUntilDone(workers);

      expect(groupsChanged()).toEqual({
        updated: [WORKERS_GROUP],
        tagged: [],
        untagged: [WORKERS_GROUP, WORKERS_GROUP, WORKERS_GROUP],
      });
      expect(
        ec2.commandCalls(DeleteLaunchTemplateVersionsCommand).map((c) => c.args[0].input.Versions),
      ).toEqual([['5']]);
      expect([...versions.keys()]).toEqual([3]);
      for (const name of [WEB_GROUP, WORKERS_GROUP]) {
        expect(groups.get(name)).toEqual(standbyGroup({ name }));
      }
    });

    it('reverting a group whose drill never started changes nothing, even while the other group is drilled', async () => {
      await progress('start', workers);
      const before = structuredClone([...groups.values()]);
      asg.resetHistory();
      ec2.resetHistory();

      const calls = await revertUntilDone(web);

      expect(calls.map((c) => c.done)).toEqual([false, true]);
      expect(calls.at(-1)?.detail).toContain('nothing to revert');
      expect(groupsChanged()).toEqual({ updated: [], tagged: [], untagged: [] });
      expect(ec2).not.toHaveReceivedCommand(DeleteLaunchTemplateVersionsCommand);
      expect([...groups.values()]).toEqual(before);
    });

    it('refuses a revert given the state of the other group, calling nothing', async () => {
      const startedWorkers = await progress('start', workers);
      asg.resetHistory();

      await expect(drillRevert(startedWorkers.state, testClock(), web)).rejects.toThrow(
        /state of Auto Scaling group market-workers-standby, but resources\[3\]\.autoScalingGroupName is market-web-standby/,
      );
      expect(asg.calls()).toHaveLength(0);
    });

    it('names the resource’s own field when its group is missing: resources[4].autoScalingGroupName', async () => {
      groups.delete(WORKERS_GROUP);

      const attempt = progress('start', workers);

      await expect(attempt).rejects.toThrow(AutoScalingGroupNotFoundError);
      await expect(attempt).rejects.toThrow(
        `Auto Scaling group ${WORKERS_GROUP} not found while trying to scale the standby: check resources[4].autoScalingGroupName`,
      );
    });
  });
});
