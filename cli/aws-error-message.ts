// Every AWS failure of an operator command becomes ONE line that says what to fix: no stack
// traces, no SDK internals. The command wraps each call so the line can name the action.

/** An AWS call that failed, with the IAM action and the resource it was about. */
export class AwsCallError extends Error {
  constructor(
    /** IAM action, e.g. "states:StartExecution". */
    readonly action: string,
    /** What the call was about: a stack name, an ARN, a table name. */
    readonly resource: string,
    readonly error: unknown,
  ) {
    super(`${action} on ${resource} failed`, { cause: error });
    this.name = 'AwsCallError';
  }
}

/** Something the command looked for and did not find (a run, a waiting approval): one line, exit 1. */
export class CommandProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandProblem';
  }
}

/** Where the command was looking, to say where else to look. */
export interface ErrorContext {
  readonly stackName: string;
  readonly region: string;
  readonly planFile: string;
  readonly profile?: string;
}

const CREDENTIALS_EXPIRED = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'TokenProviderError',
  'RequestExpired',
]);
const CREDENTIALS_REJECTED = new Set([
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
]);
const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation']);
const APPROVAL_GONE = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);
const NETWORK = new Set([
  'ENOTFOUND',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'TimeoutError',
]);

interface ErrorFacts {
  name: string;
  code?: string;
  message: string;
  status?: number;
}

function factsOf(error: unknown): ErrorFacts {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const e = error as Error & { code?: unknown; $metadata?: { httpStatusCode?: number } };
  return {
    name: e.name || 'Error',
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    message: (e.message || '(no message)').replace(/\s+/g, ' ').trim(),
    ...(e.$metadata?.httpStatusCode ? { status: e.$metadata.httpStatusCode } : {}),
  };
}

function describe(error: ErrorFacts, call: AwsCallError | undefined, context: ErrorContext): string {
  const { name, message } = error;
  const resource = call?.resource ?? 'the resource';
  const profile = context.profile;
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    if (/expired|refresh/i.test(message)) return expired(profile);
    return profile
      ? `no AWS credentials for profile "${profile}": check ~/.aws/config, or run aws sso login --profile ${profile}`
      : 'no AWS credentials: set AWS_PROFILE or use --profile';
  }
  if (CREDENTIALS_EXPIRED.has(name)) return expired(profile);
  if (CREDENTIALS_REJECTED.has(name)) {
    return `AWS rejected the credentials (${name}): check AWS_PROFILE or --profile`;
  }
  if (name === 'ValidationError' && /does not exist/i.test(message)) {
    return (
      `stack ${context.stackName} not found in ${context.region}: deploy it with ` +
      `npx cdk deploy --all -c plan=${context.planFile}, or pass --stack/--region`
    );
  }
  if (ACCESS_DENIED.has(name) || error.status === 403) {
    return (
      `access denied: these credentials may not call ${call?.action ?? 'this action'} on ${resource}: ` +
      'grant it to your role, or use a --profile that has it'
    );
  }
  if (name === 'ExecutionDoesNotExist') {
    return `execution ${resource} does not exist in ${context.region}: check the name or ARN (and --region)`;
  }
  if (name === 'StateMachineDoesNotExist') {
    return `state machine ${resource} does not exist: redeploy the stack ${context.stackName}`;
  }
  if (name === 'ResourceNotFoundException') {
    return `${resource} not found in ${context.region}: redeploy the stack ${context.stackName}`;
  }
  if (name === 'InvalidArn') return `${resource} is not a valid ARN: pass an execution ARN or name`;
  if (APPROVAL_GONE.has(name)) {
    return `the approval request in ${resource} is no longer waiting (${name}): it timed out or was already answered`;
  }
  const code = error.code ?? name;
  if (NETWORK.has(code))
    return `cannot reach AWS in ${context.region} (${code}): check the network and --region`;
  return `${name}: ${message}`;
}

function expired(profile: string | undefined): string {
  return `AWS credentials have expired: refresh them (e.g. aws sso login${profile ? ` --profile ${profile}` : ''}) and try again`;
}

/** The one line to print for an error of `dr-runbook <command>`. */
export function awsErrorMessage(command: string, error: unknown, context: ErrorContext): string {
  const prefix = `dr-runbook ${command}: `;
  if (error instanceof CommandProblem) return prefix + error.message;
  const call = error instanceof AwsCallError ? error : undefined;
  return prefix + describe(factsOf(call ? call.error : error), call, context);
}
