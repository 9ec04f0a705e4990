// What a restore creates and where: the name of a drill's temporary instance, the tags of
// everything a run creates, and the network and parameter placement of a restored instance.
import { createHash } from 'node:crypto';
import type { DBInstance } from '@aws-sdk/client-rds';
import { TAG_PLAN, TAG_PURPOSE, TAG_RESOURCE, TAG_RUN_ID } from './rds-queries.ts';
import type { RdsEvent } from './state.ts';

/**
 * Identifier of a drill's temporary instance: `drill-<plan>-<8 hex of sha256(run id ":" resource id)>`.
 * Derived only from the run and the resource, so a re-run (or a revert without state) finds the
 * instance it created, and two resources of one plan never share one. The plan name is a slug of
 * at most 40 characters, so the result (at most 55) is a valid RDS identifier: a letter first,
 * letters, digits and single hyphens, no trailing hyphen.
 */
export function drillInstanceId(planName: string, runId: string, resourceId: string): string {
  const hash = createHash('sha256').update(`${runId}:${resourceId}`).digest('hex').slice(0, 8);
  return `drill-${planName}-${hash}`;
}

/** The drill instance of the event's resource in the event's run. */
export function drillInstanceOf(event: RdsEvent): string {
  return drillInstanceId(event.plan.name, event.run.id, event.resourceId);
}

/** Tags of an instance this run creates: the plan's tags, then the runbook's (which win). */
export function runTags(event: RdsEvent): { Key: string; Value: string }[] {
  const tags = {
    ...event.plan.tags,
    [TAG_PLAN]: event.plan.name,
    [TAG_RUN_ID]: event.run.id,
    [TAG_PURPOSE]: event.run.mode === 'drill' ? 'drill' : 'failover',
    [TAG_RESOURCE]: event.resourceId,
  };
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** Where a restored instance lives; an unset field is the AWS default. */
export interface Placement {
  dbSubnetGroupName?: string | undefined;
  vpcSecurityGroupIds?: string[] | undefined;
  dbParameterGroupName?: string | undefined;
}

/**
 * The plan's placement, each unset field copied from `template` (the read replica, so a drill's
 * instance lands where the promoted replica would serve from) where it has one. The parameter
 * group is never copied: unset, the restore uses the engine's default.
 */
export function placementOf(planned: Placement, template?: DBInstance): Placement {
  const templateGroups = (template?.VpcSecurityGroups ?? []).flatMap((g) =>
    g.VpcSecurityGroupId ? [g.VpcSecurityGroupId] : [],
  );
  const subnetGroup = planned.dbSubnetGroupName ?? template?.DBSubnetGroup?.DBSubnetGroupName;
  const securityGroups =
    planned.vpcSecurityGroupIds ?? (templateGroups.length > 0 ? templateGroups : undefined);
  return {
    ...(subnetGroup ? { dbSubnetGroupName: subnetGroup } : {}),
    ...(securityGroups ? { vpcSecurityGroupIds: securityGroups } : {}),
    ...(planned.dbParameterGroupName ? { dbParameterGroupName: planned.dbParameterGroupName } : {}),
  };
}
