import { describe, expect, it } from '@jest/globals';
import { awsCall, toStepError } from '../../../functions/shared/aws-errors.ts';
import {
  AccessDeniedError,
  AwsRequestError,
  ReplicaNotFoundError,
  STEP_ERROR_NAMES,
  TransientAwsError,
} from '../../../functions/shared/errors.ts';
import { accessDenied, awsError, throttling } from '../../fixtures.ts';

describe('aws-errors', () => {
  const where = { resource: 'shop-db-replica', operation: 'promote read replica' };
  const notFound = { names: ['DBInstanceNotFoundFault', 'DBInstanceNotFound'], error: ReplicaNotFoundError };

  describe('toStepError', () => {
    it('maps throttling to a retryable TransientAwsError naming the resource', () => {
      const error = toStepError(throttling(), where);
      expect(error).toBeInstanceOf(TransientAwsError);
      expect(error.name).toBe('TransientAwsError');
      expect(error.retryable).toBe(true);
      expect(error.message).toBe(
        'transient AWS error trying to promote read replica on shop-db-replica (ThrottlingException: Rate exceeded)',
      );
    });

    it.each([
      ['InternalFailure', 500],
      ['ServiceUnavailable', 503],
      ['RequestLimitExceeded', 400],
      ['PriorRequestNotComplete', 400],
    ])('treats %s (HTTP %i) as transient', (name, status) => {
      expect(toStepError(awsError(name, status), where)).toBeInstanceOf(TransientAwsError);
    });

    it('treats network errors as transient', () => {
      const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      expect(toStepError(reset, where)).toBeInstanceOf(TransientAwsError);
    });

    it.each([
      ['a request timeout', { name: 'TimeoutError', code: 'ETIMEDOUT' }],
      ['a connection timeout', { name: 'TimeoutError' }],
      ['a socket error the SDK renamed', { name: 'TimeoutError', code: 'ECONNRESET' }],
      ['S3 not reading the body in time', { name: 'RequestTimeout', $metadata: { httpStatusCode: 400 } }],
      [
        'a service-side request timeout',
        { name: 'RequestTimeoutException', $metadata: { httpStatusCode: 408 } },
      ],
      ['an unreachable host', { name: 'Error', code: 'EHOSTUNREACH' }],
    ])('treats %s as transient, naming the resource', (_what, fields) => {
      const timedOut = Object.assign(new Error('timed out (test)'), fields);

      const error = toStepError(timedOut, where);

      expect(error).toBeInstanceOf(TransientAwsError);
      expect(error.resource).toBe('shop-db-replica');
      expect(error.message).toBe(
        `transient AWS error trying to promote read replica on shop-db-replica (${fields.name}: timed out (test))`,
      );
    });

    it('maps access denied to a permanent AccessDeniedError that says what to fix', () => {
      const error = toStepError(accessDenied(), where);
      expect(error).toBeInstanceOf(AccessDeniedError);
      expect(error.retryable).toBe(false);
      expect(error.message).toMatch(
        /^access denied to promote read replica on shop-db-replica .*grant the step's role/,
      );
    });

    it('maps the named not-found codes to the given error', () => {
      const error = toStepError(awsError('DBInstanceNotFoundFault', 404), { ...where, notFound });
      expect(error).toBeInstanceOf(ReplicaNotFoundError);
      expect(error.name).toBe('ReplicaNotFoundError');
      expect(error.resource).toBe('shop-db-replica');
      expect(error.message).toMatch(/^shop-db-replica not found while trying to promote read replica/);
    });

    it('keeps the SDK error as the cause', () => {
      const original = awsError('InvalidParameterCombination');
      const error = toStepError(original, where);
      expect(error).toBeInstanceOf(AwsRequestError);
      expect(error.cause).toBe(original);
    });

    it('passes runbook errors through unchanged', () => {
      const mine = new ReplicaNotFoundError('gone', 'shop-db-replica');
      expect(toStepError(mine, where)).toBe(mine);
    });

    it('gives every error class a stable name listed for Step Functions', () => {
      for (const name of [
        'TransientAwsError',
        'AccessDeniedError',
        'ReplicaNotFoundError',
        'AwsRequestError',
      ]) {
        expect(STEP_ERROR_NAMES).toContain(name);
      }
    });
  });

  describe('awsCall', () => {
    it('returns the result of a successful call', async () => {
      await expect(awsCall(where, async () => 42)).resolves.toBe(42);
    });

    it('converts what the call throws', async () => {
      await expect(
        awsCall(where, async () => {
          throw throttling();
        }),
      ).rejects.toBeInstanceOf(TransientAwsError);
    });
  });
});
