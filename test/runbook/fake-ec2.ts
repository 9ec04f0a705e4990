// The fake EC2 of the recovery region: each standby group's launch template (version numbers are
// never reused) and its AMIs, two tagged for the plan and a newer one that is not.
import {
  CreateLaunchTemplateVersionCommand,
  type CreateLaunchTemplateVersionCommandInput,
  DeleteLaunchTemplateVersionsCommand,
  type DeleteLaunchTemplateVersionsCommandInput,
  DescribeImagesCommand,
  type DescribeImagesCommandInput,
  DescribeLaunchTemplateVersionsCommand,
  type DescribeLaunchTemplateVersionsCommandInput,
  DescribeSecurityGroupsCommand,
  type DescribeSecurityGroupsCommandInput,
} from '@aws-sdk/client-ec2';
import { awsError } from '../fixtures.ts';
import { ACCOUNT, type Environment } from './environments.ts';
import { type Handler, hoursAgo } from './fake-handler.ts';

export interface TemplateVersion {
  number: number;
  imageId: string;
  description?: string;
}

export interface LaunchTemplate {
  id: string;
  name: string;
  defaultVersion: number;
  versions: TemplateVersion[];
  /** Version numbers are never reused, even after a delete. */
  nextVersion: number;
}

export interface Image {
  id: string;
  createdAt: Date;
  tags: Record<string, string>;
}

type TemplateRef = { LaunchTemplateId?: string | undefined; LaunchTemplateName?: string | undefined };

export class FakeEc2 {
  readonly templates = new Map<string, LaunchTemplate>();
  readonly images: Image[] = [];

  constructor(env: Environment, now: Date) {
    for (const { launchTemplate: lt, amis } of env.groups) {
      const first = { number: 1, imageId: amis.older.id, description: 'baked by the pipeline' };
      this.templates.set(lt.id, {
        id: lt.id,
        name: lt.name,
        defaultVersion: 1,
        versions: [first],
        nextVersion: 2,
      });
      const image = (id: string, ageHours: number, tags: Record<string, string>) => {
        if (!this.images.some((known) => known.id === id))
          this.images.push({ id, createdAt: hoursAgo(now, ageHours), tags });
      };
      for (const ami of [amis.older, amis.newer]) image(ami.id, ami.ageHours, { ...amis.tags });
      image(amis.untagged.id, amis.untagged.ageHours, { role: 'batch' });
    }
  }

  handlers(): Handler[] {
    return [
      [
        DescribeLaunchTemplateVersionsCommand,
        (input: DescribeLaunchTemplateVersionsCommandInput) => this.describeVersions(input),
      ],
      [
        CreateLaunchTemplateVersionCommand,
        (input: CreateLaunchTemplateVersionCommandInput) => this.create(input),
      ],
      [
        DeleteLaunchTemplateVersionsCommand,
        (input: DeleteLaunchTemplateVersionsCommandInput) => this.delete(input),
      ],
      [DescribeImagesCommand, (input: DescribeImagesCommandInput) => this.describeImages(input)],
      // The security groups a plan names exist (their absence is a unit test's case).
      [
        DescribeSecurityGroupsCommand,
        (input: DescribeSecurityGroupsCommandInput) => ({
          SecurityGroups: (input.GroupIds ?? []).map((GroupId) => ({ GroupId })),
        }),
      ],
    ];
  }

  /** "$Latest", "$Default" or a number, as a launch template resolves it. */
  resolve(template: LaunchTemplate, version: string): TemplateVersion | undefined {
    const latest = Math.max(...template.versions.map((v) => v.number));
    const wanted =
      version === '$Latest' ? latest : version === '$Default' ? template.defaultVersion : Number(version);
    return template.versions.find((v) => v.number === wanted);
  }

