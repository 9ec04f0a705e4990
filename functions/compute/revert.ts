// Revert of an auto-scaling-group drill: restore the group's previous capacity and launch template
// version, delete the version the drill created for it, then remove the runbook's tags (last, so a
// crash half-way still leaves the record of the previous configuration). Auto Scaling terminates
// the extra instances asynchronously, so revert polls itself: it is done only once the group is
// back at its previous capacity with no more instances left than that capacity desires.
//
// The first call finds what the run changed from its tags (or start's state); every later call
// gets the first call's state back, by when the tags are gone: the state says what was restored.
// It acts only on the resource's own group, and only on what carries this run's id AND this
// resource's id (tags, launch template version descriptions): another group of the same plan, or
// a version made for it, is never touched.
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import type { EC2Client } from '@aws-sdk/client-ec2';
import * as z from '../../plan/zod.ts';
import { nonEmptyString } from '../../plan/zod.ts';
import { DrRunbookError, InvalidResourceStateError, InvalidStepInputError } from '../shared/errors.ts';
import { nextCheckSeconds, secondsBetween } from '../shared/polling.ts';
import type { Change, ProgressResult, StepContext } from '../shared/step-contract.ts';
import type { ComputeClients } from './clients.ts';
import {
  capacityOf,
  deleteRunTags,
  describeGroup,
  describeOwner,
  fieldPath,
  type GroupEvent,
  groupNotFound,
  groupRefOf,
  RUN_TAG_KEYS,
  runTagsOf,
  tagged,
  taggedBy,
  templateRefOf,
  updateGroup,
  updateInput,
} from './group.ts';
import { revertProgress } from './progress.ts';
import {
  type ComputeState,
  computeStateSchema,
  decodePrevious,
  formatCapacity,
  optionalState,
  PREVIOUS_TAG,
  type Previous,
  previousSchema,
  RUN_ID_TAG,
  sameCapacity,
} from './state.ts';
import { createdByRun, deleteVersions, findVersion, type VersionOwner } from './template.ts';

const OPERATION = 'revert the drill';

const isoTime = z.iso.datetime({ offset: true });

/** What a revert call hands the next one (the state machine polls revert with its own state). */
const revertStateSchema = z.object({
  groupName: nonEmptyString,
  /** When the first revert call ran: the polling interval grows from it. */
  revertStartedAt: isoTime,
  /** The same time, under the name the deadline and the report's timeline read. */
  startedAt: isoTime,
  /** The configuration the group was restored to; absent while nothing of the run was found. */
  restored: z.optional(previousSchema),
  /** When a call first found nothing of this run on the group; the next call confirms it. */
  nothingSeenAt: z.optional(isoTime),
  /** Launch template versions of this run a call deleted: the next call confirms they are gone. */
  deletedVersions: z.optional(z.array(z.number())),
});
export type ComputeRevertState = z.output<typeof revertStateSchema>;

/** The state of a later revert call, and start's state when the first call was given it. */
function statesOf(event: GroupEvent): { resumed?: ComputeRevertState; start?: ComputeState } {
  const resumed = revertStateSchema.safeParse(event.state);
  if (!resumed.success) {
    const start = optionalState(event);
    return start ? { start } : {};
  }
  const start = computeStateSchema.safeParse(event.state);
  return { resumed: resumed.data, ...(start.success ? { start: start.data } : {}) };
}

