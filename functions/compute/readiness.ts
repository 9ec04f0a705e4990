// Read-only readiness of the scale-standby strategy: the group, its launch template, the newest
// plan-tagged AMI and the capacity the failover would set. Problems are checks, not exceptions.
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { DrRunbookError, TransientAwsError } from '../shared/errors.ts';
import type { ReadinessCheck, ReadinessResult, StepContext, StepEvent } from '../shared/step-contract.ts';
import { type Ami, amiAgeHours, describeAmiSelector, newestAmi } from './ami.ts';
import type { ComputeClients } from './clients.ts';
import { capacityOf, describeGroup, healthyInstanceIds, templateRefOf } from './group.ts';
import { type ScaleStandbyPlan, scaleStandbyPlan } from './plan.ts';
import { formatCapacity } from './state.ts';
import { targetCapacity } from './target.ts';
import { describeVersion, type TemplateVersion } from './template.ts';

const OPERATION = 'evaluate compute readiness';

/** Runs a read; a permanent failure becomes its message, a transient one is rethrown for a retry. */
async function attempt<T>(read: () => Promise<T>): Promise<{ value: T } | { error: string }> {
  try {
    return { value: await read() };
  } catch (error) {
    if (error instanceof TransientAwsError || !(error instanceof DrRunbookError)) throw error;
    return { error: error.message };
  }
}

export async function scaleStandbyReadiness(
  event: StepEvent,
  clients: ComputeClients,
  context: StepContext,
): Promise<ReadinessResult> {
  const plan = scaleStandbyPlan(event);
  const name = plan.autoScalingGroupName;
  const checks: ReadinessCheck[] = [];

  const described = await attempt(() => describeGroup(clients.autoScaling, name, OPERATION));
  const group = 'value' in described ? described.value : undefined;
  if ('error' in described) {
    checks.push({ name: 'group-exists', status: 'fail', detail: described.error });
  } else if (!group) {
    checks.push({
      name: 'group-exists',
      status: 'fail',
      detail: `Auto Scaling group ${name} not found in ${event.plan.regions.recovery}: create it or fix plan.compute.autoScalingGroupName`,
    });
  } else {
    checks.push({
      name: 'group-exists',
      status: 'pass',
      detail: `Auto Scaling group ${name} exists (${formatCapacity(capacityOf(group))}, ${healthyInstanceIds(group).length} InService and healthy)`,
    });
  }

  const template = group ? await launchTemplateCheck(group, clients, checks) : undefined;
  const ami = await amiCheck(plan, clients, context, checks);
  if (template && ami) checks.push(amiInTemplateCheck(template, ami));
  if (group) checks.push(capacityCheck(group, plan));

  const alreadyHealthy = group !== undefined && healthyInstanceIds(group).length >= plan.capacity.desired;
  return {
    family: 'compute',
    strategy: plan.strategy,
    checks,
    predictedSeconds: alreadyHealthy ? 0 : plan.expectedHealthySeconds,
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
  const read = await attempt(() => describeVersion(clients.ec2, ref, ref.version, OPERATION));
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

async function amiCheck(
  plan: ScaleStandbyPlan,
  clients: ComputeClients,
  context: StepContext,
  checks: ReadinessCheck[],
): Promise<Ami | undefined> {
  const selector = describeAmiSelector(plan.ami);
  const found = await attempt(() => newestAmi(clients.ec2, plan.ami, OPERATION));
  if ('error' in found) {
    checks.push({ name: 'ami', status: 'fail', detail: found.error });
    return undefined;
  }
  const ami = found.value;
  if (!ami) {
    checks.push({
      name: 'ami',
      status: 'fail',
      detail: `no available ${selector} in the recovery region: copy the current image there and tag it as plan.compute.ami.tags says`,
    });
    return undefined;
  }
  const hours = amiAgeHours(ami, context.now());
  const age = `${Math.floor(hours)} h old (created ${ami.creationDate})`;
  if (hours > plan.ami.maxAgeHours) {
    checks.push({
      name: 'ami',
      status: 'warn',
      detail: `newest ${selector} is ${ami.imageId}, ${age}, older than plan.compute.ami.maxAgeHours (${plan.ami.maxAgeHours}): bake and copy a fresh image`,
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

function capacityCheck(group: AutoScalingGroup, plan: ScaleStandbyPlan): ReadinessCheck {
  const current = capacityOf(group);
  const target = targetCapacity(current, plan.capacity);
  const below = (['min', 'desired', 'max'] as const).filter((k) => plan.capacity[k] < current[k]);
  const transition = `${formatCapacity(current)} -> ${formatCapacity(target)}`;
  if (below.length > 0) {
    return {
      name: 'capacity',
      status: 'warn',
      detail: `Auto Scaling group ${group.AutoScalingGroupName}: plan.compute.capacity ${below.join(', ')} is below the current value and the runbook never lowers capacity (${transition}): raise the plan to match the group`,
    };
  }
  return {
    name: 'capacity',
    status: 'pass',
    detail: `Auto Scaling group ${group.AutoScalingGroupName}: ${transition}`,
  };
}
