// The runbook's error contract. Step Functions Retry/Catch match on `name`, so names are stable:
// renaming one is a breaking change. Every message names the resource it is about.

export abstract class DrRunbookError extends Error {
  /** Whether Step Functions should retry the step (with backoff) on this error. */
  abstract readonly retryable: boolean;

  constructor(
    message: string,
    /** The AWS resource the error is about (identifier, name or ARN). */
    readonly resource: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Throttling, 5xx, network errors: retried with backoff. */
export class TransientAwsError extends DrRunbookError {
  readonly retryable = true;
}

/** The step's role may not do this: permanent until someone fixes IAM. */
export class AccessDeniedError extends DrRunbookError {
  readonly retryable = false;
}

/** A resource exists but is in a state the step cannot work with. */
export class InvalidResourceStateError extends DrRunbookError {
  readonly retryable = false;
}

/** Any other error AWS reported that retrying will not fix. */
export class AwsRequestError extends DrRunbookError {
  readonly retryable = false;
}

/** The step was asked for something its input does not allow (e.g. no state to check). */
export class InvalidStepInputError extends DrRunbookError {
  readonly retryable = false;
}

/** Base of every "the plan names something that is not there" error. */
export abstract class ResourceNotFoundError extends DrRunbookError {
  readonly retryable = false;
}

export class DatabaseInstanceNotFoundError extends ResourceNotFoundError {}
export class ReplicaNotFoundError extends ResourceNotFoundError {}
export class SnapshotNotFoundError extends ResourceNotFoundError {}
export class AutoScalingGroupNotFoundError extends ResourceNotFoundError {}
export class LaunchTemplateNotFoundError extends ResourceNotFoundError {}
export class AmiNotFoundError extends ResourceNotFoundError {}
export class HostedZoneNotFoundError extends ResourceNotFoundError {}
export class RecordNotFoundError extends ResourceNotFoundError {}
/** An Aurora global database (global cluster) is not there. */
export class GlobalClusterNotFoundError extends ResourceNotFoundError {}
/** An Aurora DB cluster (the plan's secondary, or a drill's temporary one) is not there. */
export class DbClusterNotFoundError extends ResourceNotFoundError {}
/** A DynamoDB table is not there in the recovery region. */
export class TableNotFoundError extends ResourceNotFoundError {}
/** An ARC routing control the plan names does not exist (in the cluster its endpoints serve). */
export class RoutingControlNotFoundError extends ResourceNotFoundError {}
/** A CloudWatch alarm the plan names is not in the recovery region. */
export class AlarmNotFoundError extends ResourceNotFoundError {}
/** A Route 53 health check the plan names does not exist. */
export class HealthCheckNotFoundError extends ResourceNotFoundError {}

/** Constructor of a not-found error, passed to the AWS error classifier. */
export type NotFoundErrorClass = new (
  message: string,
  resource: string,
  options?: { cause?: unknown },
) => ResourceNotFoundError;

/** Every error name a step may raise, for Step Functions Catch/Retry and for docs. */
export const STEP_ERROR_NAMES = [
  'TransientAwsError',
  'AccessDeniedError',
  'InvalidResourceStateError',
  'AwsRequestError',
  'InvalidStepInputError',
  'StepTimedOutError',
  'DatabaseInstanceNotFoundError',
  'ReplicaNotFoundError',
  'SnapshotNotFoundError',
  'AutoScalingGroupNotFoundError',
  'LaunchTemplateNotFoundError',
  'AmiNotFoundError',
  'HostedZoneNotFoundError',
  'RecordNotFoundError',
  'GlobalClusterNotFoundError',
  'DbClusterNotFoundError',
  'TableNotFoundError',
  'RoutingControlNotFoundError',
  'AlarmNotFoundError',
  'HealthCheckNotFoundError',
  'HookFunctionError',
  'InvalidHookAnswerError',
  'HookFunctionNotFoundError',
] as const;
