// auto-scaling-group: a standby Auto Scaling group in the recovery region, raised to the resource's
// capacity on the newest AMI carrying its `ami.tags` (failover, switchover and drill alike; a
// drill then reverts it). Several groups of one plan are several resources: each touches only its own group,
// tags it with the run AND its resource id, and names the launch template versions it creates the
// same way, so a re-run or revert of one never takes another's for its own.
//   readiness: the group, its launch template, the newest AMI and the capacity a failover sets.
//   start:     record the previous configuration in tags, point the group at a launch template
//              version with the newest AMI, raise its capacity (never lowering a value).
//   check:     done when enough instances are InService and healthy on the target version; a group
//              found below the target (lowered during the run) is raised to it again first.
//   revert:    (drill) functions/compute/revert.ts.
//   fence:     (failover, switchover) scales the primary region's group to 0: functions/compute/fence.ts.
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import {
  AmiNotFoundError,
  DrRunbookError,
  InvalidResourceStateError,
  InvalidStepInputError,
  TransientAwsError,
} from '../../shared/errors.ts';
import type { ResourceSteps } from '../../shared/family-handler.ts';
import { nextCheckSeconds, secondsBetween } from '../../shared/polling.ts';
import type {
  Action,
  Change,
  Mode,
  ProgressResult,
  ReadinessCheck,
  ReadinessResult,
  StepContext,
} from '../../shared/step-contract.ts';
import { orList } from '../../shared/words.ts';
import { type Ami, amiAgeHours, describeAmiSelector, newestAmi } from '../ami.ts';
import type { ComputeClients } from '../clients.ts';
import { fenceGroup } from '../fence.ts';
import {
  capacityOf,
  describeGroup,
  describeOwner,
  fieldPath,
  type GroupEvent,
  type GroupRef,
  type GroupResource,
  groupRefOf,
  healthyInstanceIds,
  inServiceInstanceIds,
  RUN_TAG_KEYS,
  requireGroup,
  runTagsOf,
  type TemplateRef,
  tagged,
  taggedBy,
  templateRefOf,
  updateGroup,
  updateInput,
  writeRunTags,
} from '../group.ts';
import { belowTarget, changesOf, scalingProgress } from '../progress.ts';
import { revertGroup } from '../revert.ts';
import {
  type ComputeState,
  decodePrevious,
  encodePrevious,
  formatCapacity,
  MAX_TAG_VALUE_LENGTH,
  optionalState,
  PREVIOUS_TAG,
  type Previous,
  RUN_ID_TAG,
  requiredState,
} from '../state.ts';
import { targetCapacity } from '../target.ts';
import {
  createdByRun,
  createdForAnotherResource,
  createVersion,
  describeVersion,
  type TemplateVersion,
  type VersionOwner,
} from '../template.ts';

const READINESS = 'evaluate compute readiness';
const SCALE = 'scale the standby';

/** InvalidStepInputError unless the run's mode is one of `allowed`. */
export function requireMode(
  event: GroupEvent,
  action: Exclude<Action, 'readiness'>,
  allowed: readonly Mode[],
) {
  if (!allowed.includes(event.run.mode)) {
    throw new InvalidStepInputError(
      `compute ${action} of ${event.resourceId} does not run in ${event.run.mode} mode (only ${orList(allowed)})`,
      `run ${event.run.id}`,
    );
  }
}

/** A state of another group (e.g. another resource's branch) is an input error, never acted on. */
export function requireOwnGroup(event: GroupEvent, groupName: string, action: string): void {
  const own = event.resource.autoScalingGroupName;
  if (groupName !== own) {
    throw new InvalidStepInputError(
      `compute ${action} of ${event.resourceId} got the state of Auto Scaling group ${groupName}, but ${fieldPath(event, 'autoScalingGroupName')} is ${own}: a step acts only on its own resource's group`,
      'compute state',
    );
  }
}

const ownerOf = (event: GroupEvent): VersionOwner => ({ runId: event.run.id, resourceId: event.resourceId });

