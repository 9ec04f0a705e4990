import { describe, expect, it } from '@jest/globals';
import { AwsCallError, awsErrorMessage, CommandProblem } from '../../../cli/aws-error-message.ts';
import { awsError } from '../../fixtures.ts';

describe('aws-error-message', () => {
  const context = { stackName: 'DrRunbook-shop', region: 'us-west-2', planFile: 'plan.json' };
  const call = (error: unknown) => new AwsCallError('states:StartExecution', 'arn:sm', error);

  describe('awsErrorMessage', () => {
    it.each([
      [
        'expired credentials',
        awsError('ExpiredTokenException', 400, 'The security token included in the request is expired'),
        'AWS credentials have expired: refresh them (e.g. aws sso login) and try again',
      ],
      [
        'an expired SSO session',
        Object.assign(new Error('The SSO session has expired. To refresh it, run aws sso login'), {
          name: 'CredentialsProviderError',
        }),
        'AWS credentials have expired: refresh them (e.g. aws sso login) and try again',
      ],
      [
        'rejected credentials',
        awsError('UnrecognizedClientException', 400, 'The security token is invalid'),
        'AWS rejected the credentials (UnrecognizedClientException): check AWS_PROFILE or --profile',
      ],
      [
        'an unreachable endpoint',
        Object.assign(new Error('getaddrinfo ENOTFOUND states.us-west-2.amazonaws.com'), {
          code: 'ENOTFOUND',
        }),
        'cannot reach AWS in us-west-2 (ENOTFOUND): check the network and --region',
      ],
      [
        'an HTTP 403 of any name',
        awsError('Forbidden', 403, 'no'),
        'access denied: these credentials may not call states:StartExecution on arn:sm: grant it to your role, or use a --profile that has it',
      ],
      ['anything else', awsError('InternalFailure', 500, 'We\nfailed'), 'InternalFailure: We failed'],
    ])('gives one line for %s', (_label, error, expected) => {
      expect(awsErrorMessage('start', call(error), context)).toBe(`dr-runbook start: ${expected}`);
    });

    it('passes a problem the command found through as it is', () => {
      expect(awsErrorMessage('report', new CommandProblem('no report for run x'), context)).toBe(
        'dr-runbook report: no report for run x',
      );
    });

    it('names an unwrapped non-AWS error without a stack trace', () => {
      const message = awsErrorMessage('watch', new TypeError('x is undefined'), context);
      expect(message).toBe('dr-runbook watch: TypeError: x is undefined');
    });
  });
});