export async function revertGroup(
  event: GroupEvent,
  clients: ComputeClients,
  context: StepContext,
): Promise<ProgressResult> {
  const { resumed, start: state } = statesOf(event);
  const ref = groupRefOf(event);
  const name = ref.name;
  for (const stated of [resumed?.groupName, state?.groupName]) {
    if (stated !== undefined && stated !== name) {
      throw new InvalidStepInputError(
        `compute revert of ${event.resourceId} got the state of Auto Scaling group ${stated}, but ${fieldPath(event, 'autoScalingGroupName')} is ${name}: a revert acts only on its own resource's group`,
        'compute state',
      );
    }
  }
  const runId = event.run.id;
  const owner: VersionOwner = { runId, resourceId: event.resourceId };
  const now = context.now();
  const revertStartedAt = resumed?.revertStartedAt ?? now.toISOString();
  const elapsed = secondsBetween(revertStartedAt, now);
  const revertState = (fields: Partial<ComputeRevertState>): ComputeRevertState => ({
    ...(state ?? {}),
    groupName: name,
    revertStartedAt,
    startedAt: revertStartedAt,
    ...fields,
  });
  const result = (
    done: boolean,
    detail: string,
    nextState: Record<string, unknown>,
    changes: Change[] = [],
  ): ProgressResult => ({
    family: 'compute',
    action: 'revert',
    done,
    nextCheckSeconds: done ? 0 : nextCheckSeconds(elapsed),
    detail,
    state: nextState,
    changes,
  });

  const group = await describeGroup(clients.autoScaling, ref, OPERATION);
  if (!group) {
    if (state || resumed?.restored) throw groupNotFound(ref, OPERATION);
    return result(
      true,
      `Auto Scaling group ${name} not found and compute start recorded nothing: nothing to revert`,
      {},
    );
  }
  const tags = runTagsOf(group);
  const ours = taggedBy(tags, runId, event.resourceId);
  if (tagged(tags) && !ours) {
    throw new InvalidResourceStateError(
      `Auto Scaling group ${name} carries ${describeOwner(tags)}, not this run and resource (${RUN_ID_TAG}=${runId}, ${event.resourceId}): refusing to change a group this run did not scale for this resource; revert run ${tags.runId ?? '(unknown)'} instead`,
      name,
    );
  }
  const previous = resumed?.restored ?? state?.previous ?? (ours ? decodePrevious(tags.previous) : undefined);
  if (!previous) {
    if (ours) {
      throw new InvalidResourceStateError(
        `Auto Scaling group ${name}: its ${PREVIOUS_TAG} tag is unreadable (${tags.previous ?? 'missing'}), so the previous configuration is unknown: restore it by hand, then delete the ${RUN_TAG_KEYS} tags`,
        name,
      );
    }
    // Nothing of this run on the group. A start still in flight may tag it a moment later, so
    // that is trusted only when the next call finds nothing either.
    if (resumed?.nothingSeenAt) {
      return result(
        true,
        `Auto Scaling group ${name}: compute start recorded nothing for run ${runId} and resource ${event.resourceId} (looked twice, ${Math.round(secondsBetween(resumed.nothingSeenAt, now))} s apart): nothing to revert`,
        revertState({}),
      );
    }
    return result(
      false,
      `Auto Scaling group ${name} carries no tags of run ${runId} for resource ${event.resourceId}: looking again before calling it untouched`,
      revertState({ nothingSeenAt: now.toISOString() }),
    );
  }

  const changes: Change[] = [];
  // Without our tags the revert already completed, unless the tags alone were lost and the group
  // is still exactly as start left it, or a start of this run still in flight changed the group
  // after an earlier revert call restored it (it then points at a version this run created).
  const launchTemplateId = state?.launchTemplateId ?? previous.launchTemplateId;
  const lateVersion = ours ? undefined : await versionOfThisRun(clients.ec2, group, previous, owner);
  let updated = false;
  if (ours || (state && stillAsStartLeftIt(group, state)) || lateVersion !== undefined) {
    const update = updateInput(group, previous, previous);
    if (update) {
      await updateGroup(clients.autoScaling, ref, update, OPERATION);
      updated = true;
      changes.push({
        resource: name,
        action: 'restore',
        detail: `${formatCapacity(capacityOf(group))} -> ${formatCapacity(previous)}, launch template ${previous.launchTemplateId} version ${previous.version}`,
      });
    }
  }

  // Versions to look at: the one start recorded, else (from the tags) the group's and $Latest. A
  // later call looks again only when the run's tags are back; a version of this run the group
  // points at was found above.
  const candidates =
    resumed && !ours
      ? []
      : state?.createdVersion !== undefined
        ? [String(state.createdVersion)]
        : ours
          ? [templateRefOf(group)?.version ?? '$Latest', '$Latest']
          : [];
  // A delete is never trusted on its word (a not-found may be wrong): versions deleted by an earlier
  // call are looked up again, and deleted again if they are still there.
  const toConfirm = resumed?.deletedVersions ?? [];
  const found = new Set(
    await versionsCreatedByRun(
      clients.ec2,
      launchTemplateId,
      [...candidates, ...toConfirm.map(String)],
      owner,
    ),
  );
  if (lateVersion !== undefined) found.add(lateVersion);
  const created = [...found];
  // What is still on the group if this call fails half way, named in the error the report shows.
  const leftOnGroup = ours ? `; group ${name} still carries the tags ${RUN_TAG_KEYS}` : '';
  if (created.length > 0) {
    await withLeftovers(`${leftOnGroup}: run "dr-runbook revert ${runId}" once the cause is fixed`, () =>
      deleteVersions(clients.ec2, launchTemplateId, created),
    );
    changes.push({
      resource: launchTemplateId,
      action: 'delete-launch-template-version',
      detail: `version ${created.join(', ')} created by run ${runId} for ${event.resourceId}`,
    });
  }
  if (ours) {
    await withLeftovers(
      `: Auto Scaling group ${name} still carries the tags ${RUN_TAG_KEYS}; run "dr-runbook revert ${runId}"`,
      () => deleteRunTags(clients.autoScaling, ref),
    );
    changes.push({ resource: name, action: 'untag', detail: RUN_TAG_KEYS });
  }

  const restored = `launch template ${previous.launchTemplateId} version ${previous.version}`;
  const deletedVersions = [...new Set([...toConfirm, ...created])];
  const nextState = revertState({
    restored: previous,
    ...(deletedVersions.length > 0 ? { deletedVersions } : {}),
  });
  if (created.length > 0 && !updated) {
    return result(
      false,
      `deleted launch template ${launchTemplateId} version ${created.join(', ')} of run ${runId}; the next look confirms they are gone`,
      nextState,
      changes,
    );
  }
  if (updated) {
    return result(
      false,
      `Auto Scaling group ${name} set back to ${formatCapacity(previous)}, ${restored}; waiting until it is at that capacity with the extra instances terminating`,
      nextState,
      changes,
    );
  }
  const progress = revertProgress(group, previous);
  if (!progress.settled) return result(false, progress.detail, nextState, changes);
  return result(
    true,
    changes.length > 0 || resumed?.restored
      ? `${progress.detail}, ${restored}: revert done`
      : `${progress.detail}, ${restored}: nothing left to revert`,
    nextState,
    changes,
  );
}

