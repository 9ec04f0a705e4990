// Fixtures of the compute family's tests: Auto Scaling and EC2 shapes for the example plans'
// auto-scaling-group resources, and step events run through the family's runStep.
//   warm-standby "web" (resources[1]): shop-web-standby, 0/0/2 on launch template version
//     $Latest = 3 launching ami-old; a newer tagged AMI (ami-new) that start points a new version 4 at.
//   multi-tier "web" (resources[3]) and "workers" (resources[4]): market-web-standby and
//     market-workers-standby, sharing one launch template.
//   active-active "api" (resources[1]): catalog-api-tokyo, expectedHealthySeconds 180.
import { AutoScalingClient, type AutoScalingGroup, type Instance } from '@aws-sdk/client-auto-scaling';
import { EC2Client, type Image, type LaunchTemplateVersion } from '@aws-sdk/client-ec2';
import type { ComputeClients } from '../../../functions/compute/clients.ts';
import type { ComputeState } from '../../../functions/compute/state.ts';
import { computeSteps } from '../../../functions/compute/steps.ts';
import { runStep } from '../../../functions/shared/family-handler.ts';
import type {
  Action,
  Mode,
  ProgressResult,
  ReadinessResult,
  StepContext,
  StepEvent,
} from '../../../functions/shared/step-contract.ts';
import type { DrPlan } from '../../../plan/schema.ts';
import { examplePlan, RUN_ID, RUN_STARTED_AT, testClock } from '../../fixtures.ts';

export const GROUP = 'shop-web-standby';
export const TEMPLATE_ID = 'lt-0123456789abcdef0';
export const TEMPLATE_NAME = 'shop-web';
export const OLD_AMI = 'ami-0old';
export const NEW_AMI = 'ami-0new';
/** What start records before changing the standby group. */
export const PREVIOUS = { min: 0, desired: 0, max: 2, launchTemplateId: TEMPLATE_ID, version: '$Latest' };
export const PREVIOUS_JSON = JSON.stringify(PREVIOUS);

/** multi-tier's two groups. */
export const WEB_GROUP = 'market-web-standby';
export const WORKERS_GROUP = 'market-workers-standby';

export const warmStandby = (): DrPlan => examplePlan('warm-standby');
export const multiTier = (): DrPlan => examplePlan('multi-tier');
export const activeActive = (): DrPlan => examplePlan('active-active');

export function computeClients(): ComputeClients {
  return {
    autoScaling: new AutoScalingClient({ region: 'us-west-2' }),
    ec2: new EC2Client({ region: 'us-west-2' }),
  };
}

export interface EventOptions {
  mode?: Mode;
  plan?: DrPlan;
  state?: Record<string, unknown> | undefined;
  /** The resource id; "web" unless told. */
  resource?: string;
  runId?: string;
}

/** A step event as the state machine sends it (JSON, as Step Functions passes it). */
export function computeEvent(action: Action, options: EventOptions = {}): StepEvent {
  return JSON.parse(
    JSON.stringify({
      action,
      plan: options.plan ?? warmStandby(),
      run: { id: options.runId ?? RUN_ID, mode: options.mode ?? 'failover', startedAt: RUN_STARTED_AT },
      resource: options.resource ?? 'web',
      ...(options.state ? { state: options.state } : {}),
    }),
  ) as StepEvent;
}

const clients = computeClients();

/** A start, check or revert through the family's runStep, as the Lambda runs it. */
export async function progress(
  action: Exclude<Action, 'readiness'>,
  options: EventOptions = {},
  clock: StepContext = testClock(),
): Promise<ProgressResult> {
  return (await runStep(computeSteps, () => clients, computeEvent(action, options), clock)) as ProgressResult;
}

/** Readiness through the family's runStep (dry-run unless told). */
export async function readiness(
  options: EventOptions = {},
  clock: StepContext = testClock(),
): Promise<ReadinessResult> {
  return (await runStep(
    computeSteps,
    () => clients,
    computeEvent('readiness', { mode: 'dry-run', ...options }),
    clock,
  )) as ReadinessResult;
}

/** A drill's revert call (with the state of the previous call, if any). */
export const drillRevert = (
  state?: Record<string, unknown>,
  clock: StepContext = testClock(),
  options: EventOptions = {},
) => progress('revert', { mode: 'drill', state, ...options }, clock);

/** What runStep adds to every state it returns (carried measurements and changes), dropped. */
export function ownState(state: Record<string, unknown>): Record<string, unknown> {
  const { measurements: _m, changes: _c, ...own } = state;
  return own;
}

