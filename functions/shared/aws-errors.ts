// Maps an AWS SDK error to the runbook's error contract, naming the resource.
import {
  AccessDeniedError,
  AwsRequestError,
  DrRunbookError,
  type NotFoundErrorClass,
  TransientAwsError,
} from './errors.ts';

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'SlowDown',
  'ResourceContentionFault',
]);

const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedException',
  'NotAuthorized',
  'AuthorizationError',
  'ExpiredToken',
  'ExpiredTokenException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
]);

/**
 * Timeouts, as the SDK names them: @smithy/node-http-handler raises `TimeoutError` for a connection
 * not established within `connectionTimeout`, a response not started within `requestTimeout`
 * (then also `code: "ETIMEDOUT"`), a socket idle past `socketTimeout`, and for a socket error whose
 * code is ECONNRESET, EPIPE or ETIMEDOUT. Services answer `RequestTimeout` (S3: the request body
 * was not read in time) or `RequestTimeoutException`; the SDK's retry strategy treats all of them
 * as transient (TRANSIENT_ERROR_CODES in @smithy/core's retry classification).
 */
const TIMEOUT = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

/** Node.js socket and DNS error codes (`error.code`) the SDK also retries. */
const NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

type SdkError = Error & { $metadata?: { httpStatusCode?: number }; $retryable?: unknown; code?: string };

/** The AWS error code of an SDK error (its `name`), or undefined for a non-SDK value. */
export function awsErrorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

export interface ClassifyOptions {
  /** What the call was about, named in the message. */
  resource: string;
  /** What the step was doing, e.g. "promote read replica". */
  operation: string;
  /** AWS error names that mean "the resource does not exist", and the error to raise for them. */
  notFound?: { names: readonly string[]; error: NotFoundErrorClass };
}

/** Converts any thrown value into a DrRunbookError; runbook errors pass through unchanged. */
export function toStepError(error: unknown, options: ClassifyOptions): DrRunbookError {
  if (error instanceof DrRunbookError) return error;
  const { resource, operation, notFound } = options;
  const err = (error instanceof Error ? error : new Error(String(error))) as SdkError;
  const name = err.name;
  const status = err.$metadata?.httpStatusCode;
  const detail = `${name}${err.message ? `: ${err.message}` : ''}`;
  if (notFound?.names.includes(name)) {
    return new notFound.error(`${resource} not found while trying to ${operation} (${detail})`, resource, {
      cause: err,
    });
  }
  if (ACCESS_DENIED.has(name) || status === 403) {
    return new AccessDeniedError(
      `access denied to ${operation} on ${resource} (${detail}): grant the step's role this permission`,
      resource,
      { cause: err },
    );
  }
  if (
    THROTTLING.has(name) ||
    TIMEOUT.has(name) ||
    NETWORK.has(name) ||
    (err.code !== undefined && NETWORK.has(err.code)) ||
    (status !== undefined && status >= 500) ||
    err.$retryable !== undefined
  ) {
    return new TransientAwsError(
      `transient AWS error trying to ${operation} on ${resource} (${detail})`,
      resource,
      {
        cause: err,
      },
    );
  }
  return new AwsRequestError(`AWS refused to ${operation} on ${resource} (${detail})`, resource, {
    cause: err,
  });
}

/** Runs one AWS call and converts whatever it throws with toStepError. */
export async function awsCall<T>(options: ClassifyOptions, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toStepError(error, options);
  }
}