/** Runs a cleanup call; its error (same class, so retries still apply) also names `leftovers`. */
async function withLeftovers<T>(leftovers: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof DrRunbookError)) throw error;
    const Same = error.constructor as new (
      message: string,
      resource: string,
      options?: { cause?: unknown },
    ) => DrRunbookError;
    throw new Same(`${error.message}${leftovers}`, error.resource, { cause: error });
  }
}

function stillAsStartLeftIt(group: AutoScalingGroup, state: ComputeState): boolean {
  return (
    sameCapacity(capacityOf(group), state.target) && templateRefOf(group)?.version === state.targetVersion
  );
}

/**
 * The number of the version the group references when it differs from `previous` and this run
 * created it: the evidence, without tags, that this run changed the group (after an earlier
 * revert call restored it, by a start that was still in flight).
 */
async function versionOfThisRun(
  client: EC2Client,
  group: AutoScalingGroup,
  previous: Previous,
  owner: VersionOwner,
): Promise<number | undefined> {
  const ref = templateRefOf(group);
  if (!ref || ref.version === previous.version) return undefined;
  const launchTemplateId = ref.launchTemplateId ?? previous.launchTemplateId;
  const version = await findVersion(client, launchTemplateId, ref.version, OPERATION);
  return version && createdByRun(version, owner) ? version.versionNumber : undefined;
}

/** Version numbers among `candidates` that exist and were created by this run for this resource (checked, never assumed). */
async function versionsCreatedByRun(
  client: EC2Client,
  launchTemplateId: string,
  candidates: string[],
  owner: VersionOwner,
): Promise<number[]> {
  const found = new Set<number>();
  for (const candidate of new Set(candidates)) {
    const version = await findVersion(client, launchTemplateId, candidate, OPERATION);
    if (version && createdByRun(version, owner)) found.add(version.versionNumber);
  }
  return [...found];
}
