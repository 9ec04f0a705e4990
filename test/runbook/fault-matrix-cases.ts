// The fault matrix's table: the faults injected on one AWS command, and the not-found error each
// service answers. Which commands are faulted is not listed here: the matrix records the calls a
// clean failover and a clean drill make (fault-matrix.test.ts), so a new call is covered at once.
import { SDK_REQUEST_TIMEOUT_MS } from '../../functions/shared/clients.ts';
import { accessDenied, awsError } from '../fixtures.ts';
import type { Service } from './fake-aws.ts';

export type Mode = 'failover' | 'drill';

export interface Fault {
  /** Short name, used in case and execution names. */
  readonly name: string;
  /** The error thrown for a call of `command` of `service`. */
  readonly error: (service: Service, command: string) => () => Error;
  /** How many calls fail: a transient blip; absent: every call, for the whole case. */
  readonly times?: number;
}

/** The AWS SDK's error for a request unanswered within the client's requestTimeout (@smithy/node-http-handler). */
export const requestTimeout = () =>
  Object.assign(new Error(`Request did not complete within ${SDK_REQUEST_TIMEOUT_MS} ms`), {
    name: 'TimeoutError',
    code: 'ETIMEDOUT',
    $metadata: {},
  });

/** What each service answers when the resource a command names does not exist. */
export function notFound(service: Service, command: string): () => Error {
  switch (service) {
    case 'rds':
      return /Snapshot/.test(command)
        ? () => awsError('DBSnapshotNotFoundFault', 404, 'DBSnapshot shop-db-copy-latest not found.')
        : () => awsError('DBInstanceNotFoundFault', 404, 'DBInstance shop-db-replica not found.');
    case 'autoscaling':
      return () => awsError('ValidationError', 400, 'AutoScalingGroup name not found - shop-web-standby');
    case 'ec2':
      if (command === 'DescribeSecurityGroups')
        return () => awsError('InvalidGroup.NotFound', 400, "The security group 'sg-0shopdb' does not exist");
      return command === 'DescribeImages'
        ? () => awsError('InvalidAMIID.NotFound', 400, "The image id '[ami-0shopnewer]' does not exist")
        : () =>
            awsError(
              'InvalidLaunchTemplateId.NotFound',
              400,
              'launch template lt-0shopweb00000001 does not exist',
            );
    case 'kms':
      return () =>
        awsError('NotFoundException', 400, 'Key arn:aws:kms:us-west-2:123456789012:key/x does not exist');
    case 'route53':
      return command === 'GetChange'
        ? () => awsError('NoSuchChange', 404, 'A change with the specified change ID does not exist.')
        : () => awsError('NoSuchHostedZone', 404, 'No hosted zone found with ID: Z0SHOPEXAMPLE');
    case 'cloudwatch':
      return () => awsError('ResourceNotFound', 404, 'alarm shop-recovery-5xx does not exist');
    case 'dynamodb':
      return () => awsError('ResourceNotFoundException', 400, 'Requested resource not found');
    case 'sns':
      return () => awsError('NotFound', 404, 'Topic does not exist');
    case 'sfn':
      return () => awsError('ExecutionDoesNotExist', 400, 'Execution Does Not Exist');
    case 's3':
      return () => awsError('NoSuchBucket', 404, 'The specified bucket does not exist');
    case 'lambda':
      return () => awsError('ResourceNotFoundException', 404, 'Function not found');
  }
}

const throttled = () => awsError('ThrottlingException', 400, 'Rate exceeded');
const unavailable = () => awsError('ServiceUnavailable', 503, 'Service Unavailable');

export const FAULTS: readonly Fault[] = [
  { name: 'throttled', error: () => throttled },
  { name: 'throttled-x2', error: () => throttled, times: 2 },
  { name: '5xx', error: () => unavailable },
  { name: '5xx-x2', error: () => unavailable, times: 2 },
  { name: 'timeout', error: () => requestTimeout },
  { name: 'denied', error: () => accessDenied },
  { name: 'not-found', error: notFound },
];

export interface Command {
  readonly service: Service;
  readonly command: string;
}

export interface FaultCase extends Command {
  readonly mode: Mode;
  readonly fault: Fault;
}

export const caseName = (c: FaultCase) => `${c.mode} × ${c.service}:${c.command} × ${c.fault.name}`;

/** The distinct commands of a call log, in the order they were first sent. */
export function distinctCommands(calls: readonly Command[]): Command[] {
  const seen = new Map<string, Command>();
  for (const { service, command } of calls) {
    const key = `${service}:${command}`;
    if (!seen.has(key)) seen.set(key, { service, command });
  }
  return [...seen.values()];
}

/** The history sink each report-only command is (a fault there can only be named, not recorded). */
export const SINK_OF_COMMAND: Readonly<Record<string, string>> = {
  PutItem: 'history',
  Publish: 'sns',
  PutObject: 's3',
};