export const autoScalingGroupSteps: ResourceSteps<GroupResource, ComputeClients> = {
  expectedSeconds(resource) {
    return resource.expectedHealthySeconds;
  },

  readiness,

  async start(event, clients, context) {
    requireMode(event, 'start', ['drill', 'failover', 'switchover']);
    return start(event, clients, context);
  },

  async check(event, clients, context) {
    requireMode(event, 'check', ['drill', 'failover', 'switchover']);
    return check(event, clients, context);
  },

  async revert(event, clients, context) {
    requireMode(event, 'revert', ['drill']);
    return revertGroup(event, clients, context);
  },

  async fence(event, clients) {
    requireMode(event, 'fence', ['failover', 'switchover']);
    return fenceGroup(event, clients);
  },
};

// ---- readiness: read-only; problems are checks, not exceptions ----

/** Runs a read; a permanent failure becomes its message, a transient one is rethrown for a retry. */
async function attempt<T>(read: () => Promise<T>): Promise<{ value: T } | { error: string }> {
  try {
    return { value: await read() };
  } catch (error) {
    if (error instanceof TransientAwsError || !(error instanceof DrRunbookError)) throw error;
    return { error: error.message };
  }
}

async function readiness(
  event: GroupEvent,
  clients: ComputeClients,
  context: StepContext,
): Promise<ReadinessResult> {
  const resource = event.resource;
  const ref = groupRefOf(event);
  const checks: ReadinessCheck[] = [];

  const described = await attempt(() => describeGroup(clients.autoScaling, ref, READINESS));
  const group = 'value' in described ? described.value : undefined;
  if ('error' in described) {
    checks.push({ name: 'group-exists', status: 'fail', detail: described.error });
  } else if (!group) {
    checks.push({
      name: 'group-exists',
      status: 'fail',
      detail: `Auto Scaling group ${ref.name} not found in ${event.plan.regions.recovery}: create it or fix ${ref.field}`,
    });
  } else {
    checks.push({
      name: 'group-exists',
      status: 'pass',
      detail: `Auto Scaling group ${ref.name} exists (${formatCapacity(capacityOf(group))}, ${healthyInstanceIds(group).length} InService and healthy)`,
    });
  }

  const template = group ? await launchTemplateCheck(group, clients, checks) : undefined;
  if (template?.instanceProfile) checks.push(instanceProfileCheck(event, template));
  const ami = await amiCheck(event, clients, context, checks);
  if (template && ami) checks.push(amiInTemplateCheck(template, ami));
  if (group) checks.push(capacityCheck(event, group));

  const alreadyHealthy = group !== undefined && healthyInstanceIds(group).length >= resource.capacity.desired;
  return {
    family: 'compute',
    checks,
    predictedSeconds: alreadyHealthy ? 0 : resource.expectedHealthySeconds,
  };
}

async function launchTemplateCheck(
  group: AutoScalingGroup,
  clients: ComputeClients,
  checks: ReadinessCheck[],
): Promise<TemplateVersion | undefined> {
  const name = group.AutoScalingGroupName;
  const ref = templateRefOf(group);
  if (!ref) {
    const uses = group.LaunchConfigurationName
      ? `launch configuration ${group.LaunchConfigurationName}`
      : 'no launch template';
    checks.push({
      name: 'launch-template',
      status: 'fail',
      detail: `Auto Scaling group ${name} uses ${uses}: migrate the group to a launch template, so the runbook can launch the newest AMI`,
    });
    return undefined;
  }
  const read = await attempt(() => describeVersion(clients.ec2, ref, ref.version, READINESS));
  if ('error' in read) {
    checks.push({
      name: 'launch-template',
      status: 'fail',
      detail: `Auto Scaling group ${name} references a launch template version that cannot be read (${read.error}): point the group at an existing launch template version`,
    });
    return undefined;
  }
  const version = read.value;
  checks.push({
    name: 'launch-template',
    status: 'pass',
    detail: `Auto Scaling group ${name} launches launch template ${version.launchTemplateId} version ${ref.version} (${version.versionNumber}) with ${version.imageId ?? 'no ImageId'}`,
  });
  return version;
}