export function instance(id: string, version: string, overrides: Partial<Instance> = {}): Instance {
  return {
    InstanceId: id,
    AvailabilityZone: 'us-west-2a',
    LifecycleState: 'InService',
    HealthStatus: 'Healthy',
    ProtectedFromScaleIn: false,
    LaunchTemplate: { LaunchTemplateId: TEMPLATE_ID, LaunchTemplateName: TEMPLATE_NAME, Version: version },
    ...overrides,
  };
}

/** The runbook's tags on a group, as start writes them (for resource "web" of RUN_ID by default). */
export function runTags(
  runId = RUN_ID,
  previous = PREVIOUS_JSON,
  resource = 'web',
  group = GROUP,
): NonNullable<AutoScalingGroup['Tags']> {
  const tag = (Key: string, Value: string) => ({
    ResourceId: group,
    ResourceType: 'auto-scaling-group',
    Key,
    Value,
    PropagateAtLaunch: false,
  });
  return [
    tag('dr-runbook:run-id', runId),
    tag('dr-runbook:resource', resource),
    tag('dr-runbook:previous', previous),
  ];
}

export interface GroupOptions {
  name?: string;
  min?: number;
  desired?: number;
  max?: number;
  version?: string;
  instances?: Instance[];
  tags?: AutoScalingGroup['Tags'];
}

/** A standby group: by default shop-web-standby in the pilot-light state before any run. */
export function standbyGroup(
  options: GroupOptions = {},
  overrides: Partial<AutoScalingGroup> = {},
): AutoScalingGroup {
  const name = options.name ?? GROUP;
  return {
    AutoScalingGroupName: name,
    MinSize: options.min ?? 0,
    DesiredCapacity: options.desired ?? 0,
    MaxSize: options.max ?? 2,
    DefaultCooldown: 300,
    AvailabilityZones: ['us-west-2a', 'us-west-2b'],
    HealthCheckType: 'ELB',
    CreatedTime: new Date('2026-01-01T00:00:00Z'),
    LaunchTemplate: {
      LaunchTemplateId: TEMPLATE_ID,
      LaunchTemplateName: TEMPLATE_NAME,
      Version: options.version ?? '$Latest',
    },
    Instances: options.instances ?? [],
    Tags: [
      { ResourceId: name, ResourceType: 'auto-scaling-group', Key: 'app', Value: 'shop' },
      ...(options.tags ?? []),
    ],
    ...overrides,
  };
}

/** The group as a successful start of RUN_ID left it (2/4/8 on version 4), with these instances. */
export function scaledGroup(instances: Instance[] = [], tags = runTags()): AutoScalingGroup {
  return standbyGroup({ min: 2, desired: 4, max: 8, version: '4', instances, tags });
}

export function templateVersion(
  versionNumber: number,
  imageId: string,
  description?: string,
): LaunchTemplateVersion {
  return {
    LaunchTemplateId: TEMPLATE_ID,
    LaunchTemplateName: TEMPLATE_NAME,
    VersionNumber: versionNumber,
    DefaultVersion: versionNumber === 1,
    ...(description ? { VersionDescription: description } : {}),
    LaunchTemplateData: { ImageId: imageId, InstanceType: 't3.small' },
  };
}

/** The description start gives the version it creates for a resource. */
export const versionDescription = (imageId: string, resource = 'web', runId = RUN_ID) =>
  `dr-runbook ${runId} ${resource}: ${imageId}`;

/** Version 4, as start of RUN_ID creates it for "web". */
export const createdVersion = (resource = 'web', versionNumber = 4) =>
  templateVersion(versionNumber, NEW_AMI, versionDescription(NEW_AMI, resource));

export function image(imageId: string, creationDate: string): Image {
  return { ImageId: imageId, Name: `shop-web-${imageId}`, CreationDate: creationDate, State: 'available' };
}

/** ami-new is 24 hours old at the run's start, ami-old 30 days. */
export const images = () => [
  image(OLD_AMI, '2026-10-26T12:00:00.000Z'),
  image(NEW_AMI, '2026-11-24T12:00:00.000Z'),
];

/** The state a first start of RUN_ID returns for the standby group. */
export function startedState(overrides: Partial<ComputeState> = {}): ComputeState {
  return {
    groupName: GROUP,
    startedAt: RUN_STARTED_AT,
    previous: PREVIOUS,
    target: { min: 2, desired: 4, max: 8 },
    launchTemplateId: TEMPLATE_ID,
    targetVersion: '4',
    targetVersionNumber: 4,
    createdVersion: 4,
    amiId: NEW_AMI,
    preexistingInstanceIds: [],
    ...overrides,
  };
}

/** Whether a mock call happened before another (of any mock); false when either is missing. */
export function happenedBefore<C>(
  first: { calledBefore(call: C): boolean } | undefined,
  second: C | undefined,
) {
  return first !== undefined && second !== undefined && first.calledBefore(second);
}
