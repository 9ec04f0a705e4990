// The newest available AMI carrying every tag a resource's `ami` names, in the recovery region.
import { DescribeImagesCommand, type EC2Client, type Filter } from '@aws-sdk/client-ec2';
import type { ResourceOfType } from '../../plan/schema.ts';
import { awsCall } from '../shared/aws-errors.ts';

type AmiPlan = ResourceOfType<'auto-scaling-group'>['ami'];

export interface Ami {
  imageId: string;
  name?: string;
  creationDate: string;
}

/** How the plan's AMI selector reads in messages. */
export function describeAmiSelector(ami: AmiPlan): string {
  const tags = Object.entries(ami.tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return `AMI tagged ${tags} (owners ${ami.owners.join(', ')})`;
}

/** The newest matching AMI by CreationDate, or undefined when none is available. */
export async function newestAmi(
  client: EC2Client,
  ami: AmiPlan,
  operation: string,
): Promise<Ami | undefined> {
  const Filters: Filter[] = [
    ...Object.entries(ami.tags).map(([key, value]) => ({ Name: `tag:${key}`, Values: [value] })),
    { Name: 'state', Values: ['available'] },
  ];
  let newest: Ami | undefined;
  let NextToken: string | undefined;
  do {
    const page = await awsCall({ resource: describeAmiSelector(ami), operation }, () =>
      client.send(
        new DescribeImagesCommand({ Owners: ami.owners, Filters, ...(NextToken ? { NextToken } : {}) }),
      ),
    );
    for (const image of page.Images ?? []) {
      if (!image.ImageId || !image.CreationDate) continue;
      if (!newest || Date.parse(image.CreationDate) > Date.parse(newest.creationDate)) {
        newest = {
          imageId: image.ImageId,
          creationDate: image.CreationDate,
          ...(image.Name ? { name: image.Name } : {}),
        };
      }
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return newest;
}

/** Age of an AMI in hours at `now`. */
export function amiAgeHours(ami: Ami, now: Date): number {
  return Math.max(0, (now.getTime() - Date.parse(ami.creationDate)) / 3_600_000);
}