/** A template with an instance profile launches only if the runbook's role may pass its role. */
function instanceProfileCheck(event: GroupEvent, template: TemplateVersion): ReadinessCheck {
  const where = `launch template ${template.launchTemplateId} version ${template.versionNumber}`;
  const role = event.resource.instanceRoleArn;
  if (!role) {
    return {
      name: 'instance-profile',
      status: 'fail',
      detail: `${where} launches with instance profile ${template.instanceProfile}: set ${fieldPath(event, 'instanceRoleArn')} to its role's ARN, so the runbook's role may pass it to EC2 (iam:PassRole); without it AWS refuses the launch`,
    };
  }
  return {
    name: 'instance-profile',
    status: 'pass',
    detail: `${where} launches with instance profile ${template.instanceProfile}; the runbook's role may pass ${role} to EC2 (if that is the profile's role)`,
  };
}

async function amiCheck(
  event: GroupEvent,
  clients: ComputeClients,
  context: StepContext,
  checks: ReadinessCheck[],
): Promise<Ami | undefined> {
  const amiPlan = event.resource.ami;
  const selector = describeAmiSelector(amiPlan);
  const found = await attempt(() => newestAmi(clients.ec2, amiPlan, READINESS));
  if ('error' in found) {
    checks.push({ name: 'ami', status: 'fail', detail: found.error });
    return undefined;
  }
  const ami = found.value;
  if (!ami) {
    checks.push({
      name: 'ami',
      status: 'fail',
      detail: `no available ${selector} in ${event.plan.regions.recovery}: copy the current image there and tag it as ${fieldPath(event, 'ami.tags')} says`,
    });
    return undefined;
  }
  const hours = amiAgeHours(ami, context.now());
  const age = `${Math.floor(hours)} h old (created ${ami.creationDate})`;
  if (hours > amiPlan.maxAgeHours) {
    checks.push({
      name: 'ami',
      status: 'warn',
      detail: `newest ${selector} is ${ami.imageId}, ${age}, older than ${fieldPath(event, 'ami.maxAgeHours')} (${amiPlan.maxAgeHours}): bake and copy a fresh image`,
    });
  } else {
    checks.push({ name: 'ami', status: 'pass', detail: `newest ${selector} is ${ami.imageId}, ${age}` });
  }
  return ami;
}

function amiInTemplateCheck(template: TemplateVersion, ami: Ami): ReadinessCheck {
  const where = `launch template ${template.launchTemplateId} version ${template.versionNumber}`;
  return template.imageId === ami.imageId
    ? { name: 'ami-in-template', status: 'pass', detail: `${where} already launches ${ami.imageId}` }
    : {
        name: 'ami-in-template',
        status: 'pass',
        detail: `${where} launches ${template.imageId ?? 'no ImageId'}: a new launch template version will be created with ${ami.imageId}`,
      };
}

function capacityCheck(event: GroupEvent, group: AutoScalingGroup): ReadinessCheck {
  const planned = event.resource.capacity;
  const current = capacityOf(group);
  const target = targetCapacity(current, planned);
  const below = (['min', 'desired', 'max'] as const).filter((k) => planned[k] < current[k]);
  const transition = `${formatCapacity(current)} -> ${formatCapacity(target)}`;
  if (below.length > 0) {
    return {
      name: 'capacity',
      status: 'warn',
      detail: `Auto Scaling group ${group.AutoScalingGroupName}: ${fieldPath(event, 'capacity')} ${below.join(', ')} is below the current value and the runbook never lowers capacity (${transition}): raise the plan to match the group`,
    };
  }
  return {
    name: 'capacity',
    status: 'pass',
    detail: `Auto Scaling group ${group.AutoScalingGroupName}: ${transition}`,
  };
}

// ---- start ----

