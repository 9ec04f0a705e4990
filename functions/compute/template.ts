// Launch template versions: read the group's version, create one pointing at the newest AMI, and
// delete the one a drill created. Versions this runbook creates carry the run id and the resource
// id in their description: two groups of one plan may share a launch template, and each group's
// start, re-run and revert recognise only the versions made for that group.
import {
  CreateLaunchTemplateVersionCommand,
  DeleteLaunchTemplateVersionsCommand,
  type DeleteLaunchTemplateVersionsCommandOutput,
  DescribeLaunchTemplateVersionsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { awsCall } from '../shared/aws-errors.ts';
import { AwsRequestError, LaunchTemplateNotFoundError } from '../shared/errors.ts';

/** EC2 error codes meaning the template or the version does not exist. */
export const TEMPLATE_NOT_FOUND = [
  'InvalidLaunchTemplateId.NotFound',
  'InvalidLaunchTemplateId.VersionNotFound',
  'InvalidLaunchTemplateName.NotFoundException',
  'InvalidLaunchTemplateId.Malformed',
] as const;

export interface TemplateVersion {
  launchTemplateId: string;
  versionNumber: number;
  imageId?: string;
  description?: string;
  /** The instance profile it launches with (ARN or name): launching needs iam:PassRole on its role. */
  instanceProfile?: string;
}

/** Who creates a version: the run, for one of the plan's resources. */
export interface VersionOwner {
  runId: string;
  resourceId: string;
}

/** Description of a version created by this run for this resource: `dr-runbook <run id> <resource id>: <ami>`. */
export function versionDescription(owner: VersionOwner, imageId: string): string {
  return `dr-runbook ${owner.runId} ${owner.resourceId}: ${imageId}`;
}

/** Whether this run created the version for this resource (another resource's version is not its own). */
export function createdByRun(version: TemplateVersion, owner: VersionOwner): boolean {
  return version.description?.startsWith(`dr-runbook ${owner.runId} ${owner.resourceId}: `) ?? false;
}

/**
 * Whether this run created the version for another of the plan's resources (a group sharing the
 * launch template, which its revert deletes): never a version this group may stay on.
 */
export function createdForAnotherResource(version: TemplateVersion, owner: VersionOwner): boolean {
  return (
    (version.description?.startsWith(`dr-runbook ${owner.runId} `) ?? false) && !createdByRun(version, owner)
  );
}

function templateLabel(template: { launchTemplateId?: string; launchTemplateName?: string }): string {
  return `launch template ${template.launchTemplateId ?? template.launchTemplateName}`;
}

/** One version ("$Latest", "$Default" or a number); throws LaunchTemplateNotFoundError when missing. */
export async function describeVersion(
  client: EC2Client,
  template: { launchTemplateId?: string; launchTemplateName?: string },
  version: string,
  operation: string,
): Promise<TemplateVersion> {
  const resource = `${templateLabel(template)} version ${version}`;
  const out = await awsCall(
    { resource, operation, notFound: { names: TEMPLATE_NOT_FOUND, error: LaunchTemplateNotFoundError } },
    () =>
      client.send(
        new DescribeLaunchTemplateVersionsCommand({
          ...(template.launchTemplateId
            ? { LaunchTemplateId: template.launchTemplateId }
            : { LaunchTemplateName: template.launchTemplateName }),
          Versions: [version],
        }),
      ),
  );
  const found = out.LaunchTemplateVersions?.[0];
  if (!found?.LaunchTemplateId || found.VersionNumber === undefined) {
    throw new LaunchTemplateNotFoundError(`${resource} not found while trying to ${operation}`, resource);
  }
  return {
    launchTemplateId: found.LaunchTemplateId,
    versionNumber: found.VersionNumber,
    ...(found.LaunchTemplateData?.ImageId ? { imageId: found.LaunchTemplateData.ImageId } : {}),
    ...(found.VersionDescription ? { description: found.VersionDescription } : {}),
    ...(found.LaunchTemplateData?.IamInstanceProfile
      ? {
          instanceProfile:
            found.LaunchTemplateData.IamInstanceProfile.Arn ??
            found.LaunchTemplateData.IamInstanceProfile.Name ??
            '',
        }
      : {}),
  };
}

/** Like describeVersion, but undefined when the template or version does not exist. */
export async function findVersion(
  client: EC2Client,
  launchTemplateId: string,
  version: string,
  operation: string,
): Promise<TemplateVersion | undefined> {
  try {
    return await describeVersion(client, { launchTemplateId }, version, operation);
  } catch (error) {
    if (error instanceof LaunchTemplateNotFoundError) return undefined;
    throw error;
  }
}

/** A new version of the template, copied from `sourceVersion`, launching `imageId`. */
export async function createVersion(
  client: EC2Client,
  launchTemplateId: string,
  sourceVersion: number,
  imageId: string,
  owner: VersionOwner,
): Promise<TemplateVersion> {
  const resource = `launch template ${launchTemplateId}`;
  const operation = `create a version launching ${imageId}`;
  const description = versionDescription(owner, imageId);
  const out = await awsCall(
    { resource, operation, notFound: { names: TEMPLATE_NOT_FOUND, error: LaunchTemplateNotFoundError } },
    () =>
      client.send(
        new CreateLaunchTemplateVersionCommand({
          LaunchTemplateId: launchTemplateId,
          SourceVersion: String(sourceVersion),
          VersionDescription: description,
          LaunchTemplateData: { ImageId: imageId },
        }),
      ),
  );
  const created = out.LaunchTemplateVersion;
  if (created?.VersionNumber === undefined) {
    throw new AwsRequestError(
      `${resource}: CreateLaunchTemplateVersion returned no version number`,
      resource,
    );
  }
  return { launchTemplateId, versionNumber: created.VersionNumber, imageId, description };
}

/** Deletes versions; a version or template that is already gone counts as deleted. */
export async function deleteVersions(
  client: EC2Client,
  launchTemplateId: string,
  versions: number[],
): Promise<void> {
  if (versions.length === 0) return;
  const resource = `launch template ${launchTemplateId} version ${versions.join(', ')}`;
  let out: DeleteLaunchTemplateVersionsCommandOutput;
  try {
    out = await awsCall(
      {
        resource,
        operation: 'delete the version the drill created',
        notFound: { names: TEMPLATE_NOT_FOUND, error: LaunchTemplateNotFoundError },
      },
      () =>
        client.send(
          new DeleteLaunchTemplateVersionsCommand({
            LaunchTemplateId: launchTemplateId,
            Versions: versions.map(String),
          }),
        ),
    );
  } catch (error) {
    if (error instanceof LaunchTemplateNotFoundError) return;
    throw error;
  }
  const failed = (out.UnsuccessfullyDeletedLaunchTemplateVersions ?? []).filter(
    (item) =>
      item.ResponseError?.Code !== 'launchTemplateVersionDoesNotExist' &&
      item.ResponseError?.Code !== 'launchTemplateIdDoesNotExist',
  );
  if (failed.length > 0) {
    const why = failed.map(
      (f) => `version ${f.VersionNumber}: ${f.ResponseError?.Code} ${f.ResponseError?.Message ?? ''}`,
    );
    throw new AwsRequestError(`could not delete ${resource} (${why.join('; ')})`, resource);
  }
}
