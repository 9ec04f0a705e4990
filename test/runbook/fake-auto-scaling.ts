// The fake Auto Scaling of the recovery region: the standby groups, by name. UpdateAutoScalingGroup changes
// capacity at once: new instances are InService and Healthy on the group's current launch template
// version (resolved by the fake EC2); scale-in removes the newest ones. With timing, a new instance
// is Pending for its launch seconds first.
import {
  CreateOrUpdateTagsCommand,
  type CreateOrUpdateTagsCommandInput,
  DeleteTagsCommand,
  type DeleteTagsCommandInput,
  DescribeAutoScalingGroupsCommand,
  type DescribeAutoScalingGroupsCommandInput,
  UpdateAutoScalingGroupCommand,
  type UpdateAutoScalingGroupCommandInput,
} from '@aws-sdk/client-auto-scaling';
import { awsError } from '../fixtures.ts';
import type { Environment } from './environments.ts';
import type { FakeEc2 } from './fake-ec2.ts';
import { type FakeTiming, type Handler, isReady, readyAt } from './fake-handler.ts';

export interface GroupInstance {
  id: string;
  /** The launch template version number it was launched from. */
  version: string;
  /** InService from this time on (ms since the epoch); absent: at once. */
  inServiceAt?: number | undefined;
}

export interface Group {
  name: string;
  min: number;
  desired: number;
  max: number;
  launchTemplate: { id: string; name: string; version: string };
  instances: GroupInstance[];
  tags: Record<string, string>;
}

/** 8 hex digits from a plan name (FNV-1a), so instance ids look like EC2's and differ per plan. */
function planHash(plan: string): string {
  let hash = 0x811c9dc5;
  for (const char of plan) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
}

export class FakeAutoScaling {
  readonly groups = new Map<string, Group>();
  private launched = 0;

  constructor(
    private readonly env: Environment,
    private readonly ec2: FakeEc2,
    private readonly timing: FakeTiming = {},
  ) {
    for (const group of env.groups) {
      const lt = group.launchTemplate;
      this.groups.set(group.name, {
        name: group.name,
        min: group.min,
        desired: group.desired,
        max: group.max,
        launchTemplate: { id: lt.id, name: lt.name, version: '1' },
        instances: Array.from({ length: group.instances }, () => this.launch('1', undefined)),
        tags: { app: env.plan },
      });
    }
  }

  handlers(): Handler[] {
    return [
      [
        DescribeAutoScalingGroupsCommand,
        (input: DescribeAutoScalingGroupsCommandInput) => this.describe(input),
      ],
      [UpdateAutoScalingGroupCommand, (input: UpdateAutoScalingGroupCommandInput) => this.update(input)],
      [CreateOrUpdateTagsCommand, (input: CreateOrUpdateTagsCommandInput) => this.tag(input)],
      [DeleteTagsCommand, (input: DeleteTagsCommandInput) => this.untag(input)],
    ];
  }

  /** `launchSeconds`: how long it stays Pending (undefined: InService at once). */
  private launch(version: string, launchSeconds: number | undefined): GroupInstance {
    this.launched += 1;
    // an EC2 instance id: "i-" and 17 hex digits (the plan's hash, then the launch count)
    const id = `i-0${planHash(this.env.plan)}${this.launched.toString(16).padStart(8, '0')}`;
    const inServiceAt = readyAt(this.timing, launchSeconds);
    return { id, version, ...(inServiceAt === undefined ? {} : { inServiceAt }) };
  }

  private find(name: string | undefined): Group {
    const group = this.groups.get(name ?? '');
    if (!group) throw awsError('ValidationError', 400, `AutoScalingGroup name not found - ${name}`);
    return group;
  }

  private shape(group: Group) {
    const template = {
      LaunchTemplateId: group.launchTemplate.id,
      LaunchTemplateName: group.launchTemplate.name,
    };
    return {
      AutoScalingGroupName: group.name,
      MinSize: group.min,
      DesiredCapacity: group.desired,
      MaxSize: group.max,
      LaunchTemplate: { ...template, Version: group.launchTemplate.version },
      Instances: group.instances.map((i) => ({
        InstanceId: i.id,
        AvailabilityZone: `${this.env.recoveryRegion}a`,
        LifecycleState: isReady(this.timing, i.inServiceAt) ? 'InService' : 'Pending',
        HealthStatus: 'Healthy',
        ProtectedFromScaleIn: false,
        LaunchTemplate: { ...template, Version: i.version },
      })),
      Tags: Object.entries(group.tags).map(([Key, Value]) => ({
        ResourceId: group.name,
        ResourceType: 'auto-scaling-group',
        Key,
        Value,
        PropagateAtLaunch: false,
      })),
    };
  }

  private describe(input: DescribeAutoScalingGroupsCommandInput) {
    const names = input.AutoScalingGroupNames;
    const groups = [...this.groups.values()].filter((g) => !names || names.includes(g.name));
    return { AutoScalingGroups: groups.map((g) => this.shape(g)) };
  }

  private update(input: UpdateAutoScalingGroupCommandInput) {
    const group = this.find(input.AutoScalingGroupName);
    if (input.MixedInstancesPolicy) throw new Error('the fake Auto Scaling has no mixed instances policies');
    const {
      MinSize: min = group.min,
      DesiredCapacity: desired = group.desired,
      MaxSize: max = group.max,
    } = input;
    if (!(min <= desired && desired <= max)) {
      throw awsError('ValidationError', 400, `Desired capacity:${desired} must be between ${min} and ${max}`);
    }
    if (input.LaunchTemplate) {
      const { LaunchTemplateId: id = '', Version: version = '$Default' } = input.LaunchTemplate;
      const template = this.ec2.templates.get(id);
      if (!template || !this.ec2.resolve(template, version)) {
        throw awsError('ValidationError', 400, `launch template ${id} version ${version} does not exist`);
      }
      group.launchTemplate = { id, name: template.name, version };
    }
    Object.assign(group, { min, desired, max });
    const template = this.ec2.templates.get(group.launchTemplate.id);
    const launching = template && this.ec2.resolve(template, group.launchTemplate.version);
    while (group.instances.length < desired) {
      group.instances.push(
        this.launch(String(launching?.number ?? group.launchTemplate.version), this.timing.launchSeconds),
      );
    }
    group.instances.splice(desired);
    return {};
  }

  private tag(input: CreateOrUpdateTagsCommandInput) {
    for (const tag of input.Tags ?? []) this.find(tag.ResourceId).tags[tag.Key ?? ''] = tag.Value ?? '';
    return {};
  }

  private untag(input: DeleteTagsCommandInput) {
    for (const tag of input.Tags ?? []) delete this.find(tag.ResourceId).tags[tag.Key ?? ''];
    return {};
  }
}