async function start(
  event: GroupEvent,
  clients: ComputeClients,
  context: StepContext,
): Promise<ProgressResult> {
  const resource = event.resource;
  const ref = groupRefOf(event);
  const name = ref.name;
  const owner = ownerOf(event);
  const prior = optionalState(event);
  const resumed = prior?.groupName === name ? prior : undefined;

  const group = await requireGroup(clients.autoScaling, ref, SCALE);
  const template = templateRefOf(group);
  if (!template) {
    throw new InvalidResourceStateError(
      `Auto Scaling group ${name} ${group.LaunchConfigurationName ? `uses launch configuration ${group.LaunchConfigurationName}` : 'has no launch template'}: migrate the group to a launch template, so the runbook can launch the newest AMI`,
      name,
    );
  }
  const groupVersion = await describeVersion(clients.ec2, template, template.version, SCALE);
  const launchTemplateId = groupVersion.launchTemplateId;

  const ami = await newestAmi(clients.ec2, resource.ami, SCALE);
  if (!ami) {
    const selector = describeAmiSelector(resource.ami);
    throw new AmiNotFoundError(
      `no available ${selector} in ${event.plan.regions.recovery} to launch in Auto Scaling group ${name}: copy the current image there and tag it as ${fieldPath(event, 'ami.tags')} says`,
      selector,
    );
  }

  // Every read is done: record the previous configuration before changing anything.
  const notes: string[] = [];
  const previous = await recordPrevious(event, clients, ref, group, template, launchTemplateId, notes);

  let target: TemplateVersion = groupVersion;
  const ours = createdByRun(groupVersion, owner);
  // A version this run created for this group is pinned by number, and kept even if a newer AMI
  // appeared since. One it created for another group sharing the template (the group follows
  // $Latest) is that group's, deleted by its revert: this group gets a version of its own.
  const sibling = createdForAnotherResource(groupVersion, owner);
  let targetVersion = ours ? String(groupVersion.versionNumber) : template.version;
  if ((groupVersion.imageId !== ami.imageId || sibling) && !ours) {
    const latest = await describeVersion(clients.ec2, { launchTemplateId }, '$Latest', SCALE);
    target =
      latest.imageId === ami.imageId && createdByRun(latest, owner)
        ? latest
        : await createVersion(clients.ec2, launchTemplateId, groupVersion.versionNumber, ami.imageId, owner);
    targetVersion = String(target.versionNumber);
  }

  const capacity = targetCapacity(capacityOf(group), resource.capacity);
  const update = updateInput(group, capacity, { launchTemplateId, version: targetVersion });
  if (update) await updateGroup(clients.autoScaling, ref, update, SCALE);

  const state: ComputeState = {
    groupName: name,
    startedAt: resumed?.startedAt ?? context.now().toISOString(),
    previous,
    target: capacity,
    launchTemplateId,
    targetVersion,
    targetVersionNumber: target.versionNumber,
    ...(createdByRun(target, owner) ? { createdVersion: target.versionNumber } : {}),
    amiId: target.imageId ?? ami.imageId,
    preexistingInstanceIds: resumed?.preexistingInstanceIds ?? inServiceInstanceIds(group),
  };
  const progress = scalingProgress(group, state);
  const action = update
    ? `set to ${formatCapacity(capacity)}, launch template ${launchTemplateId} version ${targetVersion}`
    : `already at ${formatCapacity(capacity)}, launch template ${launchTemplateId} version ${targetVersion}`;
  return {
    family: 'compute',
    action: 'start',
    done: progress.done,
    nextCheckSeconds: progress.done ? 0 : nextCheckSeconds(secondsBetween(state.startedAt, context.now())),
    detail: [`Auto Scaling group ${name} ${action} (${state.amiId})`, progress.detail, ...notes].join('; '),
    state,
    changes: changesOf(state),
  };
}

/**
 * The group's configuration before this run, recorded in tags before anything changes so that a
 * re-run and revert still know it. Tags of this run and resource are reused; any other run's (or
 * resource's) tags stop a drill (an earlier drill did not revert) and are reported, then replaced,
 * in a failover.
 */