  private find(ref: TemplateRef): LaunchTemplate {
    const template = [...this.templates.values()].find(
      (t) => t.id === ref.LaunchTemplateId || t.name === ref.LaunchTemplateName,
    );
    if (template) return template;
    throw ref.LaunchTemplateId
      ? awsError(
          'InvalidLaunchTemplateId.NotFound',
          400,
          `launch template ${ref.LaunchTemplateId} does not exist`,
        )
      : awsError(
          'InvalidLaunchTemplateName.NotFoundException',
          400,
          `launch template ${ref.LaunchTemplateName} does not exist`,
        );
  }

  private versionNotFound(template: LaunchTemplate, version: string): Error {
    return awsError(
      'InvalidLaunchTemplateId.VersionNotFound',
      400,
      `no version ${version} of ${template.id}`,
    );
  }

  private shape(template: LaunchTemplate, version: TemplateVersion) {
    return {
      LaunchTemplateId: template.id,
      LaunchTemplateName: template.name,
      VersionNumber: version.number,
      DefaultVersion: version.number === template.defaultVersion,
      ...(version.description ? { VersionDescription: version.description } : {}),
      LaunchTemplateData: { ImageId: version.imageId, InstanceType: 't3.small' },
    };
  }

  private describeVersions(input: DescribeLaunchTemplateVersionsCommandInput) {
    const template = this.find(input);
    const versions = (input.Versions ?? ['$Default']).map((wanted) => {
      const version = this.resolve(template, wanted);
      if (!version) throw this.versionNotFound(template, wanted);
      return this.shape(template, version);
    });
    return { LaunchTemplateVersions: versions };
  }

  private create(input: CreateLaunchTemplateVersionCommandInput) {
    const template = this.find(input);
    const source = input.SourceVersion ? this.resolve(template, input.SourceVersion) : undefined;
    if (input.SourceVersion && !source) throw this.versionNotFound(template, input.SourceVersion);
    const imageId = input.LaunchTemplateData?.ImageId ?? source?.imageId;
    if (!imageId) throw awsError('InvalidParameterValue', 400, 'the new version launches no image');
    const version: TemplateVersion = {
      number: template.nextVersion,
      imageId,
      ...(input.VersionDescription ? { description: input.VersionDescription } : {}),
    };
    template.nextVersion += 1;
    template.versions.push(version);
    return { LaunchTemplateVersion: this.shape(template, version) };
  }

  private delete(input: DeleteLaunchTemplateVersionsCommandInput) {
    const template = this.find(input);
    const ok: { LaunchTemplateId: string; VersionNumber: number }[] = [];
    const refused: { LaunchTemplateId: string; VersionNumber: number; ResponseError: { Code: string } }[] =
      [];
    for (const number of (input.Versions ?? []).map(Number)) {
      const exists = template.versions.some((v) => v.number === number);
      const code =
        number === template.defaultVersion
          ? 'launchTemplateVersionIsDefault'
          : exists
            ? undefined
            : 'launchTemplateVersionDoesNotExist';
      if (code)
        refused.push({ LaunchTemplateId: template.id, VersionNumber: number, ResponseError: { Code: code } });
      else {
        template.versions = template.versions.filter((v) => v.number !== number);
        ok.push({ LaunchTemplateId: template.id, VersionNumber: number });
      }
    }
    return {
      SuccessfullyDeletedLaunchTemplateVersions: ok,
      UnsuccessfullyDeletedLaunchTemplateVersions: refused,
    };
  }

  private describeImages(input: DescribeImagesCommandInput) {
    const matches = (image: Image) =>
      (input.Filters ?? []).every(({ Name = '', Values = [] }) =>
        Name === 'state'
          ? Values.includes('available')
          : Name.startsWith('tag:') && Values.includes(image.tags[Name.slice(4)] ?? ''),
      );
    return {
      Images: this.images.filter(matches).map((image) => ({
        ImageId: image.id,
        Name: `image-${image.id}`,
        CreationDate: image.createdAt.toISOString(),
        State: 'available',
        OwnerId: ACCOUNT,
        Tags: Object.entries(image.tags).map(([Key, Value]) => ({ Key, Value })),
      })),
    };
  }
}
