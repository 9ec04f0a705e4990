// Revert of a scale-standby drill: restore the group's previous capacity and launch template
// version, delete the version the drill created, then remove the runbook's tags (last, so a
// crash half-way still leaves the record of the previous configuration). Auto Scaling terminates
// the extra instances asynchronously, so revert polls itself: it is done only once the group is
// back at its previous capacity with no more instances left than that capacity desires.
//
// The first call finds what the run changed from its tags (or start's state); every later call
// gets the first call's state back, by when the tags are gone: the state says what was restored.
import type { AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import type { EC2Client } from '@aws-sdk/client-ec2';
import * as z from '../../plan/zod.ts';
import { nonEmptyString } from '../../plan/zod.ts';
import { DrRunbookError, InvalidResourceStateError } from '../shared/errors.ts';
import { nextCheckSeconds, secondsBetween } from '../shared/polling.ts';
import type { Change, ProgressResult, StepContext, StepEvent } from '../shared/step-contract.ts';
import type { ComputeClients } from './clients.ts';
import {
  capacityOf,
  deleteRunTags,
  describeGroup,
  groupNotFound,
  runTagsOf,
  templateRefOf,
  updateGroup,
  updateInput,
} from './group.ts';
import { scaleStandbyPlan } from './plan.ts';
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
import { createdByRun, deleteVersions, findVersion } from './template.ts';

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
function statesOf(event: StepEvent): { resumed?: ComputeRevertState; start?: ComputeState } {
  const resumed = revertStateSchema.safeParse(event.state);
  if (!resumed.success) {
    const start = optionalState(event);
    return start ? { start } : {};
  }
  const start = computeStateSchema.safeParse(event.state);
  return { resumed: resumed.data, ...(start.success ? { start: start.data } : {}) };
}

export async function scaleStandbyRevert(
  event: StepEvent,
  clients: ComputeClients,
  context: StepContext,
): Promise<ProgressResult> {
  const { resumed, start: state } = statesOf(event);
  const name = resumed?.groupName ?? state?.groupName ?? scaleStandbyPlan(event).autoScalingGroupName;
  const runId = event.run.id;
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

  const group = await describeGroup(clients.autoScaling, name, OPERATION);
  if (!group) {
    if (state || resumed?.restored) throw groupNotFound(name, OPERATION);
    return result(
      true,
      `Auto Scaling group ${name} not found and compute start recorded nothing: nothing to revert`,
      {},
    );
  }
  const tags = runTagsOf(group);
  if (tags.runId !== undefined && tags.runId !== runId) {
    throw new InvalidResourceStateError(
      `Auto Scaling group ${name} carries ${RUN_ID_TAG}=${tags.runId}, not this run (${runId}): refusing to change a group this run did not scale; revert run ${tags.runId} instead`,
      name,
    );
  }
  const ours = tags.runId === runId;
  const previous = resumed?.restored ?? state?.previous ?? (ours ? decodePrevious(tags.previous) : undefined);
  if (!previous) {
    if (ours) {
      throw new InvalidResourceStateError(
        `Auto Scaling group ${name}: its ${PREVIOUS_TAG} tag is unreadable (${tags.previous ?? 'missing'}), so the previous configuration is unknown: restore it by hand, then delete the ${RUN_ID_TAG} and ${PREVIOUS_TAG} tags`,
        name,
      );
    }
    // Nothing of this run on the group. A start still in flight may tag it a moment later, so
    // that is trusted only when the next call finds nothing either.
    if (resumed?.nothingSeenAt) {
      return result(
        true,
        `Auto Scaling group ${name}: compute start recorded nothing for run ${runId} (looked twice, ${Math.round(secondsBetween(resumed.nothingSeenAt, now))} s apart): nothing to revert`,
        revertState({}),
      );
    }
    return result(
      false,
      `Auto Scaling group ${name} carries no ${RUN_ID_TAG} tag of run ${runId}: looking again before calling it untouched`,
      revertState({ nothingSeenAt: now.toISOString() }),
    );
  }

  const changes: Change[] = [];
  // Without our tags the revert already completed, unless the tags alone were lost and the group
  // is still exactly as start left it, or a start of this run still in flight changed the group
  // after an earlier revert call restored it (it then points at a version this run created).
  const launchTemplateId = state?.launchTemplateId ?? previous.launchTemplateId;
  const lateVersion = ours ? undefined : await versionOfThisRun(clients.ec2, group, previous, runId);
  let updated = false;
  if (ours || (state && stillAsStartLeftIt(group, state)) || lateVersion !== undefined) {
    const update = updateInput(group, previous, previous);
    if (update) {
      await updateGroup(clients.autoScaling, update, OPERATION);
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
      runId,
    ),
  );
  if (lateVersion !== undefined) found.add(lateVersion);
  const created = [...found];
  // What is still on the group if this call fails half way, named in the error the report shows.
  const leftOnGroup = ours ? `; group ${name} still carries the tags ${RUN_ID_TAG} and ${PREVIOUS_TAG}` : '';
  if (created.length > 0) {
    await withLeftovers(`${leftOnGroup}: run "dr-runbook revert ${runId}" once the cause is fixed`, () =>
      deleteVersions(clients.ec2, launchTemplateId, created),
    );
    changes.push({
      resource: launchTemplateId,
      action: 'delete-launch-template-version',
      detail: `version ${created.join(', ')} created by run ${runId}`,
    });
  }
  if (ours) {
    await withLeftovers(
      `: Auto Scaling group ${name} still carries the tags ${RUN_ID_TAG} and ${PREVIOUS_TAG}; run "dr-runbook revert ${runId}"`,
      () => deleteRunTags(clients.autoScaling, name),
    );
    changes.push({ resource: name, action: 'untag', detail: `${RUN_ID_TAG}, ${PREVIOUS_TAG}` });
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
  runId: string,
): Promise<number | undefined> {
  const ref = templateRefOf(group);
  if (!ref || ref.version === previous.version) return undefined;
  const launchTemplateId = ref.launchTemplateId ?? previous.launchTemplateId;
  const version = await findVersion(client, launchTemplateId, ref.version, OPERATION);
  return version && createdByRun(version, runId) ? version.versionNumber : undefined;
}

/** Version numbers among `candidates` that exist and were created by this run (checked, never assumed). */
async function versionsCreatedByRun(
  client: EC2Client,
  launchTemplateId: string,
  candidates: string[],
  runId: string,
): Promise<number[]> {
  const found = new Set<number>();
  for (const candidate of new Set(candidates)) {
    const version = await findVersion(client, launchTemplateId, candidate, OPERATION);
    if (version && createdByRun(version, runId)) found.add(version.versionNumber);
  }
  return [...found];
}