async function recordPrevious(
  event: GroupEvent,
  clients: ComputeClients,
  ref: GroupRef,
  group: AutoScalingGroup,
  template: TemplateRef,
  launchTemplateId: string,
  notes: string[],
): Promise<Previous> {
  const name = ref.name;
  const runId = event.run.id;
  const tags = runTagsOf(group);
  const ours = taggedBy(tags, runId, event.resourceId);
  const recorded = decodePrevious(tags.previous);
  if (ours && recorded) return recorded;

  if (tagged(tags)) {
    const found = ours
      ? `its ${PREVIOUS_TAG} tag is unreadable (${tags.previous ?? 'missing'})`
      : `it carries the tags of another run or resource (${describeOwner(tags)}, ${PREVIOUS_TAG}=${tags.previous ?? 'missing'})`;
    if (event.run.mode === 'drill') {
      throw new InvalidResourceStateError(
        `Auto Scaling group ${name}: ${found}, so an earlier drill did not revert and that tag holds the group's original configuration. Revert run ${tags.runId ?? '(unknown)'} (or restore min/desired/max and the launch template version from the tag by hand), delete the ${RUN_TAG_KEYS} tags, then run the drill again`,
        name,
      );
    }
    notes.push(
      `warning: ${found}; an earlier run did not clean up, its tags are replaced by this ${event.run.mode}'s`,
    );
  }

  const previous: Previous = { ...capacityOf(group), launchTemplateId, version: template.version };
  const value = encodePrevious(previous);
  if (value.length > MAX_TAG_VALUE_LENGTH) {
    throw new InvalidResourceStateError(
      `Auto Scaling group ${name}: its previous configuration (${value}) does not fit in a ${MAX_TAG_VALUE_LENGTH}-character tag`,
      name,
    );
  }
  await writeRunTags(clients.autoScaling, ref, { runId, resourceId: event.resourceId }, value);
  return previous;
}

// ---- check ----

async function check(
  event: GroupEvent,
  clients: ComputeClients,
  context: StepContext,
): Promise<ProgressResult> {
  const state = requiredState(event, 'check');
  requireOwnGroup(event, state.groupName, 'check');
  const ref = groupRefOf(event);
  const group = await requireGroup(clients.autoScaling, ref, 'check the standby is healthy');
  const reraised = await reraiseIfLowered(event, clients, ref, group, state);
  const progress = scalingProgress(group, state);
  // After a re-raise the instances seen are those of the lowered group: the next check judges.
  const done = progress.done && !reraised;
  const elapsed = secondsBetween(state.startedAt, context.now());
  return {
    family: 'compute',
    action: 'check',
    done,
    nextCheckSeconds: done ? 0 : nextCheckSeconds(elapsed),
    detail: reraised
      ? `Auto Scaling group ${state.groupName} ${reraised.detail}; ${progress.detail}`
      : progress.detail,
    state,
    changes: [...changesOf(state), ...(reraised ? [reraised] : [])],
    measurements: {
      healthyInstances: progress.ready,
      ...(done ? { computeReadySeconds: elapsed } : {}),
    },
  };
}

/**
 * Re-applies start's target when the group's min, desired or max is below it, with the update
 * start sends (capacity raised to the target, the target launch template version); the change
 * made, or undefined when the group is as start left it (or above). In a drill, a group carrying
 * another run's (or resource's) tags is never touched.
 */
async function reraiseIfLowered(
  event: GroupEvent,
  clients: ComputeClients,
  ref: GroupRef,
  group: AutoScalingGroup,
  state: ComputeState,
): Promise<Change | undefined> {
  const name = state.groupName;
  const current = capacityOf(group);
  if (!belowTarget(current, state.target)) return undefined;
  const tags = runTagsOf(group);
  const foreign = tagged(tags) && !taggedBy(tags, event.run.id, event.resourceId);
  if (event.run.mode === 'drill' && foreign) {
    throw new InvalidResourceStateError(
      `Auto Scaling group ${name} is at ${formatCapacity(current)}, below this drill's target ${formatCapacity(state.target)}, and carries ${describeOwner(tags)}, not this run and resource (${RUN_ID_TAG}=${event.run.id}, ${event.resourceId}): another run changed it during the drill, so the drill leaves it alone; check that run`,
      name,
    );
  }
  const raised = targetCapacity(current, state.target);
  const update = updateInput(group, raised, {
    launchTemplateId: state.launchTemplateId,
    version: state.targetVersion,
  });
  if (!update) return undefined;
  await updateGroup(clients.autoScaling, ref, update, 're-raise the standby to its target');
  const version = update.LaunchTemplate || update.MixedInstancesPolicy;
  const carries = foreign ? ` (it carries ${describeOwner(tags)})` : '';
  return {
    resource: name,
    action: 'reraise',
    detail: `found at ${formatCapacity(current)}, below the target ${formatCapacity(state.target)} (something lowered it during the run)${carries}: raised to ${formatCapacity(raised)}${version ? `, launch template ${state.launchTemplateId} version ${state.targetVersion}` : ''}`,
  };
}
